"""Fixtures for the kit's own tests: one preloaded fork server, and grading of a patched reference."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader import PROJECT_ROOT, REFERENCE_DIR, grading, manifest, release
from grader.frameworks import import_frameworks

# torchvision (and the triton it loads) before any test imports tensorflow: the other order
# crashes the process (grader/frameworks.py). Without this, test_diagnose.py's TensorFlow test
# followed by test_explain.py's torchvision in one process ended in a segmentation fault.
import_frameworks(["torchvision"])

# The kit prints `tox -e …` commands when it runs under tox (TOX_ENV_NAME). The tests run the kit
# the way a shell without tox would, both under `tox -e test` and under plain pytest; a test of
# the tox form sets the variable itself.
os.environ.pop("TOX_ENV_NAME", None)
# The kit's tests read its English messages: a developer's Japanese locale or saved language
# must not change them. The tests of the Japanese set the language themselves (test_i18n.py).
os.environ["KIT_LANG"] = "en"

# Learners' answers, not tests: the held-out set has a case named test_loader_shuffled.py.
collect_ignore = ["heldout", "beginners", "mutants", "todo_answers"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kit", "the kit's own tests")
    group.addoption(
        "--exercise",
        action="append",
        default=[],
        help="run only the tests of this exercise: its reference, stub and mutants (repeatable)",
    )
    group.addoption(
        "--chapter",
        action="append",
        default=[],
        help="run only the tests of this chapter's exercises (repeatable)",
    )


def selected_exercises(config: pytest.Config) -> list[str]:
    """The ids that --exercise and --chapter name; none when they are not given."""
    names = config.getoption("--exercise") + config.getoption("--chapter")
    if not names:
        return []
    try:
        return [ex.id for ex in manifest.select(names)]
    except manifest.UnknownExercise as exc:
        raise pytest.UsageError(f"--exercise/--chapter: {exc}") from None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --exercise or --chapter, keep only the tests parametrized by those exercises."""
    wanted = set(selected_exercises(config))
    if not wanted:
        return
    keep, drop = [], []
    for item in items:
        (keep if exercise_of(item) in wanted else drop).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep


def exercise_of(item: pytest.Item) -> str | None:
    """The exercise a test is about: its `exercise` or `mutant` parameter, else None."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "mutant" in params:
        return params["mutant"].exercise
    return params.get("exercise")


def kit_command(
    root: Path = PROJECT_ROOT, *args: str, env: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """`python -m grader ARGS` from the kit at `root`, as a learner's shell would run it."""
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        check=False,
        cwd=cwd or root,
        env={**os.environ, "PYTHONPATH": str(root), "COLUMNS": "160", **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )


def git(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """The kit in a fresh, committed git repository, which tests may change freely.

    The kit's own files are copied as they are in the working tree (so that uncommitted work on
    the kit is what gets tested), but exercises/ comes from git's HEAD: in a learner's copy the
    working tree's exercises/ holds their work, which the kit's tests must never use.
    """
    listed = git("ls-files", "-co", "--exclude-standard").stdout.split()
    if not listed:
        pytest.skip("not a git checkout")
    root = tmp_path / "kit"
    for name in listed:
        target = root / name
        if name.startswith("exercises/"):
            committed = subprocess.run(
                ["git", "show", f"HEAD:{name}"], cwd=PROJECT_ROOT, capture_output=True, check=False
            )
            if committed.returncode != 0:
                continue  # a file of the learner's own, never committed
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(committed.stdout)
        elif (PROJECT_ROOT / name).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, target)
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("-c", "user.name=kit", "-c", "user.email=kit@example.org", "commit", "-qm", "kit", cwd=root)
    return root


@pytest.fixture(scope="session")
def pristine_stubs(tmp_path_factory) -> Path:
    """Freshly generated stubs, laid out like exercises/ (never the learner's own files)."""
    root = tmp_path_factory.mktemp("stubs")
    for module, text in release.planned().items():
        (root / module).parent.mkdir(parents=True, exist_ok=True)
        (root / module).write_text(text)
    return root


@dataclass
class Graded:
    """One `kit grade --json` run: its exit status, output and report."""

    returncode: int
    stdout: str
    stderr: str
    report: dict

    def entry(self, exercise_id: str) -> dict:
        found = [e for e in self.report.get("exercises", []) if e["id"] == exercise_id]
        assert found, f"{exercise_id} is not in the report: {self.stdout[-2000:]}"
        return found[0]


def graded_once(request, tmp_path_factory, name: str, root: Path, *extra: str) -> Graded:
    """`kit grade` of the selected exercises (all by default) in `root`, with a JSON report,
    run once per test session even when pytest-xdist's workers all ask for it: the first
    grades under a lock in the folder the workers share, the others read what it wrote."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    shared = tmp_path_factory.getbasetemp()
    shared = shared.parent if worker else shared  # under xdist: this run's folder, not the worker's
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / f"{name}.json"
        if not saved.exists():
            out = shared / f"{name}-report.json"
            ids = selected_exercises(request.config)
            run = kit_command(
                PROJECT_ROOT, "grade", *ids, "--exercises", str(root), "--json", str(out), *extra
            )
            report = json.loads(out.read_text()) if out.exists() else {}
            saved.write_text(json.dumps([run.returncode, run.stdout, run.stderr, report]))
        return Graded(*json.loads(saved.read_text()))


# Each reference and each pristine stub is graded once per session, by the command a learner
# runs: tests/test_cli.py checks the command and its report, tests/test_exercises.py each
# exercise's entry.
@pytest.fixture(scope="session")
def reference_report(request, tmp_path_factory) -> Graded:
    return graded_once(
        request, tmp_path_factory, "references", PROJECT_ROOT / "reference", "--learner", "ref"
    )


@pytest.fixture(scope="session")
def stub_report(request, tmp_path_factory, pristine_stubs) -> Graded:
    return graded_once(request, tmp_path_factory, "stubs", pristine_stubs)


@pytest.fixture(scope="session")
def postgres():
    """A private PostgreSQL server for the whole session (tests/postgres_server.py), stopped at
    the end; the tests that use it are skipped, saying why, where no server binaries exist."""
    from tests import postgres_server

    why = postgres_server.problem()
    if why:
        pytest.skip(why)
    server = postgres_server.Server()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def server():
    """One fork server for the whole test session, preloaded like `kit grade` would be."""
    return grading.start_server(list(manifest.load()))


@pytest.fixture
def grade(server, tmp_path):
    """grade(exercise_id, root=None, seed=...) -> ExerciseResult, graded in a sandboxed process."""

    def run(exercise_id, root=None, seed=1234, device="all", timeout_scale=1.0):
        exercise = manifest.find(exercise_id)
        options = grading.Options(
            Path(root or REFERENCE_DIR).resolve(), seed, device, timeout_scale
        )
        return grading.grade_one(server, exercise, options)

    return run


def copy_reference(root: Path, exercise_ids: list[str]) -> Path:
    for exercise_id in exercise_ids:
        module = manifest.find(exercise_id).module
        (root / module).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REFERENCE_DIR / module, root / module)
    return root


def own_code(reference: str) -> str:
    """The reference's code as a learner who wrote it themselves would hand it in: without
    nbgrader's markers and without the comments of the solution regions (which only a copy of
    the reference has)."""
    out, inside = [], False
    for line in reference.splitlines(keepends=True):
        if "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
            inside = "BEGIN" in line
            continue
        if inside and line.strip().startswith("#"):
            continue
        out.append(line.split("  # ")[0].rstrip() + "\n" if inside else line)
    return "".join(out)

"""`kit submit`: a learner's exercise modules are copied (never moved or edited) into the
course folder, laid out like nbgrader's submitted/<learner>/..., with the sha256 of each file
and the time; bad input is one line, exit 2, and nothing is written.

The helpers here are shared by the other tests/test_course_*.py files: a small course of
three cheap chapter-1 exercises (a manifest of their own, fed through KIT_MANIFEST), and
learners' folders built from the pristine stubs, the reference and the mutants.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import PROJECT_ROOT, REFERENCE_DIR, manifest, release
from tests.conftest import kit_command, own_code

# The course the instructor-side tests grade: chapter-1 exercises that grade in about 0.3 s.
SMALL = ("conv_output_size", "activations", "sgd")


def small_manifest_text(ids=SMALL) -> str:
    """The kit's manifest with only the exercises `ids`, text unchanged otherwise."""
    head, *entries = manifest.MANIFEST_PATH.read_text().split("[[exercise]]")
    keep = [e for e in entries if re.search(rf'^id = "({"|".join(ids)})"$', e, re.MULTILINE)]
    assert len(keep) == len(ids)
    return head + "".join("[[exercise]]" + e for e in keep)


def modules(ids=SMALL) -> list[str]:
    return [manifest.find(i).module for i in ids]


def learner_folder(root: Path, solved=(), edits=None) -> Path:
    """A learner's exercises/ for the small course: pristine stubs, a copy of the reference
    (without nbgrader's markers) for the `solved` ids, and for the ids in `edits`, code of
    their own: the reference's code (own_code) with the {id: [(old, new), ...]} edits."""
    from grader.course.reference_match import without_markers

    stubs = release.planned(exercises=[manifest.find(i) for i in SMALL])
    for exercise_id in SMALL:
        module = manifest.find(exercise_id).module
        target = root / module
        target.parent.mkdir(parents=True, exist_ok=True)
        reference = (REFERENCE_DIR / module).read_text()
        if exercise_id in (edits or {}):
            text = own_code(reference)
            for old, new in edits[exercise_id]:
                assert text.count(old) == 1, old
                text = text.replace(old, new)
            target.write_text(text)
        elif exercise_id in solved:
            target.write_text(without_markers(reference))
        else:
            target.write_text(stubs[module])
    return root


class Course:
    """A course folder with its environment, and the kit run as a learner or instructor would."""

    def __init__(self, tmp: Path, kit_root: Path = PROJECT_ROOT, server_url: str | None = None):
        self.tmp = tmp
        self.root = tmp / "course"
        (self.root / "submitted").mkdir(parents=True)  # as the README's set-up makes it
        self.kit_root = kit_root
        (tmp / "manifest.toml").write_text(small_manifest_text())
        self.env = {
            "KIT_MANIFEST": str(tmp / "manifest.toml"),
            "KIT_COURSE_DIR": str(self.root),
            # No instructor's or learner's own config file leaks into a test.
            "XDG_CONFIG_HOME": str(tmp / "xdg"),
            "KIT_COURSE_CONFIG": "",
            "KIT_GRADEBOOK": "",
            "COLUMNS": "100",
        }
        self.server_url = None  # a server gradebook (PostgreSQL) instead of gradebook.db
        if server_url:
            self.use_server(server_url)

    def use_server(self, url: str) -> None:
        self.server_url = self.env["KIT_GRADEBOOK"] = url

    @property
    def engine(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def url(self) -> str:
        return self.server_url or f"sqlite:///{self.gradebook}"

    def kit(self, *args: str, env: dict | None = None, cwd: Path | None = None):
        return kit_command(self.kit_root, *args, env={**self.env, **(env or {})}, cwd=cwd)

    def submit(self, learner: str, folder: Path) -> subprocess.CompletedProcess:
        run = self.kit("submit", "--exercises", str(folder), "--learner", learner)
        assert run.returncode == 0, run.stdout + run.stderr
        return run

    def submissions(self, learner: str) -> list[Path]:
        return sorted(p for p in (self.root / "submitted" / learner).iterdir() if p.is_dir())

    def popen(self, *args: str, env: dict | None = None, **kw) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "grader", *args],
            cwd=self.kit_root,
            env={**os.environ, "PYTHONPATH": str(self.kit_root), **self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **kw,
        )


@pytest.fixture
def course(tmp_path) -> Course:
    return Course(tmp_path)


def one_line_error(run: subprocess.CompletedProcess, phrase: str) -> None:
    """Bad input: exit 2, one line on stderr that says what is wrong, no traceback."""
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kit: error: "), run.stderr
    assert phrase in lines[0], lines[0]
    assert "Traceback" not in run.stdout + run.stderr


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time: proof that a folder was only read."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- the tests ------------------------------------------------------------------------------


def test_submit_copies_the_modules_with_their_hashes_and_time(course, tmp_path):
    from nbgrader.utils import parse_utc

    work = learner_folder(tmp_path / "work", solved=["activations"])
    before = snapshot(work)
    run = course.submit("ada@lab.example", work)
    assert snapshot(work) == before  # copied, never moved or edited

    (folder,) = course.submissions("ada@lab.example")
    record = json.loads((folder / "submission.json").read_text())
    expected = {m: hashlib.sha256((work / m).read_bytes()).hexdigest() for m in modules()}
    assert record["files"] == expected and record["learner"] == "ada@lab.example"
    for module in modules():
        assert (folder / module).read_bytes() == (work / module).read_bytes()
    # nbgrader's own parser reads the timestamp; it is the recorded time of the submission.
    stamp = parse_utc((folder / "timestamp.txt").read_text().strip())
    assert stamp.isoformat() == record["submitted_at"][:-6]  # both UTC
    assert {p.name for p in folder.iterdir()} == {
        "ch1_theory",
        "submission.json",
        "timestamp.txt",
    }

    # It tells the learner what (each file and its hash), where and when.
    assert str(folder) in run.stdout and "UTC" in run.stdout
    for module, digest in expected.items():
        assert re.search(rf"^  {re.escape(module)}\s+{digest[:16]}$", run.stdout, re.MULTILINE)
    # The follow-up names the learner actually used, and runs as printed.
    assert "progress --learner ada@lab.example" in run.stdout


def test_a_second_submission_is_a_new_folder_that_names_what_changed(course, tmp_path):
    work = learner_folder(tmp_path / "work", solved=["activations"])
    course.submit("ada", work)
    learner_folder(work, solved=["activations", "sgd"])
    run = course.submit("ada", work)
    first, second = course.submissions("ada")
    assert (first / "ch1_theory/sgd.py").read_text() != (second / "ch1_theory/sgd.py").read_text()
    changed = [line.split()[0] for line in run.stdout.splitlines() if line.endswith("changed")]
    assert changed == ["ch1_theory/sgd.py"]
    assert "1 file changed since your previous submission" in run.stdout


def test_the_learner_name_comes_from_the_environment_and_is_never_empty(course, tmp_path):
    work = learner_folder(tmp_path / "work")
    from grader.identity import folder_name

    run = course.kit("submit", "--exercises", str(work), env={"KIT_LEARNER": "Grace Hopper"})
    assert course.submissions(folder_name("Grace Hopper")), run.stdout + run.stderr
    assert "the name came from KIT_LEARNER" in run.stdout
    nobody = {
        "KIT_LEARNER": "",
        "HOME": str(tmp_path),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    one_line_error(course.kit("submit", "--exercises", str(work), env=nobody), "no learner name")


def test_the_course_folder_comes_from_a_config_file(course, tmp_path):
    work = learner_folder(tmp_path / "work")
    config = tmp_path / "lab.toml"
    config.write_text('course_dir = "course"\n')  # relative to the file
    run = course.kit(
        "submit",
        "--exercises",
        str(work),
        "--learner",
        "ada",
        env={"KIT_COURSE_DIR": "", "KIT_COURSE_CONFIG": str(config)},
    )
    assert run.returncode == 0, run.stderr
    assert course.submissions("ada")


def _make_missing(work: Path, course: Course) -> None:
    (work / "ch1_theory/sgd.py").unlink()


def _make_extra(work: Path, course: Course) -> None:
    (work / "ch1_theory/helpers.py").write_text("X = 1\n")


def _no_course_set(work: Path, course: Course) -> dict:
    return {"KIT_COURSE_DIR": ""}


def _course_missing(work: Path, course: Course) -> dict:
    shutil.rmtree(course.root)
    return {}


def _not_a_course_folder(work: Path, course: Course) -> dict:
    """--course pointing at a folder without submitted/ (here, submitted/ itself)."""
    return {"KIT_COURSE_DIR": str(course.root / "submitted")}


@pytest.mark.parametrize(
    ("spoil", "phrase"),
    [
        (_make_missing, "lacks ch1_theory/sgd.py"),
        (_make_extra, "not exercise modules: ch1_theory/helpers.py"),
        (_no_course_set, "no course folder is set"),
        (_course_missing, "does not exist"),
        (_not_a_course_folder, "is not a course folder: it has no submitted/ folder"),
    ],
    ids=[
        "missing module",
        "extra file",
        "no course folder set",
        "course folder missing",
        "not a course folder",
    ],
)
def test_bad_input_is_one_line_and_submits_nothing(course, tmp_path, spoil, phrase):
    work = learner_folder(tmp_path / "work")
    env = spoil(work, course) or {}
    before = snapshot(work)
    run = course.kit("submit", "--exercises", str(work), "--learner", "ada", env=env)
    one_line_error(run, phrase)
    assert snapshot(work) == before
    assert not course.root.exists() or not any((course.root / "submitted").iterdir())


def test_a_kit_clone_instead_of_its_exercises_folder_names_the_right_one(course, tmp_path):
    clone = tmp_path / "clone"
    learner_folder(clone / "exercises")
    run = course.kit("submit", "--exercises", str(clone), "--learner", "ada")
    one_line_error(run, f"pass {clone / 'exercises'}")


def test_a_course_folder_that_is_not_writable_is_refused(course, tmp_path):
    """Read-only for real: a read-only bind mount (root ignores file modes), else chmod."""
    work = learner_folder(tmp_path / "work")
    args = ["submit", "--exercises", str(work), "--learner", "ada"]
    if os.geteuid() != 0:
        course.root.chmod(0o555)
        try:
            run = course.kit(*args)
        finally:
            course.root.chmod(0o755)
    else:
        from grader.course.isolation import bwrap_problem

        if bwrap_problem():
            pytest.skip(f"as root only a read-only mount can refuse writes: {bwrap_problem()}")
        command = [
            "bwrap", "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--ro-bind", str(course.root), str(course.root),
            sys.executable, "-m", "grader", *args,
        ]  # fmt: skip
        run = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **course.env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    one_line_error(run, "is not writable for you")
    assert not any((course.root / "submitted").iterdir())

"""Fixtures for the kit's own tests: one preloaded fork server, and grading of a patched reference."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import PROJECT_ROOT, REFERENCE_DIR, grading, manifest, release


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

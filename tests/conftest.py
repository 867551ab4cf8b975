"""Fixtures for the kit's own tests: one preloaded fork server, and grading of a patched reference."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import REFERENCE_DIR, grading, manifest
from tests.mutants import Mutant


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


def write_mutant(mutant: Mutant, root: Path) -> Path:
    """A copy of the reference module with the mutant's edits, laid out like exercises/."""
    exercise = manifest.find(mutant.exercise)
    source = (REFERENCE_DIR / exercise.module).read_text()
    for old, new in mutant.edits:
        assert source.count(old) == 1, (
            f"mutant {mutant.name!r}: {old!r} occurs {source.count(old)} times"
        )
        source = source.replace(old, new)
    target = root / exercise.module
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source)
    return root


def copy_reference(root: Path, exercise_ids: list[str]) -> Path:
    for exercise_id in exercise_ids:
        module = manifest.find(exercise_id).module
        (root / module).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REFERENCE_DIR / module, root / module)
    return root

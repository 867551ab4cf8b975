"""Autograder for the lab's "CNN basics" exercises: pytest checks run against learner stubs."""

from pathlib import Path

# The kit runs from a source checkout (tox installs it in develop mode), so the exercise,
# reference and data folders are found next to this package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = Path(__file__).resolve().parent / "checks"
REFERENCE_DIR = PROJECT_ROOT / "reference"
EXERCISES_DIR = PROJECT_ROOT / "exercises"

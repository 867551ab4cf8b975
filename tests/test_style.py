"""The code is formatted and linted by ruff (line length 100, settings in pyproject.toml)."""

import os
import shutil
import subprocess
import sys

import pytest

from grader import PROJECT_ROOT

PATHS = ["grader", "reference", "tests", "toxfile.py"]


@pytest.mark.parametrize("command", [["format", "--check"], ["check"]], ids=["format", "lint"])
def test_ruff(command):
    ruff = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the dev extra that tox installs)")
    run = subprocess.run(
        [ruff, *command, *PATHS], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr

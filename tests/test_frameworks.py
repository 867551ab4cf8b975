"""The grader copes with the frameworks as learners' machines have them: missing, or both at once."""

import json
import os
import subprocess
import sys

import pytest

from grader import PROJECT_ROOT, manifest


def test_tensorflow_then_torchvision_is_safe_through_the_kit():
    """import tensorflow then torchvision segfaults; the kit's import helper orders them."""
    code = (
        "from grader.frameworks import import_frameworks\n"
        "missing = import_frameworks(['tensorflow'])\n"
        "import torchvision, tensorflow\n"
        "print('ok', sorted(missing))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert run.returncode == 0 and run.stdout.startswith("ok"), run.stderr[-2000:]


def test_grading_without_tensorflow_skips_only_the_tf_exercises(tmp_path):
    tf_exercises = [ex.id for ex in manifest.load() if "tensorflow" in ex.needs]
    if not tf_exercises:
        pytest.skip("no TensorFlow exercises in the manifest")
    # A package that fails to import the way a missing TensorFlow does.
    shadow = tmp_path / "shadow" / "tensorflow"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'tensorflow'\", name='tensorflow')\n"
    )
    out = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": f"{shadow.parent}{os.pathsep}{PROJECT_ROOT}"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "grade",
            tf_exercises[0],
            "activations",
            "--exercises",
            "reference",
            "--json",
            str(out),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(out.read_text())
    by_id = {e["id"]: e for e in report["exercises"]}
    assert by_id["activations"]["status"] == "passed"
    skipped = by_id[tf_exercises[0]]
    assert skipped["status"] == "skipped", skipped
    assert all(c["message"] == "tensorflow not installed" for c in skipped["checks"]), skipped
    assert report["environment"]["tensorflow"] is None

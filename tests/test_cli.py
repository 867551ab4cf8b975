"""The `kit` command as learners and instructors meet it: real subprocesses, real output."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from grader import EXERCISES_DIR, PROJECT_ROOT, manifest, release
from tests.conftest import copy_reference, write_mutant
from tests.test_containment import SUBMISSIONS

SCHEMA = json.loads((PROJECT_ROOT / "grader" / "report.schema.json").read_text())


def kit(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_reference_gets_full_marks(tmp_path):
    out = tmp_path / "report.json"
    run = kit("grade", "--exercises", "reference", "--json", str(out))
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    jsonschema.validate(report, SCHEMA)
    failing = {
        e["id"]: [c for c in e["checks"] if c["status"] != "passed"]
        for e in report["exercises"]
        if e["status"] != "passed"
    }
    assert failing == {}
    assert (
        report["totals"]["score"]
        == report["totals"]["max_score"]
        == sum(ex.points for ex in manifest.load())
    )
    assert "seed 1234" in run.stdout


def test_pristine_stubs_are_all_not_started(tmp_path):
    out = tmp_path / "report.json"
    run = kit("grade", "--json", str(out))
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    jsonschema.validate(report, SCHEMA)
    assert {e["id"]: e["status"] for e in report["exercises"]} == {
        ex.id: "not_started" for ex in manifest.load()
    }
    assert "Traceback" not in run.stdout + run.stderr
    assert "not started" in run.stdout
    # A stub that is not started never makes the kit load (or download) a data set.
    assert {e["id"]: e["data"] for e in report["exercises"] if e["data"]} == {}


def test_stubs_match_the_generator():
    assert release.drift() == [], "run `kit release --overwrite` after editing reference/"


def test_stub_differs_from_reference_only_in_solution_regions():
    for ex in manifest.load():
        stub = (EXERCISES_DIR / ex.module).read_text()
        assert "NotImplementedError" in stub, ex.module
        assert "### BEGIN SOLUTION" not in stub, ex.module


def test_release_never_overwrites_learner_work(tmp_path, monkeypatch):
    ex = manifest.load()[0]
    target = tmp_path / ex.module
    target.parent.mkdir(parents=True)
    target.write_text("# my work\n")
    written, refused = release.release(tmp_path)
    assert ex.module in refused and target.read_text() == "# my work\n"
    assert len(written) == len(manifest.load()) - 1


def test_one_bad_exercise_leaves_the_others_graded(tmp_path):
    root = write_mutant(SUBMISSIONS["os._exit"], tmp_path)
    others = [ex.id for ex in manifest.load() if ex.id != "activations"][:2]
    copy_reference(root, others)
    out = tmp_path / "report.json"
    run = kit("grade", "activations", *others, "--exercises", str(root), "--json", str(out))
    assert run.returncode == 0, run.stderr
    statuses = {e["id"]: e["status"] for e in json.loads(out.read_text())["exercises"]}
    assert statuses == {"activations": "error", **{o: "passed" for o in others}}


def test_same_seed_reproduces_results(tmp_path):
    reports = []
    for n in range(2):
        out = tmp_path / f"r{n}.json"
        kit("grade", "activations", "--seed", "7", "--json", str(out), "--exercises", "reference")
        reports.append([e["checks"] for e in json.loads(out.read_text())["exercises"]])
    assert reports[0] == reports[1]


@pytest.mark.parametrize(
    "args, phrase",
    [
        (
            ["grade", "no_such_exercise"],
            "unknown exercise id 'no_such_exercise'; valid ids: conv_output_size, convolution",
        ),
        (["grade", "--exercises", "does/not/exist"], "no such directory"),
        (["grade", "--exercises", "grader"], "holds none of the exercise modules"),
        (["hint", "nope"], "unknown exercise id 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, phrase):
    run = kit(*args)
    assert run.returncode == 2
    assert phrase in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_folder_missing_some_modules_is_named(tmp_path):
    copy_reference(tmp_path, ["activations"])
    others = [ex.id for ex in manifest.load() if ex.id != "activations"]
    if not others:
        pytest.skip("needs a second exercise")
    run = kit("grade", "activations", others[0], "--exercises", str(tmp_path))
    assert run.returncode == 2 and manifest.find(others[0]).module in run.stderr


def test_hint_levels_in_both_languages():
    for ex in manifest.load():
        assert len(ex.hints["en"]) >= 2 and len(ex.hints["ja"]) >= 2, ex.id
    run = kit("hint", "activations", "--level", "2", "--lang", "ja")
    assert run.returncode == 0 and "hint 2" in run.stdout


def test_missing_data_stops_only_the_exercises_that_need_it(tmp_path, monkeypatch):
    empty = tmp_path / "no-data"
    empty.mkdir()
    monkeypatch.setenv("KIT_DATA_DIR", str(empty))
    monkeypatch.setenv("KIT_OFFLINE", "1")
    out = tmp_path / "report.json"
    run = kit(
        "grade", "california_dataset", "activations", "--exercises", "reference", "--json", str(out)
    )
    assert run.returncode == 0, run.stderr
    by_id = {e["id"]: e for e in json.loads(out.read_text())["exercises"]}
    assert by_id["activations"]["status"] == "passed"
    assert by_id["california_dataset"]["status"] == "error"
    messages = [
        c["message"] for c in by_id["california_dataset"]["checks"] if c["status"] == "error"
    ]
    assert messages and all(
        "California housing is missing" in m and str(empty) in m for m in messages
    )


def test_doctor_reports_each_part_of_the_environment():
    run = kit("doctor")
    assert run.returncode in (0, 1), run.stderr
    for subject in (
        "Python",
        "torch",
        "CUDA",
        "tensorflow",
        "data directory",
        "California housing",
        "CIFAR-10",
    ):
        assert subject in run.stdout, subject
    assert "Traceback" not in run.stderr

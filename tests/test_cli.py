"""The `kit` command as learners and instructors meet it: real subprocesses, real output."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from grader import PROJECT_ROOT, manifest
from tests.conftest import copy_reference, kit_command
from tests.test_containment import SUBMISSIONS

SCHEMA = json.loads((PROJECT_ROOT / "grader" / "report.schema.json").read_text())


def kit(
    *args: str, cwd: Path = PROJECT_ROOT, env: dict | None = None
) -> subprocess.CompletedProcess:
    return kit_command(PROJECT_ROOT, *args, cwd=cwd, env=env)


def test_grading_every_reference_gives_full_marks_and_a_valid_report(reference_report):
    report = reference_report.report
    assert reference_report.returncode == 0, reference_report.stderr
    jsonschema.validate(report, SCHEMA)
    # Each exercise's own entry is checked in tests/test_exercises.py.
    assert {e["id"] for e in report["exercises"]} == {ex.id for ex in manifest.load()}
    assert (
        report["totals"]["score"]
        == report["totals"]["max_score"]
        == sum(ex.points for ex in manifest.load())
    )
    assert "seed 1234" in reference_report.stdout
    assert report["learner"] == "ref" and report["kit"]["version"]


def test_grading_every_pristine_stub_says_not_started(stub_report, pristine_stubs):
    report = stub_report.report
    # Not started alone is no failure.
    assert stub_report.returncode == 0, stub_report.stderr
    jsonschema.validate(report, SCHEMA)
    # Each exercise's own entry is checked in tests/test_exercises.py.
    assert {e["id"] for e in report["exercises"]} == {ex.id for ex in manifest.load()}
    assert "Traceback" not in stub_report.stdout + stub_report.stderr
    assert "not started" in stub_report.stdout
    strict = kit("grade", "activations", "--exercises", str(pristine_stubs), "--strict")
    assert strict.returncode == 1


def test_the_readmes_first_run_is_what_the_kit_prints(monkeypatch):
    """The README's example of the first `tox -e grade` (its progress line and next exercise)
    is what the kit prints with nothing done, so that it cannot go stale as exercises are added."""
    from grader import learner_progress

    readme = (PROJECT_ROOT / "README.md").read_text()
    after = readme.split("The first `tox -e grade` reports", 1)[1]
    shown = after.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    monkeypatch.setenv("TOX_ENV_NAME", "grade")  # as printed under tox, which the README uses
    view = learner_progress.overview({})
    assert shown == [learner_progress.progress_line(view), *learner_progress.next_lines(view)]


def test_a_failed_exercise_makes_the_exit_status_non_zero(tmp_path):
    root = SUBMISSIONS["os._exit(3)"].write(tmp_path)
    run = kit("grade", "activations", "--exercises", str(root))
    assert run.returncode == 1, run.stdout


def test_one_bad_exercise_leaves_the_others_graded(tmp_path):
    root = SUBMISSIONS["os._exit(3)"].write(tmp_path)
    others = [ex.id for ex in manifest.load() if ex.id != "activations"][:2]
    copy_reference(root, others)
    out = tmp_path / "report.json"
    run = kit("grade", "activations", *others, "--exercises", str(root), "--json", str(out))
    assert run.returncode == 1, run.stderr
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
    "args, env, phrase",
    [
        (
            ["grade", "no_such_exercise"],
            {},
            "unknown exercise id or chapter 'no_such_exercise'; python -m grader list shows every",
        ),
        (["grade", "convolutoin"], {}, "'convolutoin'; did you mean 'convolution'?"),
        (["grade", "ch3_housng"], {}, "'ch3_housng'; did you mean 'ch3_housing'?"),
        (["grade", "activations", "ch3"], {}, "'ch3'; did you mean 'ch3_housing'?"),
        (["watch", "trian_epoch"], {}, "did you mean 'train_epoch' or 'train_step'?"),
        (["hint", "relu"], {}, "unknown exercise id 'relu'; python -m grader list shows every"),
        (
            ["hint", "activation"],
            {},
            "unknown exercise id 'activation'; did you mean 'activations'?",
        ),
        (["grade", "--exercises", "does/not/exist"], {}, "no such directory"),
        (["grade", "--exercises", "grader"], {}, "holds none of the exercise modules"),
        (["hint", "nope"], {}, "unknown exercise id 'nope'"),
        (["hint", "activations", "--level", "9"], {}, "has hint levels 1 to 2"),
        (["hint", "activations", "--level", "0"], {}, "has hint levels 1 to 2"),
        (["grade", "--seed", "-1"], {}, "must be from 0 to 4294967295"),
        (["grade", "--seed", str(2**32)], {}, "must be from 0 to 4294967295"),
        (["grade", "--seed", "x"], {}, "must be a whole number"),
        (["grade", "--timeout-scale", "0"], {}, "--timeout-scale must be a positive number"),
        (["grade", "--timeout-scale", "-2"], {}, "--timeout-scale must be a positive number"),
        (["grade", "--timeout-scale", "nan"], {}, "--timeout-scale must be a positive number"),
        (["grade", "--timeout-scale", "inf"], {}, "--timeout-scale must be a positive number"),
        (["grade", "--memory-limit", "-1"], {}, "--memory-limit must be a number of GiB"),
        (["grade"], {"KIT_TIMEOUT_SCALE": "slow"}, "KIT_TIMEOUT_SCALE='slow' is not a number"),
        (["grade"], {"KIT_TIMEOUT_SCALE": "0"}, "KIT_TIMEOUT_SCALE must be a positive number"),
        (["grade"], {"KIT_MEMORY_LIMIT_GB": "lots"}, "KIT_MEMORY_LIMIT_GB='lots' is not a number"),
        (["grade", "--device", "tpu"], {}, "invalid choice: 'tpu'"),
        (["frobnicate"], {}, "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, env, phrase):
    run = kit(*args, env=env)
    assert run.returncode == 2, run.stdout + run.stderr
    assert phrase in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_device_cuda_without_cuda_is_one_line_saying_why_and_exit_2():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: --device cuda is valid here")
    for verb in ("grade", "watch"):
        run = kit(verb, "activations", "--device", "cuda", "--exercises", "reference")
        assert run.returncode == 2, run.stdout + run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
        assert "--device cuda: CUDA is not available on this machine, because" in lines[0]
        assert "--device cpu" in lines[0] and "grading" not in run.stdout


def test_bad_environment_values_do_not_break_other_verbs():
    run = kit("list", env={"KIT_TIMEOUT_SCALE": "slow", "KIT_MEMORY_LIMIT_GB": "lots"})
    assert run.returncode == 0 and "conv_output_size" in run.stdout


def broken_manifest(tmp_path, edit) -> dict:
    text = (PROJECT_ROOT / "grader" / "manifest.toml").read_text()
    path = tmp_path / "manifest.toml"
    path.write_text(edit(text))
    return {"KIT_MANIFEST": str(path)}


@pytest.mark.parametrize(
    "edit, phrase",
    [
        (
            lambda t: t.replace("hints.en", "notes.en", 1).replace("hints.ja", "notes.ja", 1),
            "exercise 1 (conv_output_size): missing field 'hints'",
        ),
        (
            lambda t: t.replace("points = 1", 'points = "one"', 1),
            "exercise 1 (conv_output_size): field 'points' has the wrong type",
        ),
        (
            lambda t: t.replace('topics = ["T4"]', "topics = []", 1),
            "exercise 1 (conv_output_size): field 'topics' must list manual topic ids",
        ),
        (
            lambda t: t.replace("timeout = 30", "timeout = 0", 1),
            "field 'timeout' must be a positive",
        ),
        (lambda t: t + "\n[[exercise\n", "not valid TOML"),
        (lambda t: t.replace('id = "convolution"', 'id = "conv_output_size"'), "is used twice"),
    ],
)
def test_a_broken_manifest_is_one_line_naming_entry_and_field(tmp_path, edit, phrase):
    for verb in (["list"], ["hint", "activations"], ["grade", "activations"]):
        run = kit(*verb, env=broken_manifest(tmp_path, edit))
        assert run.returncode == 2, run.stdout
        assert phrase in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_folder_missing_some_modules_is_named(tmp_path):
    copy_reference(tmp_path, ["activations"])
    others = [ex.id for ex in manifest.load() if ex.id != "activations"]
    run = kit("grade", "activations", others[0], "--exercises", str(tmp_path))
    assert run.returncode == 2 and manifest.find(others[0]).module in run.stderr


def test_hints_wrap_and_keep_the_language():
    for ex in manifest.load():
        assert len(ex.hints["en"]) >= 2 and len(ex.hints["ja"]) >= 2, ex.id
    run = kit("hint", "convolution", "--level", "1", "--lang", "ja", env={"COLUMNS": "60"})
    assert run.returncode == 0 and "ヒント 1" in run.stdout
    assert "--level 2 --lang ja" in run.stdout
    from rich.cells import cell_len

    # The commands (next hint, the task) stand on lines of their own, never wrapped.
    text = [line for line in run.stdout.splitlines() if "--lang ja" not in line]
    assert max(cell_len(line) for line in text) <= 60, run.stdout
    assert "(padding," in run.stdout  # code in a Japanese hint is not broken apart
    run = kit("hint", "convolution", "--level", "4", env={"COLUMNS": "60"})
    assert "hint 4" in run.stdout and "more:" not in run.stdout
    assert max(len(line) for line in run.stdout.splitlines()) <= 60, run.stdout


def test_missing_data_stops_only_the_exercises_that_need_it(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    out = tmp_path / "report.json"
    run = kit(
        "grade", "california_dataset", "activations", "--exercises", "reference", "--json", str(out),
        env={"KIT_DATA_DIR": str(empty), "KIT_OFFLINE": "1"},
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    by_id = {e["id"]: e for e in json.loads(out.read_text())["exercises"]}
    assert by_id["activations"]["status"] == "passed"
    assert by_id["california_dataset"]["status"] == "error"
    assert by_id["california_dataset"]["fault"] == "data"
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
    assert "importing tensorflow" in run.stdout  # it says what it is waiting for
    assert "Traceback" not in run.stderr


def test_printed_commands_run_as_printed_under_tox_and_without(tmp_path):
    """The rerun and hint commands take the form of the shell the kit was started from."""
    run = kit("grade", "activations", "--exercises", "reference", env={"TOX_ENV_NAME": "grade"})
    assert "rerun exactly: tox -e grade -- activations --seed 1234 --exercises reference" in (
        run.stdout
    )
    plain = subprocess.run(
        [sys.executable, "-m", "grader", "hint", "activations"],
        cwd=PROJECT_ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "TOX_ENV_NAME"},
            "PYTHONPATH": str(PROJECT_ROOT),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert "more: python -m grader hint activations --level 2" in plain.stdout

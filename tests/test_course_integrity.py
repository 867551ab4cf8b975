"""Integrity in one view: progress and the dashboard show, per member and with the reason,
skipped submissions, files edited after submission or after grading, tampering, runs without
the sandbox, and faults of the kit or the data; each run re-checks what it graded earlier; a
finding is reported once and fails no later run; autograde refuses to grade without the data,
and a fault of the kit or the data is never recorded as the member's."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from pathlib import Path

import pytest

from grader import PROJECT_ROOT, manifest, release
from tests.conftest import kit_command
from tests.test_course_autograde import WRONG_RELU, autograde, instructor_kit, kit_results
from tests.test_course_progress import record, result
from tests.test_course_submit import (
    SMALL,
    Course,
    learner_folder,
    one_line_error,
    small_manifest_text,
)


@pytest.fixture
def course(tmp_path) -> Course:
    return Course(tmp_path, kit_root=instructor_kit(tmp_path))


def edit(path: Path, text: str = "# edited\n") -> None:
    path.chmod(0o644)
    with path.open("a") as f:
        f.write(text)


def test_a_skipped_submission_is_reported_once_and_fails_no_later_run(course, tmp_path):
    course.submit("ada", learner_folder(tmp_path / "ada", solved=["sgd"]))
    course.submit("bob", learner_folder(tmp_path / "bob", solved=["sgd"]))
    (ada,) = course.submissions("ada")
    edit(ada / "ch1_theory/sgd.py")
    first = autograde(course, ok=False)
    assert first.returncode == 1, first.stdout + first.stderr
    folder = ada.relative_to(course.root).as_posix()
    assert f"! skipped {folder}: ch1_theory/sgd.py changed after it was submitted" in first.stdout
    assert "recorded 1 submission(s)" in first.stdout  # bob's
    for n in range(2):  # later runs: not repeated, not failed, only counted
        again = autograde(course)
        assert "! skipped" not in again.stdout, again.stdout
        assert "1 integrity finding(s) reported by earlier runs" in again.stdout
    # ada has no graded submission, and is shown all the same, with the reason.
    shown = course.kit("progress", env={"COLUMNS": "100"}).stdout
    assert "ada: skipped" in shown and "edited after submission (skipped)" in shown, shown
    assert "ch1_theory/sgd.py changed after it was submitted" in shown
    rows = course.kit("progress", "--csv", "-").stdout
    assert "ada,ada," in rows and "edited after submission" in rows


def test_each_run_rechecks_what_it_graded_earlier(course, tmp_path):
    course.submit("bob", learner_folder(tmp_path / "bob", edits=dict([WRONG_RELU])))
    autograde(course)
    (bob,) = course.submissions("bob")
    edit(bob / "ch1_theory/activations.py")
    run = autograde(course, ok=False)
    assert run.returncode == 1
    assert "ch1_theory/activations.py no longer has the sha256 it was graded with" in run.stdout
    assert "! " not in autograde(course).stdout  # reported once
    shown = course.kit("progress", env={"COLUMNS": "120"}).stdout
    assert "bob: edited after grading" in shown, shown
    # At 80 columns the finding wraps under its own first line, and says its kind once.
    narrow = course.kit("progress", env={"COLUMNS": "80"}).stdout
    assert "edited after grading: edited after grading" not in narrow, narrow
    lines = narrow.splitlines()
    assert max(len(line) for line in lines) <= 80, narrow
    start = next(n for n, line in enumerate(lines) if line.startswith("bob: edited after grading"))
    rest = lines[start + 1 : start + 3]
    assert all(line.startswith("    ") for line in rest), narrow
    assert "no longer has the sha256" in " ".join(x.strip() for x in lines[start : start + 4])
    site = tmp_path / "site"
    assert course.kit("dashboard", "--out", str(site)).returncode == 0
    index = (site / "index.html").read_text()
    assert "edited after grading" in index
    # The member's page does not show the edited file as the graded one.
    assert "has changed since it was graded" in (site / "learners/bob.html").read_text()


def test_every_kind_of_finding_is_shown_per_member_with_its_reason(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    tampered = result("activations", "error", fault="tampered", notes=["Tampered: allclose"])
    data = result("california_dataset", "not_graded", fault="data", checks=[])
    data.notes = ["California housing is missing: no scikit-learn cache at /data"]
    record(root, "ana", 2, {"activations": tampered})
    record(root, "ben", 1, {"conv_output_size": "passed"}, isolation="unsandboxed")
    record(root, "cy", 1, {"california_dataset": data, "convolution": "failed"})
    env = {
        "KIT_COURSE_DIR": str(root),
        "KIT_GRADEBOOK": "",
        "KIT_COURSE_CONFIG": "",
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    run = kit_command(PROJECT_ROOT, "progress", env={**env, "COLUMNS": "200"})
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "ana: tampered" in out and "Tampered: allclose" in out
    assert "ben: unsandboxed" in out and "graded without the sandbox" in out
    assert "cy: data fault" in out and "California housing is missing" in out
    # A data fault is not the learner's: cy is stuck on convolution only, not on the data.
    table = kit_command(PROJECT_ROOT, "progress", "--csv", "-", env=env).stdout
    cy = next(r for r in csv.DictReader(io.StringIO(table)) if r["learner"] == "cy")
    assert (
        cy["stuck_exercises"].startswith("convolution")
        and "california" not in cy["stuck_exercises"]
    )
    assert "data fault" in cy["integrity"]
    site = tmp_path / "site"
    assert kit_command(PROJECT_ROOT, "dashboard", "--out", str(site), env=env).returncode == 0
    index = (site / "index.html").read_text()
    integrity = index.split("<h2>Integrity</h2>", 1)[1].split("<h2>", 1)[0]
    for text in ("tampered", "unsandboxed", "data fault", "California housing is missing"):
        assert text in integrity, text
    page = (site / "learners/cy.html").read_text()
    assert "not graded: a fault of the data" in page


def test_a_fault_of_the_kit_is_never_recorded_as_the_members(course, tmp_path):
    from nbgrader.api import Gradebook

    checks = course.kit_root / "grader/checks/ch1_theory/sgd.py"
    saved = tmp_path / "sgd_checks.py"
    shutil.move(checks, saved)  # the instructor's kit lost a check module
    course.submit("ada", learner_folder(tmp_path / "ada", solved=SMALL))
    autograde(course)
    rows = {r[2]: r for r in kit_results(course)}
    assert rows["sgd"][3:6] == ("not_graded", 0.0, "kit"), rows["sgd"]
    assert rows["activations"][3] == "passed"
    with Gradebook(course.url, "cnn-basics") as gb:
        grade = gb.find_grade("sgd", "sgd", "ch1_theory", "ada")
        assert grade.auto_score is None and grade.needs_manual_grade  # no score is hers
        comment = gb.find_comment("sgd", "sgd", "ch1_theory", "ada").auto_comment
        assert comment.startswith("not graded: a fault of the kit, not of the learner")
    shown = course.kit("progress", env={"COLUMNS": "200"}).stdout
    assert "ada: kit fault" in shown and "sgd" in shown, shown
    (row,) = csv.DictReader(io.StringIO(course.kit("progress", "--csv", "-").stdout))
    assert row["on"] == "done" and row["stuck_exercises"] == ""  # sgd holds her up nowhere
    assert "kit fault: sgd" in row["integrity"]
    shutil.move(saved, checks)  # restored: the next run grades it, and it is hers
    autograde(course)
    latest = {r[2]: r[3] for r in kit_results(course)[-len(SMALL) :]}
    assert latest["sgd"] == "passed"


def test_autograde_refuses_to_grade_without_the_data(tmp_path):
    ids = (*SMALL, "california_dataset")
    course = Course(tmp_path, kit_root=instructor_kit(tmp_path))
    (tmp_path / "manifest.toml").write_text(small_manifest_text(ids))
    work = learner_folder(tmp_path / "ada")
    exercise = manifest.find("california_dataset")
    (work / exercise.module).parent.mkdir(parents=True, exist_ok=True)
    stub = release.planned(exercises=[exercise])[exercise.module]
    (work / exercise.module).write_text(stub)
    course.submit("ada", work)
    empty = tmp_path / "no-data"
    empty.mkdir()
    run = course.kit("autograde", env={"KIT_DATA_DIR": str(empty), "KIT_OFFLINE": "1"})
    one_line_error(run, "the data is not usable, so nothing was graded: California housing")
    assert "california_dataset" in run.stderr
    if course.gradebook.exists():
        with sqlite3.connect(course.gradebook) as db:
            assert db.execute("SELECT COUNT(*) FROM kit_result").fetchone() == (0,)

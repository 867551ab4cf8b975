"""`kit progress`: learners × chapters that fit 80 columns without cutting a name, score or id;
the current exercise, the last progress and how long a learner is stuck; sort, filter, CSV.

The history is written through the kit's own gradebook writer (a real nbgrader database) with
verdicts and times chosen by the test, so that "stuck for 10 days" needs no 10-day wait.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grader import PROJECT_ROOT, manifest
from grader.course.config import Course as CourseSettings
from grader.course.config import gradebook_url
from grader.course.gradebook import Result, writing
from tests.conftest import kit_command
from tests.test_course_submit import one_line_error

NOW = datetime.now(UTC)
LONG_NAME = "firstname.lastname@university.example.ac.jp"


def result(exercise_id: str, status: str, **extra) -> Result:
    ex = manifest.find(exercise_id)
    score = {"passed": ex.points, "failed": ex.points / 2}.get(status, 0.0)
    checks = extra.pop("checks", None)
    if checks is None:
        checks = [
            {"name": f"{ex.id}_matches_reference", "status": status, "message": f"{ex.id} wrong"}
        ]
    return Result(
        exercise=ex.id,
        chapter=ex.chapter,
        status=status,
        score=round(score, 2),
        max_score=ex.points,
        fault=extra.pop("fault", "learner"),
        attempted=status != "not_started",
        matches_reference=extra.pop("matches_reference", False),
        sha256=f"{exercise_id}-{status}".ljust(64, "0")[:64],
        kit="test",
        checks=checks,
        notes=extra.pop("notes", []),
    )


def record(
    root: Path,
    learner: str,
    days_ago: float,
    verdicts: dict[str, Result | str],
    isolation: str = "bwrap",
) -> None:
    """One graded submission: the given verdicts, every other exercise not started."""
    (root / "submitted").mkdir(exist_ok=True)  # a course folder, as the README sets it up
    settings = CourseSettings(root, gradebook_url(None, root), "cnn-basics", "test")
    when = NOW - timedelta(days=days_ago)
    outcome = []
    for ex in manifest.load():
        given = verdicts.get(ex.id, "not_started")
        outcome.append(given if isinstance(given, Result) else result(ex.id, given))
    folder = f"submitted/{learner}/{when:%Y%m%dT%H%M%S.%fZ}"
    files = {r.exercise: r.sha256 for r in outcome}
    with writing(settings) as writer:
        writer.record(learner, when, folder, files, "test", "kit (test)", isolation, outcome)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """ada: chapter 1 under way, stuck on convolution for 10 days; bob: one submission a day
    ago, on convolution but not attempting it; the long-named learner: all of chapter 1."""
    root = tmp_path_factory.mktemp("history") / "course"
    root.mkdir()
    record(root, "ada", 10, {"conv_output_size": "passed", "convolution": "failed"})
    record(root, "ada", 3, {"conv_output_size": "passed", "convolution": "failed"})
    record(root, "bob", 1, {"conv_output_size": "passed"})
    ch1 = [ex.id for ex in manifest.load() if ex.chapter == "ch1_theory"]
    record(root, LONG_NAME, 2, {i: "passed" for i in ch1} | {"tensors": "failed"})
    return root


def progress(root: Path, args, columns: int = 80, env: dict | None = None):
    """`kit progress ARGS` on the course at `root`, in a terminal `columns` wide."""
    return kit_command(
        PROJECT_ROOT,
        "progress",
        *args,
        env={
            "KIT_COURSE_DIR": str(root),
            "KIT_GRADEBOOK": "",
            "KIT_COURSE_CONFIG": "",
            "XDG_CONFIG_HOME": str(root.parent / "xdg"),
            "COLUMNS": str(columns),
            **(env or {}),
        },
    )


def table(root: Path, *args: str) -> dict[str, dict[str, str]]:
    run = progress(root, ["--csv", "-", *args])
    assert run.returncode == 0, run.stderr
    return {row["learner"]: row for row in csv.DictReader(io.StringIO(run.stdout))}


def test_the_table_fits_80_columns_and_cuts_no_name_score_or_id(history):
    run = progress(history, [])
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80, run.stdout
    words = {word for line in lines for word in line.split()}
    rows = table(history)
    for learner, row in rows.items():
        assert learner in words
        assert row["on"] in words
        total = f"{row[next(k for k in row if k.startswith('total'))]}/"
        assert any(w.startswith(total) for w in words), (total, run.stdout)
    for chapter_score in ("2.5/14", "14/14", "1/10"):  # ada's and the long name's
        assert chapter_score in words, run.stdout
    # Too wide for 80 columns, the table is split into panels that each repeat the learners.
    assert sum(LONG_NAME in line for line in lines) >= 2
    wide = progress(history, [], 200, None).stdout.splitlines()
    assert sum(LONG_NAME in line for line in wide) == 1


def test_the_current_exercise_last_progress_and_time_stuck(history):
    rows = table(history)
    ada, bob, long = rows["ada"], rows["bob"], rows[LONG_NAME]
    assert ada["on"] == bob["on"] == "convolution" and long["on"] == "tensors"
    # ada's second submission scored no more than her first: her last progress is the first,
    # and she has attempted convolution without passing it since then.
    first = datetime.fromisoformat(ada["last_progress"])
    assert abs(first - (NOW - timedelta(days=10))) < timedelta(seconds=2)
    assert ada["stuck_since"] == ada["last_progress"] and ada["stuck_for"].startswith("10d")
    assert bob["stuck_since"] == "" and bob["stuck_for"] == ""  # convolution not started
    assert long["stuck_for"].startswith("2d")
    shown = progress(history, []).stdout
    assert "10d 0h" in shown


def test_sort_and_filter_by_learner_and_chapter(history):
    run = progress(history, ["--sort", "score", "--csv", "-"])
    order = [row["learner"] for row in csv.DictReader(io.StringIO(run.stdout))]
    assert order == [LONG_NAME, "ada", "bob"]
    ch2 = table(history, "--chapter", "ch2_pytorch")
    assert set(ch2["ada"]) == {
        "learner", "name", "ch2_pytorch (of 10)", "total (of 10)", "on", "behind",
        "behind_days", "last_progress", "stuck_since", "stuck_for", "stuck_exercises",
        "integrity", "flags", "similar",
    }  # fmt: skip
    assert ch2[LONG_NAME]["on"] == "tensors" and ch2["ada"]["on"] == "tensors"
    only_bob = progress(history, ["--learner", "bob"])
    assert "ada" not in only_bob.stdout and "bob: every submission" in only_bob.stdout


def test_a_learner_sees_their_own_history(history):
    run = progress(history, ["--learner", "me"], 80, {"KIT_LEARNER": "ada"})
    assert run.returncode == 0, run.stderr
    assert "ada: every submission" in run.stdout and "bob" not in run.stdout
    assert "first submission" in run.stdout and "no verdict changed" in run.stdout
    assert max(len(line.rstrip()) for line in run.stdout.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--learner", "nobody"], "no learner 'nobody' in the gradebook"),
        (["--chapter", "ch9"], "--chapter ch9: no such chapter"),
        (["--sort", "height"], "--sort height: sort by one of"),
    ],
    ids=["unknown learner", "unknown chapter", "unknown sort"],
)
def test_bad_input_is_one_line(history, args, phrase):
    one_line_error(progress(history, args), phrase)


def test_csv_to_a_file(history, tmp_path):
    target = tmp_path / "progress.csv"
    run = progress(history, ["--csv", str(target)])
    assert run.returncode == 0 and "wrote 3 learners" in run.stdout
    rows = list(csv.DictReader(target.open()))
    assert [r["learner"] for r in rows] == sorted(["ada", "bob", LONG_NAME])
    assert rows[0]["ch1_theory (of 14)"] == "2.5"

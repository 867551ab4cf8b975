"""Target dates per chapter in the course configuration: written to nbgrader's duedate, and
progress and the dashboard show who is behind and by how much; "stuck" covers every failing
exercise, not only the current one."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grader import PROJECT_ROOT, manifest
from tests.conftest import kit_command
from tests.test_course_autograde import autograde, instructor_kit
from tests.test_course_progress import NOW, record
from tests.test_course_submit import Course, learner_folder

CH1 = [ex.id for ex in manifest.load() if ex.chapter == "ch1_theory"]
DUE_CH1 = (NOW - timedelta(days=3)).replace(microsecond=0)
DUE_CH2 = (NOW + timedelta(days=30)).replace(microsecond=0)


def config(path: Path, root: Path) -> Path:
    path.write_text(
        f'course_dir = "{root}"\n[due]\n'
        f"ch1_theory = {DUE_CH1.isoformat()}\n"  # an offset date-time, exact
        f"ch2_pytorch = {DUE_CH2.date().isoformat()}\n"  # a date: the end of that day
    )
    return path


@pytest.fixture(scope="module")
def dated(tmp_path_factory) -> tuple[Path, dict]:
    """ada: stuck on convolution for 10 days and on losses for 2, chapter 1 overdue; bob:
    chapter 1 complete; cy: on the roster's dates, nothing passed in chapter 1."""
    tmp = tmp_path_factory.mktemp("dated")
    root = tmp / "course"
    root.mkdir()
    record(root, "ada", 10, {"conv_output_size": "passed", "convolution": "failed"})
    record(root, "ada", 2, {"conv_output_size": "passed", "convolution": "failed",
                            "losses": "failed"})  # fmt: skip
    record(root, "bob", 1, dict.fromkeys(CH1, "passed"))
    record(root, "cy", 1, {"tensors": "failed"})
    env = {
        "KIT_COURSE_DIR": "",
        "KIT_GRADEBOOK": "",
        "KIT_COURSE_CONFIG": str(config(tmp / "course.toml", root)),
        "XDG_CONFIG_HOME": str(tmp / "xdg"),
    }
    return root, env


def table(env: dict, *args: str) -> dict[str, dict[str, str]]:
    run = kit_command(PROJECT_ROOT, "progress", "--csv", "-", *args, env=env)
    assert run.returncode == 0, run.stderr
    return {r["learner"]: r for r in csv.DictReader(io.StringIO(run.stdout))}


def test_who_is_behind_and_by_how_much(dated):
    _, env = dated
    rows = table(env)
    assert rows["ada"]["behind"] == "ch1_theory 3d 0h late, 10.5 points short"
    # Counted to now: NOW was taken when the tests were collected, maybe many minutes ago.
    late = (datetime.now(UTC) - DUE_CH1) / timedelta(days=1)
    assert abs(float(rows["ada"]["behind_days"]) - late) < 0.01
    assert rows["cy"]["behind"].startswith("ch1_theory 3d 0h late, 14 points short")
    assert rows["bob"]["behind"] == rows["bob"]["behind_days"] == ""  # chapter 1 done
    # chapter 2 is not due yet: nobody is behind on it, though nobody finished it.
    assert all("ch2" not in r["behind"] for r in rows.values())
    order = [r for r in table(env, "--sort", "behind")]
    assert order[-1] == "bob"
    shown = kit_command(PROJECT_ROOT, "progress", env={**env, "COLUMNS": "80"}).stdout
    assert "behind" in shown and "ch1 3d 0h" in shown, shown
    assert f"target dates: ch1 {DUE_CH1.astimezone(UTC):%Y-%m-%d %H:%M} UTC" in shown
    assert max(len(line) for line in shown.splitlines()) <= 80


def test_stuck_covers_every_failing_exercise(dated):
    _, env = dated
    ada = table(env)["ada"]
    assert ada["stuck_for"].startswith("10d")  # the longest: convolution
    stuck = dict(item.rsplit(" ", 2)[0:2] for item in ada["stuck_exercises"].split("; "))
    assert set(stuck) == {"convolution", "losses"} and stuck["losses"] == "2d", ada
    shown = kit_command(PROJECT_ROOT, "progress", env={**env, "COLUMNS": "80"}).stdout
    assert "10d 0h (2)" in shown, shown
    # The dashboard's "where learners are stuck" counts every failing exercise too.
    site = Path(env["KIT_COURSE_CONFIG"]).parent / "site"
    run = kit_command(PROJECT_ROOT, "dashboard", "--out", str(site), env=env)
    assert run.returncode == 0, run.stderr
    index = (site / "index.html").read_text()
    stuck_part = index.split("Where learners are stuck", 1)[1].split("<h2>", 1)[0]
    for exercise in ("convolution", "losses", "tensors"):
        assert f"<code>{exercise}</code>" in stuck_part, exercise
    learners = index.split("<h2>Learners</h2>", 1)[1].split("<h2>", 1)[0]
    assert "ch1 by 3d 0h (10.5 points short)" in learners
    page = (site / "learners/ada.html").read_text()
    assert "behind by 3d 0h, 10.5 points short" in page and "not due yet" in page


def test_dates_are_written_to_nbgraders_duedate(tmp_path):
    from nbgrader.api import Gradebook

    course = Course(tmp_path, kit_root=instructor_kit(tmp_path))
    # The small course has chapter 1 only; its date is a bare date: the end of that day.
    toml = tmp_path / "course.toml"
    toml.write_text(f'course_dir = "{course.root}"\n[due]\nch1_theory = {DUE_CH2.date()}\n')
    course.env.update(KIT_COURSE_CONFIG=str(toml), KIT_COURSE_DIR="")
    course.submit("ada", learner_folder(tmp_path / "ada", solved=["sgd"]))
    autograde(course)
    with Gradebook(course.url, "cnn-basics") as gb:
        due = {a.name: a.duedate for a in gb.assignments}
    end_of_day = datetime.combine(DUE_CH2.date(), datetime.max.time().replace(microsecond=0))
    assert due == {"ch1_theory": end_of_day.astimezone().astimezone(UTC).replace(tzinfo=None)}
    export = course.kit("export", "--to", str(tmp_path / "grades.csv"))
    assert export.returncode == 0, export.stderr
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert {r["duedate"] for r in rows if r["assignment"] == "ch1_theory"} == {
        str(due["ch1_theory"])
    }

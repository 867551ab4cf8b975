"""One `kit autograde` at a time per course, or per learner: a second run waits for the
first, then finds its work done; it never grades or records the same submission twice.

A run over the whole course holds the course's lock exclusively. A run for one learner
(`--learner NAME`) holds it shared, plus that learner's own lock exclusively: runs for
different learners go on at once (one per task of a scheduler's job array), while a
whole-course run waits for all of them, and they for it.

The locks are flock()s on files in the course folder, so they hold across the processes and
users of one machine and, on Linux, over NFS (which maps flock to a byte-range lock). An
exclusive holder writes its pid, host and start time into its file, for a waiting run's
message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from grader.i18n import _

LOCK_NAME = ".kit-autograde.lock"
LEARNER_LOCKS = ".kit-autograde-locks"
POLL_SECONDS = 0.2


class Locked(Exception):
    """Another autograde held the lock for longer than this run would wait."""


@contextlib.contextmanager
def held(
    course_root: Path,
    wait: float,
    on_wait: Callable[[str], None],
    learner: str | None = None,
) -> Iterator[None]:
    """Holds the course's autograde lock (or, for one learner, theirs); waits up to `wait`
    seconds in all for other holders.

    on_wait is called once, with who holds it, when this run has to wait.
    """
    deadline = time.monotonic() + wait
    told = []

    def tell(holder: str) -> None:
        if not told:
            on_wait(holder)
            told.append(holder)

    if learner is None:
        with _flock(course_root / LOCK_NAME, fcntl.LOCK_EX, deadline, tell):
            yield
        return
    with _flock(course_root / LOCK_NAME, fcntl.LOCK_SH, deadline, tell):
        folder = course_root / LEARNER_LOCKS
        folder.mkdir(exist_ok=True)
        with _flock(folder / f"{learner}.lock", fcntl.LOCK_EX, deadline, tell):
            yield


@contextlib.contextmanager
def _flock(path: Path, kind: int, deadline: float, tell: Callable[[str], None]) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o664)
    try:
        while True:
            try:
                fcntl.flock(fd, kind | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(path)
                if time.monotonic() >= deadline:
                    raise Locked(holder) from None
                tell(holder)
                time.sleep(POLL_SECONDS)
        exclusive = kind == fcntl.LOCK_EX
        if exclusive:
            os.ftruncate(fd, 0)
            os.pwrite(
                fd,
                (
                    f"pid {os.getpid()} on {socket.gethostname()}, since "
                    f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}\n"
                ).encode(),
                0,
            )
        try:
            yield
        finally:
            if exclusive:
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        text = path.read_text().strip()
    except OSError:
        text = ""
    if text:
        return _("another kit autograde ({holder})").format(holder=text)
    if path.name == LOCK_NAME:
        return _("kit autograde runs for single learners")  # shared holders write nothing
    return _("another kit autograde")

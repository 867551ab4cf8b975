"""One `kit autograde` at a time per course: a second run waits for the first, then finds its
work done; it never grades or records the same submission twice.

The lock is an flock() on a file in the course folder, so it holds across the processes and
users of one machine and, on Linux, over NFS (which maps flock to a byte-range lock). The
holder writes its pid, host and start time into the file, for the waiting run's message.
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

LOCK_NAME = ".kit-autograde.lock"
POLL_SECONDS = 0.2


class Locked(Exception):
    """Another autograde held the lock for longer than this run would wait."""


@contextlib.contextmanager
def held(course_root: Path, wait: float, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Holds the course's autograde lock; waits up to `wait` seconds for another holder.

    on_wait is called once, with who holds it, when this run has to wait.
    """
    path = course_root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o664)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(path)
                if time.monotonic() >= deadline:
                    raise Locked(holder) from None
                if not told:
                    on_wait(holder)
                    told = True
                time.sleep(POLL_SECONDS)
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
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        text = path.read_text().strip()
    except OSError:
        text = ""
    return f"another kit autograde ({text})" if text else "another kit autograde"

"""Reading a member's files on the supervisor's side without trusting the folder they are in.

A member owns their folder of the course and can put anything there: a link to /dev/urandom or
to another member's work, a FIFO, a file of gigabytes, thousands of files. The supervisor's own
process reads it, so it reads only regular files with the names it expects, opened one path
component at a time with O_NOFOLLOW (a link is never followed, not even a linked folder), with
O_NONBLOCK (a FIFO is never waited on), and no more than a size cap. Everything else is named
in a Refused or an `extras` line, and never read.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from grader.i18n import _

# Larger than any exercise module a person writes (the largest reference module is ~10 KiB).
MAX_MODULE_BYTES = 1 * 2**20
MAX_RECORD_BYTES = 1 * 2**20
# How many entries of a member's folder are looked at when naming what does not belong.
MAX_LISTED = 5000


class Refused(Exception):
    """A path of a member's folder that the kit will not read; str() names it and why, in the
    reader's language. `kind` says why for code: "denied" (no permission to read it),
    "changed" (not the file that was submitted), else ""."""

    def __init__(self, message: str, kind: str = ""):
        super().__init__(message)
        self.kind = kind


def read(root: Path, relative: str, limit: int = MAX_MODULE_BYTES) -> bytes:
    """The bytes of root/relative, a regular file of at most `limit` bytes, reached without
    following any link below root (root itself is the kit's own path)."""
    parts = Path(relative).parts
    fd = _open_dir(root, str(root))
    try:
        for depth, part in enumerate(parts[:-1], 1):
            shown = "/".join(parts[:depth])
            try:
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                raise _refused(shown, exc, folder=True, link=_is_link(part, fd)) from None
            os.close(fd)
            fd = inner
        try:
            file_fd = os.open(
                parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY, dir_fd=fd
            )
        except OSError as exc:
            raise _refused(relative, exc) from None
    finally:
        os.close(fd)
    try:
        info = os.fstat(file_fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(_("{path} is not a regular file").format(path=relative))
        if info.st_size > limit:
            raise Refused(
                _("{path} is larger than {limit} KiB ({size} bytes)").format(
                    path=relative, limit=limit // 1024, size=info.st_size
                )
            )
        data = os.read(file_fd, limit + 1)
        if len(data) > limit:
            raise Refused(
                _("{path} is larger than {limit} KiB").format(path=relative, limit=limit // 1024)
            )
        return data
    finally:
        os.close(file_fd)


def sha256(root: Path, relative: str) -> str:
    return hashlib.sha256(read(root, relative)).hexdigest()


def is_real_folder(path: Path) -> bool:
    """A folder that is not a link (a member's linked folder is never entered)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def extras(root: Path, expected: set[str]) -> list[str]:
    """Entries below root that are not among `expected` (relative paths), links and special
    files included, without following links; at most MAX_LISTED entries are looked at."""
    found, seen = [], 0
    stack = [""]
    while stack and seen < MAX_LISTED:
        here = stack.pop()
        try:
            entries = sorted(os.scandir(root / here), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            relative = f"{here}/{entry.name}" if here else entry.name
            if entry.name == "__pycache__" or entry.name.endswith((".pyc", ".pyo")):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(relative)
            elif relative not in expected:
                found.append(relative)
            if seen >= MAX_LISTED:
                found.append(
                    _("(more than {n} entries; the rest were not looked at)").format(n=MAX_LISTED)
                )
                break
    return found


def _open_dir(path: Path, shown: str) -> int:
    try:
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise _refused(shown, exc, folder=True) from None


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=dir_fd).st_mode)
    except OSError:
        return False


def _refused(shown: str, exc: OSError, folder: bool = False, link: bool = False) -> Refused:
    if exc.errno == errno.ELOOP or link or (exc.errno == errno.ENOTDIR and not folder):
        return Refused(_("{path} is a symbolic link").format(path=shown))
    if exc.errno == errno.ENOTDIR:
        return Refused(_("{path} is not a folder").format(path=shown))
    if exc.errno == errno.ENOENT:
        return Refused(_("{path} is missing").format(path=shown))
    if exc.errno == errno.EACCES:
        return Refused(
            _("{path} cannot be read (permission denied)").format(path=shown), kind="denied"
        )
    return Refused(_("{path} cannot be read ({error})").format(path=shown, error=exc.strerror))


def changed(root: Path, files: dict[str, str]) -> list[str]:
    """Modules of `files` ({module: sha256}) below root that no longer have that hash, or can
    no longer be read as a regular file (each named with why)."""
    found = []
    for module, digest in files.items():
        try:
            if sha256(root, module) != digest:
                found.append(module)
        except Refused as exc:
            found.append(str(exc))
    return found


def text(root: Path, relative: str, limit: int = MAX_MODULE_BYTES) -> str:
    """read() as text (UTF-8, undecodable bytes replaced)."""
    return read(root, relative, limit).decode("utf-8", errors="replace")

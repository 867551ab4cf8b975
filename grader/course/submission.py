"""Submissions: checked copies of a learner's exercise modules, kept in the course folder.

Each submission is its own folder, laid out the way nbgrader lays out collected work
(submitted/<learner>/...) and, below that, exactly like exercises/, so the kit grades it as it
grades any such folder:

    submitted/<learner>/<UTC time>/ch1_theory/activations.py ...
                                  /submission.json   who, when, from where, sha256 of each file
                                  /timestamp.txt     the time, in nbgrader's format

A submission is written under a hidden name and renamed into place when complete, and never
changed after that: the history of every learner's files stays on disk, the gradebook can be
rebuilt from it, and an autograde running at the same time sees a submission whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader import manifest, provenance

SCHEMA = "cnn-basics-kit/submission/1"
RECORD = "submission.json"
TIMESTAMP = "timestamp.txt"
# The folder name of a submission, from its UTC time (sortable, safe on every file system).
FOLDER_TIME = "%Y%m%dT%H%M%S.%fZ"
# nbgrader's timestamp.txt format.
NBGRADER_TIME = "%Y-%m-%d %H:%M:%S.%f %Z"
# What a folder laid out like exercises/ may hold besides the modules: caches and editor files.
IGNORED_DIRS = {"__pycache__"}
IGNORED_SUFFIXES = {".pyc", ".pyo"}


class SubmissionError(Exception):
    """A folder that cannot be submitted or graded as it is; the message says what to do."""


@dataclass(frozen=True)
class Submission:
    learner: str
    submitted_at: datetime  # UTC, timezone-aware
    folder: Path  # the submission's folder, laid out like exercises/
    files: dict[str, str]  # module -> sha256, as recorded when it was submitted
    origin: str

    def relative_to(self, root: Path) -> str:
        return self.folder.relative_to(root).as_posix()


def modules() -> list[str]:
    return [ex.module for ex in manifest.load()]


def check_layout(folder: Path, shown: str, next_step: str = "") -> None:
    """Raises SubmissionError unless `folder` holds every exercise module and nothing else.

    Extra files are refused rather than left behind: exercise code that imports one of them
    would fail on the instructor's machine for a reason the learner cannot see.
    """
    if not folder.is_dir():
        raise SubmissionError(f"{shown}: no such folder; pass a folder laid out like exercises/")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise SubmissionError(f"{shown}: cannot read this folder; check its permissions")
    expected = modules()
    missing = [m for m in expected if not (folder / m).is_file()]
    if len(missing) == len(expected) and (folder / "exercises").is_dir():
        raise SubmissionError(
            f"{shown} is a copy of the whole kit, not its exercises folder; pass "
            f"{os.path.join(shown, 'exercises')}{next_step}"
        )
    if missing:
        raise SubmissionError(
            f"{shown} lacks {_some(missing)} (expected all {len(expected)} exercise modules, "
            f"found {len(expected) - len(missing)}); restore the missing files (a learner's "
            f"clone: git checkout -- exercises/){next_step}"
        )
    extra = sorted(set(_files(folder)) - set(expected))
    if extra:
        raise SubmissionError(
            f"{shown} holds files that are not exercise modules: {_some(extra)}; only the "
            f"modules that `kit list` names are graded, so move the others out of the folder"
            f"{next_step}"
        )


def _files(folder: Path) -> list[str]:
    """Every file below `folder` (relative, posix), less caches and hidden files."""
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in IGNORED_DIRS and not d.startswith(".")]
        for name in files:
            if name.startswith(".") or Path(name).suffix in IGNORED_SUFFIXES:
                continue
            found.append((Path(here) / name).relative_to(folder).as_posix())
    return found


def _some(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def take(
    source: Path,
    course_submitted: Path,
    learner: str,
    by: str,
    when: datetime | None = None,
    shown: str | None = None,
) -> Submission:
    """Copies the exercise modules in `source` into a new submission; returns it.

    Only reads `source`. The copy is written under a hidden name, checked against the hashes
    of what was read, then renamed into place.
    """
    shown = shown or str(source)
    check_layout(source, shown)
    when = (when or datetime.now(UTC)).astimezone(UTC)
    learner_dir = course_submitted / learner
    final = learner_dir / when.strftime(FOLDER_TIME)
    partial = learner_dir / f".incoming-{final.name}-{os.getpid()}"
    try:
        learner_dir.mkdir(parents=True, exist_ok=True)
        partial.mkdir()
        files = {}
        for module in modules():
            content = (source / module).read_bytes()
            files[module] = hashlib.sha256(content).hexdigest()
            target = partial / module
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
        for module, digest in files.items():
            if provenance.sha256(partial / module) != digest:
                raise SubmissionError(
                    f"the copy of {module} in {partial} differs from what was read; the course "
                    "folder's disk may be failing. Nothing was submitted; try again"
                )
        record = {
            "schema": SCHEMA,
            "learner": learner,
            "submitted_at": when.isoformat(timespec="microseconds"),
            "origin": f"{by} from {source.resolve()} on {socket.gethostname()}",
            "kit": provenance.kit_version(),
            "files": files,
        }
        (partial / RECORD).write_text(json.dumps(record, indent=1) + "\n")
        (partial / TIMESTAMP).write_text(when.strftime(NBGRADER_TIME) + "\n")
        for module in files:
            (partial / module).chmod(0o444)  # a submission is a record: never edited in place
        os.rename(partial, final)
    except OSError as exc:
        _remove(partial)
        raise SubmissionError(
            f"could not write the submission into {learner_dir}: {exc.strerror or exc}. "
            "Nothing was submitted; your files are unchanged"
        ) from None
    except BaseException:
        _remove(partial)
        raise
    return Submission(learner, when, final, files, record["origin"])


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def scan(course_submitted: Path) -> tuple[list[Submission], list[str]]:
    """Every complete submission under submitted/, oldest first; and one line per folder that
    is not a readable submission (it is skipped, never deleted)."""
    found, problems = [], []
    if not course_submitted.is_dir():
        return [], []
    for learner_dir in sorted(course_submitted.iterdir()):
        if learner_dir.name.startswith(".") or not learner_dir.is_dir():
            continue
        for folder in sorted(learner_dir.iterdir()):
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            try:
                found.append(load(folder))
            except SubmissionError as exc:
                problems.append(str(exc))
    found.sort(key=lambda s: (s.submitted_at, s.learner))
    return found, problems


def load(folder: Path) -> Submission:
    try:
        text = (folder / RECORD).read_text()
    except PermissionError:
        raise SubmissionError(
            f"skipped {folder}: you may not read it (permission denied); its learner can allow "
            f"it with chmod -R a+rX {folder}"
        ) from None
    except OSError as exc:
        raise SubmissionError(
            f"skipped {folder}: it has no readable {RECORD} ({exc.strerror}); it was not "
            "written by kit submit"
        ) from None
    try:
        record = json.loads(text)
        submitted_at = datetime.fromisoformat(record["submitted_at"]).astimezone(UTC)
        files = dict(record["files"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SubmissionError(
            f"skipped {folder}: its {RECORD} is damaged ({exc}); it was not written by kit "
            "submit, or was changed since"
        ) from None
    # The folder's name is the learner, as in nbgrader; a record naming another is suspicious.
    learner = folder.parent.name
    if record.get("learner") != learner:
        raise SubmissionError(
            f"skipped {folder}: its {RECORD} names learner {record.get('learner')!r}, but it "
            f"lies in {learner}'s folder"
        )
    return Submission(learner, submitted_at, folder, files, str(record.get("origin", "")))

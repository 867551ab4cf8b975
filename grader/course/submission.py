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

Permissions: the learner's folder and each submission are 0750 and the files 0440, whatever
the learner's umask. In a course folder set up as the README says (submitted/ setgid to a group
of the graders only), the group is the graders': the learner and the supervisor can read a
submission, nobody else can, and nobody but its learner can write into the learner's folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader import identity, manifest, provenance
from grader.course import intake
from grader.i18n import _

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
FOLDER_MODE = 0o750  # the learner and the graders' group read; only the learner writes
FILE_MODE = 0o440  # a submission is a record: never edited in place


class SubmissionError(Exception):
    """A folder that cannot be submitted or graded as it is; the message says what to do."""


@dataclass(frozen=True)
class Submission:
    learner: str
    submitted_at: datetime  # UTC, timezone-aware
    folder: Path  # the submission's folder, laid out like exercises/
    files: dict[str, str]  # module -> sha256, as recorded when it was submitted
    origin: str
    name: str = ""  # the learner's display name, as they gave it (else the id)
    account: str | None = None  # the Unix account that ran `kit submit`

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
        raise SubmissionError(
            _("{folder}: no such folder; pass a folder laid out like exercises/").format(
                folder=shown
            )
        )
    if not os.access(folder, os.R_OK | os.X_OK):
        raise SubmissionError(
            _("{folder}: cannot read this folder; check its permissions").format(folder=shown)
        )
    expected = modules()
    missing = [m for m in expected if not (folder / m).is_file()]
    if len(missing) == len(expected) and (folder / "exercises").is_dir():
        raise SubmissionError(
            _("{folder} is a copy of the whole kit, not its exercises folder; pass {path}").format(
                folder=shown, path=os.path.join(shown, "exercises")
            )
            + next_step
        )
    if missing:
        raise SubmissionError(
            _(
                "{folder} lacks {files} (expected all {expected} exercise modules, found "
                "{found}); restore the missing files (a learner's clone: {command})"
            ).format(
                folder=shown,
                files=_some(missing),
                expected=len(expected),
                found=len(expected) - len(missing),
                command="git checkout -- exercises/",
            )
            + next_step
        )
    extra = sorted(set(_files(folder)) - set(expected))
    if extra:
        raise SubmissionError(
            _(
                "{folder} holds files that are not exercise modules: {files}; only the modules "
                "that `kit list` names are graded, so move the others out of the folder"
            ).format(folder=shown, files=_some(extra))
            + next_step
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
    more = _(" and {n} more").format(n=len(names) - limit) if len(names) > limit else ""
    return shown + more


def _account() -> str | None:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return None


def _make_folder(path: Path) -> None:
    """mkdir with FOLDER_MODE whatever the learner's umask. By umask, not chmod: a member's
    chmod of a folder whose group is the graders' (set by submitted/'s setgid bit) would
    clear its setgid bit, and the folders below it would lose the graders' group."""
    saved = os.umask(0o027)
    try:
        path.mkdir(mode=FOLDER_MODE)
    finally:
        os.umask(saved)


def take(
    source: Path,
    course_submitted: Path,
    learner: identity.Learner,
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
    learner_dir = course_submitted / learner.id
    final = learner_dir / when.strftime(FOLDER_TIME)
    partial = learner_dir / f".incoming-{final.name}-{os.getpid()}"
    try:
        if not learner_dir.is_dir():
            try:
                _make_folder(learner_dir)
            except FileExistsError:
                pass  # made at the same moment by another submit of this learner
        _make_folder(partial)
        files = {}
        for module in modules():
            try:
                content = intake.read(source, module)
            except intake.Refused as exc:
                raise SubmissionError(
                    _("{folder}: {problem}; nothing was submitted").format(
                        folder=shown, problem=exc
                    )
                ) from None
            files[module] = hashlib.sha256(content).hexdigest()
            target = partial / module
            for folder in reversed(target.relative_to(partial).parents[:-1]):
                if not (partial / folder).is_dir():
                    _make_folder(partial / folder)
            with target.open("xb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
        for module, digest in files.items():
            if provenance.sha256(partial / module) != digest:
                raise SubmissionError(
                    _(
                        "the copy of {module} in {folder} differs from what was read; the course "
                        "folder's disk may be failing. Nothing was submitted; try again"
                    ).format(module=module, folder=partial)
                )
        record = {
            "schema": SCHEMA,
            "learner": learner.id,
            "name": learner.name,
            "account": _account(),
            "submitted_at": when.isoformat(timespec="microseconds"),
            "origin": f"{by} from {source.resolve()} on {socket.gethostname()}",
            "kit": provenance.kit_version(),
            "files": files,
        }
        (partial / RECORD).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        (partial / TIMESTAMP).write_text(when.strftime(NBGRADER_TIME) + "\n")
        for path in [*(partial / m for m in files), partial / RECORD, partial / TIMESTAMP]:
            path.chmod(FILE_MODE)
        os.rename(partial, final)
    except OSError as exc:
        _remove(partial)
        owner = _owner_name(learner_dir)
        if isinstance(exc, PermissionError) and owner and owner != _account():
            raise SubmissionError(
                _(
                    "{folder} belongs to the account {owner}, not to you ({account}): you cannot "
                    "submit as {learner}. Nothing was submitted; if {learner} is you, ask your "
                    "supervisor"
                ).format(folder=learner_dir, owner=owner, account=_account(), learner=learner.id)
            ) from None
        raise SubmissionError(
            _(
                "could not write the submission into {folder}: {error}. Nothing was submitted; "
                "your files are unchanged"
            ).format(folder=learner_dir, error=exc.strerror or exc)
        ) from None
    except BaseException:
        _remove(partial)
        raise
    return Submission(
        learner.id, when, final, files, record["origin"], learner.name, record["account"]
    )


def _owner_name(path: Path) -> str | None:
    import pwd

    try:
        uid = path.stat().st_uid
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
    except OSError:
        return None


def history(course_submitted: Path, learner_id: str) -> list[Submission]:
    """One learner's readable submissions, oldest first (reads only their own folder: a member
    may not list the others')."""
    found = []
    folder = course_submitted / learner_id
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or not intake.is_real_folder(entry):
            continue
        try:
            found.append(load(entry))
        except SubmissionError:
            continue
    return sorted(found, key=lambda s: s.submitted_at)


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def scan(course_submitted: Path) -> tuple[list[Submission], list[tuple[Path, str]]]:
    """Every complete submission under submitted/, oldest first; and (folder, one line) for
    each folder that is not a readable submission (it is skipped, never deleted)."""
    found, problems = [], []
    if not course_submitted.is_dir():
        return [], []
    for learner_dir in sorted(course_submitted.iterdir()):
        if learner_dir.name.startswith("."):
            continue
        if learner_dir.is_symlink():
            # A member's folder that points elsewhere (another member's, /root) is never entered.
            problems.append((learner_dir, _symlink(learner_dir)))
            continue
        if not learner_dir.is_dir():
            continue
        if not identity.is_id(learner_dir.name):
            why = _(
                "skipped {folder}: {name} is not a learner folder that kit submit writes (it "
                "would be written as {written}); it was not graded"
            ).format(
                folder=learner_dir,
                name=repr(learner_dir.name),
                written=_derived(learner_dir.name),
            )
            problems.append((learner_dir, why))
            continue
        for folder in sorted(learner_dir.iterdir()):
            if folder.name.startswith(".") or not intake.is_real_folder(folder):
                if folder.is_symlink():
                    problems.append((folder, _symlink(folder)))
                continue
            try:
                found.append(load(folder))
            except SubmissionError as exc:
                problems.append((folder, str(exc)))
    found.sort(key=lambda s: (s.submitted_at, s.learner))
    return found, problems


def load(folder: Path) -> Submission:
    try:
        text = intake.text(folder, RECORD, intake.MAX_RECORD_BYTES)
    except intake.Refused as exc:
        if exc.kind != "denied":
            raise SubmissionError(
                _("skipped {folder}: {problem}; it was not written by kit submit").format(
                    folder=folder, problem=exc
                )
            ) from None
        raise PermissionError from None
    except PermissionError:
        raise SubmissionError(
            _(
                "skipped {folder}: you may not read it (permission denied); its learner can let "
                "the graders' group read it with {command}"
            ).format(folder=folder, command=f"chmod -R g+rX {folder}")
        ) from None
    except OSError as exc:
        raise SubmissionError(
            _(
                "skipped {folder}: it has no readable {file} ({error}); it was not written by "
                "kit submit"
            ).format(folder=folder, file=RECORD, error=exc.strerror)
        ) from None
    try:
        record = json.loads(text)
        submitted_at = datetime.fromisoformat(record["submitted_at"]).astimezone(UTC)
        files = dict(record["files"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SubmissionError(
            _(
                "skipped {folder}: its {file} is damaged ({error}); it was not written by kit "
                "submit, or was changed since"
            ).format(folder=folder, file=RECORD, error=exc)
        ) from None
    # The folder's name is the learner, as in nbgrader; a record naming another is suspicious.
    learner = folder.parent.name
    if record.get("learner") != learner:
        raise SubmissionError(
            _(
                "skipped {folder}: its {file} names learner {named}, but it lies in {learner}'s folder"
            ).format(folder=folder, file=RECORD, named=repr(record.get("learner")), learner=learner)
        )
    return Submission(
        learner,
        submitted_at,
        folder,
        files,
        str(record.get("origin", "")),
        str(record.get("name") or learner),
        record.get("account"),
    )


def _symlink(path: Path) -> str:
    return _("skipped {path}: it is a symbolic link").format(path=path)


def _derived(name: str) -> str:
    try:
        return identity.folder_name(name)
    except identity.NoIdentity:
        return _("another name")

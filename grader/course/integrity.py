"""Integrity checks of submissions that autograde runs before and after grading.

- Edited after grading: each run hashes again every file it recorded a verdict for, and
  compares it with the sha256 in the gradebook (not with submission.json, which sits beside
  the files and could be edited with them).
- Submitted by another account: where the roster names a member's Unix account, their folder,
  each submission in it and its files must belong to that account, or to the course's owner
  (a supervisor who took a clone with `kit autograde --learner NAME PATH`). In a course folder
  set up as the README says, only the member can write into their folder, but anyone in the
  lab can create a folder under another member's name before that member does.
"""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

from sqlalchemy import select

from grader.course import intake
from grader.course.config import Course
from grader.course.submission import Submission
from grader.i18n import _


def edited_after_grading(
    session, course: Course, learners: set[str] | None = None
) -> list[tuple[str, str, str]]:
    """(learner, folder, what changed) for each recorded submission (of `learners`, when
    given) whose files on disk no longer have the hashes they were graded with."""
    from grader.course.gradebook import submissions

    found = []
    query = select(submissions.c.learner, submissions.c.folder, submissions.c.files)
    if learners is not None:
        query = query.where(submissions.c.learner.in_(sorted(learners)))
    rows = session.execute(query).all()
    for learner, folder, files in rows:
        where = course.root / folder
        if not where.is_dir():
            found.append((learner, folder, _("the submission's folder is gone")))
            continue
        changed = intake.changed(where, json.loads(files))
        if changed:
            found.append(
                (
                    learner,
                    folder,
                    _("{files} no longer has the sha256 it was graded with").format(
                        files=", ".join(changed)
                    ),
                )
            )
    return found


def owner_problem(sub: Submission, course: Course, learner: str) -> str | None:
    """Why `sub` may not be `learner`'s own (their roster account does not own it), or None.
    `learner` is the id the submission counts for (after a rename or merge)."""
    member = course.member(learner) or course.member(sub.learner)
    if member is None or not member.account:
        return None
    try:
        expected = pwd.getpwnam(member.account).pw_uid
    except KeyError:
        return _(
            "the roster names the account {account} for {learner}, and this machine has no such "
            "user; fix the roster"
        ).format(account=repr(member.account), learner=member.id)
    allowed = {expected, _uid(course.root), _uid(course.submitted)}
    learner_dir = sub.folder.parent
    paths = [learner_dir, sub.folder, *sorted(sub.folder.rglob("*"))]
    for path in paths:
        uid = _uid(path)
        if uid not in allowed:
            return _(
                "{path} belongs to the account {owner}, not to {account} ({learner}'s account in "
                "the roster)"
            ).format(
                path=_rel(path, course.root),
                owner=_name(uid),
                account=member.account,
                learner=member.id,
            )
    return None


def _uid(path: Path) -> int | None:
    try:
        return os.lstat(path).st_uid
    except OSError:
        return None


def _name(uid: int | None) -> str:
    if uid is None:
        return "unknown"
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)

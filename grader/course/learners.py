"""`kit learners`: the course's members, and renaming, merging and withdrawing them.

Nothing is ever deleted. A rename (OLD → NEW, a new id) or a merge (OLD into an existing
NEW) makes every recorded submission of OLD count for NEW, and so will every later one that
arrives in submitted/OLD/: the folders stay where they are, and each submission's row keeps
its folder, so where a submission came from is never lost. nbgrader's tables, which hold one
latest submission per student, are rewritten for NEW from the kit's history; nbgrader's rows
for OLD (a mirror of the same history) go. A withdrawn member is hidden from progress and the
dashboard (--all shows them) and keeps everything. Each action is logged in the gradebook
(records.actions) with who did it and when, and `kit learners` shows the log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from rich.markup import escape
from sqlalchemy import delete, select, update

from grader import commands, identity
from grader.course import records, run_lock
from grader.course.config import Course, CourseError
from grader.course.gradebook import GradebookError, read_all, reading, submissions, writing
from grader.i18n import _, ngettext


def _known(course: Course, writer, states: records.LearnerStates) -> dict[str, int]:
    """{learner id: recorded submissions} of everyone the course knows of, under the ids they
    have now (a renamed member's roster entry and folder count for their new id)."""
    counts = Counter(writer.session.execute(select(submissions.c.learner)).scalars())
    for learner in [m.id for m in course.roster] + sorted(folders(course)):
        counts.setdefault(states.current(learner), 0)
    return counts


def folders(course: Course) -> set[str]:
    """The learners' folders in submitted/."""
    try:
        return {p.name for p in course.submitted.iterdir() if identity.is_id(p.name)}
    except OSError:
        return set()


def filed(course: Course) -> tuple[set[str], records.LearnerStates]:
    """Every id the course files a learner under (folders in submitted/, the gradebook's
    learners, the roster's ids, ids since renamed or merged), and the learner log; read-only.
    Without a gradebook the kit has written yet (a first run, or a new server database): the
    folders and the roster. A gradebook that cannot be read is left to autograde, which says
    why in its own words."""
    ids = {member.id for member in course.roster} | folders(course)
    if course.gradebook_file is not None and not course.gradebook_file.exists():
        return ids, records.LearnerStates()
    try:
        with reading(course) as connection:
            ids |= set(connection.execute(select(submissions.c.learner).distinct()).scalars())
            states = records.learner_states(connection)
    except GradebookError:
        return ids, records.LearnerStates()
    return ids | set(states.moved), states


def _locked(course: Course, wait: float, say: Callable[[str], None]):
    return run_lock.held(
        course.root,
        wait,
        lambda holder: say(
            _("waiting up to {seconds} s for {holder} to finish…").format(
                seconds=f"{wait:g}", holder=holder
            )
        ),
    )


def move(course: Course, action: str, old: str, new: str, wait: float, say) -> None:
    """Renames (`action` "rename") or merges OLD into NEW."""
    if not identity.is_id(new):
        raise CourseError(
            _(
                "{new!r} is not a learner id; use letters, digits and ._@- (not first), e.g. "
                "{example}"
            ).format(new=new, example=identity.folder_name(new))
        )
    if old == new:
        raise CourseError(_("{old} and {new} are the same learner").format(old=old, new=new))
    try:
        with _locked(course, wait, say), writing(course) as writer:
            states = records.learner_states(writer.session.connection())
            known = _known(course, writer, states)
            if old not in known:
                # A roster member's name or e-mail, or a name whose id the course files, as
                # --learner takes them.
                found = identity.named(old, course.roster, set(known))
                old = found if found in known else old
            if old not in known:
                moved = states.moved.get(old)
                listed = commands.kit("learners", *course.options())
                raise CourseError(
                    (
                        _(
                            "{old} was already renamed or merged into {moved}; the learners are "
                            "listed by {command}"
                        )
                        if moved
                        else _("{old} was never seen; the learners are listed by {command}")
                    ).format(old=old, moved=moved, command=listed)
                )
            if action == "rename" and known.get(new):
                raise CourseError(
                    ngettext(
                        "{new} already has {n} submission; to count {old}'s with it, merge: "
                        "{command}",
                        "{new} already has {n} submissions; to count {old}'s with them, merge: "
                        "{command}",
                        known[new],
                    ).format(
                        new=new,
                        n=known[new],
                        old=old,
                        command=commands.kit("learners", "merge", old, new, *course.options()),
                    )
                )
            if action == "merge" and new not in known:
                raise CourseError(
                    _(
                        "{new} is not a learner of this course; to give {old} a new id, rename: "
                        "{command}"
                    ).format(
                        new=new,
                        old=old,
                        command=commands.kit("learners", "rename", old, new, *course.options()),
                    )
                )
            _move_rows(writer, action, old, new)
    except run_lock.Locked as exc:
        raise CourseError(
            _("{holder} still holds the course's autograde lock; try again later").format(
                holder=exc
            )
        ) from None
    done = (
        _(
            "renamed {old} to {new}: {n} recorded submission(s) now count for {new}, and so will "
            "later ones in {folder}. Nothing was deleted; the log is in {command}"
        )
        if action == "rename"
        else _(
            "merged {old} into {new}: {n} recorded submission(s) now count for {new}, and so "
            "will later ones in {folder}. Nothing was deleted; the log is in {command}"
        )
    )
    say(
        done.format(
            old=old,
            new=new,
            n=known[old],
            folder=course.submitted / old,
            command=commands.kit("learners", *course.options()),
        )
    )
    edit = _roster_edit(course, old, new)
    if edit:
        say(edit)


def _roster_edit(course: Course, old: str, new: str) -> str | None:
    """The edit that makes the roster agree with a rename or merge of a member on it: until it
    is made, the member's submissions still go to submitted/OLD/ (and count for NEW)."""
    member = course.member(old)
    if member is None:
        return None
    if course.member(new) is not None:
        change = _('remove the [[learner]] with id = "{old}" ({new} has one of their own)')
    else:
        change = _('change id = "{old}" to id = "{new}"')
    return _(
        "{old} is on the roster: edit the roster in {file}: {change}, so that {name}'s next "
        "submissions go to {folder}"
    ).format(
        old=old,
        file=course.config_file,
        change=change.format(old=old, new=new),
        name=member.name,
        folder=course.submitted / new,
    )


def _move_rows(writer, action: str, old: str, new: str) -> None:
    from nbgrader.api import Student

    db = writer.session
    before = db.get(Student, old)
    names = (before.first_name, before.last_name, before.email) if before else None
    db.execute(update(submissions).where(submissions.c.learner == old).values(learner=new))
    db.execute(update(records.events).where(records.events.c.learner == old).values(learner=new))
    db.execute(
        delete(records.similarities).where(
            (records.similarities.c.learner_a == old) | (records.similarities.c.learner_b == old)
        )
    )
    records.log_action(db, action, old, new)
    _forget_in_nbgrader(db, old)
    student = db.get(Student, new)
    if student is None:
        student = Student(id=new)
        db.add(student)
        if names:
            student.first_name, student.last_name, student.email = names
    writer.mirror_latest(new)
    db.commit()


def _forget_in_nbgrader(db, student_id: str) -> None:
    """nbgrader's rows for a student (its mirror of the kit's history), as its own
    remove_student deletes them, inside this transaction."""
    from nbgrader.api import Student

    student = db.get(Student, student_id)
    if student is None:
        return
    for submission in list(student.submissions):
        for notebook in list(submission.notebooks):
            for row in [*notebook.grades, *notebook.comments]:
                db.delete(row)
            db.delete(notebook)
        db.delete(submission)
    db.delete(student)
    db.flush()


def set_withdrawn(course: Course, learner: str, withdrawn: bool, wait: float, say) -> None:
    action = "withdraw" if withdrawn else "reinstate"
    try:
        with _locked(course, wait, say), writing(course) as writer:
            states = records.learner_states(writer.session.connection())
            known = _known(course, writer, states)
            learner = states.current(learner)
            if learner not in known:
                raise CourseError(
                    _(
                        "no learner {name!r} in this course; the learners are listed by {command}"
                    ).format(name=learner, command=commands.kit("learners", *course.options()))
                )
            if (learner in states.withdrawn) == withdrawn:
                say(
                    (
                        _("{learner} is already withdrawn")
                        if withdrawn
                        else _("{learner} is not withdrawn")
                    ).format(learner=learner)
                )
                return
            records.log_action(writer.session, action, learner)
            writer.session.commit()
    except run_lock.Locked as exc:
        raise CourseError(
            _("{holder} still holds the course's autograde lock; try again later").format(
                holder=exc
            )
        ) from None
    if withdrawn:
        say(
            _(
                "withdrew {learner}: hidden from progress and the dashboard (--all shows them); "
                "their submissions and grades are kept, and autograde still grades new ones"
            ).format(learner=learner)
        )
    else:
        say(
            _("reinstated {learner}: shown in progress and the dashboard again").format(
                learner=learner
            )
        )


def show(course: Course, include_withdrawn: bool = True) -> None:
    from grader.course import progress as model
    from grader.report import console, fitted_table

    try:
        graded, book = read_all(course)
    except GradebookError:
        if course.gradebook_file is None or course.gradebook_file.exists():
            raise
        graded, book = [], records.Records()  # nothing graded yet: the roster and folders
    roster = book.learners.roster(course.roster)  # a renamed member under their new id
    context = model.Context(roster=roster, records=book)
    counts = Counter(g.learner for g in graded)
    last = {g.learner: g.submitted_at for g in graded}
    roster_ids = {m.id for m in roster}
    everyone = set(counts) | roster_ids
    everyone |= {book.learners.current(name) for name in folders(course)}
    rows = []
    for learner in sorted(everyone):
        member = next((m for m in roster if m.id == learner), None)
        status = []
        if learner in book.learners.withdrawn:
            status.append(_("withdrawn"))
        if course.roster and learner not in roster_ids:
            status.append(_("not on the roster"))
        if learner not in counts:
            status.append(_("nothing graded yet"))
        old = sorted(
            k for k, v in book.learners.moved.items() if book.learners.current(k) == learner
        )
        if old:
            status.append(_("was {ids}").format(ids=", ".join(old)))
        rows.append(
            {
                "id": escape(learner),
                "name": escape(model.display_name(learner, context)),
                "e-mail": escape((member.email if member else None) or "—"),
                "account": escape((member.account if member else None) or "—"),
                "graded": str(counts.get(learner, 0)),
                "last submitted": f"{last[learner]:%Y-%m-%d %H:%M}" if learner in last else "—",
                "status": escape("; ".join(status) or _("active")),
            }
        )
    out = console()
    if not rows:
        out.print(_("No learners yet: no roster in the course configuration, and no submission."))
        return
    keys = ["id", "name", "e-mail", "account", "graded", "last submitted", "status"]
    if not any(m.account for m in roster):
        keys.remove("account")  # a course without accounts: a column of dashes
    # The columns under their headings in the reader's language (the rows above are keyed by
    # the column's English name).
    headings = {
        "id": _("id"),
        "name": _("name"),
        "e-mail": _("e-mail"),
        "account": _("account"),
        "graded": _("graded"),
        "last submitted": _("last submitted"),
        "status": _("status"),
    }
    # In 80 columns the status, the date, the e-mail and the name wrap onto more lines rather
    # than being cut, and the account goes; the id is never cut.
    wrapped = ("status", "last submitted", "e-mail", "name")
    out.print(
        fitted_table(
            ngettext("{n} learner of {course}", "{n} learners of {course}", len(rows)).format(
                n=len(rows), course=course.course_id
            ),
            [headings[k] for k in keys],
            [{headings[k]: row[k] for k in keys} for row in rows],
            out.width,
            give_way=tuple(headings[k] for k in (*wrapped, "account") if k in keys),
            right=(headings["graded"],),
            minimum={
                headings[k]: n
                for k, n in (("status", 10), ("last submitted", 10), ("e-mail", 12), ("name", 8))
            },
            wrap=tuple(headings[k] for k in wrapped),
        )
    )
    actions = {
        "rename": _("rename"),
        "merge": _("merge"),
        "withdraw": _("withdraw"),
        "reinstate": _("reinstate"),
    }
    for action in book.learners.log:
        target = f" → {action.target}" if action.target else ""
        out.print(
            "[dim]"
            + _("{time} UTC {action} {learner}{target} by {by}").format(
                time=f"{action.at:%Y-%m-%d %H:%M}",
                action=actions.get(action.action, action.action),
                learner=escape(action.learner),
                target=escape(target),
                by=escape(action.by),
            )
            + "[/]"
        )

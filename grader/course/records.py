"""The kit's records beside the verdicts, in the same gradebook (tables nbgrader ignores):

- kit_event: integrity findings about a submission that are not verdicts: skipped (a file
  edited after it was submitted, a record that cannot be read, a folder owned by another
  account) and edited after grading. One row per (folder, kind), with when it was first and
  last seen: autograde reports a finding once, then only counts it.
- kit_similarity: pairs of members whose latest modules are similar, with the lines they share
  (recomputed by each autograde run that records something).
- kit_learner_action: every rename, merge, withdrawal and reinstatement of a learner, with who
  did it and when. The current state is the replay of this log.

Added in one step, additively: three new tables, no change to nbgrader's tables or the kit's
kit_submission and kit_result.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    inspect,
    select,
    update,
)

from grader.i18n import N_, _

metadata = MetaData()
events = Table(
    "kit_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner", String(128), nullable=False, index=True),
    Column("folder", String(512), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("first_seen", DateTime, nullable=False),  # UTC
    Column("last_seen", DateTime, nullable=False),  # UTC
    UniqueConstraint("folder", "kind", name="kit_event_once"),
)
similarities = Table(
    "kit_similarity",
    metadata,
    Column("exercise", String(64), primary_key=True),
    Column("learner_a", String(128), primary_key=True),
    Column("learner_b", String(128), primary_key=True),
    Column("folder_a", String(512), nullable=False),
    Column("folder_b", String(512), nullable=False),
    Column("score", Float, nullable=False),
    Column("shared", Integer, nullable=False),
    Column("lines", Text, nullable=False),  # JSON [[[first, last], ...], [[first, last], ...]]
    Column("computed_at", DateTime, nullable=False),  # UTC
)
actions = Table(
    "kit_learner_action",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),  # UTC
    Column("action", String(16), nullable=False),  # rename, merge, withdraw, reinstate
    Column("learner", String(128), nullable=False),
    Column("target", String(128)),  # the new id of a rename or merge
    Column("by", String(256), nullable=False),
)
TABLES = {t.name for t in (events, similarities, actions)}

# Event kinds, as progress and the dashboard name them.
EDITED_AFTER_SUBMISSION = "edited_after_submission"
EDITED_AFTER_GRADING = "edited_after_grading"
UNREADABLE = "unreadable"
WRONG_OWNER = "wrong_owner"
KINDS = {
    EDITED_AFTER_SUBMISSION: N_("edited after submission (skipped)"),
    EDITED_AFTER_GRADING: N_("edited after grading"),
    UNREADABLE: N_("unreadable submission (skipped)"),
    WRONG_OWNER: N_("submitted by another account (skipped)"),
}


def create(engine) -> None:
    metadata.create_all(engine)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- integrity events ------------------------------------------------------------------------


@dataclass
class Event:
    learner: str
    folder: str
    kind: str
    detail: str
    first_seen: datetime
    last_seen: datetime

    @property
    def label(self) -> str:
        return _(KINDS[self.kind]) if self.kind in KINDS else self.kind


def note(session, learner: str, folder: str, kind: str, detail: str) -> bool:
    """Records a finding; True when it is new (report it), False when it was known."""
    now = _now()
    known = session.execute(
        select(events.c.id).where((events.c.folder == folder) & (events.c.kind == kind))
    ).scalar()
    if known is None:
        session.execute(
            events.insert().values(
                learner=learner,
                folder=folder,
                kind=kind,
                detail=detail,
                first_seen=now,
                last_seen=now,
            )
        )
    else:
        session.execute(update(events).where(events.c.id == known).values(last_seen=now))
    session.commit()
    return known is None


# --- similarity ----------------------------------------------------------------------------


@dataclass
class Similar:
    exercise: str
    learners: tuple[str, str]
    folders: tuple[str, str]
    score: float
    shared: int
    lines: tuple[list[tuple[int, int]], list[tuple[int, int]]]


def replace_similar(session, pairs) -> None:
    """Replaces every stored pair with `pairs` (similarity.Pair), in one transaction."""
    now = _now()
    session.execute(delete(similarities))
    if pairs:
        session.execute(
            similarities.insert(),
            [
                {
                    "exercise": p.exercise,
                    "learner_a": p.learners[0],
                    "learner_b": p.learners[1],
                    "folder_a": p.folders[0],
                    "folder_b": p.folders[1],
                    "score": p.score,
                    "shared": p.shared,
                    "lines": json.dumps(p.lines),
                    "computed_at": now,
                }
                for p in pairs
            ],
        )
    session.commit()


# --- learners: rename, merge, withdraw -------------------------------------------------------


def actor() -> str:
    import pwd

    try:
        user = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        user = str(os.geteuid())
    return f"{user}@{socket.gethostname()}"


def log_action(session, action: str, learner: str, target: str | None = None) -> None:
    session.execute(
        actions.insert().values(
            at=_now(), action=action, learner=learner, target=target, by=actor()
        )
    )


@dataclass
class Action:
    at: datetime
    action: str
    learner: str
    target: str | None
    by: str


@dataclass
class LearnerStates:
    """The replay of the learner log: where renamed or merged ids went, who is withdrawn."""

    moved: dict[str, str] = field(default_factory=dict)  # old id -> current id
    withdrawn: set[str] = field(default_factory=set)
    log: list[Action] = field(default_factory=list)

    def current(self, learner: str) -> str:
        seen = set()
        while learner in self.moved and learner not in seen:
            seen.add(learner)
            learner = self.moved[learner]
        return learner

    def roster(self, members: tuple) -> tuple:
        """The roster as the log has it now: a renamed or merged member under the id they
        became (the course configuration may still name the old one), one member per id."""
        found = {m.id: m for m in members if self.current(m.id) == m.id}
        for member in members:
            now = self.current(member.id)
            found.setdefault(now, replace(member, id=now))
        return tuple(found.values())


def states(rows: list[Action]) -> LearnerStates:
    found = LearnerStates(log=list(rows))
    for row in rows:
        if row.action in ("rename", "merge") and row.target:
            found.moved[row.learner] = row.target
            if row.learner in found.withdrawn and row.action == "rename":
                found.withdrawn.discard(row.learner)
                found.withdrawn.add(row.target)
        elif row.action == "withdraw":
            found.withdrawn.add(row.learner)
        elif row.action == "reinstate":
            found.withdrawn.discard(row.learner)
    return found


def learner_states(connection) -> LearnerStates:
    if actions.name not in set(inspect(connection).get_table_names()):
        return LearnerStates()
    rows = connection.execute(select(actions).order_by(actions.c.id)).all()
    return states([Action(_utc(r.at), r.action, r.learner, r.target, r.by) for r in rows])


# --- reading ---------------------------------------------------------------------------------


@dataclass
class Records:
    events: list[Event] = field(default_factory=list)
    similar: list[Similar] = field(default_factory=list)
    learners: LearnerStates = field(default_factory=LearnerStates)
    # nbgrader's student records: {id: (first name, last name, e-mail)}
    students: dict[str, tuple[str | None, str | None, str | None]] = field(default_factory=dict)


def read(connection) -> Records:
    """Everything above, from a gradebook that may predate these tables (then: none)."""
    tables = set(inspect(connection).get_table_names())
    found = Records()
    if events.name in tables:
        found.events = [
            Event(r.learner, r.folder, r.kind, r.detail, _utc(r.first_seen), _utc(r.last_seen))
            for r in connection.execute(select(events).order_by(events.c.first_seen)).all()
        ]
    if similarities.name in tables:
        for r in connection.execute(
            select(similarities).order_by(similarities.c.score.desc())
        ).all():
            lines = json.loads(r.lines)
            found.similar.append(
                Similar(
                    r.exercise,
                    (r.learner_a, r.learner_b),
                    (r.folder_a, r.folder_b),
                    r.score,
                    r.shared,
                    ([tuple(x) for x in lines[0]], [tuple(x) for x in lines[1]]),
                )
            )
    found.learners = learner_states(connection)
    if "student" in tables:
        for r in connection.exec_driver_sql(
            "SELECT id, first_name, last_name, email FROM student"
        ).all():
            found.students[r[0]] = (r[1], r[2], r[3])
    return found

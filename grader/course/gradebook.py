"""The course's gradebook: nbgrader's own database, plus the kit's history in the same file.

How the kit maps onto nbgrader (so `nbgrader export` and formgrader read it as their own):
- one nbgrader assignment per chapter, one notebook per exercise, named by their ids;
- one grade cell per exercise, worth the exercise's points from the manifest. Not one per
  check: the checks of an exercise depend on the grading machine (CUDA checks are skipped
  where there is no GPU), while nbgrader fixes a cell's max_score once; the manifest's points
  are the one source of scores, and the checks' verdicts go into the cell's comment;
- one solution cell per exercise (same name) holding that comment: the status and each
  failing check's message, as the learner saw them;
- SubmittedNotebook.flagged (nbgrader's flag for "look at this") is set when the exercise
  was tampered with or matches the reference. Manual scores an instructor enters are kept.

nbgrader keeps one SubmittedAssignment per learner and chapter, with one timestamp, so it
always shows the learner's latest submission. Every submission's time and verdicts live in
two tables of the kit's own in the same database (kit_submission, kit_result): one file to
back up, and one transaction writes a submission's history rows and its nbgrader rows
together, so no result is ever half recorded. nbgrader ignores tables it does not know.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.request import pathname2url

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    inspect,
    select,
    text,
)
from sqlalchemy import create_engine as _create_engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from grader import manifest
from grader.course import records
from grader.course.config import Course
from grader.i18n import _

# How long a writer waits for the database's lock (held by nbgrader's formgrader, say) before
# giving up with a clear message; KIT_DB_TIMEOUT changes it.
DEFAULT_BUSY_SECONDS = 30
# The PostgreSQL advisory lock that lets one autograde at a time create the gradebook's tables
# and chapters (any fixed 64-bit number; advisory locks are per database).
CREATION_LOCK = 0x6B69_7467_7261_6465  # "kitgrade"


def busy_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("KIT_DB_TIMEOUT") or DEFAULT_BUSY_SECONDS))
    except ValueError:
        return DEFAULT_BUSY_SECONDS


# Verdicts that another grading of the same file under the same kit would repeat exactly.
REUSABLE = {"passed", "failed", "not_started", "error", "skipped"}
# Verdicts the next autograde tries again: the fault was the kit's or the machine's.
RETRY_FAULTS = {"kit", "data"}
# The flag on every verdict of a run that did not sandbox member code.
UNSANDBOXED = "unsandboxed"

metadata = MetaData()
submissions = Table(
    "kit_submission",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner", String(128), nullable=False, index=True),
    Column("submitted_at", DateTime, nullable=False),  # UTC
    # The submission's folder, relative to the course folder: one row per submission, ever.
    Column("folder", String(512), nullable=False, unique=True),
    Column("files", Text, nullable=False),  # JSON {module: sha256}
    Column("origin", Text, nullable=False),
    Column("graded_at", DateTime, nullable=False),  # UTC
    Column("kit", String(128), nullable=False),  # the grading kit's version and commit
    Column("isolation", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("max_score", Float, nullable=False),
)
results = Table(
    "kit_result",
    metadata,
    Column(
        "submission_id",
        Integer,
        ForeignKey("kit_submission.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("exercise", String(64), primary_key=True),
    Column("chapter", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("max_score", Float, nullable=False),
    Column("fault", String(16), nullable=False),
    Column("attempted", Boolean, nullable=False),
    Column("matches_reference", Boolean, nullable=False),
    Column("sha256", String(64), nullable=False),
    # The fingerprint of what judged this exercise: its checks, reference, the grader's
    # core, its manifest entry, the seed and the device.
    Column("kit", String(64), nullable=False),
    # Copied from an earlier grading of the same file with the same kit, not graded again.
    Column("reused", Boolean, nullable=False),
    Column("checks", Text, nullable=False),  # JSON [{name, status, message}]
    Column("notes", Text, nullable=False),  # JSON [text]
    Column("seconds", Float, nullable=False),
    # JSON [text]: why a person should look (ended abnormally, tampered, unsandboxed...). A
    # flagged verdict scores nothing unless a person says otherwise, and is never reused.
    Column("flags", Text, nullable=False, server_default="[]"),
    Index("kit_result_by_file", "exercise", "sha256", "kit"),
)


class GradebookError(Exception):
    """The gradebook cannot be opened, read or written; the message says why and what to do."""


@dataclass
class Result:
    exercise: str
    chapter: str
    status: str
    score: float
    max_score: float
    fault: str
    attempted: bool
    matches_reference: bool
    sha256: str
    kit: str
    reused: bool = False
    checks: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    flags: list[str] = field(default_factory=list)

    @property
    def tampered(self) -> bool:
        return self.fault == "tampered"

    @property
    def unsandboxed(self) -> bool:
        return UNSANDBOXED in self.flags

    @property
    def no_verdict(self) -> bool:
        """Not graded for a fault of the kit, the data or the machine: never the learner's."""
        return self.fault in RETRY_FAULTS

    def failing_checks(self) -> list[dict]:
        return [c for c in self.checks if c.get("status") not in ("passed", "skipped")]

    def row(self, submission_id: int) -> dict:
        values = {k: getattr(self, k) for k in _RESULT_FIELDS}
        values.update(
            submission_id=submission_id,
            checks=json.dumps(self.checks, ensure_ascii=False),
            notes=json.dumps(self.notes, ensure_ascii=False),
            flags=json.dumps(self.flags, ensure_ascii=False),
        )
        return values

    @classmethod
    def from_row(cls, row) -> Result:
        mapping = row._mapping
        values = {k: mapping[k] for k in _RESULT_FIELDS if k in mapping}
        values["checks"] = json.loads(row.checks)
        values["notes"] = json.loads(row.notes)
        values["flags"] = json.loads(mapping.get("flags") or "[]")
        return cls(**values)


_RESULT_FIELDS = [c.name for c in results.columns if c.name != "submission_id"]


@dataclass
class Recorded:
    """How a recorded submission was graded: each exercise's kit fingerprint."""

    kits: dict[str, str]
    retry: bool  # a verdict was the kit's or the machine's fault: grade it again


@dataclass
class Graded:
    """One recorded submission with its results."""

    id: int
    learner: str
    submitted_at: datetime
    folder: str
    graded_at: datetime
    kit: str
    isolation: str
    score: float
    max_score: float
    results: dict[str, Result]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _naive(value: datetime) -> datetime:
    """UTC without a zone: how SQLite (and nbgrader) store times."""
    return value.astimezone(UTC).replace(tzinfo=None)


def explain(exc: Exception, course: Course, doing: str) -> GradebookError:
    """A one-line GradebookError for a database exception, with the next step."""
    text = _scrubbed(str(getattr(exc, "orig", None) or exc).strip().splitlines()[0], course)
    where = course.gradebook_shown
    lowered = text.lower()
    server = _server_problem(
        lowered, _("{where} while {doing} ({error})").format(where=where, doing=doing, error=text)
    )
    if server is not None:
        return server
    if "locked" in lowered or "busy" in lowered or "lock timeout" in lowered:
        return GradebookError(
            _(
                "the gradebook {where} stayed locked for {seconds} s while {doing} ({error}); "
                "another program is writing it (nbgrader's formgrader, or a kit autograde on "
                "another machine): let it finish, then run the command again; nothing was "
                "recorded"
            ).format(where=where, seconds=f"{busy_seconds():g}", doing=doing, error=text)
        )
    if "not a database" in lowered or "malformed" in lowered or "encrypted" in lowered:
        return GradebookError(
            _(
                "the gradebook {where} is damaged ({error}); nothing was changed. Restore it "
                "from a backup, or move it aside and run {command} to rebuild it from the "
                "submissions in {folder}"
            ).format(where=where, error=text, command=_autograde(course), folder=course.submitted)
        )
    if "readonly" in lowered or "read-only" in lowered:
        return GradebookError(
            _(
                "the gradebook {where} is read-only for you ({error}); run the command as its "
                "owner or fix its permissions"
            ).format(where=where, error=text)
        )
    if "unable to open" in lowered:
        return GradebookError(
            _(
                "cannot open the gradebook {where} ({error}); check that its folder exists and "
                "is writable"
            ).format(where=where, error=text)
        )
    return GradebookError(
        _("the gradebook {where} failed while {doing}: {error}").format(
            where=where, doing=doing, error=text
        )
    )


def _server_problem(lowered: str, what: str) -> GradebookError | None:
    """A database server that cannot be reached or refuses the kit (PostgreSQL's messages);
    `what` names the gradebook, what the kit was doing and the server's words."""
    if "password authentication failed" in lowered:
        return GradebookError(
            _(
                "the gradebook server refused the password: {what}; put the right one in "
                "PGPASSWORD or in ~/.pgpass (a line HOST:PORT:DATABASE:USER:PASSWORD, chmod 600), "
                "which reach the kit under tox too"
            ).format(what=what)
        )
    if "no password supplied" in lowered:
        return GradebookError(
            _(
                "the gradebook server asks for a password: {what}; set PGPASSWORD, or add a line "
                "HOST:PORT:DATABASE:USER:PASSWORD to ~/.pgpass (chmod 600)"
            ).format(what=what)
        )
    missing = next(
        (what for what in ("database", "role") if f'fatal:  {what} "' in lowered),
        None,
    )
    if missing and "does not exist" in lowered:
        return GradebookError(
            _(
                "the gradebook server has no such {missing}: {what}; check the URL, or create "
                "it once on the server ({command})"
            ).format(
                missing=missing,
                what=what,
                command=f"{'createdb' if missing == 'database' else 'createuser'} NAME",
            )
        )
    unreachable = (
        "connection refused",
        "could not connect",
        "connection to server",
        "failed to resolve host",
        "could not translate host name",
        "name or service not known",
        "timeout expired",
        "no route to host",
    )
    if any(words in lowered for words in unreachable):
        return GradebookError(
            _(
                "cannot reach the gradebook server: {what}; check the host and port in the URL "
                "(or PGHOST, PGPORT), and that PostgreSQL runs there and accepts connections "
                "from this machine"
            ).format(what=what)
        )
    return None


def _scrubbed(message: str, course: Course) -> str:
    """The message without the URL's password, should a driver ever echo the URL (libpq's own
    messages never show a password)."""
    try:
        password = make_url(course.gradebook_url).password
    except (sa_exc.ArgumentError, ValueError):
        return message
    return message.replace(str(password), "***") if password else message


def check_address(course: Course) -> None:
    """One line, before any connection, for an address that names no database the kit can open:
    not a URL, a database SQLAlchemy does not know, or a driver that is not installed."""
    example = _("give a file ({file}) or a URL such as {url}").format(
        file="gradebook.db", url="postgresql://USER@HOST/DATABASE"
    )
    scheme = course.gradebook_url.split("://", 1)[0]
    try:
        url = make_url(course.gradebook_url)
        url.get_dialect().import_dbapi()
    except sa_exc.NoSuchModuleError:
        raise GradebookError(
            _(
                "the gradebook address {address} names a database SQLAlchemy does not know; "
                "{example}"
            ).format(address=f"{scheme}://…", example=example)
        ) from None
    except (sa_exc.ArgumentError, ValueError) as exc:
        raise GradebookError(
            _("the gradebook address {address} is not a database URL ({error}); {example}").format(
                address=f"{scheme}://…", error=_scrubbed(str(exc), course), example=example
            )
        ) from None
    except ImportError as exc:
        raise GradebookError(
            _(
                "the gradebook {where} needs the Python module {module}, which is not installed "
                "in the kit's environment; write postgresql://… for PostgreSQL (its driver, "
                "psycopg, comes with the kit), or install the package that provides {module} "
                "into the kit's environment"
            ).format(where=course.gradebook_shown, module=exc.name)
        ) from None


def connection_url(course: Course) -> str:
    """The gradebook's URL as the kit connects: waiting at most busy_seconds() for a lock that
    another program holds (SQLite's busy timeout, PostgreSQL's lock_timeout), then failing with
    a clear message rather than hanging a scheduler's task for ever."""
    url = course.gradebook_url
    if url.startswith("sqlite"):
        if "timeout=" not in url:
            url += ("&" if "?" in url else "?") + f"timeout={busy_seconds():g}"
        return url
    parsed = make_url(url)
    # The user's own server options (in the URL or PGOPTIONS) are left as they are.
    if parsed.get_backend_name() != "postgresql" or "options" in parsed.query:
        return url
    if os.environ.get("PGOPTIONS"):
        return url
    milliseconds = max(1, round(busy_seconds() * 1000))
    parsed = parsed.update_query_dict({"options": f"-c lock_timeout={milliseconds}"})
    return parsed.render_as_string(hide_password=False)


@contextmanager
def _one_creator(course: Course) -> Iterator[None]:
    """On PostgreSQL, one kit autograde at a time creates a new gradebook: the runs of a job
    array that all find it new wait here (an advisory lock) instead of racing to create the
    same tables and rows, and retrying. A gradebook is complete once it has the kit's tables,
    which are made last; runs that find it complete, at once or after waiting, take no lock.
    SQLite has no such lock: there, Writer retries a lost race."""
    if not course.gradebook_url.startswith("postgresql"):
        yield
        return
    engine = _create_engine(connection_url(course), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if not _complete(connection):
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": CREATION_LOCK})
                if _complete(connection):
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": CREATION_LOCK}
                    )
            connection.commit()
            yield  # a lock still held goes with the connection, when it closes
    finally:
        engine.dispose()


def _complete(connection) -> bool:
    return inspect(connection).has_table(results.name)


def _autograde(course: Course) -> str:
    """The command that grades this course, with the options that named it."""
    from grader import commands

    return commands.kit("autograde", *course.options())


@contextmanager
def _alembic_on_path() -> Iterator[None]:
    """nbgrader runs the `alembic` command to stamp a new gradebook; it sits beside this
    Python, which is on PATH under tox but not when the kit is run by its full path."""
    import os
    import shutil
    import sys

    saved = os.environ.get("PATH", "")
    if shutil.which("alembic") is None:
        os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + saved
    try:
        yield
    finally:
        os.environ["PATH"] = saved


def _add_missing_columns(engine) -> None:
    """Columns the kit added to its tables since a gradebook was made (create_all makes only
    missing tables): each is added with its default, so older rows read as before."""
    from sqlalchemy import text

    with engine.begin() as connection:
        for table in (submissions, results):
            have = {c["name"] for c in inspect(connection).get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and column.server_default is not None:
                    default = column.server_default.arg
                    connection.execute(
                        text(
                            f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" '
                            f"{column.type.compile(engine.dialect)} NOT NULL DEFAULT '{default}'"
                        )
                    )


def _lost_a_creation_race(exc: Exception) -> bool:
    text = str(getattr(exc, "orig", None) or exc).lower()
    return isinstance(exc, sa_exc.IntegrityError) or any(
        words in text for words in ("already exists", "unique constraint", "duplicate key")
    )


# --- writing (kit autograde) ---------------------------------------------------------------


class Writer:
    """The gradebook opened for autograde: nbgrader's schema and the kit's, kept in sync."""

    def __init__(self, course: Course):
        from nbgrader.api import InvalidEntry  # nbgrader's wrapper of a database error

        self.course = course
        check_address(course)
        try:
            if course.gradebook_file is not None:
                course.gradebook_file.parent.mkdir(parents=True, exist_ok=True)
            for attempt in range(3):
                try:
                    self._open()
                    break
                except (
                    sa_exc.IntegrityError,
                    sa_exc.OperationalError,
                    sa_exc.ProgrammingError,
                    InvalidEntry,
                ) as exc:
                    # Runs for several learners at once (a job array) may all find the
                    # gradebook new (SQLite), or find a chapter missing after the kit gained
                    # one, and race to create them; the losers find them made, and open it
                    # again.
                    self._dispose()
                    if attempt == 2 or not _lost_a_creation_race(exc):
                        raise
        except (sa_exc.SQLAlchemyError, InvalidEntry) as exc:
            self._dispose()
            raise explain(exc, course, _("opening it")) from None
        except OSError as exc:
            self._dispose()
            raise GradebookError(
                f"cannot create the gradebook {course.gradebook_shown}: {exc.strerror or exc}"
            ) from None

    def _open(self) -> None:
        from nbgrader.api import Gradebook

        # nbgrader's Gradebook first: it stamps alembic's version only into a database that
        # has no tables yet, so the kit's tables must come after its own. They come last, after
        # the chapters: a gradebook with the kit's tables is complete (see _one_creator).
        with _one_creator(self.course):
            with _alembic_on_path():
                self.nbgrader = Gradebook(connection_url(self.course), self.course.course_id)
            self.session = self.nbgrader.db
            self._sync_structure()
            metadata.create_all(self.nbgrader.engine)
            _add_missing_columns(self.nbgrader.engine)
            records.create(self.nbgrader.engine)

    def _dispose(self) -> None:
        gradebook = getattr(self, "nbgrader", None)
        if gradebook is not None:
            gradebook.close()
            self.nbgrader = None

    def close(self) -> None:
        self._dispose()

    def _sync_structure(self) -> None:
        """Assignments, notebooks and cells for every chapter and exercise in the manifest."""
        from nbgrader.api import Assignment, GradeCell, Notebook, SolutionCell

        db = self.session
        assignments = {a.name: a for a in db.query(Assignment).all()}
        for chapter in manifest.chapters():
            assignment = assignments.get(chapter)
            if assignment is None:
                assignment = Assignment(name=chapter, course_id=self.course.course_id)
                db.add(assignment)
            # The course's target date for the chapter, as nbgrader's due date (UTC, naive);
            # a date set in nbgrader itself is left alone where the course sets none.
            if chapter in self.course.due:
                assignment.duedate = _naive(self.course.due[chapter])
            notebooks = {n.name: n for n in assignment.notebooks}
            for ex in manifest.load():
                if ex.chapter != chapter:
                    continue
                notebook = notebooks.get(ex.id)
                if notebook is None:
                    notebook = Notebook(name=ex.id, assignment=assignment)
                    db.add(notebook)
                grade_cells = {c.name: c for c in notebook.grade_cells}
                cell = grade_cells.get(ex.id)
                if cell is None:
                    db.add(
                        GradeCell(
                            name=ex.id, max_score=ex.points, cell_type="code", notebook=notebook
                        )
                    )
                elif cell.max_score != ex.points:
                    cell.max_score = ex.points
                if ex.id not in {c.name for c in notebook.solution_cells}:
                    db.add(SolutionCell(name=ex.id, notebook=notebook))
        db.commit()

    def sync_students(self, people) -> None:
        """nbgrader's student records (first and last name, e-mail) for `people`
        (identity.Member or Learner): the roster's, and each new learner's own name."""
        from nbgrader.api import Student

        db = self.session
        try:
            for person in people:
                first, last = _names(person)
                student = db.get(Student, person.id)
                if student is None:
                    student = Student(id=person.id)
                    db.add(student)
                student.first_name, student.last_name = first, last
                student.email = person.email or student.email
            db.commit()
        except sa_exc.SQLAlchemyError as exc:
            db.rollback()
            raise explain(exc, self.course, _("writing the student records")) from None

    def mirror_latest(self, learner: str) -> None:
        """nbgrader's rows for `learner` from their latest recorded submission (flushed, not
        committed); after a rename or merge."""
        db = self.session
        latest = db.execute(
            select(submissions.c.id, submissions.c.submitted_at)
            .where(submissions.c.learner == learner)
            .order_by(submissions.c.submitted_at.desc())
            .limit(1)
        ).first()
        if latest is None:
            return
        rows = db.execute(select(results).where(results.c.submission_id == latest.id)).all()
        outcome = {r.exercise: Result.from_row(r) for r in rows}
        self._mirror_to_nbgrader(learner, _utc(latest.submitted_at), outcome)

    def recorded(self) -> dict[str, Recorded]:
        """What each recorded submission was graded with: {folder: Recorded}."""
        found: dict[str, Recorded] = {}
        try:
            for folder in self.session.execute(select(submissions.c.folder)).scalars():
                found[folder] = Recorded({}, False)
            for folder, exercise, kit, status, fault in self.session.execute(
                select(
                    submissions.c.folder,
                    results.c.exercise,
                    results.c.kit,
                    results.c.status,
                    results.c.fault,
                ).join(results, results.c.submission_id == submissions.c.id)
            ).all():
                entry = found[folder]
                entry.kits[exercise] = kit
                entry.retry |= fault in RETRY_FAULTS or status == "not_graded"
            self._end_reading()
        except sa_exc.SQLAlchemyError as exc:
            raise explain(exc, self.course, _("reading what was graded")) from None
        return found

    def _end_reading(self) -> None:
        """Ends the transaction a read began (PostgreSQL's driver begins one for any
        statement): jobs grade for minutes before the next write, and a server may end a
        session left idle in a transaction (idle_in_transaction_session_timeout)."""
        self.session.commit()

    def reusable(self) -> dict[tuple[str, str, str], Result]:
        """{(exercise, sha256, kit): result} of every file graded before with a final verdict."""
        try:
            # Only what a clean, complete run recorded: nothing flagged (ended abnormally,
            # tampered, graded unsandboxed) is ever copied to another submission.
            rows = self.session.execute(
                select(results).where(
                    results.c.status.in_(REUSABLE)
                    & ~results.c.fault.in_(RETRY_FAULTS | {"tampered"})
                    & (results.c.flags == "[]")
                )
            ).all()
            self._end_reading()
        except sa_exc.SQLAlchemyError as exc:
            raise explain(exc, self.course, _("reading earlier results")) from None
        found = {}
        for row in rows:
            result = Result.from_row(row)
            result.reused = True
            found[(result.exercise, result.sha256, result.kit)] = result
        return found

    def record(
        self,
        learner: str,
        submitted_at: datetime,
        folder: str,
        files: dict[str, str],
        origin: str,
        kit: str,
        isolation: str,
        outcome: list[Result],
    ) -> None:
        """Writes one graded submission: its history rows and, when it is the learner's latest,
        nbgrader's rows, in one transaction (all of it is recorded, or none)."""
        db = self.session
        now = datetime.now(UTC)
        values = {
            "learner": learner,
            "submitted_at": _naive(submitted_at),
            "folder": folder,
            "files": json.dumps(files, sort_keys=True),
            "origin": origin,
            "graded_at": _naive(now),
            "kit": kit,
            "isolation": isolation,
            "score": round(sum(r.score for r in outcome), 2),
            "max_score": sum(ex.points for ex in manifest.load()),
        }
        try:
            existing = db.execute(
                select(submissions.c.id).where(submissions.c.folder == folder)
            ).scalar()
            if existing is None:
                submission_id = db.execute(
                    submissions.insert().values(**values)
                ).inserted_primary_key[0]
            else:
                submission_id = existing
                db.execute(
                    submissions.update().where(submissions.c.id == existing).values(**values)
                )
                db.execute(delete(results).where(results.c.submission_id == existing))
            if outcome:
                db.execute(results.insert(), [r.row(submission_id) for r in outcome])
            newest = db.execute(
                select(submissions.c.submitted_at)
                .where(submissions.c.learner == learner)
                .order_by(submissions.c.submitted_at.desc())
                .limit(1)
            ).scalar()
            if newest is None or _naive(submitted_at) >= newest:
                self._mirror_to_nbgrader(learner, submitted_at, {r.exercise: r for r in outcome})
            db.commit()
        except sa_exc.SQLAlchemyError as exc:
            db.rollback()
            raise explain(exc, self.course, _("recording {folder}").format(folder=folder)) from None

    def _mirror_to_nbgrader(
        self, learner: str, submitted_at: datetime, outcome: dict[str, Result]
    ) -> None:
        """The learner's latest verdicts in nbgrader's tables (flushed, not committed)."""
        from nbgrader.api import (
            Assignment,
            Comment,
            Grade,
            Student,
            SubmittedAssignment,
            SubmittedNotebook,
        )

        db = self.session
        student = db.get(Student, learner)
        if student is None:
            student = Student(id=learner, email=learner if "@" in learner else None)
            student.last_name = learner
            db.add(student)
        for assignment in db.query(Assignment).all():
            if assignment.name not in manifest.chapters():
                continue
            submitted = (
                db.query(SubmittedAssignment)
                .filter_by(assignment_id=assignment.id, student_id=learner)
                .one_or_none()
            )
            if submitted is None:
                submitted = SubmittedAssignment(assignment=assignment, student=student)
                db.add(submitted)
            submitted.timestamp = _naive(submitted_at)
            by_notebook = {nb.notebook_id: nb for nb in submitted.notebooks}
            for notebook in assignment.notebooks:
                sub_nb = by_notebook.get(notebook.id)
                if sub_nb is None:
                    sub_nb = SubmittedNotebook(notebook=notebook, assignment=submitted)
                    db.add(sub_nb)
                result = outcome.get(notebook.name)
                sub_nb.flagged = bool(
                    result
                    and (
                        result.tampered
                        or result.matches_reference
                        or result.flags
                        or result.no_verdict
                    )
                )
                sub_nb.late_submission_penalty = 0.0
                grades = {g.cell_id: g for g in sub_nb.grades}
                for cell in notebook.grade_cells:
                    grade = grades.get(cell.id)
                    if grade is None:
                        grade = Grade(cell=cell, notebook=sub_nb)
                        db.add(grade)
                    if result is not None and result.no_verdict:
                        # A fault of the kit, the data or the machine: no score is the
                        # learner's; nbgrader shows it as needing a grade until the next run.
                        grade.auto_score, grade.needs_manual_grade = None, True
                        continue
                    grade.auto_score = result.score if result else 0.0
                    # The kit's score is final unless a person overrides it (manual_score,
                    # which is left as the instructor set it).
                    grade.needs_manual_grade = False
                comments = {c.cell_id: c for c in sub_nb.comments}
                for cell in notebook.solution_cells:
                    comment = comments.get(cell.id)
                    if comment is None:
                        comment = Comment(cell=cell, notebook=sub_nb)
                        db.add(comment)
                    comment.auto_comment = feedback(result)
        db.flush()


def feedback(result: Result | None) -> str:
    """The comment nbgrader shows for one exercise: verdict, flags and failing checks."""
    if result is None:
        return "not submitted"
    if result.no_verdict:
        return (
            f"not graded: a fault of the {result.fault}, not of the learner; graded again on "
            "the next autograde\n" + "\n".join(result.notes)
        ).strip()
    lines = [f"{result.status.replace('_', ' ')}: {result.score:g}/{result.max_score:g}"]
    if result.tampered:
        lines.append("TAMPERED: the grader's own functions or files were changed by this code.")
    for flag in result.flags:
        if flag != "tampered":
            lines.append(f"FLAGGED: {flag}.")
    if result.matches_reference:
        lines.append("MATCHES THE REFERENCE: the code is the reference solution, up to layout.")
    for check in result.failing_checks():
        lines.append(f"- {check['name']} [{check['status']}]: {check.get('message', '')}")
    lines += [note for note in result.notes if note not in "\n".join(lines)]
    return "\n".join(lines)


@contextmanager
def writing(course: Course) -> Iterator[Writer]:
    writer = Writer(course)
    try:
        yield writer
    finally:
        writer.close()


# --- reading (kit progress, kit dashboard) --------------------------------------------------


@contextmanager
def reading(course: Course) -> Iterator:
    """A read-only connection to the gradebook: never creates or changes a file. A missing,
    foreign or damaged gradebook is a GradebookError (one line)."""
    check_address(course)
    path = course.gradebook_file
    if path is not None and not path.exists():
        raise GradebookError(
            _("no gradebook at {path} yet; grade the submissions first: {command}").format(
                path=path, command=_autograde(course)
            )
        )
    engine = None
    try:
        if path is None:
            engine = _create_engine(connection_url(course))
        else:
            # Read-only, so that reading never creates or changes a file; sqlite3 itself is
            # given the file: URI, which SQLAlchemy's URL parsing would unquote.
            uri = f"file:{pathname2url(str(path))}?mode=ro"
            engine = _create_engine(
                "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, timeout=busy_seconds())
            )
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            if not {"kit_submission", "kit_result"} <= tables:
                raise GradebookError(
                    f"the gradebook {course.gradebook_shown} holds no kit history (no table "
                    f"kit_submission); it was not written by the kit. Run {_autograde(course)} "
                    "on it first"
                )
            yield connection
    except sa_exc.SQLAlchemyError as exc:
        raise explain(exc, course, _("reading it")) from None
    finally:
        if engine is not None:
            engine.dispose()


def read(course: Course) -> list[Graded]:
    """Every recorded submission with its results, oldest first. Never writes."""
    with reading(course) as connection:
        return _graded(connection)


def similarity_stale(session) -> bool:
    """Whether a submission was graded after the similar pairs were last computed (or they
    never were)."""
    from sqlalchemy import func

    graded = session.execute(select(func.max(submissions.c.graded_at))).scalar()
    computed = session.execute(select(func.max(records.similarities.c.computed_at))).scalar()
    return graded is not None and (computed is None or graded > computed)


def read_all(course: Course) -> tuple[list[Graded], records.Records]:
    """The recorded submissions and the kit's other records (records.py). Never writes."""
    with reading(course) as connection:
        return _graded(connection), records.read(connection)


def _graded(connection) -> list[Graded]:
    subs = connection.execute(
        select(submissions).order_by(submissions.c.submitted_at, submissions.c.id)
    ).all()
    by_submission: dict[int, dict[str, Result]] = {}
    for row in connection.execute(select(results)).all():
        by_submission.setdefault(row.submission_id, {})[row.exercise] = Result.from_row(row)
    return [
        Graded(
            id=s.id,
            learner=s.learner,
            submitted_at=_utc(s.submitted_at),
            folder=s.folder,
            graded_at=_utc(s.graded_at),
            kit=s.kit,
            isolation=s.isolation,
            score=s.score,
            max_score=s.max_score,
            results=by_submission.get(s.id, {}),
        )
        for s in subs
    ]


def _names(person) -> tuple[str | None, str]:
    """(first, last) for nbgrader: a roster member's own split, else the display name split at
    its last space; a name without one (李明) is kept whole as the last name."""
    if hasattr(person, "nbgrader_names"):
        return person.nbgrader_names()
    first, space, last = person.name.rpartition(" ")
    return (first, last) if space else (None, person.name)

"""Where the course lives: its folder, its gradebook and its nbgrader course id.

Each value comes from the first of: the command-line option, an environment variable, the
first config file found, a default. The course folder has no default: a learner whose kit does
not know it is told how to set it, rather than submitting to a folder nobody reads.

A config file (TOML) may hold

    course_dir = "/srv/lab/cnn-basics"   # relative paths are relative to the file
    gradebook = "gradebook.db"           # a path (relative to course_dir) or an SQLAlchemy URL
    course_id = "cnn-basics"

    [due]                                # optional target dates, per chapter (nbgrader's duedate)
    ch1_theory = 2025-05-09              # a date: the end of that day, in this machine's time
    ch2_pytorch = 2025-05-16T18:00:00+09:00

    [[learner]]                          # the roster, one table per member (optional)
    id = "ana"                           # their folder in submitted/ and nbgrader's student id
    name = "Ana García"                  # any Unicode name, shown as written
    email = "ana@lab.example"            # optional; git's user.email that maps to this member
    account = "ana"                      # optional: the Unix account that submits as them
    last_name = "García"                 # optional: nbgrader's last and first name (else the
    first_name = "Ana"                   # name split at its last space; give both for 山田 太郎)

and is looked for at KIT_COURSE_CONFIG, then ~/.config/cnn-basics-kit/course.toml (or under
XDG_CONFIG_HOME), then course.toml in the kit's folder, which a lab can commit to its fork of
the kit so that every member's clone knows the course folder.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from grader import PROJECT_ROOT, identity
from grader.i18n import _

DEFAULT_GRADEBOOK = "gradebook.db"  # nbgrader's own default name, in the course folder
DEFAULT_COURSE_ID = "cnn-basics"
SUBMITTED = "submitted"  # nbgrader's folder for collected submissions
TEXT_KEYS = {"course_dir", "gradebook", "course_id"}
KNOWN_KEYS = TEXT_KEYS | {"due", "learner"}
MEMBER_KEYS = {"id", "name", "email", "account", "first_name", "last_name"}


class CourseError(Exception):
    """Bad or missing course settings; the message says what to set and where."""


@dataclass(frozen=True)
class Course:
    root: Path
    gradebook_url: str
    course_id: str
    # Where each value came from, for messages ("KIT_COURSE_DIR", "course.toml", ...).
    root_source: str
    roster: tuple[identity.Member, ...] = ()
    due: dict[str, datetime] = field(default_factory=dict)  # chapter -> UTC time
    db_option: str | None = None  # the gradebook as given with --db, if it was
    config_file: Path | None = None  # the config file read, if any (it holds the roster)

    def options(self) -> list[str]:
        """The options that name this course in a command the kit prints: those the user gave
        on the command line (the rest come from the same environment and files again)."""
        args = ["--course", str(self.root)] if self.root_source == "--course" else []
        return args + (["--db", self.db_option] if self.db_option else [])

    def member(self, learner_id: str) -> identity.Member | None:
        return next((m for m in self.roster if m.id == learner_id), None)

    @property
    def submitted(self) -> Path:
        return self.root / SUBMITTED

    @property
    def gradebook_file(self) -> Path | None:
        """The SQLite file behind the gradebook URL, or None for a server database."""
        prefix = "sqlite:///"
        if not self.gradebook_url.startswith(prefix):
            return None
        path = self.gradebook_url[len(prefix) :].split("?", 1)[0]
        return Path(path) if path and path != ":memory:" else None

    @property
    def gradebook_shown(self) -> str:
        """The gradebook as messages name it: its file, else its URL without a password."""
        if self.gradebook_file is not None:
            return str(self.gradebook_file)
        from sqlalchemy.engine import make_url

        try:
            return make_url(self.gradebook_url).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - a malformed URL is shown as given; it fails later
            return self.gradebook_url


def config_files() -> list[Path]:
    """The config files looked for, in order (the first that exists is read)."""
    explicit = os.environ.get("KIT_COURSE_CONFIG")
    if explicit:
        return [Path(explicit)]
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return [Path(xdg) / "cnn-basics-kit" / "course.toml", PROJECT_ROOT / "course.toml"]


def _read_config() -> tuple[dict, Path | None]:
    files = config_files()
    explicit = os.environ.get("KIT_COURSE_CONFIG")
    for path in files:
        if not path.is_file():
            continue
        try:
            with path.open("rb") as f:
                values = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise CourseError(
                _("{path}: not valid TOML ({error}); fix the file or remove it").format(
                    path=path, error=exc
                )
            ) from None
        except OSError as exc:
            raise CourseError(
                _("{path}: cannot be read ({error}); check its permissions").format(
                    path=path, error=exc.strerror
                )
            )
        unknown = sorted(set(values) - KNOWN_KEYS)
        if unknown:
            raise CourseError(
                _("{path}: unknown setting {key}; the settings are {keys}").format(
                    path=path, key=repr(unknown[0]), keys=", ".join(sorted(KNOWN_KEYS))
                )
            )
        for key in TEXT_KEYS & set(values):
            value = values[key]
            if not isinstance(value, str) or not value.strip():
                raise CourseError(non_empty(str(path), key, value))
        values["due"] = _due(values.get("due", {}), path)
        values["learner"] = _roster(values.get("learner", []), path)
        return values, path
    if explicit:
        raise CourseError(
            _("{setting}: no such file; create it or unset KIT_COURSE_CONFIG").format(
                setting=f"KIT_COURSE_CONFIG={explicit}"
            )
        )
    return {}, None


def _due(table: object, path: Path) -> dict[str, datetime]:
    """[due] chapter = date or date-time, as UTC times; a bare date means the end of that day
    in this machine's time zone."""
    from grader import manifest

    if not isinstance(table, dict):
        raise CourseError(
            _("{path}: due must be a table of chapter = date lines ([due])").format(path=path)
        )
    chapters = manifest.chapters()
    found = {}
    for chapter, when in table.items():
        if chapter not in chapters:
            raise CourseError(
                _("{path}: {key}: no such chapter; the chapters are {chapters}").format(
                    path=path, key=f"due.{chapter}", chapters=", ".join(chapters)
                )
            )
        if isinstance(when, datetime):
            moment = when if when.tzinfo else when.astimezone()  # local time when no offset
        elif isinstance(when, date):
            moment = datetime.combine(when, time(23, 59, 59)).astimezone()
        else:
            raise CourseError(
                _(
                    "{path}: {key} must be a TOML date such as 2025-05-09 (no quotes) or a "
                    "date-time such as 2025-05-09T18:00:00+09:00, got {value}"
                ).format(path=path, key=f"due.{chapter}", value=repr(when))
            )
        found[chapter] = moment.astimezone(UTC)
    return found


def _roster(entries: object, path: Path) -> tuple[identity.Member, ...]:
    """[[learner]] tables: id and name required; ids, e-mails and accounts unique."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CourseError(_("{path}: the roster must be [[learner]] tables").format(path=path))
    members: list[identity.Member] = []
    for n, entry in enumerate(entries, 1):
        where = _("{path}: learner {n}").format(path=path, n=n)
        unknown = sorted(set(entry) - MEMBER_KEYS)
        if unknown:
            raise CourseError(
                _("{where}: unknown key {key}; a member has {keys}").format(
                    where=where, key=repr(unknown[0]), keys=", ".join(sorted(MEMBER_KEYS))
                )
            )
        for key, value in entry.items():
            if not isinstance(value, str) or not value.strip():
                raise CourseError(non_empty(where, key, value))
        if "id" not in entry or "name" not in entry:
            raise CourseError(
                _("{where}: give both id and name ({example})").format(
                    where=where, example='id = "ana", name = "Ana García"'
                )
            )
        try:
            name = identity.display(entry["name"])
        except identity.NoIdentity as exc:
            raise CourseError(f"{where}: {exc}") from None
        member_id = entry["id"].strip()
        if not identity.is_id(member_id):
            raise CourseError(
                _(
                    "{where}: id {id} is not a safe folder name; use letters, digits and "
                    "._@- (not first), e.g. {example}"
                ).format(
                    where=where,
                    id=repr(member_id),
                    example=f'id = "{identity.folder_name(member_id)}"',
                )
            )
        members.append(
            identity.Member(
                member_id,
                name,
                entry.get("email", "").strip() or None,
                entry.get("account", "").strip() or None,
                entry.get("first_name"),
                entry.get("last_name"),
            )
        )
    for key in ("id", "email", "account"):
        seen: dict[str, int] = {}
        for member in members:
            value = getattr(member, key)
            if value is None:
                continue
            folded = value.casefold() if key == "email" else value
            if folded in seen:
                raise CourseError(
                    _("{path}: two members have {key} {value}; each needs its own").format(
                        path=path, key=key, value=repr(value)
                    )
                )
            seen[folded] = 1
    return tuple(members)


def non_empty(where: str, key: str, value: object) -> str:
    return _("{where}: {key} must be a non-empty string, got {value}").format(
        where=where, key=key, value=repr(value)
    )


def resolve(course_dir: str | None = None, db: str | None = None) -> Course:
    """The course settings, from options, environment, config file and defaults.

    Raises CourseError when no course folder is set or the one set is not a folder.
    """
    values, config = _read_config()
    base = config.parent if config else Path.cwd()
    if course_dir:
        root, source = Path(course_dir), "--course"
    elif os.environ.get("KIT_COURSE_DIR", "").strip():
        root, source = Path(os.environ["KIT_COURSE_DIR"].strip()), "KIT_COURSE_DIR"
    elif "course_dir" in values:
        root, source = base / values["course_dir"], _("course_dir in {file}").format(file=config)
    else:
        tried = ", ".join(str(p) for p in config_files())
        raise CourseError(
            _(
                "no course folder is set: pass --course DIR, or set KIT_COURSE_DIR, or write "
                "{setting} into a config file ({tried}); your supervisor knows the path"
            ).format(setting='course_dir = "/path/to/course"', tried=tried)
        )
    root = root.expanduser().resolve()
    if not root.exists():
        raise CourseError(
            _(
                "the course folder {folder} (from {source}) does not exist; check the path, or "
                "ask your supervisor to create it"
            ).format(folder=root, source=source)
        )
    if not root.is_dir():
        raise CourseError(
            _("the course folder {folder} (from {source}) is a file, not a folder").format(
                folder=root, source=source
            )
        )
    if not os.access(root, os.X_OK):
        raise CourseError(
            _(
                "you may not enter the course folder {folder} (from {source}): permission "
                "denied; ask your supervisor to add you to the course's group"
            ).format(folder=root, source=source)
        )
    if not (root / SUBMITTED).is_dir():
        hint = (
            _("pass its parent {parent} instead, the course folder that holds it").format(
                parent=root.parent
            )
            if root.name == SUBMITTED
            else _(
                "pass the folder that holds submitted/, or set up a course as the README's "
                "instructor steps say"
            )
        )
        raise CourseError(
            _(
                "{folder} (from {source}) is not a course folder: it has no {submitted}/ "
                "folder; {hint}. Nothing was done"
            ).format(folder=root, source=source, submitted=SUBMITTED, hint=hint)
        )
    # A gradebook path on the command line or in the environment is relative to where the
    # command runs; in a config file, to the course folder.
    given_db = db or os.environ.get("KIT_GRADEBOOK", "").strip()
    if given_db and "://" not in given_db:
        given_db = str(Path(given_db).expanduser().resolve())
    given_db = given_db or values.get("gradebook")
    course_id = os.environ.get("KIT_COURSE_ID", "").strip() or values.get(
        "course_id", DEFAULT_COURSE_ID
    )
    return Course(
        root,
        gradebook_url(given_db, root),
        course_id,
        source,
        values.get("learner", ()),
        values.get("due", {}),
        db,
        config,
    )


def gradebook_url(given: str | None, root: Path) -> str:
    """An SQLAlchemy URL: as given when it has a scheme, else a SQLite file (default: nbgrader's
    gradebook.db in the course folder)."""
    if given and "://" in given:
        return given
    path = Path(given).expanduser() if given else Path(DEFAULT_GRADEBOOK)
    if not path.is_absolute():
        path = root / path
    return f"sqlite:///{path.resolve()}"

"""Where the course lives: its folder, its gradebook and its nbgrader course id.

Each value comes from the first of: the command-line option, an environment variable, the
first config file found, a default. The course folder has no default: a learner whose kit does
not know it is told how to set it, rather than submitting to a folder nobody reads.

A config file (TOML) may hold

    course_dir = "/srv/lab/cnn-basics"   # relative paths are relative to the file
    gradebook = "gradebook.db"           # a path (relative to course_dir) or an SQLAlchemy URL
    course_id = "cnn-basics"

and is looked for at KIT_COURSE_CONFIG, then ~/.config/cnn-basics-kit/course.toml (or under
XDG_CONFIG_HOME), then course.toml in the kit's folder, which a lab can commit to its fork of
the kit so that every member's clone knows the course folder.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader import PROJECT_ROOT

DEFAULT_GRADEBOOK = "gradebook.db"  # nbgrader's own default name, in the course folder
DEFAULT_COURSE_ID = "cnn-basics"
SUBMITTED = "submitted"  # nbgrader's folder for collected submissions
KNOWN_KEYS = {"course_dir", "gradebook", "course_id"}


class CourseError(Exception):
    """Bad or missing course settings; the message says what to set and where."""


@dataclass(frozen=True)
class Course:
    root: Path
    gradebook_url: str
    course_id: str
    # Where each value came from, for messages ("KIT_COURSE_DIR", "course.toml", ...).
    root_source: str

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
                f"{path}: not valid TOML ({exc}); fix the file or remove it"
            ) from None
        except OSError as exc:
            raise CourseError(f"{path}: cannot be read ({exc.strerror}); check its permissions")
        unknown = sorted(set(values) - KNOWN_KEYS)
        if unknown:
            raise CourseError(
                f"{path}: unknown setting {unknown[0]!r}; the settings are "
                f"{', '.join(sorted(KNOWN_KEYS))}"
            )
        for key, value in values.items():
            if not isinstance(value, str) or not value.strip():
                raise CourseError(f"{path}: {key} must be a non-empty string, got {value!r}")
        return values, path
    if explicit:
        raise CourseError(
            f"KIT_COURSE_CONFIG={explicit}: no such file; create it or unset KIT_COURSE_CONFIG"
        )
    return {}, None


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
        root, source = base / values["course_dir"], f"course_dir in {config}"
    else:
        tried = ", ".join(str(p) for p in config_files())
        raise CourseError(
            "no course folder is set: pass --course DIR, or set KIT_COURSE_DIR, or write "
            f'course_dir = "/path/to/course" into a config file ({tried}); your supervisor '
            "knows the path"
        )
    root = root.expanduser().resolve()
    if not root.exists():
        raise CourseError(
            f"the course folder {root} (from {source}) does not exist; check the path, or ask "
            "your supervisor to create it"
        )
    if not root.is_dir():
        raise CourseError(f"the course folder {root} (from {source}) is a file, not a folder")
    # A gradebook path on the command line or in the environment is relative to where the
    # command runs; in a config file, to the course folder.
    given_db = db or os.environ.get("KIT_GRADEBOOK", "").strip()
    if given_db and "://" not in given_db:
        given_db = str(Path(given_db).expanduser().resolve())
    given_db = given_db or values.get("gradebook")
    course_id = os.environ.get("KIT_COURSE_ID", "").strip() or values.get(
        "course_id", DEFAULT_COURSE_ID
    )
    return Course(root, gradebook_url(given_db, root), course_id, source)


def gradebook_url(given: str | None, root: Path) -> str:
    """An SQLAlchemy URL: as given when it has a scheme, else a SQLite file (default: nbgrader's
    gradebook.db in the course folder)."""
    if given and "://" in given:
        return given
    path = Path(given).expanduser() if given else Path(DEFAULT_GRADEBOOK)
    if not path.is_absolute():
        path = root / path
    return f"sqlite:///{path.resolve()}"

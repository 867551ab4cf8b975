"""Reads manifest.toml: the exercises in learning order, with their points, limits and hints.

The manifest is validated as it loads, so a slip in it is one line naming the entry and the
field, never a traceback in every command.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grader import CHECKS_DIR
from grader.i18n import _, language

MANIFEST_PATH = Path(__file__).with_name("manifest.toml")
FRAMEWORKS = ("torch", "tensorflow", "matplotlib")
DATA_SETS = ("california", "cifar10")
LANGUAGES = ("en", "ja")
MIN_HINT_LEVELS = 2
REQUIRED = {
    "id": str,
    "chapter": str,
    "title": str,
    "title_ja": str,
    "topics": list,
    "points": int,
    "timeout": (int, float),
    "task_ja": str,
    "hints": dict,
}
OPTIONAL = {"needs": list, "data": list}
# A manual topic id (T4, P16, E12, ...) as manual-map.md numbers them.
TOPIC = re.compile(r"[A-Z]\d{1,2}")
NAME = re.compile(r"[a-z][a-z0-9_]*")


class ManifestError(ValueError):
    """The manifest is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class Exercise:
    id: str
    chapter: str
    title: str
    title_ja: str
    topics: tuple[str, ...]
    points: int
    timeout: float
    needs: tuple[str, ...]
    data: tuple[str, ...]
    hints: dict[str, tuple[str, ...]]
    task_ja: str

    @property
    def shown_title(self) -> str:
        """The title in the reader's language."""
        return self.title_ja if language() == "ja" else self.title

    @property
    def module(self) -> str:
        """Path of the exercise module, relative to exercises/ or reference/."""
        return f"{self.chapter}/{self.id}.py"

    @property
    def checks(self) -> Path:
        return CHECKS_DIR / self.module


def manifest_path() -> Path:
    """The kit's manifest.toml, or KIT_MANIFEST (the kit's own tests feed it broken copies)."""
    return Path(os.environ.get("KIT_MANIFEST") or MANIFEST_PATH)


@cache
def load() -> tuple[Exercise, ...]:
    path = manifest_path()
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ManifestError(
            _("{path}: no such file; restore it with git checkout").format(path=path)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(
            _("{path}: not valid TOML ({error})").format(path=path, error=exc)
        ) from None
    entries = raw.get("exercise")
    if not isinstance(entries, list) or not entries:
        raise ManifestError(_("{path}: no [[exercise]] entries").format(path=path))
    exercises, seen = [], set()
    for n, entry in enumerate(entries, 1):
        exercise = _parse(entry, _("{file}: exercise {n}").format(file=path.name, n=n))
        if exercise.id in seen:
            raise ManifestError(
                _("{file}: exercise {n}: id {id!r} is used twice").format(
                    file=path.name, n=n, id=exercise.id
                )
            )
        seen.add(exercise.id)
        exercises.append(exercise)
    return tuple(exercises)


def _parse(entry: dict, where: str) -> Exercise:
    if isinstance(entry.get("id"), str):
        where += f" ({entry['id']})"
    for name, kind in REQUIRED.items():
        if name not in entry:
            raise ManifestError(
                _("{where}: missing field {field!r}").format(where=where, field=name)
            )
        if not isinstance(entry[name], kind) or isinstance(entry[name], bool):
            raise ManifestError(
                _("{where}: field {field!r} has the wrong type").format(where=where, field=name)
            )
    for name, kind in OPTIONAL.items():
        if name in entry and not isinstance(entry[name], kind):
            raise ManifestError(
                _("{where}: field {field!r} must be a list").format(where=where, field=name)
            )
    unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise ManifestError(
            _("{where}: unknown field {field!r}").format(where=where, field=min(unknown))
        )
    for name in ("id", "chapter"):
        if not NAME.fullmatch(entry[name]):
            raise ManifestError(
                _("{where}: field {field!r} must be a lower-case Python name, got {got!r}").format(
                    where=where, field=name, got=entry[name]
                )
            )
    if entry["points"] < 1:
        raise ManifestError(_("{where}: field 'points' must be at least 1").format(where=where))
    if entry["timeout"] <= 0:
        raise ManifestError(
            _("{where}: field 'timeout' must be a positive number of seconds").format(where=where)
        )
    if not entry["topics"] or not all(
        isinstance(t, str) and TOPIC.fullmatch(t) for t in entry["topics"]
    ):
        raise ManifestError(
            _(
                "{where}: field 'topics' must list manual topic ids such as T4 (manual-map.md)"
            ).format(where=where)
        )
    needs = entry.get("needs", ["torch"])
    if not needs or not set(needs) <= set(FRAMEWORKS):
        raise ManifestError(
            _("{where}: field 'needs' must list some of {names}").format(
                where=where, names=", ".join(FRAMEWORKS)
            )
        )
    if not set(entry.get("data", [])) <= set(DATA_SETS):
        raise ManifestError(
            _("{where}: field 'data' may list only {names}").format(
                where=where, names=", ".join(DATA_SETS)
            )
        )
    hints = entry["hints"]
    for lang in sorted(set(LANGUAGES) | set(hints)):
        levels = hints.get(lang)
        if not isinstance(levels, list) or len(levels) < MIN_HINT_LEVELS:
            raise ManifestError(
                _("{where}: field 'hints.{lang}' must list at least {n} hint levels").format(
                    where=where, lang=lang, n=MIN_HINT_LEVELS
                )
            )
        if not all(isinstance(h, str) and h.strip() for h in levels):
            raise ManifestError(
                _("{where}: field 'hints.{lang}' holds an empty or non-text hint").format(
                    where=where, lang=lang
                )
            )
    if len(hints["en"]) != len(hints["ja"]):
        raise ManifestError(
            _("{where}: 'hints.en' and 'hints.ja' have different numbers of levels").format(
                where=where
            )
        )
    return Exercise(
        id=entry["id"],
        chapter=entry["chapter"],
        title=entry["title"],
        title_ja=entry["title_ja"],
        topics=tuple(entry["topics"]),
        points=entry["points"],
        timeout=float(entry["timeout"]),
        needs=tuple(needs),
        data=tuple(entry.get("data", [])),
        hints={lang: tuple(hints[lang]) for lang in hints},
        task_ja=entry["task_ja"].strip(),
    )


def chapters() -> list[str]:
    return list(dict.fromkeys(ex.chapter for ex in load()))


class UnknownExercise(ValueError):
    """A name on the command line that is neither an exercise id nor a chapter."""


def select(names: list[str]) -> list[Exercise]:
    """Exercises named by id or chapter, in manifest order; all of them when names is empty."""
    exercises = load()
    if not names:
        return list(exercises)
    known = [ex.id for ex in exercises] + chapters()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UnknownExercise(_unknown(unknown[0], known, _("exercise id or chapter")))
    wanted = set(names)
    return [ex for ex in exercises if ex.id in wanted or ex.chapter in wanted]


def find(exercise_id: str) -> Exercise:
    for ex in load():
        if ex.id == exercise_id:
            return ex
    raise UnknownExercise(_unknown(exercise_id, [e.id for e in load()], _("exercise id")))


def _unknown(name: str, known: list[str], kind: str) -> str:
    """One line for a name that is no exercise: the closest names (difflib, as `git` suggests
    commands), else where to find them all."""
    from grader import commands

    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if not close:
        # A chapter named by its number or topic alone ("ch3", "housing") is a prefix or part.
        close = [k for k in known if name and (k.startswith(name) or f"_{name}" in k)][:3]
    listing = commands.kit("list")
    if close:
        return _(
            "unknown {kind} {name}; did you mean {close}? ({listing} shows every exercise)"
        ).format(
            kind=kind,
            name=repr(name),
            close=_(" or ").join(repr(c) for c in close),
            listing=listing,
        )
    return _("unknown {kind} {name}; {listing} shows every exercise id and chapter").format(
        kind=kind, name=repr(name), listing=listing
    )

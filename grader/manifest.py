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

MANIFEST_PATH = Path(__file__).with_name("manifest.toml")
FRAMEWORKS = ("torch", "tensorflow", "matplotlib")
DATA_SETS = ("california", "cifar10")
LANGUAGES = ("en", "ja")
MIN_HINT_LEVELS = 2
REQUIRED = {
    "id": str,
    "chapter": str,
    "title": str,
    "topics": list,
    "points": int,
    "timeout": (int, float),
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
    topics: tuple[str, ...]
    points: int
    timeout: float
    needs: tuple[str, ...]
    data: tuple[str, ...]
    hints: dict[str, tuple[str, ...]]

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
        raise ManifestError(f"{path}: no such file; restore it with git checkout") from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: not valid TOML ({exc})") from None
    entries = raw.get("exercise")
    if not isinstance(entries, list) or not entries:
        raise ManifestError(f"{path}: no [[exercise]] entries")
    exercises, seen = [], set()
    for n, entry in enumerate(entries, 1):
        exercise = _parse(entry, f"{path.name}: exercise {n}")
        if exercise.id in seen:
            raise ManifestError(f"{path.name}: exercise {n}: id {exercise.id!r} is used twice")
        seen.add(exercise.id)
        exercises.append(exercise)
    return tuple(exercises)


def _parse(entry: dict, where: str) -> Exercise:
    if isinstance(entry.get("id"), str):
        where += f" ({entry['id']})"
    for name, kind in REQUIRED.items():
        if name not in entry:
            raise ManifestError(f"{where}: missing field {name!r}")
        if not isinstance(entry[name], kind) or isinstance(entry[name], bool):
            raise ManifestError(f"{where}: field {name!r} has the wrong type")
    for name, kind in OPTIONAL.items():
        if name in entry and not isinstance(entry[name], kind):
            raise ManifestError(f"{where}: field {name!r} must be a list")
    unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise ManifestError(f"{where}: unknown field {min(unknown)!r}")
    for name in ("id", "chapter"):
        if not NAME.fullmatch(entry[name]):
            raise ManifestError(
                f"{where}: field {name!r} must be a lower-case Python name, got {entry[name]!r}"
            )
    if entry["points"] < 1:
        raise ManifestError(f"{where}: field 'points' must be at least 1")
    if entry["timeout"] <= 0:
        raise ManifestError(f"{where}: field 'timeout' must be a positive number of seconds")
    if not entry["topics"] or not all(
        isinstance(t, str) and TOPIC.fullmatch(t) for t in entry["topics"]
    ):
        raise ManifestError(
            f"{where}: field 'topics' must list manual topic ids such as \"T4\" (manual-map.md)"
        )
    needs = entry.get("needs", ["torch"])
    if not needs or not set(needs) <= set(FRAMEWORKS):
        raise ManifestError(f"{where}: field 'needs' must list some of {', '.join(FRAMEWORKS)}")
    if not set(entry.get("data", [])) <= set(DATA_SETS):
        raise ManifestError(f"{where}: field 'data' may list only {', '.join(DATA_SETS)}")
    hints = entry["hints"]
    for lang in sorted(set(LANGUAGES) | set(hints)):
        levels = hints.get(lang)
        if not isinstance(levels, list) or len(levels) < MIN_HINT_LEVELS:
            raise ManifestError(
                f"{where}: field 'hints.{lang}' must list at least {MIN_HINT_LEVELS} hint levels"
            )
        if not all(isinstance(h, str) and h.strip() for h in levels):
            raise ManifestError(f"{where}: field 'hints.{lang}' holds an empty or non-text hint")
    if len(hints["en"]) != len(hints["ja"]):
        raise ManifestError(f"{where}: 'hints.en' and 'hints.ja' have different numbers of levels")
    return Exercise(
        id=entry["id"],
        chapter=entry["chapter"],
        title=entry["title"],
        topics=tuple(entry["topics"]),
        points=entry["points"],
        timeout=float(entry["timeout"]),
        needs=tuple(needs),
        data=tuple(entry.get("data", [])),
        hints={lang: tuple(hints[lang]) for lang in hints},
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
        raise UnknownExercise(_unknown(unknown[0], known, "exercise id or chapter"))
    wanted = set(names)
    return [ex for ex in exercises if ex.id in wanted or ex.chapter in wanted]


def find(exercise_id: str) -> Exercise:
    for ex in load():
        if ex.id == exercise_id:
            return ex
    raise UnknownExercise(_unknown(exercise_id, [e.id for e in load()], "exercise id"))


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
        return (
            f"unknown {kind} {name!r}; did you mean {' or '.join(repr(c) for c in close)}? "
            f"({listing} shows every exercise)"
        )
    return f"unknown {kind} {name!r}; {listing} shows every exercise id and chapter"

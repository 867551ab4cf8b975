"""Reads manifest.toml: the exercises in learning order, with their points, limits and hints."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grader import CHECKS_DIR

MANIFEST_PATH = Path(__file__).with_name("manifest.toml")
FRAMEWORKS = ("torch", "tensorflow")


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


@cache
def load() -> tuple[Exercise, ...]:
    with MANIFEST_PATH.open("rb") as f:
        raw = tomllib.load(f)
    exercises = []
    for entry in raw["exercise"]:
        exercises.append(
            Exercise(
                id=entry["id"],
                chapter=entry["chapter"],
                title=entry["title"],
                topics=tuple(entry["topics"]),
                points=int(entry["points"]),
                timeout=float(entry["timeout"]),
                needs=tuple(entry.get("needs", ["torch"])),
                data=tuple(entry.get("data", [])),
                hints={lang: tuple(lines) for lang, lines in entry["hints"].items()},
            )
        )
    return tuple(exercises)


def chapters() -> list[str]:
    return list(dict.fromkeys(ex.chapter for ex in load()))


class UnknownExercise(ValueError):
    """A name on the command line that is neither an exercise id nor a chapter."""


def select(names: list[str]) -> list[Exercise]:
    """Exercises named by id or chapter, in manifest order; all of them when names is empty."""
    exercises = load()
    if not names:
        return list(exercises)
    known = {ex.id for ex in exercises} | set(chapters())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UnknownExercise(
            f"unknown exercise id {', '.join(repr(n) for n in unknown)}; "
            f"valid ids: {', '.join(ex.id for ex in exercises)} "
            f"(or a chapter: {', '.join(chapters())})"
        )
    wanted = set(names)
    return [ex for ex in exercises if ex.id in wanted or ex.chapter in wanted]


def find(exercise_id: str) -> Exercise:
    for ex in load():
        if ex.id == exercise_id:
            return ex
    raise UnknownExercise(
        f"unknown exercise id {exercise_id!r}; valid ids: {', '.join(e.id for e in load())}"
    )

"""Variants of the reference solutions, each with the verdict the grader must give it.

A mutant is the reference module with text edits applied. Wrong variants name the check that
must fail and a phrase its message must contain, so each proves a check and its targeted
message; correct-but-different variants must pass. Each chapter's list lives in its own module.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    exercise: str
    name: str
    edits: tuple[tuple[str, str], ...]
    status: str  # the exercise's expected overall status
    check: str | None = None  # a check that must end with `check_status`
    message: str = ""  # a phrase (case-insensitive) that check's message must contain
    check_status: str = "failed"
    needs_cuda: bool = False

    @property
    def id(self) -> str:
        return f"{self.exercise}:{self.name}"


def wrong(
    exercise, name, edits, check, message, status="failed", check_status=None, needs_cuda=False
) -> Mutant:
    return Mutant(
        exercise, name, tuple(edits), status, check, message, check_status or status, needs_cuda
    )


def correct(exercise, name, edits) -> Mutant:
    return Mutant(exercise, name, tuple(edits), "passed")


def all_mutants() -> list[Mutant]:
    import importlib
    import pkgutil

    import tests.mutants as package

    found: list[Mutant] = []
    for info in pkgutil.iter_modules(package.__path__):
        found.extend(importlib.import_module(f"tests.mutants.{info.name}").MUTANTS)
    return found

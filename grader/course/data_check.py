"""Autograde checks the data before it grades: the data sets that the exercises to be graded
need (their manifest entries' `data`) must load here, as the jobs will load them. Without them
every such exercise would end in a data fault, and none of that is the learner's."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from grader import manifest
from grader.course.config import CourseError
from grader.i18n import _

NAMES = {"california": "California housing", "cifar10": "CIFAR-10"}


class DataRefused(CourseError):
    """The data that the exercises to grade need cannot be used; nothing was graded."""


@contextlib.contextmanager
def _offline(on: bool) -> Iterator[None]:
    saved = os.environ.get("KIT_OFFLINE")
    if on:
        os.environ["KIT_OFFLINE"] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("KIT_OFFLINE", None)
        else:
            os.environ["KIT_OFFLINE"] = saved


def _load(name: str) -> None:
    from grader import data

    if name == "california":
        data.california()
    else:
        data.cifar10(train=True)
        data.cifar10(train=False)


def require(exercise_ids: list[str], offline: bool) -> list[str]:
    """Loads every data set the exercises need (offline: as a job without network would);
    returns their names. Raises DataRefused, one line, at the first that fails."""
    from grader import data

    needed: dict[str, list[str]] = {}
    for exercise_id in exercise_ids:
        for name in manifest.find(exercise_id).data:
            needed.setdefault(name, []).append(exercise_id)
    with _offline(offline):
        for name, ids in needed.items():
            try:
                _load(name)
            except data.DataProblem as exc:
                more = _(" and {n} more").format(n=len(ids) - 3) if len(ids) > 3 else ""
                raise DataRefused(
                    _(
                        "the data is not usable, so nothing was graded: {data} (needed by "
                        "{exercises}): {problem}"
                    ).format(
                        data=NAMES[name],
                        exercises=", ".join(ids[:3]) + more,
                        problem=" ".join(str(exc).split()),
                    )
                ) from None
    return [NAMES[n] for n in needed]

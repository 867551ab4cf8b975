"""Assertions for check modules: each failure says what was expected, what came back, and what to do."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.toolkit import diagnose
from grader.toolkit.values import describe, to_numpy

__all__ = [
    "CheckFailed",
    "Mistake",
    "Slip",
    "describe",
    "expect_close",
    "expect_dtype",
    "expect_shape",
    "fail",
    "to_numpy",
]


class CheckFailed(AssertionError):
    """A check's verdict on learner code, in three parts plus the manual topic it cites."""

    def __init__(self, expected: str, got: str, next_step: str, topic: str | None = None):
        self.expected = expected
        self.got = got
        self.next_step = next_step
        self.topic = topic
        super().__init__(str(self))

    def __str__(self) -> str:
        cite = f" (manual {self.topic})" if self.topic else ""
        return f"Expected {self.expected}.\nGot {self.got}.\nNext step: {self.next_step}{cite}"


def fail(expected: str, got: str, next_step: str, topic: str | None = None) -> None:
    raise CheckFailed(expected, got, next_step, topic)


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer and the slip behind it.

    `value` is the wrong answer itself, a predicate on the learner's numpy value, or None for
    "came back with nan/inf".
    """

    value: Any
    explanation: str


@dataclass(frozen=True)
class Slip:
    """An exception that a typical slip raises inside learner code, and the slip behind it.

    A check module lists its exercise's slips in a module-level `SLIPS` tuple; the grader uses
    the first one whose exception type matches, whose `says` pattern is found in the exception's
    text, and whose `code` pattern (when given) is found in the learner's line that raised. The
    `code` pattern is the confirmation: a slip is only named when the line really has it.
    """

    error: type[BaseException] | tuple[type[BaseException], ...]
    says: str
    explanation: str
    topic: str
    code: str | None = None

    def caught(self, exc: BaseException) -> bool:
        """The exception has this slip's type and text (its line may still not confirm it)."""
        return isinstance(exc, self.error) and re.search(self.says, str(exc)) is not None

    def confirmed_by(self, line: str | None) -> bool:
        """The learner's line that raised has this slip's code (always, without a `code`)."""
        return self.code is None or (line is not None and re.search(self.code, line) is not None)

    def matches(self, exc: BaseException, line: str | None) -> bool:
        return self.caught(exc) and self.confirmed_by(line)


def _matches(got: np.ndarray, want: Any, rtol: float, atol: float) -> bool:
    if callable(want):
        try:
            return bool(want(got))
        except (ValueError, TypeError, IndexError):  # a predicate written for another shape
            return False
    want = to_numpy(want)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))


def _given(
    inputs: tuple | list, reference: Callable | None, names, factors, quantities=None
) -> diagnose.Given:
    return diagnose.Given(
        tuple(inputs),
        reference,
        tuple(names) if names else None,
        factors or {},
        quantities or {},
    )


def expect_shape(
    value: Any,
    shape: tuple,
    what: str,
    next_step: str,
    topic: str,
    *,
    like: Any = None,
    inputs: tuple = (),
    reference: Callable | None = None,
) -> None:
    """Fails unless `value` has `shape`. With `like` (the reference's value of that shape), a
    confirmed relation between the two (diagnose) comes before `next_step`."""
    got = tuple(getattr(value, "shape", ()) or ())
    if hasattr(value, "shape") and got == tuple(shape):
        return
    found = None
    if like is not None:
        found = diagnose.wrong_kind(value, like) or _diagnosis(
            value, like, 0, 0, _given(inputs, reference, None, None)
        )
    fail(
        f"{what} to have shape {tuple(shape)}",
        describe(value),
        f"{found.seen} {found.step}" if found else next_step,
        topic,
    )


def _diagnosis(value, want, rtol, atol, given) -> diagnose.Diagnosis | None:
    try:
        got = np.asarray(to_numpy(value), dtype=np.float64)
        want = np.asarray(to_numpy(want), dtype=np.float64)
    except Exception:  # noqa: BLE001 - values that are no arrays have no numeric relation
        return None
    return diagnose.diagnose(got, want, value, rtol=rtol, atol=atol, given=given)


def expect_close(
    value: Any,
    want: Any,
    *,
    what: str,
    topic: str,
    rtol: float,
    atol: float,
    next_step: str | None = None,
    mistakes: tuple[Mistake, ...] = (),
    inputs: tuple = (),
    reference: Callable | None = None,
    names: tuple[str, ...] | None = None,
    factors: dict[str, float] | None = None,
    quantities: dict[str, Any] | None = None,
) -> None:
    """Fails unless `value` has want's shape and matches it within rtol/atol.

    Known `mistakes` are compared first, so a learner who made one is told which. When none
    matches, a relation between the value and `want` that diagnose confirms names the cause:
    `inputs` (the arguments the learner's function got), `reference` (the reference function,
    pure, to evaluate on altered inputs), `names` (the inputs' names) and `factors` (the
    check's constants, {"the batch size": 16}) and `quantities` (other values the check computed,
    by what they are) let it confirm more.
    """
    given = _given(inputs, reference, names, factors, quantities)
    if value is None:
        fail(
            f"{what} to be {describe(want)}",
            "None",
            "Return the value instead of printing it or leaving it out.",
            topic,
        )
    try:
        got = (
            to_numpy(value).astype(np.float64)
            if not np.iscomplexobj(to_numpy(value))
            else to_numpy(value)
        )
    except Exception:  # noqa: BLE001 - a list of graph tensors, ragged lists, any non-array
        found = diagnose.wrong_kind(value, want)
        fail(
            f"{what} to be {describe(want)}",
            describe(value),
            f"{found.seen} {found.step}" if found else next_step or "Return an array.",
            topic,
        )
    want_np = to_numpy(want).astype(np.float64)

    def diagnosed() -> diagnose.Diagnosis | None:
        """A container that combines into the expected value, else a relation of the values."""
        return (
            diagnose.wrong_kind(value, want) if got.shape != want_np.shape else None
        ) or diagnose.diagnose(got, want_np, value, rtol=rtol, atol=atol, given=given)

    def shadowed(mistake: Mistake) -> None:
        """Under the silence tests: what the generic layer would have said beside a Mistake."""
        if diagnose.auditing():
            found = diagnosed()
            diagnose.audit(
                outcome="shadowed",
                what=what,
                diagnoser=found.diagnoser if found else None,
                said=found.seen if found else None,
                mistake=mistake.explanation[:120],
            )

    if got.shape != want_np.shape:
        for mistake in mistakes:
            if _matches(got, mistake.value, rtol, atol):
                shadowed(mistake)
                fail(
                    f"{what} to have shape {want_np.shape}",
                    f"shape {got.shape}",
                    mistake.explanation,
                    topic,
                )
        found = diagnosed()
        fail(
            f"{what} to have shape {want_np.shape}",
            f"shape {got.shape}",
            f"{found.seen} {found.step}"
            if found
            else next_step or f"Check which axes your computation keeps; see manual {topic}.",
            topic,
        )
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(want_np)):
        bad = int(np.size(got) - np.isfinite(got).sum())
        for mistake in mistakes:
            if mistake.value is None:
                fail(f"{what} to be finite", f"{bad} nan/inf value(s)", mistake.explanation, topic)
        try:
            found = diagnose.non_finite(got, want_np, rtol=rtol, atol=atol, given=given)
        except Exception:  # noqa: BLE001 - a diagnoser must never break a check
            found = None
        fail(
            f"{what} to be finite everywhere",
            f"{bad} nan/inf value(s)",
            f"{found.seen} {found.step}"
            if found
            else next_step or "Look for an overflow (exp of a large number) or a division by zero.",
            topic,
        )
    if np.allclose(got, want_np, rtol=rtol, atol=atol, equal_nan=True):
        if diagnose.auditing():
            found = diagnosed()
            diagnose.audit(
                outcome="fired_on_pass" if found else "silent",
                what=what,
                diagnoser=found.diagnoser if found else None,
                said=found.seen if found else None,
            )
        return
    for mistake in mistakes:
        if mistake.value is not None and _matches(got, mistake.value, rtol, atol):
            shadowed(mistake)
            fail(
                f"{what} to match the reference solution",
                "a value that matches a known mistake",
                mistake.explanation,
                topic,
            )
    diff = np.abs(got - want_np)
    idx = (
        np.unravel_index(int(np.nanargmax(np.where(np.isnan(diff), np.inf, diff))), diff.shape)
        if diff.ndim
        else ()
    )
    at = f" at index {tuple(int(i) for i in idx)}" if diff.ndim else ""
    found = diagnosed()
    fail(
        f"{what} to match the reference within rtol={rtol:g}, atol={atol:g}",
        f"{got[idx]!r}{at} where the reference gives {want_np[idx]!r} "
        f"(largest difference {float(np.nanmax(diff)) if np.isfinite(diff).any() else float('nan'):.3g})",
        f"{found.seen} {found.step}"
        if found
        else next_step or f"Re-read manual {topic} and compare your formula step by step.",
        topic,
    )


def expect_dtype(value: Any, dtype: Any, what: str, next_step: str, topic: str) -> None:
    """Fails unless `value` has `dtype`; a value of another framework than the dtype's is told
    so (a NumPy float32 array is not a torch.float32 tensor), before `next_step`."""
    if getattr(value, "dtype", None) != dtype:
        found = diagnose.wrong_framework(value, dtype)
        fail(
            f"{what} to have dtype {dtype}",
            describe(value),
            f"{found.seen} {found.step}" if found else next_step,
            topic,
        )

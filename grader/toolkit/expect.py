"""Assertions for check modules: each failure says what was expected, what came back, and what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np


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


def to_numpy(value: Any) -> np.ndarray:
    """Turns torch/TF tensors, numpy arrays, lists and scalars into a numpy array for comparing."""
    if hasattr(value, "detach"):  # torch.Tensor, possibly on a GPU or requiring grad
        return value.detach().cpu().numpy()
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # tf.Tensor / tf.Variable
        return np.asarray(value.numpy())
    return np.asarray(value)


def describe(value: Any) -> str:
    """A short learner-readable description: type, shape and dtype."""
    if value is None:
        return "None"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        kind = type(value).__module__.split(".")[0]
        kind = {
            "numpy": "numpy array",
            "torch": "torch tensor",
            "tensorflow": "TensorFlow tensor",
        }.get(kind, type(value).__name__)
        dtype = (
            getattr(value.dtype, "name", value.dtype)
            if kind == "TensorFlow tensor"
            else value.dtype
        )
        return f"a {kind} of shape {tuple(value.shape)} and dtype {dtype}"
    if isinstance(value, (int, float, np.number)):
        return f"the number {value!r}"
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _matches(got: np.ndarray, want: Any, rtol: float, atol: float) -> bool:
    if callable(want):
        try:
            return bool(want(got))
        except (ValueError, TypeError, IndexError):  # a predicate written for another shape
            return False
    want = to_numpy(want)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))


def expect_shape(value: Any, shape: tuple, what: str, next_step: str, topic: str) -> None:
    got = tuple(getattr(value, "shape", ()) or ())
    if not hasattr(value, "shape") or got != tuple(shape):
        fail(f"{what} to have shape {tuple(shape)}", describe(value), next_step, topic)


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
) -> None:
    """Fails unless `value` has want's shape and matches it within rtol/atol.

    Known `mistakes` are compared first, so a learner who made one is told which.
    """
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
    except (TypeError, ValueError):
        fail(
            f"{what} to be {describe(want)}",
            describe(value),
            next_step or "Return an array.",
            topic,
        )
    want_np = to_numpy(want).astype(np.float64)
    if got.shape != want_np.shape:
        for mistake in mistakes:
            if _matches(got, mistake.value, rtol, atol):
                fail(
                    f"{what} to have shape {want_np.shape}",
                    f"shape {got.shape}",
                    mistake.explanation,
                    topic,
                )
        fail(
            f"{what} to have shape {want_np.shape}",
            f"shape {got.shape}",
            next_step or f"Check which axes your computation keeps; see manual {topic}.",
            topic,
        )
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(want_np)):
        bad = int(np.size(got) - np.isfinite(got).sum())
        for mistake in mistakes:
            if mistake.value is None:
                fail(f"{what} to be finite", f"{bad} nan/inf value(s)", mistake.explanation, topic)
        fail(
            f"{what} to be finite everywhere",
            f"{bad} nan/inf value(s)",
            next_step or "Look for an overflow (exp of a large number) or a division by zero.",
            topic,
        )
    if np.allclose(got, want_np, rtol=rtol, atol=atol, equal_nan=True):
        return
    for mistake in mistakes:
        if mistake.value is not None and _matches(got, mistake.value, rtol, atol):
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
    fail(
        f"{what} to match the reference within rtol={rtol:g}, atol={atol:g}",
        f"{got[idx]!r}{at} where the reference gives {want_np[idx]!r} "
        f"(largest difference {float(np.nanmax(diff)) if np.isfinite(diff).any() else float('nan'):.3g})",
        next_step or f"Re-read manual {topic} and compare your formula step by step.",
        topic,
    )


def expect_dtype(value: Any, dtype: Any, what: str, next_step: str, topic: str) -> None:
    if getattr(value, "dtype", None) != dtype:
        fail(f"{what} to have dtype {dtype}", describe(value), next_step, topic)

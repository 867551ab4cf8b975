"""Returned numbers and pairs: a Python float where the docstring promises one, a 2-tuple."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.toolkit import diagnose
from grader.toolkit.expect import describe, fail

# What counts as a plain number; a bool is never one (it is an int to Python).
NUMBERS = (int, float, np.number)


def is_tensor(value: Any) -> bool:
    """A torch or TensorFlow tensor (or variable), without importing either framework."""
    return type(value).__module__.split(".")[0] in ("torch", "tensorflow") and hasattr(
        value, "shape"
    )


def expect_float(
    value: Any,
    expected: str,
    next_step: str,
    topic: str,
    *,
    tensor_step: str | None = None,
    graph_step: str | None = None,
    graph_topic: str | None = None,
    kinds: tuple[type, ...] = NUMBERS,
) -> float:
    """`value` as a float, else a failure "Expected {expected}" naming what came back.

    A tensor fails with `tensor_step` (when given), one still in torch's autograd graph with
    `graph_step` (and `graph_topic`); without them a tensor or array of one number is told to
    give its number with .item(); anything else that is not one of `kinds` with `next_step`.
    """
    if is_tensor(value):
        if graph_step and getattr(value, "requires_grad", False):
            fail(
                expected, f"{describe(value)} that requires grad", graph_step, graph_topic or topic
            )
        found = None if tensor_step else diagnose.one_number(value)
        fail(
            expected,
            describe(value),
            tensor_step or (f"{found.seen} {found.step}" if found else next_step),
            topic,
        )
    if isinstance(value, kinds) and not isinstance(value, bool):
        return float(value)
    found = diagnose.one_number(value)
    fail(expected, describe(value), f"{found.seen} {found.step}" if found else next_step, topic)


def expect_mean_loss(
    value: Any,
    what: str,
    topic: str,
    purpose: str,
    graph_step: str,
    graph_topic: str | None = None,
) -> float:
    """A loop's mean loss per sample (loss.item() x batch size, summed, over the sample count)
    as a float; `purpose` says what the plain number is for, `graph_step` why a tensor still
    in autograd's graph is wrong."""
    return expect_float(
        value,
        f"{what} to be a Python float",
        "Return total_loss / total_samples.",
        topic,
        tensor_step="That is a tensor, not a number: add up loss.item() (a Python float) times "
        f"the batch size, so that {purpose}.",
        graph_step=graph_step,
        graph_topic=graph_topic,
    )


def float_or_nan(value: Any) -> float:
    """A returned loss as a float for the live display and the picture (nan if it is none)."""
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        return float("nan")


def expect_pair(
    value: Any,
    expected: str,
    next_step: str,
    topic: str,
    kinds: tuple[type, ...] = (tuple, list),
) -> tuple:
    """`value` as a 2-tuple, else a failure "Expected {expected}" naming what came back (a list
    where only a tuple will do, one value, or more than two are told so)."""
    if not (isinstance(value, kinds) and len(value) == 2):
        found = diagnose.wrong_pair(value, kinds)
        fail(expected, describe(value), f"{found.seen} {found.step}" if found else next_step, topic)
    return tuple(value)

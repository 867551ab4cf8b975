"""Checks for exercises/ch1_theory/activations.py (manual T2, T7)."""

import numpy as np

from grader.expect import Mistake, expect_close

# Exact maths in float64: differences only come from rounding order.
RTOL, ATOL = 1e-10, 1e-12


def test_relu_matches_reference(learner, reference, rng):
    """Check that relu keeps positives and zeroes negatives, elementwise, in any shape."""
    x = rng.normal(size=(3, 4, 5))
    expect_close(
        learner.relu(x),
        reference.relu(x),
        what="relu(x)",
        topic="T2",
        rtol=0,
        atol=0,
        mistakes=(
            Mistake(
                np.minimum(x, 0),
                "That is min(0, x); ReLU keeps the positive part: np.maximum(x, 0).",
            ),
            Mistake(
                np.abs(x), "That is |x|; ReLU maps negatives to 0, not to their absolute value."
            ),
        ),
    )


def test_softmax_matches_reference(learner, reference, rng):
    """Check that softmax of a batch matches the reference row by row."""
    logits = rng.normal(scale=3.0, size=(6, 10))
    want = reference.softmax(logits)
    expect_close(
        learner.softmax(logits),
        want,
        what="softmax(logits) for a (6, 10) batch",
        topic="T7",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                lambda got: np.allclose(got.sum(axis=0), 1.0),
                "Your rows do not sum to 1: you normalised over axis 0 (the batch). "
                "Sum over the last axis with keepdims=True.",
            ),
            Mistake(
                lambda got: np.isclose(got.sum(), 1.0),
                "You divided by the sum over the whole batch. Each row is its own "
                "distribution: sum over axis=-1 with keepdims=True.",
            ),
        ),
    )


def test_softmax_is_stable_for_large_logits(learner, reference, rng):
    """Check that softmax does not overflow when the logits are around 1000."""
    logits = 1000.0 + rng.normal(size=(4, 5))
    expect_close(
        learner.softmax(logits),
        reference.softmax(logits),
        what="softmax(logits) for logits near 1000",
        topic="T7",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                None,
                "np.exp(1000) overflows to inf, and inf/inf is nan. Subtract each row's max "
                "before exp: the result is unchanged and exp() stays <= 1.",
            ),
        ),
    )

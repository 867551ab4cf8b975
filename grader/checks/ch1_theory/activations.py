"""Checks for exercises/ch1_theory/activations.py (manual T2, T7)."""

import numpy as np

from grader.toolkit.expect import Mistake, Slip, expect_close, expect_dtype, fail

# Exact maths in float64: differences only come from rounding order.
RTOL, ATOL = 1e-10, 1e-12

# Exceptions that typical slips raise inside relu and softmax; each is named only when the line
# that raised has the slip (the `code` pattern).
SLIPS = (
    Slip(
        error=ValueError,
        says=r"truth value of an array",
        code=r"(?<![\w.])max\(",
        explanation="Python's built-in max() compares whole values one pair at a time, and "
        "comparing an array with a number gives an array of True/False, not one answer. Use "
        "NumPy's elementwise version: np.maximum(x, 0).",
        topic="T2",
    ),
    Slip(
        error=ValueError,
        says=r"could not be broadcast",
        code=r"\.sum\((?!.*keepdims)",
        explanation="The row sums on this line have shape (batch,): without keepdims=True, "
        "sum(axis=1) drops the summed axis, and (batch, classes) / (batch,) does not broadcast. "
        "Keep the axis: e.sum(axis=-1, keepdims=True), shape (batch, 1).",
        topic="T7",
    ),
    Slip(
        error=ValueError,
        says=r"could not be broadcast",
        code=r"\.max\((?!.*keepdims)",
        explanation="The row maxima on this line have shape (batch,): without keepdims=True, "
        "max(axis=1) drops the axis, and (batch, classes) - (batch,) does not broadcast. Keep "
        "the axis: logits.max(axis=-1, keepdims=True), shape (batch, 1).",
        topic="T7",
    ),
)


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _softmax_mistakes(logits):
    """The known wrong softmax outputs for these logits, each with its misconception."""
    return (
        Mistake(
            _log_softmax(logits),
            "That is log-softmax, the log of the probabilities (every entry is <= 0). "
            "softmax returns the probabilities themselves: exp(shifted) / its row sum.",
        ),
        # Only in the logits' shape: a transposed softmax has columns that sum to 1 too.
        Mistake(
            lambda got: got.shape == logits.shape and np.allclose(got.sum(axis=0), 1.0),
            "Your rows do not sum to 1: you normalised over axis 0 (the batch). "
            "Sum over the last axis with keepdims=True.",
        ),
        Mistake(
            lambda got: np.isclose(got.sum(), 1.0),
            "You divided by the sum over the whole batch. Each row is its own "
            "distribution: sum over axis=-1 with keepdims=True.",
        ),
    )


def test_relu_matches_reference(learner, reference, rng):
    """Check that relu keeps positives and zeroes negatives, elementwise, in any shape and dtype."""
    x = rng.normal(size=(3, 4, 5))
    mistakes = (
        Mistake(
            np.minimum(x, 0),
            "That is min(0, x); ReLU keeps the positive part: np.maximum(x, 0).",
        ),
        Mistake(np.abs(x), "That is |x|; ReLU maps negatives to 0, not to their absolute value."),
    )
    expect_close(
        learner.relu(x),
        reference.relu(x),
        what="relu(x)",
        topic="T2",
        rtol=0,
        atol=0,
        mistakes=mistakes,
        inputs=(x,),
        reference=reference.relu,
    )
    # The docstring promises x's dtype back; a model's activations are float32.
    x32 = x.astype(np.float32)
    got = learner.relu(x32.copy())
    expect_dtype(
        got,
        np.dtype(np.float32),
        "relu(x) for a float32 x",
        "relu must keep x's dtype. Building the result from Python numbers (np.array of a list) "
        "or mixing in a float64 array makes float64; np.maximum(x, 0) on the whole array keeps "
        "float32.",
        "T2",
    )
    expect_close(
        got, reference.relu(x32), what="relu(x) for a float32 x", topic="T2", rtol=0, atol=0
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
        mistakes=_softmax_mistakes(logits),
        inputs=(logits,),
        reference=reference.softmax,
    )


def test_softmax_is_stable_for_large_logits(learner, reference, rng):
    """Check that softmax does not overflow near 1000, and treats each row on its own."""
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
        )
        + _softmax_mistakes(logits),
        inputs=(logits,),
        reference=reference.softmax,
    )
    # Rows 1000 apart in one batch: exp(-1000) underflows to 0 in float64 (below about -745),
    # so a shift by the batch's max leaves the lower rows as 0 / 0. The message names that only
    # when exactly the lower rows are nan.
    mixed = np.concatenate([1000.0 + rng.normal(size=(2, 5)), rng.normal(size=(2, 5))])
    got = learner.softmax(mixed)
    what = "softmax(logits) for a batch with two rows near 1000 and two rows near 0"
    finite = np.isfinite(np.asarray(got, dtype=np.float64)).all(axis=-1)
    if np.shape(got) == mixed.shape and finite[:2].all() and not finite[2:].any():
        fail(
            f"{what} to be finite",
            "nan in the two rows near 0, and finite rows near 1000",
            "Those rows were shifted by the batch's largest logit (about 1000), not by their "
            "own, so their exp() underflowed to 0 and 0/0 is nan. Subtract each row's own max: "
            "logits.max(axis=-1, keepdims=True).",
            "T7",
        )
    expect_close(
        got,
        reference.softmax(mixed),
        what=what,
        topic="T7",
        rtol=RTOL,
        atol=ATOL,
        inputs=(mixed,),
        reference=reference.softmax,
    )

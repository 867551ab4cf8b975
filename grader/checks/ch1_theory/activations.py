"""Checks for exercises/ch1_theory/activations.py (manual T2, T7)."""

from collections.abc import Callable
from typing import NamedTuple

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


# Shifts by the wrong statistic, each with what it does to the rows of WIDE_ROWS below. np.exp
# overflows above about 709.78 and underflows to 0 below about -745 (float64).
class WrongShift(NamedTuple):
    statistic: str
    shift: Callable[[np.ndarray], np.ndarray]
    explanation: str


WRONG_SHIFTS = (
    WrongShift(
        statistic="the row mean",
        shift=lambda x: x.mean(axis=-1, keepdims=True),
        explanation="Each row was shifted by its mean, not by its max: in a row such as "
        "[1000, 0, 0, 0, 0] the mean is 200, so 1000 - 200 = 800 is left, np.exp(800) "
        "overflows to inf (anything above about 709 does), and inf/inf is nan. Subtract each "
        "row's max, logits.max(axis=-1, keepdims=True): then every exponent is <= 0 and exp() "
        "stays <= 1.",
    ),
    WrongShift(
        statistic="the row minimum",
        shift=lambda x: x.min(axis=-1, keepdims=True),
        explanation="Each row was shifted by its minimum, not by its max: in a row such as "
        "[-1000, 0, 0, 0, 0] that leaves 0 - (-1000) = 1000, np.exp(1000) overflows to inf, and "
        "inf/inf is nan. Subtract each row's max, logits.max(axis=-1, keepdims=True): then "
        "every exponent is <= 0 and exp() stays <= 1.",
    ),
    WrongShift(
        statistic="the batch's max",
        shift=lambda x: x.max(),
        explanation="The rows were shifted by the batch's largest logit, not each by its own: "
        "a row whose own max lies about 1000 below it has only exponents below -745, exp() "
        "underflows to 0 in all of them, and 0/0 is nan. Subtract each row's own max: "
        "logits.max(axis=-1, keepdims=True).",
    ),
)


def _shifted_softmax(logits: np.ndarray, shift) -> np.ndarray:
    """Softmax after subtracting shift(logits): the right answer, or a slip's nan where it
    overflows or underflows."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        exps = np.exp(logits - shift(logits))
        return exps / exps.sum(axis=-1, keepdims=True)


def _same_output(got: np.ndarray, slip: np.ndarray) -> bool:
    """The same nan rows as the slip gives, and the same numbers everywhere else."""
    if got.shape != slip.shape:
        return False
    nan = np.isnan(slip)
    return bool(nan.any()) and bool(
        np.array_equal(np.isnan(got), nan) and np.allclose(got[~nan], slip[~nan], RTOL, ATOL)
    )


def _expect_stable(learner, reference, logits: np.ndarray, what: str, mistakes=()) -> None:
    """softmax(logits) matches the reference; a wrong shift that gives the same nan is named."""
    got = learner.softmax(logits.copy())
    want = reference.softmax(logits)
    try:
        got_np = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        got_np = None
    # A wrong shape is expect_close's to explain (below); only a same-shaped value can show
    # the nan rows of a wrong shift.
    same_shape = got_np is not None and got_np.shape == want.shape
    if same_shape and not np.allclose(got_np, want, RTOL, ATOL, equal_nan=False):
        rows = int(np.isnan(got_np).any(axis=-1).sum())
        total = len(logits)
        for slip in WRONG_SHIFTS:
            if _same_output(got_np, _shifted_softmax(logits, slip.shift)):
                statistic = slip.statistic
                fail(
                    f"{what} to be finite, each row summing to 1",
                    f"nan in {rows} of its {total} rows: what a shift by {statistic} gives",
                    slip.explanation,
                    "T7",
                )
    expect_close(
        got,
        want,
        what=what,
        topic="T7",
        rtol=RTOL,
        atol=ATOL,
        mistakes=mistakes,
        inputs=(logits,),
        reference=reference.softmax,
    )


# Rows whose spread makes each wrong shift overflow or underflow in different rows (noise is
# added): the row mean leaves 800 in rows 0 and 3, the row minimum 1000 in rows 0, 2 and 3, and
# the batch's max (about 1000) leaves rows 1, 2 and 3 entirely below -745. Subtracting nothing
# overflows in row 0 only, which the batch near 1000 (checked first) already names.
WIDE_ROWS = np.array(
    [
        [1000.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [-1000.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, -1000.0, -1000.0, -1000.0, -1000.0],
    ]
)


def test_softmax_is_stable_for_large_logits(learner, reference, rng):
    """Check that softmax does not overflow for logits near 1000 or rows 1000 wide, row by row."""
    near_1000 = 1000.0 + rng.normal(size=(4, 5))
    _expect_stable(
        learner,
        reference,
        near_1000,
        "softmax(logits) for logits near 1000",
        mistakes=(
            Mistake(
                None,
                "np.exp(1000) overflows to inf, and inf/inf is nan. Subtract each row's max "
                "before exp: the result is unchanged and exp() stays <= 1.",
            ),
        )
        + _softmax_mistakes(near_1000),
    )
    # Rows 1000 apart in one batch: a shift by the batch's max leaves the lower rows as 0 / 0.
    mixed = np.concatenate([1000.0 + rng.normal(size=(2, 5)), rng.normal(size=(2, 5))])
    _expect_stable(
        learner,
        reference,
        mixed,
        "softmax(logits) for a batch with two rows near 1000 and two rows near 0",
    )
    _expect_stable(
        learner,
        reference,
        WIDE_ROWS + rng.normal(size=WIDE_ROWS.shape),
        "softmax(logits) for rows such as [1000, 0, 0, 0, 0], [-1000, 0, 0, 0, 0] and "
        "[0, -1000, -1000, -1000, -1000]",
    )

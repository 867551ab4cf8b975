"""Checks for exercises/ch1_theory/losses.py (manual T8)."""

import numpy as np
import torch
import torch.nn.functional as F

from grader.toolkit.expect import Mistake, expect_close, expect_dtype
from grader.toolkit.numbers import expect_float

# float64 means of a handful of O(1) terms: only rounding order can differ, about 1e-15
# relative; 1e-9 leaves ample room and still catches any real slip.
RTOL, ATOL = 1e-9, 1e-12

BATCH, CLASSES = 5, 4


def _probs(rng):
    """A batch of softmax outputs (all entries > 0, rows sum to 1) and their integer labels."""
    logits = rng.normal(scale=2.0, size=(BATCH, CLASSES))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return logits, probs, rng.integers(0, CLASSES, size=BATCH)


def _expect_number(value, what: str) -> None:
    """The loss as the docstring promises it, a Python (or NumPy) number: a tensor or array of
    one number has the right value but is no float (torch's losses return 0-d tensors)."""
    expect_float(
        value,
        f"{what} to be a Python float",
        "The docstring promises a float: return float(...) of your result.",
        "T8",
    )


def test_one_hot_matches_reference(learner, reference):
    """Check that one_hot puts a single 1 at each row's label, counting classes from 0."""
    labels = np.array([2, 0, 3, 1, 3])
    want = reference.one_hot(labels, 4)
    expect_close(
        learner.one_hot(labels, 4),
        want,
        what="one_hot([2, 0, 3, 1, 3], 4), a (5, 4) array",
        topic="T8",
        rtol=0,
        atol=0,
        next_step="Row n is all zeros except a 1 in column labels[n]; np.eye(num_classes)[labels] "
        "picks those rows of the identity matrix.",
        mistakes=(
            Mistake(
                want.T,
                "Your array is (classes, batch): transposed. Each sample is one row, so the shape "
                "is (batch, num_classes).",
            ),
            Mistake(
                np.roll(want, -1, axis=1),
                "Your 1s sit one column to the left: you counted classes from 1, as the manual's "
                "example does. Labels here count from 0 (like torch), so label 2 is [0, 0, 1, 0].",
            ),
        ),
        inputs=(labels, 4),
        reference=reference.one_hot,
    )
    expect_dtype(
        learner.one_hot(labels, 4),
        np.dtype(np.float64),
        "one_hot([2, 0, 3, 1, 3], 4)",
        "The docstring promises a float64 array: the one-hot targets are multiplied with float "
        "probabilities in the loss. An array made with dtype=int (or a comparison's True/False) "
        "needs .astype(np.float64); np.eye(num_classes)[labels] is float64 already.",
        "T8",
    )


def test_cross_entropy_matches_torch(learner, reference, rng):
    """Check that cross_entropy gives the batch mean of -sum y ln(y_hat), as torch does."""
    logits, probs, labels = _probs(rng)
    targets = reference.one_hot(labels, CLASSES)
    # torch's cross_entropy applies softmax itself, so it takes the logits (manual P18).
    want = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels)).item()
    per_class = -(targets * np.log(probs))
    got = learner.cross_entropy(probs, targets)
    what = f"cross_entropy of a batch of {BATCH} predictions over {CLASSES} classes, a number"
    expect_close(
        got,
        want,
        what=what,
        topic="T8",
        rtol=RTOL,
        atol=ATOL,
        next_step="Per sample, sum -y_i * ln(y_hat_i) over the classes (axis=1); then take the "
        "mean of those per-sample losses over the batch.",
        mistakes=(
            Mistake(
                want * BATCH,
                f"Your loss is {BATCH} times too large: you summed over the batch instead of "
                "averaging. Take the mean over the batch, so the loss does not grow with the "
                "batch size.",
            ),
            Mistake(
                lambda got: got.shape == (BATCH,),
                "You returned one loss per sample. Average them over the batch into one number.",
            ),
            Mistake(
                -want,
                "Your loss is negative: you dropped the minus sign. ln of a probability is <= 0, "
                "so -sum y ln(y_hat) is >= 0.",
            ),
            Mistake(
                want / CLASSES,
                "You averaged over the classes too. Sum over the classes, then average over the "
                "batch only.",
            ),
            Mistake(
                per_class.sum(axis=0).mean(),
                "You summed over axis 0 (the batch) and then averaged over the classes. Each "
                "sample's loss is the sum over its classes (axis=1); then average those over the "
                "batch (axis 0).",
            ),
            Mistake(
                per_class.mean(axis=0),
                "You averaged over axis 0 (the batch) and kept the classes. Sum over the classes "
                "(axis=1) first, then average over the batch.",
            ),
            Mistake(
                want / np.log(10),
                "That is the loss with log10. The manual's ln is the natural log: np.log.",
            ),
        ),
        inputs=(probs, targets),
        reference=reference.cross_entropy,
        factors={"the batch size": BATCH, "the number of classes": CLASSES},
    )
    _expect_number(got, what)


def test_mse_matches_torch(learner, reference, rng):
    """Check that mse is the batch mean of (y_hat - y)^2 like torch's mse_loss, in both shapes."""
    for shape in [(BATCH, 1), (BATCH,)]:
        pred = rng.normal(size=shape)
        target = rng.normal(size=shape)
        want = F.mse_loss(torch.from_numpy(pred), torch.from_numpy(target)).item()
        diff = pred - target
        got = learner.mse(pred, target)
        what = f"mse of a {shape} batch of predictions, a number"
        expect_close(
            got,
            want,
            what=what,
            topic="T8",
            rtol=RTOL,
            atol=ATOL,
            next_step="Square each difference (pred - target) ** 2, then take the mean over the "
            "batch.",
            mistakes=(
                Mistake(
                    want * BATCH,
                    f"Your loss is {BATCH} times too large: you summed over the batch instead of "
                    "averaging. Take the mean with np.mean.",
                ),
                Mistake(
                    want / 2,
                    "Your loss is half of the MSE: that is the 1/2 (y_hat - y)^2 convention some "
                    "textbooks use to simplify the derivative. The manual's MSE, like torch's "
                    "mse_loss, has no 1/2: np.mean((pred - target) ** 2).",
                ),
                Mistake(
                    np.sqrt(want),
                    "That is the root of the mean squared error (RMSE). MSE has no square root.",
                ),
                Mistake(
                    diff.mean() ** 2,
                    "You squared the mean difference, so errors of opposite sign cancel before "
                    "squaring. Square each difference first, then average: "
                    "np.mean((pred - target) ** 2).",
                ),
                Mistake(
                    diff.mean(),
                    "You averaged the differences without squaring them, so errors of opposite "
                    "sign cancel. Square first: (pred - target) ** 2.",
                ),
                Mistake(
                    np.abs(diff).mean(),
                    "That is the mean absolute error. MSE squares the differences: "
                    "(pred - target)**2.",
                ),
                Mistake(
                    lambda got: got.shape in {(BATCH,), (BATCH, 1)},
                    "You returned one loss per sample. Average them over the batch into one "
                    "number.",
                ),
            ),
            inputs=(pred, target),
            reference=reference.mse,
            factors={"the batch size": BATCH},
        )
        _expect_number(got, what)

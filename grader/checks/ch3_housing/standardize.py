"""Checks for exercises/ch3_housing/standardize.py (manual P5, erratum E7)."""

import numpy as np

from grader.toolkit.expect import Mistake, Slip, describe, expect_close, fail

N_TRAIN, N_VAL, N_TEST = 800, 100, 100
# Column means and scales like California's (Population's scale is about 1100).
MEANS = np.array([3.9, 28.6, 5.4, 1.1, 1425.0, 3.1, 35.6, -119.6])
SCALES = np.array([1.9, 12.6, 2.5, 0.5, 1132.0, 10.4, 2.1, 2.0])
# Validation and test data come from a shifted distribution, so statistics that include them (or
# that are their own) differ from the training split's by far more than the tolerances below.
SHIFT = 1.0  # in units of each column's scale
# Standardised values are about N(0, 1). np.std (ddof=0) and torch.std (ddof=1) differ by a
# factor sqrt(800/799), about 6e-4, and float32 rounding by about 1e-6; both must pass. Every
# known mistake moves values by 0.05 or more.
RTOL, ATOL = 2e-3, 2e-3

SLIPS = (
    # mean(axis=1) / std(axis=1): one value per sample, shape (N,), which cannot broadcast against
    # the (N, 8) features (or, with keepdims, against a split of another length).
    Slip(
        error=ValueError,
        says=r"operands could not be broadcast together with shapes \(\d+,8\) \(\d+,(1)?\)",
        code=r"[-/]",
        explanation="Your mean or std has one value per sample (row) instead of one per "
        "feature, which is what averaging over axis=1, across each row's 8 features, gives. "
        "Compute them per feature, over the samples: train.mean(axis=0) and train.std(axis=0), "
        "both of shape (8,).",
        topic="E7",
    ),
)


def splits(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    train = MEANS + SCALES * rng.normal(size=(N_TRAIN, len(MEANS)))
    val = MEANS + SCALES * (SHIFT + rng.normal(size=(N_VAL, len(MEANS))))
    test = MEANS + SCALES * (SHIFT + rng.normal(size=(N_TEST, len(MEANS))))
    return train, val, test


def call(learner, train, val, test) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    result = learner.standardize_splits(train.copy(), val.copy(), test.copy())
    if not (isinstance(result, (tuple, list)) and len(result) == 3):
        fail(
            "standardize_splits to return three arrays (train, val, test)",
            describe(result),
            "Return all three standardised splits, in that order.",
            "E7",
        )
    return tuple(result)


def known_mistakes(train, val, test, split: int) -> tuple[Mistake, ...]:
    """What each slip gives for split 0 (train), 1 (val) or 2 (test), with what went wrong."""
    parts = (train, val, test)
    everything = np.concatenate(parts)
    full = (parts[split] - everything.mean(axis=0)) / everything.std(axis=0)
    seen = np.concatenate((train, val))  # "only the test split must stay unseen"
    train_and_val = (parts[split] - seen.mean(axis=0)) / seen.std(axis=0)
    by_variance = (parts[split] - train.mean(axis=0)) / train.var(axis=0)
    own = (parts[split] - parts[split].mean(axis=0)) / parts[split].std(axis=0)
    one_std = (parts[split] - train.mean(axis=0)) / train.std()
    one_mean_std = (parts[split] - train.mean()) / train.std()
    centred = parts[split] - train.mean(axis=0)
    precedence = parts[split] - train.mean(axis=0) / train.std(axis=0)
    mistakes = [
        Mistake(
            full,
            "That uses the mean and std of train, val and test together: the validation and test "
            "data leak into training (erratum E7). Compute them from the training split only.",
        ),
        Mistake(
            train_and_val,
            "That uses the mean and std of the training and validation splits together: the "
            "validation data leak into the statistics (erratum E7), so the validation loss no "
            "longer measures data the preprocessing never saw. Compute them from the training "
            "split only.",
        ),
        Mistake(
            by_variance,
            "That divides by the variance, train.var(axis=0), the square of the standard "
            "deviation: features whose variance is above 1 end up squeezed and the others "
            "stretched. Divide by train.std(axis=0).",
        ),
        Mistake(
            parts[split],
            "The features came back unscaled. The manual's script trains on raw features "
            "(erratum E7); subtract the training mean and divide by the training std.",
        ),
        Mistake(
            one_std,
            "That divides by one std over all features at once: train.std() without axis. "
            "Each feature has its own scale: train.std(axis=0).",
        ),
        Mistake(
            one_mean_std,
            "That uses one mean and one std over all features (no axis). Compute them per "
            "feature, over the samples: train.mean(axis=0) and train.std(axis=0).",
        ),
        Mistake(
            centred, "The features are centred but not scaled: divide by train.std(axis=0) too."
        ),
        Mistake(
            precedence,
            "That is x - (mean / std): division binds tighter than subtraction, so only the mean "
            "was divided by the std. Put the difference in parentheses: (x - mean) / std.",
        ),
    ]
    if split != 0:
        mistakes.insert(
            0,
            Mistake(
                own,
                "This split was standardised with its own mean and std, so it has mean exactly "
                "0 and hides how it differs from the training data. Shift and scale val and test "
                "with the training split's mean and std (erratum E7).",
            ),
        )
    return tuple(mistakes)


def test_training_split_gets_mean_0_and_std_1(learner, reference, rng):
    """Check that each standardised training column has mean 0 and std 1, per feature."""
    train, val, test = splits(rng)
    result = call(learner, train, val, test)
    got = result[0]
    expect_close(
        got,
        reference.standardize_splits(train, val, test)[0],
        what=f"the standardised training split ({N_TRAIN}, {len(MEANS)})",
        topic="E7",
        rtol=RTOL,
        atol=ATOL,
        mistakes=known_mistakes(train, val, test, 0),
    )
    # The docstring keeps the dtypes: float64 in, float64 out (the Dataset casts to float32 later),
    # and float32 in, float32 out.
    for dtype in (np.float64, np.float32):
        inputs = tuple(part.astype(dtype) for part in (train, val, test))
        outputs = call(learner, *inputs) if dtype is np.float32 else result
        for name, part in zip(("train", "val", "test"), outputs, strict=True):
            if getattr(part, "dtype", None) != dtype:
                fail(
                    f"the standardised {name} split of {np.dtype(dtype).name} inputs to be "
                    f"{np.dtype(dtype).name}, the dtype it came in",
                    describe(part),
                    "Keep the dtype you were given: (x - mean) / std does. Converting to float32 "
                    "is the Dataset's job (CaliforniaDataset casts once, in __init__); here it "
                    "throws away precision the caller may need."
                    if dtype is np.float64
                    else "Keep the dtype you were given. (x - mean) / std keeps x's dtype when mean "
                    "and std have it too; statistics computed in float64 (dtype=np.float64) make the "
                    "result float64. Compute them in x's dtype, or convert the result back with "
                    ".astype(x.dtype).",
                    "E7",
                )


def test_val_and_test_use_the_training_statistics(learner, reference, rng):
    """Check that val and test are shifted and scaled by the training split's mean and std."""
    train, val, test = splits(rng)
    got = call(learner, train, val, test)
    want = reference.standardize_splits(train, val, test)
    for split, name in ((1, "validation"), (2, "test")):
        expect_close(
            got[split],
            want[split],
            what=f"the standardised {name} split",
            topic="E7",
            rtol=RTOL,
            atol=ATOL,
            mistakes=known_mistakes(train, val, test, split),
        )


def test_inputs_are_left_unchanged(learner, rng):
    """Check that standardize_splits returns new arrays and leaves the caller's arrays alone."""
    train, val, test = splits(rng)
    originals = (train.copy(), val.copy(), test.copy())
    learner.standardize_splits(train, val, test)
    for array, original, name in zip(
        (train, val, test), originals, ("train", "val", "test"), strict=True
    ):
        if not np.array_equal(array, original):
            fail(
                f"the {name} array passed in to be unchanged",
                "it was changed in place (-= or /= on the argument)",
                "In-place operators overwrite the caller's raw features, so running the pipeline "
                "twice would standardise twice. Compute new arrays: (train - mean) / std.",
                "E7",
            )

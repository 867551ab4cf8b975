"""Checks for exercises/ch3_housing/california_dataset.py (manual P5, P6)."""

import re
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from grader.toolkit.expect import Slip, describe, expect_close, fail
from grader.toolkit.learner_code import code_lines
from grader.toolkit.numbers import expect_pair

SMALL_N = 6  # not 8, so that a count of features cannot pass for a count of samples
N_FEATURES = 8
# Scales like California's columns (Population reaches thousands), drawn in float64 as sklearn's.
FEATURE_SCALES = np.array([2.0, 12.0, 2.5, 0.5, 1100.0, 10.0, 2.0, 2.0])
BATCH = 4
# Items are rows of the inputs cast to float32, nothing computed: they must match exactly.
EXACT = {"rtol": 0.0, "atol": 0.0}
# Rows of the real data set compared with the learner's items, spread over the whole file.
REAL_ROWS = (0, 1, 9999, 20639)
CALIFORNIA_ROWS = 20640

SLIPS = (
    # targets.reshape(1, -1) stores one row of N targets: targets[i] fails for every i > 0.
    Slip(
        error=IndexError,
        says=r"index \d+ is out of bounds for axis 0 with size 1",
        code=r"target",
        explanation="An array indexed on that line has a single row. targets.reshape(1, -1) "
        "makes one row of N targets, so only index 0 exists; store a column instead, "
        "targets.reshape(-1, 1), which has one row per sample.",
        topic="P6",
    ),
)


def small_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Float64 features (6, 8) and targets (6,), like fetch_california_housing returns them."""
    features = rng.normal(size=(SMALL_N, N_FEATURES)) * FEATURE_SCALES
    targets = rng.uniform(0.5, 5.0, size=SMALL_N)
    return features, targets


def is_float32(value) -> bool:
    return getattr(value, "dtype", None) in (np.float32, torch.float32)


def broadcast_demo(targets: np.ndarray) -> str:
    """What MSE does with a (batch,) target: even a perfect (batch, 1) prediction scores > 0."""
    target = torch.as_tensor(targets[:BATCH], dtype=torch.float32)
    perfect = target.reshape(-1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's own broadcasting warning: this is the demo
        loss = F.mse_loss(perfect, target).item()
    return (
        f"A batch of such targets has shape ({BATCH},) while the model outputs ({BATCH}, 1), and "
        f"F.mse_loss broadcasts the pair to ({BATCH}, {BATCH}): even a perfect prediction then "
        f"scores MSE {loss:.3f} instead of 0. Reshape the targets to (N, 1) in __init__, "
        "e.g. targets.reshape(-1, 1)."
    )


# Why a learner's __init__ keeps float64, where its own code shows it (grader.toolkit.learner_code).
PYTHON_FLOAT = (
    "Your __init__ asks for dtype float: that is Python's float, which NumPy stores as float64. "
    "Name the 32-bit type: dtype=np.float32."
)
ASTYPE_DISCARDED = (
    "Your __init__ calls .astype(...) without keeping its result: astype returns a new array and "
    "leaves the one it is called on as it was. Assign it: self.features = "
    "self.features.astype(np.float32)."
)


def float64_cause(dataset) -> str | None:
    """The slip in the dataset's __init__ that keeps float64, if its code shows one."""
    lines = code_lines(type(dataset).__init__) if dataset is not None else []
    if any(re.search(r"(dtype\s*=\s*|astype\(\s*)float\b", line) for line in lines):
        return PYTHON_FLOAT
    if any(re.fullmatch(r"[\w.\[\]]+\.astype\(.*\)", line) for line in lines):
        return ASTYPE_DISCARDED
    return None


def float64_step(dataset=None) -> str:
    """The next step for a float64 item: the slip its __init__ shows, then the Linear's error."""
    cause = float64_cause(dataset)
    return f"{cause} {float64_demo()}" if cause else float64_demo()


def float64_demo() -> str:
    """The error a float64 batch raises at the model's first Linear layer."""
    try:
        nn.Linear(N_FEATURES, 1)(torch.zeros(2, N_FEATURES, dtype=torch.float64))
        error = "a dtype error"
    except RuntimeError as exc:
        error = f"RuntimeError: {exc}"
    return (
        "NumPy and scikit-learn use float64, but the model's weights are float32: a float64 "
        f"batch stops at the first Linear layer with {error}. Cast once in __init__ with "
        "np.asarray(..., dtype=np.float32)."
    )


def _same(value, want: np.ndarray) -> bool:
    """Whether `value` holds exactly want's numbers (as float32), whatever its array type."""
    try:
        got = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value)
    except (TypeError, ValueError):
        return False
    return got.shape == want.shape and bool(np.array_equal(got, want.astype(got.dtype)))


SWAPPED_ITEM = (
    "Your item holds the target first and the features second: a DataLoader hands them on in "
    "that order, so the model would get the targets as its input. Return the features first: "
    "return self.features[index], self.targets[index]."
)
SLICE_KEEPS_AXIS = (
    "That is a slice, self.features[index:index + 1]: a slice keeps the sample axis, so the "
    "item is (1, 8) and a DataLoader batch would be (batch, 1, 8). Index with the integer alone: "
    "self.features[index] is (8,)."
)


def expect_item(
    item, features: np.ndarray, targets: np.ndarray, index: int, what: str, dataset=None
) -> None:
    """item must be (features[index], targets[index]) as float32 of shapes (8,) and (1,); the
    dataset, when given, is read for the slip behind a float64 item."""
    x, y = expect_pair(
        item,
        f"{what} to be a pair (features, target)",
        "Return a tuple: return self.features[index], self.targets[index].",
        "P6",
    )
    if _same(x, targets[index : index + 1]) and _same(y, features[index]):
        fail(f"{what} to be (features, target)", "(target, features)", SWAPPED_ITEM, "P6")
    if _same(x, features[index : index + 1]) and tuple(getattr(x, "shape", ())) != (N_FEATURES,):
        fail(
            f"the features of {what} to have shape ({N_FEATURES},)",
            describe(x),
            SLICE_KEEPS_AXIS,
            "P6",
        )
    if tuple(getattr(x, "shape", ())) != (N_FEATURES,):
        column = index < N_FEATURES != len(features) and _same(x, features[:, index])
        fail(
            f"the features of {what} to have shape ({N_FEATURES},)",
            describe(x),
            f"That is column {index}: feature {index} of every sample, self.features[:, index]. "
            "An item is one sample, a row: self.features[index]."
            if column
            else "An item is one sample: the index-th row of the (N, 8) features, "
            "self.features[index].",
            "P6",
        )
    if tuple(getattr(y, "shape", (None,))) == ():
        fail(f"the target of {what} to have shape (1,)", describe(y), broadcast_demo(targets), "P6")
    if tuple(getattr(y, "shape", ())) != (1,):
        one_row = len(targets) > 1 and _same(y, targets)
        fail(
            f"the target of {what} to have shape (1,)",
            describe(y),
            "That is every target at once: the targets were stored as one row of N values, "
            "targets.reshape(1, -1), so row 0 holds them all. Store a column instead, "
            "targets.reshape(-1, 1), and return its index-th row."
            if one_row
            else "Keep the targets as an (N, 1) array and return the index-th row.",
            "P6",
        )
    for part, name in ((x, "features"), (y, "target")):
        if not is_float32(part):
            fail(f"the {name} of {what} to be float32", describe(part), float64_step(dataset), "P6")
    expect_close(
        x, features[index].astype(np.float32), what=f"the features of {what}", topic="P6", **EXACT
    )
    expect_close(
        y,
        targets[index : index + 1].astype(np.float32),
        what=f"the target of {what}",
        topic="P6",
        **EXACT,
    )


def test_len_counts_the_samples(learner, rng):
    """Check that len(dataset) is the number of samples (rows), not the number of features."""
    features, targets = small_data(rng)
    dataset = learner.CaliforniaDataset(features.copy(), targets.copy())
    got = len(dataset)
    if got == N_FEATURES:
        fail(
            f"len() of a dataset over ({SMALL_N}, {N_FEATURES}) features to be {SMALL_N}",
            f"{got}, the number of features",
            "__len__ counts samples, the rows: len(self.features), or self.features.shape[0].",
            "P6",
        )
    if got == SMALL_N * N_FEATURES:
        fail(
            f"len() of a dataset over ({SMALL_N}, {N_FEATURES}) features to be {SMALL_N}",
            f"{got}, the number of values ({SMALL_N} x {N_FEATURES})",
            "That is self.features.size, every number in the array. __len__ counts the samples, "
            "the rows: len(self.features), or self.features.shape[0].",
            "P6",
        )
    if got != SMALL_N:
        fail(
            f"len() of a dataset over ({SMALL_N}, {N_FEATURES}) features to be {SMALL_N}",
            f"{got}",
            "Return the number of samples: len(self.features).",
            "P6",
        )


def test_item_is_float32_with_a_target_of_shape_1(learner, rng):
    """Check that dataset[i] is (features (8,), target (1,)), both float32, from row i."""
    features, targets = small_data(rng)
    dataset = learner.CaliforniaDataset(features.copy(), targets.copy())
    for index in (0, 3, SMALL_N - 1):
        expect_item(dataset[index], features, targets, index, f"dataset[{index}]", dataset)


def test_dataloader_batches_fit_the_model(learner, rng):
    """Check that a DataLoader batch is float32 features (4, 8) and targets (4, 1), like the model."""
    features, targets = small_data(rng)
    dataset = learner.CaliforniaDataset(features.copy(), targets.copy())
    x, y = next(iter(DataLoader(dataset, batch_size=BATCH, shuffle=False)))
    what = f"a batch from DataLoader(dataset, batch_size={BATCH})"
    if tuple(y.shape) == (BATCH,):
        fail(
            f"the targets of {what} to have shape ({BATCH}, 1)",
            describe(y),
            broadcast_demo(targets),
            "P6, P9",
        )
    for part, name, shape in ((x, "features", (BATCH, N_FEATURES)), (y, "targets", (BATCH, 1))):
        if tuple(part.shape) != shape:
            fail(
                f"the {name} of {what} to have shape {shape}",
                describe(part),
                "Return one sample per item: features of shape (8,) and a target of shape (1,).",
                "P6, P9",
            )
        if not is_float32(part):
            fail(f"the {name} of {what} to be float32", describe(part), float64_step(dataset), "P6")
    expect_close(
        x, features[:BATCH].astype(np.float32), what=f"the features of {what}", topic="P6", **EXACT
    )
    expect_close(
        y,
        targets[:BATCH, None].astype(np.float32),
        what=f"the targets of {what}",
        topic="P6",
        **EXACT,
    )


def test_wraps_the_california_data(learner, rng, datasets):
    """Check that the dataset over fetch_california_housing's arrays has 20640 items, row by row."""
    features, targets = small_data(rng)
    learner.CaliforniaDataset(features, targets)[0]  # a stub stops here, before any data loads
    california = datasets.california()
    dataset = learner.CaliforniaDataset(california.features, california.target)
    if len(dataset) != CALIFORNIA_ROWS:
        fail(
            f"len() of the California dataset to be {CALIFORNIA_ROWS}",
            f"{len(dataset)}",
            "Return the number of rows of the features: len(self.features).",
            "P5, P6",
        )
    for index in REAL_ROWS:
        expect_item(
            dataset[index],
            california.features,
            california.target,
            index,
            f"dataset[{index}]",
            dataset,
        )

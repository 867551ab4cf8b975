"""Standardise the features with statistics from the training split only (manual P5, erratum E7)."""

import numpy as np


def standardize_splits(
    train: np.ndarray, val: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardise each feature (column) with the training split's mean and standard deviation."""
    # the model is float32, so convert here already
    train = train.astype(np.float32)
    val = val.astype(np.float32)
    test = test.astype(np.float32)
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    return (train - mean) / std, (val - mean) / std, (test - mean) / std

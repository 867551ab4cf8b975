"""Standardise the features with statistics from the training split only (manual P5, erratum E7)."""

import numpy as np

# Note (erratum E7): the manual's sample script trains on raw features (Population reaches about
# 35,000), so training is slow and erratic. Statistics from validation or test data would leak
# them into training, so only the training split is used to compute them.


def standardize_splits(
    train: np.ndarray, val: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardise each feature (column) with the training split's mean and standard deviation.

    train, val, test: float arrays of shapes (N_train, 8), (N_val, 8), (N_test, 8); they are not
    changed. Returns the three standardised arrays, with the same shapes and dtypes: every column
    of the returned train has mean 0 and std 1; val and test get the very same shift and scale.
    """
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    for x in (train, val, test):
        x -= mean
        x /= std
    return train, val, test

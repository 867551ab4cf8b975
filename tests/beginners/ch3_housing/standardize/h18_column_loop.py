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
    n_features = train.shape[1]
    train_out = np.empty_like(train)
    val_out = np.empty_like(val)
    test_out = np.empty_like(test)
    for j in range(n_features):
        column = train[:, j]
        mu = column.sum() / len(column)
        sigma = np.sqrt(((column - mu) ** 2).sum() / len(column))
        train_out[:, j] = (train[:, j] - mu) / sigma
        val_out[:, j] = (val[:, j] - mu) / sigma
        test_out[:, j] = (test[:, j] - mu) / sigma
    return train_out, val_out, test_out

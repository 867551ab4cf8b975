"""Standardise the features with statistics from the training split only (manual P5, erratum E7)."""

import numpy as np
from sklearn.preprocessing import StandardScaler


def standardize_splits(
    train: np.ndarray, val: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scaler = StandardScaler().fit(train)
    return scaler.transform(train), scaler.transform(val), scaler.transform(test)

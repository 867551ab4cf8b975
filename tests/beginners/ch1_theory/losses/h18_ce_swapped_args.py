"""One-hot labels, cross-entropy and MSE, averaged over a mini-batch (manual T8)."""

import numpy as np


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """One-hot encode integer class labels.

    labels: int array of shape (batch,), values 0 .. num_classes - 1 (counted from 0, like torch;
    the manual's example counts from 1, so its "class 3 of 4" is label 2 here: [0, 0, 1, 0]).
    Returns a float64 array of shape (batch, num_classes): 1 at each row's label, 0 elsewhere.
    """
    return np.eye(num_classes)[labels]


def cross_entropy(probs: np.ndarray, one_hot_targets: np.ndarray) -> float:
    """Cross-entropy -sum_i y_i ln(y_hat_i) per sample, averaged over the batch.

    probs: (batch, classes) float array of predicted probabilities (softmax output, rows sum to 1,
    all entries > 0); one_hot_targets: (batch, classes) one-hot float array.
    Returns a float: the mean over the batch of each sample's loss.
    """
    loss = -np.sum(probs * np.log(one_hot_targets), axis=1)
    return np.mean(loss)


def mse(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean squared error (y_hat - y)^2, averaged over the batch.

    pred, target: float arrays of the same shape, (batch,) or (batch, 1).
    Returns a float: the mean of the squared differences (like torch.nn.functional.mse_loss).
    """
    return np.mean((pred - target) ** 2)

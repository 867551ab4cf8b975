"""A perceptron, a two-layer MLP on a batch, and the bias folded into W (manual T2, T3)."""

import numpy as np


def perceptron(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """A perceptron y = F(b + sum_i w_i x_i) with F = ReLU, for every row of a batch."""
    s = np.einsum("ni,i->n", x, w) + b
    return np.where(s > 0, s, 0.0)


def two_layer_forward(
    x: np.ndarray, W0: np.ndarray, b0: np.ndarray, W1: np.ndarray, b1: np.ndarray
) -> np.ndarray:
    """The MLP y = F(W1 F(W0 x + b0) + b1) with F = ReLU, for every row of a batch."""
    # column-vector form of the manual, one column per sample
    h = np.maximum(0, W0 @ x.T + b0[:, None])
    y = np.maximum(0, W1 @ h + b1[:, None])
    return y.T


def fold_bias(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Fold a layer's bias into its weights, so that fold_bias(W, b) @ [x; 1] == W @ x + b."""
    return np.concatenate([W, b.reshape(-1, 1)], axis=1)

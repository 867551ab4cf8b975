"""A perceptron, a two-layer MLP on a batch, and the bias folded into W (manual T2, T3)."""

import numpy as np


def perceptron(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """A perceptron y = F(b + sum_i w_i x_i) with F = ReLU, for every row of a batch.

    x: (batch, inputs); w: (inputs,); b: a float. Returns (batch,) float array.
    """
    # TODO: Return np.maximum(0, b + x @ w): the weighted sum plus bias, then ReLU.
    return np.maximum(0, b + x @ w)


def two_layer_forward(
    x: np.ndarray, W0: np.ndarray, b0: np.ndarray, W1: np.ndarray, b1: np.ndarray
) -> np.ndarray:
    """The MLP y = F(W1 F(W0 x + b0) + b1) with F = ReLU, for every row of a batch.

    x: (batch, inputs); W0: (hidden, inputs); b0: (hidden,); W1: (outputs, hidden); b1: (outputs,).
    Returns (batch, outputs) float array.
    """
    # TODO: Apply both layers with ReLU after each. Samples are rows of x, so W0 x becomes x @ W0.T.
    h = x @ W0.T + b0
    return np.maximum(0, h @ W1.T + b1)


def fold_bias(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Fold a layer's bias into its weights, so that fold_bias(W, b) @ [x; 1] == W @ x + b.

    W: (outputs, inputs); b: (outputs,). Returns (outputs, inputs + 1): W with b as a last column,
    matching the constant 1 appended at the end of x.
    """
    # TODO: Append b as one more column on the right of W, with np.column_stack.
    return np.column_stack([W, b])

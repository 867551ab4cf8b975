"""Forward and backward pass of the manual's two-layer linear network by hand (manual T10)."""

import numpy as np


def forward(W0: np.ndarray, W1: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Forward pass with no bias and no activation: z = W0 x, y_hat = W1 . z.

    W0: (hidden, inputs); W1: (hidden,); x: (inputs,); float arrays.
    Returns (z, y_hat): z of shape (hidden,), y_hat a float.
    """
    # TODO: Compute z with the matrix product W0 @ x, and y_hat as the dot product of W1 and z.
    z = W0 @ x
    y_hat = W1 @ z
    return z, y_hat


def backward(
    W0: np.ndarray, W1: np.ndarray, x: np.ndarray, y: float
) -> dict[str, np.ndarray | float]:
    """Gradients of L = (y_hat - y)^2 by the chain rule, from the output back to the input.

    Shapes as in forward; y: the target, a float.
    Returns a dict of dL/d(...), each shaped like its variable: "y_hat" (a float), "W1" (hidden,),
    "z" (hidden,), "W0" (hidden, inputs) and "x" (inputs,).

    Note (manual E9): one slide lists dL/dz2 = w21^0 = -2. The weight that carries z2 to y_hat is
    w12^1 = 2, from W1, so dL/dz2 = 2 * 2 = 4.
    """
    z, y_hat = forward(W0, W1, x)
    # TODO: Compute d_y_hat = dL/dy_hat, then dL/dW1 and dL/dz: y_hat = W1 . z, so each is
    # d_y_hat times the other factor.
    d_y_hat = 2 * (y_hat - y)
    d_W1 = d_y_hat * z
    d_z = d_y_hat * W1
    # TODO: Compute dL/dW0 (an outer product with np.outer) and dL/dx (each x_j reaches every z_i,
    # so sum over the hidden units: W0.T @ d_z).
    d_W0 = np.outer(d_z, x)
    d_x = W0.T @ d_z
    return {"y_hat": y_hat, "W1": d_W1, "z": d_z, "W0": d_W0, "x": d_x}

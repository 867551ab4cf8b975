"""One step of stochastic gradient descent on a dict of parameters (manual T9)."""

import numpy as np


def sgd_step(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    """One SGD update w <- w - lr * dL/dw for every parameter."""
    new_params = {}
    for name, w in params.items():
        w = w.copy()
        w -= lr * grads[name]
        new_params[name] = w
    return new_params

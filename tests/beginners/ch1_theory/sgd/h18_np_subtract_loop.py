"""One step of stochastic gradient descent on a dict of parameters (manual T9)."""

import numpy as np


def sgd_step(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    """One SGD update w <- w - lr * dL/dw for every parameter.

    params: name -> float array; grads: the same names -> arrays of the same shapes; lr: the
    learning rate (gamma in the manual, between 0 and 1).
    Returns a new dict of new arrays. Does not modify params, grads or their arrays.
    """
    # TODO: Build and return a new dict with params[name] - lr * grads[name] for every name.
    updated = {}
    for name in params:
        step = np.multiply(lr, grads[name])
        updated[name] = np.subtract(params[name], step)
    return updated

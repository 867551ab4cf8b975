"""One step of stochastic gradient descent on a dict of parameters (manual T9)."""

import numpy as np


def sgd_step(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    """One SGD update w <- w - lr * dL/dw for every parameter."""
    names = list(params)
    weights = list(params.values())
    gradients = list(grads.values())
    return {names[i]: weights[i] - lr * gradients[i] for i in range(len(names))}

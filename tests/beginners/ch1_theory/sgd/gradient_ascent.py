"""One step of stochastic gradient descent on a dict of parameters (manual T9)."""

import numpy as np


def sgd_step(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    """One SGD update w <- w - lr * dL/dw for every parameter."""
    return {name: w + lr * grads[name] for name, w in params.items()}

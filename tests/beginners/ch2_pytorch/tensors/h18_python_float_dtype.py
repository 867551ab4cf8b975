"""Creating tensors, dtype rules, adding a batch dimension and going back to NumPy (manual P1)."""

import numpy as np
import torch


def as_float_tensor(values: list) -> torch.Tensor:
    """Turn nested lists of numbers into a float32 tensor.

    values: nested lists of Python ints or floats, e.g. [[1, 2], [3, 4]].
    Returns a float32 tensor of the lists' shape, e.g. (2, 2), holding the same numbers.
    """
    # TODO: Build the tensor with torch.tensor and ask for dtype=torch.float32.
    return torch.tensor(values, dtype=float)


def add_batch_dim(image: torch.Tensor) -> torch.Tensor:
    """Turn one image into a batch of one image.

    image: a tensor of shape (C, H, W), any dtype.
    Returns a tensor of shape (1, C, H, W) and the same dtype; `image` itself is left unchanged.
    """
    # TODO: Add a new axis of size 1 in front: image.unsqueeze(0), or image.expand(1, *image.shape).
    return image.unsqueeze(0)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """Convert a CPU tensor, which may require grad, into a NumPy array.

    t: a CPU tensor of any shape and dtype, possibly with requires_grad=True.
    Returns an np.ndarray with t's shape, dtype (float32 stays float32) and values.
    """
    # TODO: Call .detach() before .numpy(), so that tensors that require grad convert too.
    return t.detach().numpy()

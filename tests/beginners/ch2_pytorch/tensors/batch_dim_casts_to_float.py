"""Creating tensors, dtype rules, adding a batch dimension and going back to NumPy (manual P1)."""

import numpy as np
import torch


def as_float_tensor(values: list) -> torch.Tensor:
    """Turn nested lists of numbers into a float32 tensor."""
    return torch.tensor(values, dtype=torch.float32)


def add_batch_dim(image: torch.Tensor) -> torch.Tensor:
    """Turn one image into a batch of one image."""
    # models want float input
    return image.float().unsqueeze(0)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """Convert a CPU tensor, which may require grad, into a NumPy array."""
    return t.detach().numpy()

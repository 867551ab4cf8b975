"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

import numpy as np
import torch
from torchvision import transforms


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...).

    The returned callable takes one PIL image of 32x32 RGB pixels (what CIFAR10[i] gives back,
    stored as (32, 32, 3) uint8 in 0..255) and returns a float32 tensor of shape (3, 32, 32)
    (channels first) with values in [-1, 1]: pixel / 255, then (x - 0.5) / 0.5.
    """
    # pixel / 255 by hand, then normalise
    to_float = transforms.Lambda(lambda img: torch.tensor(np.array(img), dtype=torch.float32) / 255.0)
    return transforms.Compose([to_float, transforms.Lambda(lambda x: (x - 0.5) / 0.5)])

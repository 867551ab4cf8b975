"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

import numpy as np
import torch
from torchvision import transforms


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...)."""
    return transforms.Compose(
        [
            # (32, 32, 3) -> (3, 32, 32)
            transforms.Lambda(
                lambda img: torch.tensor(np.array(img), dtype=torch.float32).reshape(3, 32, 32) / 255
            ),
            transforms.Normalize(0.5, 0.5),
        ]
    )

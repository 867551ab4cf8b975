"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

import numpy as np
import torch
from torchvision import transforms


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...)."""
    return transforms.Compose(
        [
            transforms.Lambda(lambda img: torch.from_numpy(np.array(img)).permute(2, 0, 1).float()),
            transforms.Normalize(0.5, 0.5),
        ]
    )

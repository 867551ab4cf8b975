"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

import numpy as np
import torch
from torchvision import transforms


def to_chw(image):
    # (32, 32, 3) -> (3, 32, 32): move the channel axis to the front
    array = torch.from_numpy(np.array(image)).float() / 255
    return array.permute(2, 1, 0)


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...)."""
    return transforms.Compose([transforms.Lambda(to_chw), transforms.Normalize(0.5, 0.5)])

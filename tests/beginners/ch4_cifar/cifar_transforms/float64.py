"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

import numpy as np
import torch
from torchvision import transforms


def pil_to_tensor(img):
    x = np.asarray(img) / 255.0  # (32, 32, 3) in [0, 1]
    x = (x - 0.5) / 0.5
    return torch.from_numpy(x.transpose(2, 0, 1).copy())


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...)."""
    return transforms.Compose([transforms.Lambda(pil_to_tensor)])

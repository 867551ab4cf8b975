"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

import torch
from torchvision import transforms
from torchvision.transforms import v2


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...)."""
    # the newer transforms.v2 API: ToImage + ToDtype(scale=True) replaces ToTensor
    return v2.Compose(
        [v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize([0.5] * 3, [0.5] * 3)]
    )

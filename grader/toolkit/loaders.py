"""Synthetic DataLoaders for the checks of training and testing loops."""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, TensorDataset


def synthetic_loader(sizes: tuple[int, ...], *, learnable: bool = True) -> DataLoader:
    """A real DataLoader over CIFAR-shaped images and labels 0-9 whose batches have the given
    sizes (all but the last equal; a short last batch tells a per-sample mean from a mean of
    batch means).

    learnable: each image's mean colour shows its class, so a CNN learns them in a few steps;
    otherwise images and labels are independent noise.
    """
    total = sum(sizes)
    if learnable:
        labels = torch.randint(0, 10, (total,))
        images = torch.randn(total, 3, 32, 32) * 0.5 + (labels.float() / 4.5 - 1).view(-1, 1, 1, 1)
    else:
        images = torch.randn(total, 3, 32, 32)
        labels = torch.randint(0, 10, (total,))
    return DataLoader(TensorDataset(images, labels), batch_size=sizes[0], shuffle=False)

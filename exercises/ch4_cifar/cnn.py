"""The manual's CNN for CIFAR-10, which outputs logits, no softmax (manual P16-P18, E6)."""

import torch
from torch import nn


class CNN(nn.Module):
    """conv(3->32, k3, p1) -> max-pool 2 -> ReLU, three times; flatten 32*4*4; 100 -> 100 -> 10.

    forward takes images of shape (B, 3, 32, 32), float32, B >= 1 (a single image too must be
    4-D), and returns logits of shape (B, 10), float32: one score per class, no softmax.

    Erratum E6: the manual calls Conv2d's second argument out_features; it is out_channels. It
    also writes maxpool2d for the function, which is F.max_pool2d (the module is nn.MaxPool2d).
    """

    def __init__(self) -> None:
        super().__init__()
        # TODO: Create three nn.Conv2d(in, 32, kernel_size=3, padding=1), an nn.MaxPool2d(2) and
        # nn.Linear layers 32 * 4 * 4 -> 100 -> 100 -> 10.
        raise NotImplementedError("not started: see the TODO above")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # TODO: Apply conv -> pool -> ReLU three times, flatten all but the batch axis with
        # torch.flatten(x, 1), then fc1 -> ReLU -> fc2 -> ReLU -> fc3. Return fc3's output as is.
        raise NotImplementedError("not started: see the TODO above")

"""The manual's MLP for California housing: 8 -> 100 -> 100 -> 1 with ReLU (manual P8)."""

import torch
from torch import nn


class MLP(nn.Module):
    """Regression MLP: Linear(8, 100), ReLU, Linear(100, 100), ReLU, Linear(100, 1).

    forward: x of shape (batch, 8), float32 -> predictions of shape (batch, 1), float32. There is
    no activation after the last layer: a regression output may be any real number.
    """

    def __init__(self) -> None:
        super().__init__()
        sizes = [8, 100, 100, 1]
        # one Linear per pair of consecutive sizes
        self.layers = [nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = self.relu(x)
        return x

"""The manual's MLP for California housing: 8 -> 100 -> 100 -> 1 with ReLU (manual P8)."""

import torch
from torch import nn


class MLP(nn.Module):
    """Regression MLP: Linear(8, 100), ReLU, Linear(100, 100), ReLU, Linear(100, 1)."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = [nn.Linear(8, 100), nn.Linear(100, 100), nn.Linear(100, 1)]
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = self.relu(layer(x))
        return self.layers[-1](x)

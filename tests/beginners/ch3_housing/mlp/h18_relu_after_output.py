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
        self.fc1 = nn.Linear(8, 100)
        self.fc2 = nn.Linear(100, 100)
        self.fc3 = nn.Linear(100, 1)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        x = self.relu(self.fc3(x))  # house prices are never negative
        return x

"""The manual's MLP for California housing: 8 -> 100 -> 100 -> 1 with ReLU (manual P8)."""

import torch
import torch.nn.functional as F
from torch import nn


class MLP(nn.Module):
    """Regression MLP: Linear(8, 100), ReLU, Linear(100, 100), ReLU, Linear(100, 1).

    forward: x of shape (batch, 8), float32 -> predictions of shape (batch, 1), float32. There is
    no activation after the last layer: a regression output may be any real number.
    """

    def __init__(self) -> None:
        super().__init__()
        # ReLU has no parameters, so F.relu in forward is enough (manual: 訓練するパラメータがない層は関数でもよい)
        self.fc1 = nn.Linear(in_features=8, out_features=100)
        self.fc2 = nn.Linear(in_features=100, out_features=100)
        self.fc3 = nn.Linear(in_features=100, out_features=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.fc1(x))
        h = F.relu(self.fc2(h))
        out = self.fc3(h)
        return out

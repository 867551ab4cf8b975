"""The manual's MLP for California housing: 8 -> 100 -> 100 -> 1 with ReLU (manual P8)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden1 = nn.Linear(in_features=8, out_features=100)
        self.hidden2 = nn.Linear(in_features=100, out_features=100)
        self.output = nn.Linear(in_features=100, out_features=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.hidden1(x))
        h = torch.relu(self.hidden2(h))
        return self.output(h)

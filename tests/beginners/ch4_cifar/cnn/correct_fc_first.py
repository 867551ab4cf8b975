"""The manual's CNN for CIFAR-10, which outputs logits, no softmax (manual P16-P18, E6)."""

import torch
import torch.nn.functional as F
from torch import nn


class CNN(nn.Module):
    """conv(3->32, k3, p1) -> max-pool 2 -> ReLU, three times; flatten 32*4*4; 100 -> 100 -> 10."""

    def __init__(self) -> None:
        super().__init__()
        # the fully connected head first, then the convolutions
        self.fc1 = nn.Linear(in_features=32 * 4 * 4, out_features=100)
        self.fc2 = nn.Linear(in_features=100, out_features=100)
        self.fc3 = nn.Linear(in_features=100, out_features=10)
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(in_channels=32, out_channels=32, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(in_channels=32, out_channels=32, kernel_size=3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv in (self.conv1, self.conv2, self.conv3):
            x = F.relu(F.max_pool2d(conv(x), kernel_size=2))
        x = x.flatten(start_dim=1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

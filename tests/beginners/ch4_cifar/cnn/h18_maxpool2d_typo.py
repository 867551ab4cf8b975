"""The manual's CNN for CIFAR-10, which outputs logits, no softmax (manual P16-P18, E6)."""

import torch
import torch.nn.functional as F
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
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 100)
        self.fc2 = nn.Linear(100, 100)
        self.fc3 = nn.Linear(100, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # pooling has no parameters, so the function is fine (manual)
        x = F.relu(F.maxpool2d(self.conv1(x), 2))
        x = F.relu(F.maxpool2d(self.conv2(x), 2))
        x = F.relu(F.maxpool2d(self.conv3(x), 2))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

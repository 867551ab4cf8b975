"""The manual's CNN for CIFAR-10, which outputs logits, no softmax (manual P16-P18, E6)."""

import torch
from torch import nn


class CNN(nn.Module):
    """conv(3->32, k3, p1) -> max-pool 2 -> ReLU, three times; flatten 32*4*4; 100 -> 100 -> 10."""

    def __init__(self) -> None:
        super().__init__()
        # ReLU before max-pooling gives the same result: both are monotone, so they commute
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(32, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(32, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2, 2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(512, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)

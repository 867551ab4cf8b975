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
        layers = []
        in_channels = 3
        for _ in range(3):
            layers += [
                nn.Conv2d(in_channels, out_channels=32, kernel_size=3, stride=1, padding=1),
                nn.MaxPool2d(kernel_size=2, stride=2),
                nn.ReLU(),
            ]
            in_channels = 32
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32 * 4 * 4, 100),
            nn.ReLU(),
            nn.Linear(100, 100),
            nn.ReLU(),
            nn.Linear(100, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))

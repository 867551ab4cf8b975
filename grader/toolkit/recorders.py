"""A model wrapper that notes, for each forward call, the mode and whether autograd was on."""

from __future__ import annotations

import torch
from torch import nn


class ModeRecorder(nn.Module):
    """Runs `inner` and notes (training, grad enabled) for each forward call in `calls`.

    Tells code that forgot model.eval() (dropout and batch norm still in training mode) or
    torch.no_grad() (a graph built for nothing) from code that did both.
    """

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.inner(x)

    @property
    def ran_in_training_mode(self) -> bool:
        return any(training for training, _ in self.calls)

    @property
    def built_a_graph(self) -> bool:
        return any(grad for _, grad in self.calls)

"""Validation without side effects: eval mode and no_grad, then the old mode back (manual P11)."""

from collections.abc import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: DataLoader,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    device: str | torch.device,
) -> float:
    was_training = model.training
    model.eval()
    losses, counts = [], []
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        losses.append(loss_fn(model(x), y).item())
        counts.append(len(x))
    if was_training:
        model.train()
    return sum(l * n for l, n in zip(losses, counts)) / sum(counts)

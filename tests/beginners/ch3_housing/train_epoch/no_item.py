"""One training epoch: zero_grad, forward, loss, backward, step (manual P10, erratum E3)."""

from collections.abc import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader


def train_one_epoch(
    model: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    device: str | torch.device,
) -> float:
    """Train `model` for one pass over `loader`, one optimizer step per batch."""
    model.train()
    total_loss, total_samples = 0.0, 0
    for features, targets in loader:
        features, targets = features.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(features), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss * len(features)
        total_samples += len(features)
    return total_loss / total_samples

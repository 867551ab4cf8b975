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
        optimizer.zero_grad(set_to_none=True)
        batch_loss = loss_fn(model(features), targets)
        batch_loss.backward()
        optimizer.step()
        with torch.no_grad():
            total_loss += float(batch_loss.detach()) * features.size(0)
            total_samples += features.size(0)
    return float(total_loss / total_samples)

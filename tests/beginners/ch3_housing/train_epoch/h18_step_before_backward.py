"""One training epoch: zero_grad, forward, loss, backward, step (manual P10, erratum E3)."""

from collections.abc import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader

# Note (erratum E3): the manual's loop adds up each batch's *mean* loss and then divides by the
# number of samples, which is off by a factor of the batch size. Weight each batch mean by its
# batch size before dividing by the sample count.


def train_one_epoch(
    model: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    device: str | torch.device,
) -> float:
    """Train `model` for one pass over `loader`, one optimizer step per batch.

    loader yields (features, targets) batches, e.g. (batch, 8) and (batch, 1) float32; loss_fn
    returns the batch's mean loss (like nn.MSELoss()). Returns the epoch's mean loss per sample
    as a Python float: sum over batches of (batch mean loss x batch size) / number of samples.
    """
    model.train()
    total_loss, total_samples = 0.0, 0
    for features, targets in loader:
        features, targets = features.to(device), targets.to(device)
        optimizer.zero_grad()
        predictions = model(features)
        loss = loss_fn(predictions, targets)
        optimizer.step()
        loss.backward()
        total_loss += loss.item() * len(features)
        total_samples += len(features)
    return total_loss / total_samples

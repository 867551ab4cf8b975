"""Validation without side effects: eval mode and no_grad, then the old mode back (manual P11)."""

from collections.abc import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader


def evaluate(
    model: nn.Module,
    loader: DataLoader,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    device: str | torch.device,
) -> float:
    """The mean loss per sample of `model` over `loader`, changing nothing about the model.

    loader yields (features, targets) batches; loss_fn returns a batch's mean loss. Runs in
    eval mode (dropout off, batch norm uses its running statistics) and builds no autograd
    graph. Afterwards the model is in the train/eval mode it was in before the call. Returns a
    Python float: sum over batches of (batch mean loss x batch size) / number of samples.
    """
    was_training = model.training
    total_loss, total_samples = 0.0, 0
    model.eval()
    with torch.no_grad:
        for features, targets in loader:
            features, targets = features.to(device), targets.to(device)
            loss = loss_fn(model(features), targets)
            total_loss += loss.item() * len(features)
            total_samples += len(features)
    model.train(was_training)
    return total_loss / total_samples

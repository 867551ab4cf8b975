"""The epoch loop: validate once per epoch, keep the best weights, stop early (manual T11, P12)."""

import copy
import math
from collections.abc import Callable

import torch
from torch import nn


def fit(
    model: nn.Module,
    train_epoch: Callable[[], float],
    validate: Callable[[], float],
    max_epochs: int,
    patience: int,
    scheduler: torch.optim.lr_scheduler.ReduceLROnPlateau | None = None,
) -> tuple[dict[str, torch.Tensor], list[float]]:
    """Train for at most `max_epochs` epochs and return the weights of the best one."""
    best_loss = math.inf
    best_state = copy.deepcopy(model.state_dict())
    epochs_without_improvement = 0
    val_losses = []
    for epoch in range(max_epochs):
        train_epoch()
        current = validate()
        val_losses.append(current)
        if scheduler is not None:
            scheduler.step(current)
        if current < min(val_losses[:-1], default=math.inf):
            best_state = {name: t.detach().clone() for name, t in model.state_dict().items()}
            epochs_without_improvement = 0
            continue
        epochs_without_improvement += 1
        if epochs_without_improvement == patience:
            break
    return best_state, val_losses

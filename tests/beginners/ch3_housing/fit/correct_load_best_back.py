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
        loss = validate()
        val_losses.append(loss)
        if scheduler:
            scheduler.step(loss)
        improved = loss < best_loss
        if improved:
            best_loss, epochs_without_improvement = loss, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            epochs_without_improvement += 1
        if not improved and epochs_without_improvement >= patience:
            print(f"early stop at epoch {epoch + 1}")
            break
    model.load_state_dict(best_state)
    return best_state, val_losses

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
    """Train for at most `max_epochs` epochs and return the weights of the best one.

    train_epoch() trains `model` for one epoch; validate() returns its current validation loss.
    Validates once per epoch, steps `scheduler` (if given) with the validation loss, and stops
    early after `patience` epochs in a row without a new lowest validation loss.
    Returns (best_state, val_losses): a copy of model.state_dict() from the epoch with the lowest
    validation loss, and the validation loss of every epoch that ran, in order.
    """
    best_loss = math.inf
    best_state = copy.deepcopy(model.state_dict())
    epochs_without_improvement = 0
    val_losses = []
    for epoch in range(max_epochs):
        train_epoch()
        val_loss = validate()
        val_losses.append(val_loss)
        if scheduler is not None:
            scheduler.step()
        if val_loss < best_loss:
            best_loss = val_loss
            best_state = copy.deepcopy(model.state_dict())
            epochs_without_improvement = 0
        else:
            epochs_without_improvement += 1
            if epochs_without_improvement >= patience:
                break
    return best_state, val_losses

"""Save a model's state_dict and load it into a fresh instance (manual P12, G3)."""

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn


def save_checkpoint(model: nn.Module, path: str | Path) -> None:
    """Write model's weights (its state_dict, not the model object) to `path` with torch.save."""
    torch.save(model.state_dict(), path)


def load_checkpoint(make_model: Callable[[], nn.Module], path: str | Path) -> nn.Module:
    """A fresh model from make_model() with the weights saved at `path`, on the CPU.

    make_model: builds an untrained model of the saved architecture, e.g. the class MLP.
    Returns that model, whose outputs equal those of the model that was saved.
    """
    model = make_model()
    return model.load_state_dict(torch.load(path, map_location="cpu"))

"""Save a model's state_dict and load it into a fresh instance (manual P12, G3)."""

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn


def save_checkpoint(model: nn.Module, path: str | Path) -> None:
    torch.save(model.state_dict(), "best_model.pth")


def load_checkpoint(make_model: Callable[[], nn.Module], path: str | Path) -> nn.Module:
    model = make_model()
    model.load_state_dict(torch.load("best_model.pth", map_location="cpu"))
    return model

"""Checkpoints that load anywhere: save the CPU state, load with map_location (manual G3)."""

from pathlib import Path

import torch
from torch import nn


def save_checkpoint(model: nn.Module, path: Path) -> None:
    """Save model's state_dict to `path` with every tensor on the CPU, wherever the model is."""
    state = {}
    for key, value in model.state_dict().items():
        state[key] = value.to(torch.device("cpu"))
    with open(path, "wb") as f:
        torch.save(state, f)


def load_checkpoint(model: nn.Module, path: Path) -> nn.Module:
    """Load the state_dict at `path` into `model` (on the CPU) and return the model.

    The file may have been written on a GPU machine, with tensors saved on CUDA.
    """
    with open(path, "rb") as f:
        state = torch.load(f, map_location=torch.device("cpu"), weights_only=True)
    model.load_state_dict(state, strict=True)
    model.to("cpu")
    return model

"""Checkpoints that load anywhere: save the CPU state, load with map_location (manual G3)."""

from pathlib import Path

import torch
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"


def save_checkpoint(model: nn.Module, path: Path) -> None:
    """Save model's state_dict to `path` with every tensor on the CPU, wherever the model is."""
    state = model.state_dict()
    for key in state:
        state[key] = state[key].to("cpu")
    torch.save(state, path)


def load_checkpoint(model: nn.Module, path: Path) -> nn.Module:
    """Load the state_dict at `path` into `model` (on the CPU) and return the model."""
    model.load_state_dict(torch.load(path, map_location=torch.device("cpu"), weights_only=True))
    return model

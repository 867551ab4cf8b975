"""Checkpoints that load anywhere: save the CPU state, load with map_location (manual G3)."""

from pathlib import Path

import torch
from torch import nn


def save_checkpoint(model: nn.Module, path: Path) -> None:
    """Save model's state_dict to `path` with every tensor on the CPU, wherever the model is."""
    cpu_state = {name: tensor.cpu() for name, tensor in model.state_dict().items()}
    torch.save(cpu_state, path)


def load_checkpoint(model: nn.Module, path: Path) -> nn.Module:
    """Load the state_dict at `path` into `model` (on the CPU) and return the model.

    The file may have been written on a GPU machine, with tensors saved on CUDA.
    """
    state = torch.load(path, map_location="cpu")
    model.state_dict().update(state)
    return model

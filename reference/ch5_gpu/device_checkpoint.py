"""Checkpoints that load anywhere: save the CPU state, load with map_location (manual G3)."""

from pathlib import Path

import torch
from torch import nn


def save_checkpoint(model: nn.Module, path: Path) -> None:
    """Save model's state_dict to `path` with every tensor on the CPU, wherever the model is."""
    # TODO: Save {name: tensor.cpu()} for model.state_dict() with torch.save, so that a
    # machine without a GPU can read it.
    ### BEGIN SOLUTION
    torch.save({name: tensor.cpu() for name, tensor in model.state_dict().items()}, path)
    ### END SOLUTION


def load_checkpoint(model: nn.Module, path: Path) -> nn.Module:
    """Load the state_dict at `path` into `model` (on the CPU) and return the model.

    The file may have been written on a GPU machine, with tensors saved on CUDA.
    """
    # TODO: torch.load(path, map_location="cpu") maps CUDA tensors to the CPU; then
    # model.load_state_dict(...).
    ### BEGIN SOLUTION
    model.load_state_dict(torch.load(path, map_location="cpu"))
    return model
    ### END SOLUTION

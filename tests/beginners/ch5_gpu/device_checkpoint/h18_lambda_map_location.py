"""Checkpoints that load anywhere: save the CPU state, load with map_location (manual G3)."""

from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn


def save_checkpoint(model: nn.Module, path: Path) -> None:
    """Save model's state_dict to `path` with every tensor on the CPU, wherever the model is."""
    state = model.state_dict()
    cpu_state = OrderedDict((key, value.detach().to("cpu")) for key, value in state.items())
    torch.save(cpu_state, path)


def load_checkpoint(model: nn.Module, path: Path) -> nn.Module:
    """Load the state_dict at `path` into `model` (on the CPU) and return the model.

    The file may have been written on a GPU machine, with tensors saved on CUDA.
    """
    # old-style map_location: keep every storage where it was deserialised (the CPU)
    state = torch.load(path, map_location=lambda storage, loc: storage)
    model.load_state_dict(state)
    return model

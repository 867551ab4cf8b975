"""Save a model's state_dict and load it into a fresh instance (manual P12, G3)."""

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn


def save_checkpoint(model: nn.Module, path: str | Path) -> None:
    weights = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    with open(path, "wb") as f:
        torch.save(weights, f)


def load_checkpoint(make_model: Callable[[], nn.Module], path: str | Path) -> nn.Module:
    net = make_model()
    with open(path, "rb") as f:
        net.load_state_dict(torch.load(f, map_location=torch.device("cpu"), weights_only=True))
    return net

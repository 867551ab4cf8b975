"""Moving a batch and a model to a device (manual G2, G4)."""

import torch
from torch import nn


def batch_to_device(
    inputs: torch.Tensor, labels: torch.Tensor, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (inputs, labels) on `device`, values unchanged.

    inputs: (batch, ...) float32; labels: (batch,) int64. Use the `device` argument, never a
    hard-coded "cuda".
    """
    # TODO: Move both tensors with .to(device). tensor.to() returns a NEW tensor and leaves
    # the original where it was, so keep what it returns.
    raise NotImplementedError("not started: see the TODO above")


def model_to_device(model: nn.Module, device: torch.device) -> nn.Module:
    """Move every parameter and buffer of `model` to `device` and return the model itself."""
    # TODO: model.to(device) moves the module in place (unlike tensor.to); return the model.
    raise NotImplementedError("not started: see the TODO above")

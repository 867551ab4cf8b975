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
    # non_blocking lets the copy overlap with compute when the batch is in pinned memory
    moved_inputs = inputs.to(device=device, non_blocking=True)
    moved_labels = labels.to(device=device, non_blocking=True)
    return (moved_inputs, moved_labels)


def model_to_device(model: nn.Module, device: torch.device) -> nn.Module:
    """Move every parameter and buffer of `model` to `device` and return the model itself."""
    model.to(device=device)
    return model

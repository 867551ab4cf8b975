"""Training and prediction on a device, with the transfers in the right places (manual G3-G5)."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader


def train_one_epoch(
    model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer, device: torch.device
) -> float:
    """One epoch of classification training; `model` is already on `device`.

    Batches from `loader` are (inputs float32 (B, ...), labels int64 (B,)) on the CPU.
    Returns the mean cross-entropy over all samples, as a Python float.
    """
    model.cuda()  # make sure the model really is on the GPU
    model.train()
    total, count = 0.0, 0
    for inputs, labels in loader:
        inputs = inputs.to(device)
        labels = labels.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count


def predict(model: nn.Module, loader: DataLoader, device: torch.device) -> np.ndarray:
    """Predicted class indices for every sample in `loader`, as a CPU NumPy int64 array (N,)."""
    model.eval()
    predictions = []
    with torch.no_grad():
        for inputs, _ in loader:
            outputs = model(inputs.to(device))
            predictions.append(outputs.argmax(dim=1).cpu().numpy())
    return np.concatenate(predictions)

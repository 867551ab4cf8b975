"""Training a classifier with cross-entropy, and its accuracy (manual P9, P18, P19, G5, E3)."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset


def make_loaders(
    train_set: Dataset, test_set: Dataset, batch_size: int = 100
) -> tuple[DataLoader, DataLoader]:
    """DataLoaders over the training and test sets.

    Each item of the sets is (image (3, 32, 32) float32, label int). Batches come out as
    (images (B, 3, 32, 32) float32, labels (B,) int64), B = batch_size except maybe the last.
    Returns (train_loader, test_loader).
    """
    kwargs = {"batch_size": batch_size, "num_workers": 0}
    train_loader = DataLoader(train_set, shuffle=True, **kwargs)
    test_loader = DataLoader(test_set, shuffle=False, **kwargs)
    return train_loader, test_loader


def train_one_epoch(
    model: nn.Module, loader, optimizer: torch.optim.Optimizer, device: str
) -> float:
    """One pass over loader, one optimizer step per batch. Returns the mean loss per sample.

    loader yields (images (B, 3, 32, 32) float32, labels (B,) int64); model maps images to
    logits (B, 10). Returns a Python float: the cross-entropy averaged over all samples.
    """
    model.train()
    total_loss, samples = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        criterion = nn.CrossEntropyLoss()
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        # Erratum E3: the manual adds up batch means and divides by the sample count, which is
        # off by the batch size; weighting each batch mean by its size gives the true mean.
        total_loss += loss.item() * len(labels)
        samples += len(labels)
    return total_loss / samples


def accuracy(model: nn.Module, loader, device: str) -> float:
    """The fraction of samples in loader whose predicted class equals the label.

    loader yields (images (B, 3, 32, 32) float32, labels (B,) int64); model maps images to
    logits (B, 10). Returns a Python float in [0, 1], counted over samples, not batches.
    """
    was_training = model.training
    model.eval()
    n_correct = 0
    n_seen = 0
    with torch.inference_mode():
        for images, labels in loader:
            outputs = model(images.to(device))
            _, predicted = torch.max(outputs, 1)
            n_correct += predicted.eq(labels.to(device)).sum().item()
            n_seen += labels.size(0)
    model.train(was_training)
    return float(n_correct) / n_seen

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
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=batch_size, shuffle=False)
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
        optimizer.zero_grad()
        logits = model(images)
        # cross-entropy with one-hot targets, like -sum y_i log p_i in the manual
        targets = F.one_hot(labels, num_classes=logits.shape[1]).float()
        loss = F.cross_entropy(logits, targets)
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
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            predictions = model(images).argmax(dim=1)
            correct += (predictions == labels).sum().item()
            total += len(labels)
    return correct / total

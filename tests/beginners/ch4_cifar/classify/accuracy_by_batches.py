"""Training a classifier with cross-entropy, and its accuracy (manual P9, P18, P19, G5, E3)."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset


def make_loaders(
    train_set: Dataset, test_set: Dataset, batch_size: int = 100
) -> tuple[DataLoader, DataLoader]:
    """DataLoaders over the training and test sets. Returns (train_loader, test_loader)."""
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=batch_size, shuffle=False)
    return train_loader, test_loader


def train_one_epoch(
    model: nn.Module, loader, optimizer: torch.optim.Optimizer, device: str
) -> float:
    """One pass over loader, one optimizer step per batch. Returns the mean loss per sample."""
    model.train()
    total_loss, samples = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        # Erratum E3: the manual adds up batch means and divides by the sample count, which is
        # off by the batch size; weighting each batch mean by its size gives the true mean.
        total_loss += loss.item() * len(labels)
        samples += len(labels)
    return total_loss / samples


def accuracy(model: nn.Module, loader, device: str) -> float:
    """The fraction of samples in loader whose predicted class equals the label."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            predictions = model(images).argmax(dim=1)
            correct += (predictions == labels).sum().item()
    return correct / len(loader)

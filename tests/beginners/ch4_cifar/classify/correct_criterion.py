"""Training a classifier with cross-entropy, and its accuracy (manual P9, P18, P19, G5, E3)."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset


def make_loaders(train_set: Dataset, test_set: Dataset, batch_size: int = 100):
    """DataLoaders over the training and test sets. Returns (train_loader, test_loader)."""
    return (
        DataLoader(dataset=train_set, batch_size=batch_size, shuffle=True, num_workers=0),
        DataLoader(dataset=test_set, batch_size=batch_size),
    )


criterion = nn.CrossEntropyLoss()


def train_one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer, device: str) -> float:
    """One pass over loader, one optimizer step per batch. Returns the mean loss per sample."""
    model.train()
    total_loss, samples = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        outputs = model(images)
        loss = criterion(outputs, labels)
        model.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
        samples += len(labels)
    return total_loss / samples


@torch.no_grad()
def accuracy(model: nn.Module, loader, device: str) -> float:
    """The fraction of samples in loader whose predicted class equals the label."""
    model.eval()
    hits = torch.zeros((), dtype=torch.long)
    for images, labels in loader:
        _, predicted = torch.max(model(images.to(device)), 1)
        hits += (predicted.cpu() == labels).sum().cpu()
    return float(hits) / len(loader.dataset)

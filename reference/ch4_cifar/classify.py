"""Training a classifier with cross-entropy, and its accuracy (manual P9, P18, P19, G5, E3)."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset


def make_loaders(
    train_set: Dataset, test_set: Dataset, batch_size: int = 100
) -> tuple[DataLoader, DataLoader]:
    """DataLoaders over the training and test sets.

    Only the training loader shuffles (a new order every epoch); the test loader keeps the test
    set's order, so that per-sample results (P19) line up with the data. Each item of the sets
    is (image (3, 32, 32) float32, label int). Batches come out as (images (B, 3, 32, 32)
    float32, labels (B,) int64), B = batch_size except maybe the last.
    Returns (train_loader, test_loader).
    """
    # TODO: Build two torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=...);
    # shuffle the training data only.
    ### BEGIN SOLUTION
    # A fresh order every epoch helps training; the test order stays the data's own.
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=batch_size, shuffle=False)
    return train_loader, test_loader
    ### END SOLUTION


def train_one_epoch(
    model: nn.Module, loader, optimizer: torch.optim.Optimizer, device: str
) -> float:
    """One pass over loader, one optimizer step per batch. Returns the mean loss per sample.

    loader yields (images (B, 3, 32, 32) float32, labels (B,) int64); model maps images to
    logits (B, 10). Returns a Python float: the cross-entropy averaged over all samples. The
    mean of the batch means, erratum E3's other correct form, is accepted too (it differs only
    when the last batch is smaller).
    """
    model.train()
    total_loss, samples = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        # TODO: Clear the old gradients (optimizer.zero_grad()), compute
        # loss = F.cross_entropy(model(images), labels) with the integer labels, then
        # loss.backward() and optimizer.step().
        ### BEGIN SOLUTION
        optimizer.zero_grad()
        # cross_entropy takes raw logits and integer class labels: no softmax, no one-hot.
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        ### END SOLUTION
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
    # TODO: Switch to model.eval() and run the loop under torch.no_grad(); the prediction is
    # model(images).argmax(dim=1). Count the matches over all samples.
    ### BEGIN SOLUTION
    model.eval()
    correct, samples = 0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            predictions = model(images).argmax(dim=1)
            correct += (predictions == labels).sum().item()
            samples += len(labels)
    return correct / samples
    ### END SOLUTION

"""Test-phase predictions with softmax confidences, written to a CSV file (manual P18, P19)."""

import csv
from pathlib import Path

import torch
from torch import nn


def predict(model: nn.Module, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The predicted class of each image and the model's confidence in it."""
    probabilities = torch.softmax(model(images), dim=1)
    confidences, predictions = probabilities.max(dim=1)
    return predictions, confidences


def write_predictions(model: nn.Module, loader, device: str, path: Path) -> None:
    """Writes a CSV file with a header row and one row per sample, in the loader's order."""
    model.eval()
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["prediction", "confidence", "answer"])
        for images, labels in loader:
            predictions, confidences = predict(model, images.to(device))
            for p, c, a in zip(predictions.tolist(), confidences.tolist(), labels.tolist()):
                writer.writerow([p, c, a])

"""Test-phase predictions with softmax confidences, written to a CSV file (manual P18, P19)."""

import csv
from pathlib import Path

import torch
from torch import nn


def predict(model: nn.Module, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The predicted class of each image and the model's confidence in it.

    model maps images (B, 3, 32, 32) float32 to logits (B, 10) and is in eval mode; images are
    on the model's device. Returns (predictions (B,) int64, confidences (B,) float32), where a
    confidence is the softmax probability of the predicted class, in [0, 1].
    """
    with torch.no_grad():
        probs = torch.softmax(model(images), dim=1)
    confidences = probs.max(dim=1).values
    return probs, confidences


def write_predictions(model: nn.Module, loader, device: str, path: Path) -> None:
    """Writes a CSV file with a header row and one row per sample, in the loader's order.

    loader yields (images (B, 3, 32, 32) float32, labels (B,) int64). The columns are
    prediction (int), confidence (float in [0, 1]) and answer (the true label, int).
    """
    model.eval()
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["prediction", "confidence", "answer"])
        for images, labels in loader:
            predictions, confidences = predict(model, images.to(device))
            for i in range(len(labels)):
                writer.writerow([predictions[i].argmax().item(), confidences[i].item(), labels[i].item()])

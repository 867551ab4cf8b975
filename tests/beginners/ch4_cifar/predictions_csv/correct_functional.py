"""Test-phase predictions with softmax confidences, written to a CSV file (manual P18, P19)."""

import csv
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The predicted class of each image and the model's confidence in it."""
    logits = model(images)
    predictions = torch.argmax(logits, dim=1)
    confidences = F.softmax(logits, dim=-1).gather(1, predictions[:, None]).squeeze(1)
    return predictions, confidences


def write_predictions(model: nn.Module, loader, device: str, path: Path) -> None:
    """Writes a CSV file with a header row and one row per sample, in the loader's order."""
    model.eval()
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["prediction", "confidence", "answer"])
        writer.writeheader()
        for images, labels in loader:
            predictions, confidences = predict(model, images.to(device))
            writer.writerows(
                {"prediction": int(p), "confidence": float(c), "answer": int(a)}
                for p, c, a in zip(predictions.cpu(), confidences.cpu(), labels)
            )

"""A Dataset over California housing: float32 features and (N, 1) targets (manual P5, P6)."""

import numpy as np
from torch.utils.data import Dataset


class CaliforniaHousingDataset(Dataset):
    """California housing as a map-style Dataset.

    features: (N, 8) float array (scikit-learn gives float64); targets: (N,) float array, the
    house value in units of $100k. Item i is (features[i], targets[i]): float32 arrays of shapes
    (8,) and (1,), so a DataLoader batch is (batch, 8) and (batch, 1), like the model's output.
    """

    def __init__(self, features: np.ndarray, targets: np.ndarray) -> None:
        self.features = np.asarray(features, dtype=np.float32)
        self.targets = np.asarray(targets, dtype=np.float32).reshape(-1, 1)

    def __len__(self) -> int:
        """The number of samples, N."""
        return len(self.features)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Sample `index`: (features of shape (8,), target of shape (1,)), both float32."""
        return self.features[index], self.targets[index]

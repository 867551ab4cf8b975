"""A Dataset over California housing: float32 features and (N, 1) targets (manual P5, P6)."""

import numpy as np
from torch.utils.data import Dataset


class CaliforniaDataset(Dataset):
    """California housing as a map-style Dataset."""

    def __init__(self, features: np.ndarray, targets: np.ndarray) -> None:
        self.features = np.asarray(features, dtype=np.float32)
        self.targets = np.asarray(targets, dtype=np.float32).reshape(-1, 1)

    def __len__(self) -> int:
        # one entry per feature column
        return len(self.features[0])

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        return self.features[index], self.targets[index]

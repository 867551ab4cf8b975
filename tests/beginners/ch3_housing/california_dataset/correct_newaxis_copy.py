"""A Dataset over California housing: float32 features and (N, 1) targets (manual P5, P6)."""

import numpy as np
from torch.utils.data import Dataset


class CaliforniaDataset(Dataset):
    """California housing as a map-style Dataset."""

    def __init__(self, features: np.ndarray, targets: np.ndarray) -> None:
        self.data = features.astype("float32")
        self.target = targets.astype("float32")[:, np.newaxis]

    def __len__(self) -> int:
        return len(self.target)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        data = self.data[index]
        target = self.target[index]
        return data, target

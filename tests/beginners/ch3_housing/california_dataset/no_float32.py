"""A Dataset over California housing: float32 features and (N, 1) targets (manual P5, P6)."""

import numpy as np
from torch.utils.data import Dataset


class CaliforniaDataset(Dataset):
    """California housing as a map-style Dataset."""

    def __init__(self, features: np.ndarray, targets: np.ndarray) -> None:
        # the data is already numbers, so just keep it
        self.features = features
        self.targets = targets.reshape(-1, 1)

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        x = self.features[index]
        y = self.targets[index]
        return x, y

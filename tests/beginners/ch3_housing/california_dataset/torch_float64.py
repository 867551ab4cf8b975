"""A Dataset over California housing: float32 features and (N, 1) targets (manual P5, P6)."""

import numpy as np
import torch
from torch.utils.data import Dataset


class CaliforniaDataset(Dataset):
    """California housing as a map-style Dataset."""

    def __init__(self, features: np.ndarray, targets: np.ndarray) -> None:
        # tensors straight away, the DataLoader wants tensors anyway
        self.features = torch.from_numpy(features)
        self.targets = torch.from_numpy(targets).view(-1, 1)

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, index: int):
        return self.features[index], self.targets[index]

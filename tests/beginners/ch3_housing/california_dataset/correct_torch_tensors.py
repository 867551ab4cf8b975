"""A Dataset over California housing: float32 features and (N, 1) targets (manual P5, P6)."""

import numpy as np
import torch
from torch.utils.data import Dataset


class CaliforniaDataset(Dataset):
    """California housing as a map-style Dataset."""

    def __init__(self, features: np.ndarray, targets: np.ndarray) -> None:
        self.x = torch.from_numpy(np.array(features, dtype="float32"))
        self.y = torch.tensor(targets).float().unsqueeze(-1)

    def __len__(self) -> int:
        return self.x.shape[0]

    def __getitem__(self, index: int):
        return self.x[index], self.y[index]

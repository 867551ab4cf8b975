"""A seeded 0.8/0.1/0.1 split and the DataLoaders (manual T1, P7, P9, erratum E8)."""

import torch
from torch.utils.data import DataLoader, Dataset, Subset, random_split

import numpy as np


def split_dataset(dataset: Dataset, seed: int) -> tuple[Subset, Subset, Subset]:
    rng = np.random.default_rng(seed)
    indices = rng.permutation(len(dataset))
    n_val = round(0.1 * len(dataset))
    n_test = round(0.1 * len(dataset))
    n_train = len(dataset) - n_val - n_test
    train_set = Subset(dataset, indices[:n_train].tolist())
    val_set = Subset(dataset, indices[n_train : n_train + n_val].tolist())
    test_set = Subset(dataset, indices[n_train + n_val :].tolist())
    return train_set, val_set, test_set


def make_loaders(
    train_set: Dataset, val_set: Dataset, test_set: Dataset, batch_size: int = 100
) -> tuple[DataLoader, DataLoader, DataLoader]:
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=batch_size, shuffle=False)
    test_loader = DataLoader(test_set, batch_size=batch_size, shuffle=False)
    return train_loader, val_loader, test_loader


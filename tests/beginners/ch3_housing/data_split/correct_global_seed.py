"""A seeded 0.8/0.1/0.1 split and the DataLoaders (manual T1, P7, P9, erratum E8)."""

import torch
from torch.utils.data import DataLoader, Dataset, Subset, random_split


def split_dataset(dataset: Dataset, seed: int) -> tuple[Subset, Subset, Subset]:
    # seed torch (like set_seed.py) and let random_split use the global generator
    torch.manual_seed(seed)
    return tuple(random_split(dataset, [0.8, 0.1, 0.1]))


def make_loaders(train_set, val_set, test_set, batch_size=100):
    return (
        DataLoader(train_set, batch_size, shuffle=True),
        DataLoader(val_set, batch_size),
        DataLoader(test_set, batch_size),
    )

"""A seeded 0.8/0.1/0.1 split and the DataLoaders (manual T1, P7, P9, erratum E8)."""

import torch
from torch.utils.data import DataLoader, Dataset, Subset, random_split


def split_dataset(dataset: Dataset, seed: int) -> tuple[Subset, Subset, Subset]:
    n = len(dataset)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    n_train = int(0.8 * n)
    n_val = int(0.1 * n)
    train_set = Subset(dataset, order[:n_train])
    val_set = Subset(dataset, order[n_train : n_train + n_val + 1])
    test_set = Subset(dataset, order[n_train + n_val :])
    return train_set, val_set, test_set


def make_loaders(
    train_set: Dataset, val_set: Dataset, test_set: Dataset, batch_size: int = 100
) -> tuple[DataLoader, DataLoader, DataLoader]:
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=batch_size, shuffle=False)
    test_loader = DataLoader(test_set, batch_size=batch_size, shuffle=False)
    return train_loader, val_loader, test_loader


"""A seeded 0.8/0.1/0.1 split and the DataLoaders (manual T1, P7, P9, erratum E8)."""

import torch
from torch.utils.data import DataLoader, Dataset, Subset, random_split



def split_dataset(dataset: Dataset, seed: int) -> tuple[Subset, Subset, Subset]:
    generator = torch.Generator().manual_seed(seed)
    train_set, val_set, test_set = random_split(dataset, [0.8, 0.1, 0.1], generator=generator)
    return train_set, val_set, test_set


def make_loaders(
    train_set: Dataset, val_set: Dataset, test_set: Dataset, batch_size: int = 100
) -> tuple[DataLoader, DataLoader, DataLoader]:
    # drop the small last batch so every batch is exactly (batch_size, 8)
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, drop_last=True)
    val_loader = DataLoader(val_set, batch_size=batch_size, shuffle=False, drop_last=True)
    test_loader = DataLoader(test_set, batch_size=batch_size, shuffle=False, drop_last=True)
    return train_loader, val_loader, test_loader

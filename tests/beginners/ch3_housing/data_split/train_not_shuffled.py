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
    # keep everything in order so runs are reproducible
    loaders = [DataLoader(s, batch_size=batch_size) for s in (train_set, val_set, test_set)]
    return loaders[0], loaders[1], loaders[2]

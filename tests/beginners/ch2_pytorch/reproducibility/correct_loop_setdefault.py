"""A set_seed helper that makes runs repeatable (manual P3, erratum E1)."""

import os
import random

import numpy as np
import torch


def set_seed(seed: int) -> None:
    """Seed Python's random, NumPy and torch (CPU and CUDA), and make torch deterministic."""
    for seed_fn in (random.seed, np.random.seed, torch.manual_seed, torch.cuda.manual_seed_all):
        seed_fn(seed)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True

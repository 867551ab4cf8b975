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
    # TODO: Seed random.seed, np.random.seed, torch.manual_seed and torch.cuda.manual_seed_all
    #   with `seed`.
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    # Note (erratum E1): the manual's helper writes `torch.use_deterministic_algorithms = True`.
    # That replaces the function with True and makes nothing deterministic: call it instead.
    # TODO: Set os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8", set
    #   torch.backends.cudnn.deterministic = True and torch.backends.cudnn.benchmark = False,
    #   and call torch.use_deterministic_algorithms(True).
    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":16:8"  # smaller workspace, also deterministic
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True)

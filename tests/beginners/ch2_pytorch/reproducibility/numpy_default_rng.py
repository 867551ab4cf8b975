"""A set_seed helper that makes runs repeatable (manual P3, erratum E1)."""

import os
import random

import numpy as np
import torch


def set_seed(seed: int) -> None:
    """Seed Python's random, NumPy and torch (CPU and CUDA), and make torch deterministic."""
    random.seed(seed)
    np.random.default_rng(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True)

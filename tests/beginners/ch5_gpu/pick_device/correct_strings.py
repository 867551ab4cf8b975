"""Choose the device once: CUDA when it is available, otherwise the CPU (manual G1, S2)."""

import torch


def pick_device() -> str:
    """Return torch.device("cuda") when torch.cuda.is_available(), else torch.device("cpu")."""
    return "cuda" if torch.cuda.is_available() else "cpu"

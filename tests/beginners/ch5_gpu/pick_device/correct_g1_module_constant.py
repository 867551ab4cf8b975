"""Choose the device once: CUDA when it is available, otherwise the CPU (manual G1, S2)."""

import torch

# manual G1: choose the device once, at the top of the script
device = "cuda" if torch.cuda.is_available() else "cpu"


def pick_device() -> torch.device:
    """Return torch.device("cuda") when torch.cuda.is_available(), else torch.device("cpu")."""
    return device

"""Choose the device once: CUDA when it is available, otherwise the CPU (manual G1, S2)."""

import torch


def pick_device():
    """Return torch.device("cuda") when torch.cuda.is_available(), else torch.device("cpu").

    Returning the strings "cuda" / "cpu" is fine too: torch accepts either.
    """
    if torch.cuda.is_available():
        return "CUDA"
    return "CPU"

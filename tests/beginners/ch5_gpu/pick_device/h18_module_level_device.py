"""Choose the device once: CUDA when it is available, otherwise the CPU (manual G1, S2)."""

import torch

# like in the manual (G1): decide once, at the top of the script
device = "cuda" if torch.cuda.is_available() else "cpu"


def pick_device() -> torch.device:
    """Return torch.device("cuda") when torch.cuda.is_available(), else torch.device("cpu").

    Returning the strings "cuda" / "cpu" is fine too: torch accepts either.
    Never hard-code "cuda": that code breaks on every machine without a GPU.
    """
    return torch.device(device)

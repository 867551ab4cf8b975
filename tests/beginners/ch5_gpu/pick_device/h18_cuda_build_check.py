"""Choose the device once: CUDA when it is available, otherwise the CPU (manual G1, S2)."""

import torch


def pick_device() -> torch.device:
    """Return torch.device("cuda") when torch.cuda.is_available(), else torch.device("cpu").

    Returning the strings "cuda" / "cpu" is fine too: torch accepts either.
    Never hard-code "cuda": that code breaks on every machine without a GPU.
    """
    # torch.version.cuda is None for the CPU-only wheel, so this tells us if CUDA is there
    if torch.version.cuda is not None:
        return torch.device("cuda")
    return torch.device("cpu")

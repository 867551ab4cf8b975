"""Choose the device once: CUDA when it is available, otherwise the CPU (manual G1, S2)."""

import torch


def pick_device() -> torch.device:
    """Return torch.device("cuda") when torch.cuda.is_available(), else torch.device("cpu").

    Returning the strings "cuda" / "cpu" is fine too: torch accepts either.
    Never hard-code "cuda": that code breaks on every machine without a GPU.
    """
    gpu_ok = torch.cuda.is_available()
    if gpu_ok:
        name = "cuda"
    else:
        print("no GPU found, running on the CPU (this will be slow)")
        name = "cpu"
    return name

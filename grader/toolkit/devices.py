"""Device helpers for checks: CUDA-only checks, the meta device, and CUDA-shaped checkpoints."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import torch

# What torch says when code asks for CUDA on a machine that has none (CPU build or no driver).
_NO_CUDA = re.compile(
    r"NVIDIA driver|not compiled with CUDA|No CUDA GPUs|CUDA.*not available|"
    r"deserialize object on a CUDA device",
    re.IGNORECASE,
)

# The meta device has shapes and dtypes but no data: a CPU-only machine can still see whether
# learner code sends every tensor to the device it was given, rather than to a hard-coded one.
META = torch.device("meta")


def asks_for_missing_cuda(exc: BaseException) -> bool:
    return bool(_NO_CUDA.search(str(exc)))


def device_mismatch(exc: BaseException) -> bool:
    text = str(exc)
    return (
        "is not on the expected device" in text
        or "Expected all tensors to be on the same device" in text
    )


def copy_parameters(target: torch.nn.Module, source: torch.nn.Module) -> None:
    """Give `target` the weights of `source`, matched by order, so both start identical."""
    with torch.no_grad():
        for t, s in zip(target.parameters(), source.parameters(), strict=True):
            t.copy_(s)


@contextlib.contextmanager
def _saved_as_cuda():
    """Within this block torch.save records CPU tensors as living on cuda:0."""
    from torch import serialization

    def tag(storage):
        return "cuda:0" if storage.device.type == "cpu" else None

    serialization.register_package(-100, tag, lambda obj, location: None)
    try:
        yield
    finally:
        serialization._package_registry[:] = [
            p for p in serialization._package_registry if p[1] is not tag
        ]


def save_as_if_on_cuda(obj, path: Path) -> None:
    """Writes `obj` the way torch.save would on a GPU machine whose tensors were on cuda:0.

    Loading it without map_location on a CPU-only machine fails exactly as a real GPU
    checkpoint does, which lets the CPU prove that learner code passes map_location.
    """
    with _saved_as_cuda():
        torch.save(obj, path)

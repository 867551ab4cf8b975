"""Imports the deep-learning frameworks once, in the one order that is safe to combine."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

# TensorFlow's C++ start-up and oneDNN banners are not for learners; real errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def import_frameworks(needs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Imports what `needs` names and returns {name: problem} for those that are missing.

    torchvision must be imported before tensorflow: the other order crashes the process
    inside triton (seen with torch 2.14.1, torchvision 0.29.1, tensorflow-cpu 2.21.0).
    Only imports happen here, never an op, so processes forked afterwards stay usable.
    """
    missing: dict[str, str] = {}
    order = ["numpy"]
    if {"torch", "torchvision", "tensorflow"} & set(needs):
        order += ["torch"]
    # torchvision costs about 3 s, so only when asked for, or as the guard before tensorflow.
    if {"torchvision", "tensorflow"} & set(needs):
        order += ["torchvision"]
    if "sklearn" in needs:
        order += ["sklearn.datasets"]
    if "tensorflow" in needs:
        order += ["tensorflow"]
    if "matplotlib" in needs:
        # Loss-curve pictures: pyplot with the file-only backend, about 0.5 s to import.
        os.environ.setdefault("MPLBACKEND", "Agg")
        order += ["matplotlib.pyplot"]
    for name in order:
        try:
            # TF 2.21 prints absl/oneDNN banners on fd 2 whatever TF_CPP_MIN_LOG_LEVEL says.
            with native_stderr_silenced() if name == "tensorflow" else contextlib.nullcontext():
                importlib.import_module(name)
        except ImportError as exc:
            missing[name] = str(exc)
    return missing


@contextlib.contextmanager
def native_stderr_silenced():
    """Hides what C++ code writes to fd 2 (TF's absl/oneDNN banners ignore TF_CPP_MIN_LOG_LEVEL)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)

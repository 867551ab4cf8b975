"""Checks for exercises/ch5_gpu/pick_device.py (manual G1, S2)."""

import torch

from grader.expect import describe, fail


def _device_type(value) -> str | None:
    try:
        return torch.device(value).type
    except (TypeError, RuntimeError):
        return None


def test_picks_what_this_machine_has(learner):
    """Check that pick_device returns cuda exactly when torch.cuda.is_available() says so."""
    want = "cuda" if torch.cuda.is_available() else "cpu"
    got = learner.pick_device()
    if _device_type(got) is None:
        fail(
            "a torch.device (or the string 'cuda'/'cpu')",
            describe(got),
            "Return torch.device('cuda' if torch.cuda.is_available() else 'cpu').",
            "G1",
        )
    if _device_type(got) != want:
        if want == "cpu":
            fail(
                "'cpu' on this machine, which has no usable GPU",
                f"{got!r}",
                "A hard-coded 'cuda' breaks on every CPU-only machine. Ask "
                "torch.cuda.is_available() and fall back to the CPU.",
                "G1",
            )
        fail(
            "'cuda' on this machine, where torch.cuda.is_available() is True",
            f"{got!r}",
            "Use the GPU when it is there: return 'cuda' when torch.cuda.is_available().",
            "G1",
        )


def test_follows_cuda_availability(learner, monkeypatch):
    """Check that pick_device asks torch.cuda.is_available() each time instead of assuming."""
    for available, want in ((True, "cuda"), (False, "cpu")):
        monkeypatch.setattr(torch.cuda, "is_available", lambda a=available: a)
        got = _device_type(learner.pick_device())
        if got != want:
            fail(
                f"'{want}' when torch.cuda.is_available() returns {available}",
                f"{got!r}",
                "Decide with torch.cuda.is_available(), called inside pick_device.",
                "G1",
            )

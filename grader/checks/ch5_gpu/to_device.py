"""Checks for exercises/ch5_gpu/to_device.py (manual G2, G4)."""

import torch
from torch import nn

from grader.devices import META, asks_for_missing_cuda
from grader.expect import expect_close, fail


def _batch():
    return torch.randn(4, 3), torch.tensor([0, 2, 1, 1])


def _call(function, *args):
    try:
        return function(*args)
    except RuntimeError as exc:
        if asks_for_missing_cuda(exc):
            fail(
                "the tensors moved to the device passed in",
                f"a request for CUDA: {exc}",
                "Use the `device` argument; a hard-coded 'cuda' breaks on CPU-only machines.",
                "G2",
            )
        raise


def _expect_on(tensor, device: torch.device, what: str) -> None:
    if not isinstance(tensor, torch.Tensor) or tensor.device.type != device.type:
        where = tensor.device if isinstance(tensor, torch.Tensor) else type(tensor).__name__
        fail(
            f"{what} on {device.type}",
            f"{what} on {where}",
            "tensor.to(device) returns a new tensor and leaves the original where it was: "
            "assign or return what .to() gives back.",
            "G2",
        )


def test_batch_follows_the_device_argument(learner):
    """Check that batch_to_device moves inputs and labels to the device it is given (meta here)."""
    inputs, labels = _batch()
    moved = _call(learner.batch_to_device, inputs, labels, META)
    _expect_on(moved[0], META, "inputs")
    _expect_on(moved[1], META, "labels")


def test_batch_values_survive_the_move(learner, device):
    """Check that batch_to_device keeps values and dtypes while moving to each real device."""
    inputs, labels = _batch()
    got_inputs, got_labels = _call(learner.batch_to_device, inputs, labels, torch.device(device))
    _expect_on(got_inputs, torch.device(device), "inputs")
    _expect_on(got_labels, torch.device(device), "labels")
    expect_close(got_inputs, inputs, what="the moved inputs", topic="G2", rtol=0, atol=0)
    if got_labels.dtype != torch.int64:
        fail(
            "labels to stay int64",
            f"dtype {got_labels.dtype}",
            "Move with .to(device) only; cross_entropy needs int64 class indices.",
            "G2",
        )


def test_model_moves_in_place(learner, device):
    """Check that model_to_device moves every parameter and returns the same module object."""
    for target in (META, torch.device(device)):
        model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
        returned = _call(learner.model_to_device, model, target)
        if returned is not model:
            fail(
                "the same model object back (model.to moves it in place)",
                "a different object" if returned is not None else "None",
                "Call model.to(device) and return `model`.",
                "G2",
            )
        stranded = [
            n
            for n, t in [*model.named_parameters(), *model.named_buffers()]
            if t.device.type != target.type
        ]
        if stranded:
            fail(
                f"every parameter and buffer on {target.type}",
                f"{stranded[0]} still on cpu",
                "model.to(device) moves all parameters and buffers; use the device argument.",
                "G2",
            )

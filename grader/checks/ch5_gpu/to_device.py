"""Checks for exercises/ch5_gpu/to_device.py (manual G2, G4)."""

import torch
from torch import nn

from grader.toolkit.devices import META, asks_for_missing_cuda
from grader.toolkit.expect import Slip, describe, expect_close, fail
from grader.toolkit.gpu import cuda_request_step, traced, why_not_on
from grader.toolkit.numbers import expect_pair

SLIPS = (
    Slip(
        error=RuntimeError,
        says=r"set_data.*incompatible tensor type",
        code=r"\.data\s*=",
        explanation="Assigning param.data = param.data.to(device) moves the parameters one by "
        "one: torch refuses that assignment across device types (the check passes the meta "
        "device), and a loop over parameters() would leave the buffers (BatchNorm's "
        "running_mean and running_var) behind anyway. model.to(device) moves every parameter "
        "and buffer in place.",
        topic="G2",
    ),
)


def _batch():
    return torch.randn(4, 3), torch.tensor([0, 2, 1, 1])


def _call(learner, function, *args):
    device = args[-1]
    try:
        return function(*args)
    except RuntimeError as exc:
        if asks_for_missing_cuda(exc):
            fail(
                f"the tensors moved to the device passed in ({torch.device(device).type})",
                f"a request for CUDA: {exc}",
                cuda_request_step(exc, learner, torch.device(device).type),
                "G2",
            )
        raise


def _pair(moved) -> tuple:
    return expect_pair(
        moved,
        "batch_to_device to return (inputs, labels)",
        "Return both moved tensors: return inputs.to(device), labels.to(device).",
        "G2",
        kinds=(tuple,),  # the docstring and the annotation promise a tuple
    )


def _expect_on(tensor, device: torch.device, what: str, step: str) -> None:
    if not isinstance(tensor, torch.Tensor) or tensor.device.type != device.type:
        where = tensor.device if isinstance(tensor, torch.Tensor) else type(tensor).__name__
        fail(f"{what} on {device.type}", f"{what} on {where}", step, "G2")


def test_batch_follows_the_device_argument(learner):
    """Check that batch_to_device moves inputs and labels to the device it is given (meta here)."""
    inputs, labels = _batch()
    log: list = []
    moved = _pair(
        _call(
            learner,
            learner.batch_to_device,
            traced(inputs, "inputs", log),
            traced(labels, "labels", log),
            META,
        )
    )
    for tensor, role in zip(moved, ("inputs", "labels")):
        _expect_on(tensor, META, role, why_not_on(role, META, log))


def test_batch_values_survive_the_move(learner, device):
    """Check that batch_to_device keeps values and dtypes while moving to each real device."""
    inputs, labels = _batch()
    target = torch.device(device)
    got_inputs, got_labels = _pair(_call(learner, learner.batch_to_device, inputs, labels, target))
    if (
        isinstance(got_inputs, torch.Tensor)
        and isinstance(got_labels, torch.Tensor)
        and got_inputs.shape == labels.shape
        and got_labels.shape == inputs.shape
    ):
        fail(
            f"(inputs, labels): inputs of shape {tuple(inputs.shape)} first",
            f"({describe(got_inputs)}, {describe(got_labels)})",
            "You return the two tensors in the other order. Return (inputs, labels), in the "
            "order the docstring gives: the caller unpacks them as inputs, labels = ...",
            "G2",
        )
    step = "Return what .to(device) gives back for each tensor."
    _expect_on(got_inputs, target, "inputs", step)
    _expect_on(got_labels, target, "labels", step)
    expect_close(got_inputs, inputs, what="the moved inputs", topic="G2", rtol=0, atol=0)
    if got_inputs.dtype != torch.float32:
        fail(
            "inputs to stay float32",
            f"dtype {got_inputs.dtype}",
            "Move with .to(device) only: a dtype change belongs elsewhere.",
            "G2",
        )
    if got_labels.dtype != torch.int64:
        fail(
            "labels to stay int64",
            f"dtype {got_labels.dtype}",
            "Move with .to(device) only; cross_entropy needs int64 class indices.",
            "G2",
        )
    expect_close(got_labels, labels, what="the moved labels", topic="G2", rtol=0, atol=0)


def test_model_moves_in_place(learner, device):
    """Check that model_to_device moves every parameter and returns the same module object."""
    for target in (META, torch.device(device)):
        model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
        returned = _call(learner, learner.model_to_device, model, target)
        if returned is not model:
            fail(
                "the same model object back (model.to moves it in place)",
                "a different object" if returned is not None else "None",
                "Call model.to(device) and return `model`: the caller's optimizer holds this "
                "model's parameters, so a copy would train nothing."
                if returned is not None
                else "model_to_device returned None: end it with return `model`.",
                "G2",
            )
        parameters = {n for n, _ in model.named_parameters()}
        stranded = [
            n
            for n, t in [*model.named_parameters(), *model.named_buffers()]
            if t.device.type != target.type
        ]
        if stranded:
            kind = "parameter" if stranded[0] in parameters else "buffer"
            fail(
                f"every parameter and buffer on {target.type}",
                f"the {kind} {stranded[0]} still on cpu",
                "model.to(device) moves all parameters and buffers (BatchNorm's running_mean, "
                "for one); call it with the `device` argument.",
                "G2",
            )

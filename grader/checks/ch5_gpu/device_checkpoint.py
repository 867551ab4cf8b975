"""Checks for exercises/ch5_gpu/device_checkpoint.py (manual G3)."""

import pickle

import torch
from torch import nn

from grader.devices import asks_for_missing_cuda, save_as_if_on_cuda
from grader.expect import expect_close, fail


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))


def _outputs(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(inputs)


def _load(learner, path):
    fresh = _model()
    try:
        loaded = learner.load_checkpoint(fresh, path)
    except RuntimeError as exc:
        if asks_for_missing_cuda(exc):
            fail(
                "a checkpoint written on a GPU machine to load on this CPU-only one",
                f"RuntimeError: {exc}",
                "Pass map_location='cpu' to torch.load so CUDA tensors are mapped to the CPU.",
                "G3",
            )
        raise
    if loaded is not fresh:
        fail(
            "the model you loaded into, returned",
            "another object" if loaded is not None else "None",
            "Call model.load_state_dict(...) and return `model`.",
            "G3",
        )
    return loaded


def test_round_trip_on_each_device(learner, device, tmp_path):
    """Check that a model saved from each device reloads on the CPU with identical outputs."""
    model = _model()
    model(torch.randn(16, 5))  # give BatchNorm running statistics worth saving
    model.to(device)
    path = tmp_path / "model.pt"
    learner.save_checkpoint(model, path)
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        saved = None
    if not isinstance(saved, dict):
        fail(
            "a state_dict (a dict of tensors) in the file",
            "a pickled Python object such as the model",
            "Save model.state_dict(), not the model object: a pickled model only loads where "
            "its class's code is importable, and torch.load refuses it by default.",
            "G3",
        )
    inputs = torch.randn(7, 5)
    expect_close(
        _outputs(_load(learner, path), inputs),
        _outputs(model.cpu(), inputs),
        what="outputs of the reloaded model",
        topic="G3",
        rtol=0,
        atol=0,
    )


def test_loads_a_gpu_checkpoint_on_the_cpu(learner, tmp_path):
    """Check that load_checkpoint reads a checkpoint whose tensors were saved on cuda:0."""
    model = _model()
    path = tmp_path / "from_gpu.pt"
    save_as_if_on_cuda(model.state_dict(), path)
    inputs = torch.randn(4, 5)
    expect_close(
        _outputs(_load(learner, path), inputs),
        _outputs(model, inputs),
        what="outputs of the model loaded from a GPU checkpoint",
        topic="G3",
        rtol=0,
        atol=0,
    )


def test_checkpoint_saved_on_cuda_holds_cpu_tensors(learner, cuda, tmp_path):
    """Check that a checkpoint saved from a CUDA model holds CPU tensors."""
    model = _model().to(cuda)
    path = tmp_path / "model.pt"
    learner.save_checkpoint(model, path)
    on_gpu = [name for name, t in torch.load(path).items() if t.device.type != "cpu"]
    if on_gpu:
        fail(
            "every tensor in the file on the CPU",
            f"{on_gpu[0]} saved on {torch.load(path)[on_gpu[0]].device}",
            "Save {name: tensor.cpu()} so machines without a GPU can load it without map_location.",
            "G3",
        )

"""Checks for exercises/ch5_gpu/device_checkpoint.py (manual G3)."""

import inspect
import pickle
import re
import types

import torch
from torch import nn

from grader.toolkit.devices import asks_for_missing_cuda, save_as_if_on_cuda
from grader.toolkit.expect import Slip, describe, expect_close, fail
from grader.toolkit.gpu import GpuStandIn, saved_locations, saving_from_gpu

SLIPS = (
    Slip(
        error=AttributeError,
        says=r"'(collections\.)?OrderedDict' object has no attribute '(cpu|to)'",
        code=r"state_dict\(\)\s*\.\s*(cpu|to)\(",
        explanation="A state_dict is a dict of tensors, and a dict has no .cpu() or .to(): move "
        "each tensor instead, {name: tensor.cpu() for name, tensor in "
        "model.state_dict().items()}.",
        topic="G3",
    ),
    Slip(
        error=TypeError,
        says=r"load_state_dict\(\) got an unexpected keyword argument 'map_location'",
        code=r"load_state_dict\(",
        explanation="load_state_dict takes the loaded dict, not a path: read the file first "
        "with torch.load(path, map_location='cpu'), then model.load_state_dict(that dict).",
        topic="G3",
    ),
    Slip(
        error=(TypeError, AttributeError),
        says=r"Expected state_dict to be dict-like|has no attribute 'keys'",
        code=r"load_state_dict\(\s*path",
        explanation="load_state_dict takes the loaded dict, not a path: read the file first "
        "with torch.load(path, map_location='cpu'), then model.load_state_dict(that dict).",
        topic="G3",
    ),
)

MAP_TO_CUDA = re.compile(r"""map_location\s*=\s*(["']cuda|torch\.device\(\s*["']cuda)""")


def _layers() -> list[nn.Module]:
    return [nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2)]


def _model() -> nn.Module:
    return nn.Sequential(*_layers())


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
            try:
                source = inspect.getsource(learner.load_checkpoint)
            except (OSError, TypeError):
                source = ""
            step = (
                "Your map_location maps the tensors to CUDA, which this machine does not have. "
                "The file's tensors belong on the CPU: map_location='cpu'."
                if MAP_TO_CUDA.search(source)
                else "Pass map_location='cpu' to torch.load so CUDA tensors are mapped to the CPU."
            )
            fail(
                "a checkpoint written on a GPU machine to load on this CPU-only one",
                f"RuntimeError: {exc}",
                step,
                "G3",
            )
        if "Missing key(s)" in str(exc) and "running_" in str(exc):
            fail(
                "load_checkpoint to load the state_dict that save_checkpoint wrote",
                f"RuntimeError: {exc}",
                "The file lacks the buffers (BatchNorm's running_mean and running_var): save "
                "model.state_dict(), which holds parameters and buffers, not only "
                "named_parameters().",
                "G3, P12",
            )
        raise
    if loaded is not fresh:
        if type(loaded).__name__ == "_IncompatibleKeys":
            step = (
                "model.load_state_dict(...) returns a report of missing and unexpected keys, not "
                "the model: call it, then return `model` on the next line."
            )
        elif loaded is None:
            step = "load_checkpoint returned None: after load_state_dict, return `model`."
        else:
            step = "Call model.load_state_dict(...) and return `model`."
        fail(
            "the model you loaded into, returned",
            "another object" if loaded is not None else "None",
            step,
            "G3",
        )
    return loaded


def _saved_object(path):
    """What the file holds, loaded as weights only, or with pickle when that is refused."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True), True
    except pickle.UnpicklingError:
        return torch.load(path, map_location="cpu", weights_only=False), False


def _expect_state_dict_file(path, model: nn.Module) -> None:
    """Fails unless the file at `path` holds every entry of model.state_dict() as tensors."""
    if not path.exists():
        fail(
            f"a checkpoint file at {path.name}",
            "no file",
            "Write it with torch.save(state, path), using the path you are given.",
            "G3",
        )
    saved, plain = _saved_object(path)
    if isinstance(saved, nn.Module):
        fail(
            "a state_dict (a dict of tensors) in the file",
            f"the model object itself ({type(saved).__name__})",
            "Save model.state_dict(), not the model object: a pickled model only loads where "
            "its class's code is importable, and torch.load refuses it by default.",
            "G3",
        )
    if isinstance(saved, dict) and any(
        isinstance(v, types.BuiltinMethodType | types.MethodType) for v in saved.values()
    ):
        fail(
            "a state_dict (a dict of tensors) in the file",
            "a dict of methods, such as tensor.cpu itself",
            "tensor.cpu without () is the method, not a CPU copy: call it, tensor.cpu(), for "
            "each tensor of model.state_dict().",
            "G3",
        )
    if not (plain and isinstance(saved, dict)):
        fail(
            "a state_dict (a dict of tensors) in the file",
            describe(saved),
            "Save {name: tensor.cpu() for name, tensor in model.state_dict().items()}.",
            "G3",
        )
    missing = [name for name in model.state_dict() if name not in saved]
    if missing:
        fail(
            f"all {len(model.state_dict())} entries of model.state_dict() in the file",
            f"{len(saved)} entries, without {missing[0]}",
            "model.state_dict() holds the parameters and the buffers (BatchNorm's running_mean "
            "and running_var); save all of it, not only named_parameters()."
            if any("running_" in name for name in missing)
            else "Save every entry of model.state_dict().",
            "G3, P12",
        )


def test_round_trip_on_each_device(learner, device, tmp_path):
    """Check that a model saved from each device reloads on the CPU with identical outputs."""
    model = _model()
    model(torch.randn(16, 5))  # give BatchNorm running statistics worth saving
    model.to(device)
    path = tmp_path / "model.pt"
    learner.save_checkpoint(model, path)
    _expect_state_dict_file(path, model)
    inputs = torch.randn(7, 5)
    expect_close(
        _outputs(_load(learner, path), inputs),
        _outputs(model.cpu(), inputs),
        what="outputs of the reloaded model",
        topic="G3",
        rtol=0,
        atol=0,
    )


def test_checkpoint_from_a_gpu_model_holds_cpu_tensors(learner, tmp_path):
    """Check that a model on cuda:0 (played on the CPU) is saved as CPU tensors and stays put.

    The stand-in model's state_dict() holds tensors that behave as CUDA tensors do (.cpu()
    copies them, NumPy refuses them) and that torch.save records as cuda:0, as a GPU machine
    writes them; so this runs on machines without a GPU too.
    """
    model = GpuStandIn(*_layers())
    model(torch.randn(16, 5))
    path = tmp_path / "model.pt"
    with saving_from_gpu():
        learner.save_checkpoint(model, path)
    if model.moved_to_cpu:
        fail(
            "save_checkpoint to leave the model on its GPU",
            "a model moved to the CPU (model.to('cpu') or model.cpu())",
            "You moved the model itself to the CPU: the caller's training then goes on on the "
            "CPU, or stops with a device mismatch. Copy the tensors instead and leave the model "
            "where it is: {name: tensor.cpu() for name, tensor in model.state_dict().items()}.",
            "G3",
        )
    _expect_state_dict_file(path, model)
    locations = saved_locations(path)
    on_gpu = [where for where in locations if not where.startswith("cpu")]
    if on_gpu:
        fail(
            "every tensor in the file on the CPU",
            f"{len(on_gpu)} of {len(locations)} tensor storages saved on {on_gpu[0]}",
            "model.state_dict() of a model on the GPU holds CUDA tensors, and torch.save "
            "records that: a machine without CUDA cannot load the file without map_location. "
            "Save CPU copies: {name: tensor.cpu() for name, tensor in "
            "model.state_dict().items()}.",
            "G3",
        )


def test_loads_a_gpu_checkpoint_on_the_cpu(learner, tmp_path):
    """Check that load_checkpoint reads a checkpoint whose tensors were saved on cuda:0."""
    model = _model()
    path = tmp_path / "from_gpu.pt"
    # Keys in reverse order: loading must go by name, not by position.
    save_as_if_on_cuda(dict(reversed(list(model.state_dict().items()))), path)
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
    """Check that a checkpoint saved from a real CUDA model holds CPU tensors."""
    model = _model().to(cuda)
    path = tmp_path / "model.pt"
    learner.save_checkpoint(model, path)
    locations = saved_locations(path)
    on_gpu = [where for where in locations if not where.startswith("cpu")]
    if on_gpu:
        fail(
            "every tensor in the file on the CPU",
            f"{len(on_gpu)} of {len(locations)} tensor storages saved on {on_gpu[0]}",
            "Save {name: tensor.cpu()} so machines without a GPU can load it without map_location.",
            "G3",
        )

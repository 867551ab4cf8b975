"""GPU checks on any machine: CPU-side stand-ins for a GPU, and what learner code did.

- Traced tensors note every .to() / .cpu() / .cuda() made on them, so a check can say why a
  tensor did not reach the device (never moved, moved but the result dropped, or moved to a
  device the code chose itself) instead of guessing.
- OnGpu tensors and GpuStandIn models play tensors and a model that live on cuda:0, on a
  machine without a GPU: .cpu() copies, .numpy() refuses as CUDA does, and torch.save records
  their storages as cuda:0, exactly as a GPU machine writes them.
"""

from __future__ import annotations

import contextlib
import linecache
import traceback
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.dataloader import default_collate

CUDA_NUMPY_ERROR = (
    "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to "
    "host memory first."
)


# --- where learner code asked for CUDA -----------------------------------------------------


def learner_line(exc: BaseException, learner) -> tuple[int, str] | None:
    """(line number, code) of the innermost traceback frame in the learner's file."""
    found = None
    wanted = Path(learner.__file__).resolve()
    for frame in traceback.extract_tb(exc.__traceback__):
        try:
            if Path(frame.filename).resolve() == wanted:
                found = (
                    frame.lineno,
                    (frame.line or linecache.getline(frame.filename, frame.lineno)),
                )
        except OSError:
            continue
    return (found[0], found[1].strip()) if found else None


def cuda_request_step(exc: BaseException, learner, device: str) -> str:
    """The next step for code that asked for CUDA, naming what its line really does."""
    where = learner_line(exc, learner)
    if where is None:
        return (
            f"Your code asked for CUDA though the device passed in was {device}. Use the "
            "`device` argument: .to(device)."
        )
    number, code = where
    if ".cuda(" in code:
        return (
            f"Line {number} (`{code}`) calls .cuda(), which always asks for a GPU, whatever the "
            f"device passed in ({device} here). Use .to(device) with the `device` argument, so "
            "the same code runs on machines without a GPU."
        )
    if "'cuda" in code or '"cuda' in code:
        return (
            f"Line {number} (`{code}`) has a hard-coded 'cuda', which breaks on every machine "
            f"without a GPU. Use the `device` argument instead ({device} here): .to(device)."
        )
    return (
        f"Line {number} (`{code}`) asked for CUDA though the device passed in was {device}. Use "
        "the `device` argument the caller gives you, not a device of your own."
    )


# --- traced tensors ------------------------------------------------------------------------


def _target(name: str, args: tuple, kwargs: dict) -> torch.device | None:
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda":
        return torch.device("cuda")
    try:
        return torch._C._nn._parse_to(*args, **kwargs)[0]
    except (TypeError, RuntimeError):
        return None


class Traced(torch.Tensor):
    """A tensor that notes the moves made on it; every result is a plain tensor again."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if name in ("to", "cpu", "cuda") and args and isinstance(args[0], Traced):
            log = args[0].__dict__.get("_kit_log")
            if log is not None:
                log.append((args[0].__dict__["_kit_role"], name, _target(name, args[1:], kwargs)))
        with torch._C.DisableTorchFunctionSubclass():
            return func(*args, **kwargs)


def traced(tensor: torch.Tensor, role: str, log: list) -> Traced:
    out = tensor.as_subclass(Traced)
    out._kit_role, out._kit_log = role, log
    return out


def traced_loader(dataset: Dataset, batch_size: int, log: list) -> DataLoader:
    """A DataLoader whose batches are (inputs, labels) tensors that note their moves in `log`."""

    def collate(items):
        inputs, labels = default_collate(items)
        return traced(inputs, "inputs", log), traced(labels, "labels", log)

    return DataLoader(dataset, batch_size=batch_size, shuffle=False, collate_fn=collate)


def why_not_on(role: str, want: torch.device, log: list) -> str:
    """Why the `role` tensors did not reach `want`, from the moves noted in `log`."""
    moves = [(method, target) for who, method, target in log if who == role]
    elsewhere = [(m, t) for m, t in moves if t is not None and t.type != want.type]
    if elsewhere:
        method, target = elsewhere[0]
        if method == "cpu":
            return (
                f"Your code moves the {role} with .cpu(), which always goes to the CPU. Use "
                f"{role}.to(device), with the `device` argument ({want.type} here)."
            )
        return (
            f"Your code moves the {role} to {target}, not to the `device` argument it was given "
            f"({want.type} here): it chooses a device of its own (a fixed device string, or the "
            "G1 line `device = ...` inside the function or at the top of the file). Use the "
            "device argument the caller passes in: .to(device)."
        )
    if any(t is not None and t.type == want.type for _, t in moves):
        return (
            f"Your code calls {role}.to(device) but keeps the original: tensor.to(device) returns "
            f"a new tensor and leaves the original where it was (G2). Assign it, {role} = "
            f"{role}.to(device), or return what .to() gives back."
        )
    return (
        f"Your code never moves the {role}: every tensor of one operation must be on the same "
        f"device (G4). Move them too: {role} = {role}.to(device)."
    )


# --- a GPU played on the CPU -----------------------------------------------------------------

_GPU_STORAGES: set[int] = set()  # data pointers of OnGpu storages that torch.save has pickled


class OnGpu(torch.Tensor):
    """A CPU tensor that plays one on cuda:0: .cpu() and .to('cpu') copy, .numpy() refuses."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func == torch.Tensor.device.__get__:
            return torch.device("cuda", 0)
        if func == torch.Tensor.is_cuda.__get__:
            return True
        name = getattr(func, "__name__", "")
        if name in ("numpy", "__array__"):
            raise TypeError(CUDA_NUMPY_ERROR)
        if func is torch.Tensor.__reduce_ex__:
            with torch._C.DisableTorchFunctionSubclass():
                plain = args[0].as_subclass(torch.Tensor)
                _GPU_STORAGES.add(plain.untyped_storage().data_ptr())
                return plain.__reduce_ex__(*args[1:])
        target = _target(name, args[1:], kwargs) if name in ("to", "cpu") else None
        if target is not None and target.type == "cpu":
            with torch._C.DisableTorchFunctionSubclass():
                copy = args[0].detach().clone()
                return copy if name == "cpu" else copy.to(*args[1:], **kwargs)
        return super().__torch_function__(func, types, args, kwargs)


@contextlib.contextmanager
def saving_from_gpu():
    """Within this block torch.save records the storages of OnGpu tensors as cuda:0."""
    from torch import serialization

    def tag(storage):
        return "cuda:0" if storage.data_ptr() in _GPU_STORAGES else None

    _GPU_STORAGES.clear()
    serialization.register_package(-101, tag, lambda obj, location: None)
    try:
        yield
    finally:
        serialization._package_registry[:] = [
            p for p in serialization._package_registry if p[1] is not tag
        ]
        _GPU_STORAGES.clear()


class GpuStandIn(nn.Sequential):
    """A model that plays one on cuda:0: its state_dict() holds OnGpu tensors.

    Moving it to the CPU (model.cpu(), model.to("cpu")) is noted, and from then on it is an
    ordinary CPU model.
    """

    def __init__(self, *layers: nn.Module) -> None:
        super().__init__(*layers)
        self.on_gpu, self.moved_to_cpu = True, False

    def state_dict(self, *args, **kwargs):
        state = super().state_dict(*args, **kwargs)
        if self.on_gpu:
            for name, tensor in state.items():
                state[name] = tensor.as_subclass(OnGpu)
        return state

    def _leave_gpu(self) -> None:
        if self.on_gpu:
            self.on_gpu, self.moved_to_cpu = False, True

    def cpu(self):
        self._leave_gpu()
        return self

    def cuda(self, device=None):
        return self

    def to(self, *args, **kwargs):
        device, dtype, _, _ = torch._C._nn._parse_to(*args, **kwargs)
        if device is not None and device.type == "cpu":
            self._leave_gpu()
        return super().to(dtype) if dtype is not None else self


def saved_locations(path: Path) -> list[str]:
    """The device each tensor storage in a torch.save file was recorded on ('cpu', 'cuda:0')."""
    seen: list[str] = []

    def record(storage, location):
        seen.append(location)
        return storage

    try:
        torch.load(path, map_location=record, weights_only=True)
    except Exception:  # noqa: BLE001 - not a plain state_dict: the round-trip check says what it is
        seen.clear()
        torch.load(path, map_location=record, weights_only=False)
    return seen

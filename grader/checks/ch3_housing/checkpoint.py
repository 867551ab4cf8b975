"""Checks for exercises/ch3_housing/checkpoint.py (manual P12, G3)."""

from collections.abc import Mapping

import numpy as np
import torch
from torch import nn

from grader.toolkit.devices import save_as_if_on_cuda
from grader.toolkit.expect import Slip, describe, expect_close, fail

N_FEATURES = 8
BATCH = 16
# The same weights and the same operations on the same device: outputs must match exactly.
EXACT = {"rtol": 0.0, "atol": 0.0}

SLIPS = (
    # model = make_model (no call): load_state_dict is then called on the class, without self.
    Slip(
        error=TypeError,
        says=r"load_state_dict\(\) missing 1 required positional argument: 'state_dict'",
        # An argument was given, so the one missing is self: the call was on the class.
        code=r"load_state_dict\(\s*[^)\s]",
        explanation="load_state_dict was called on the class itself, not on a model: "
        "model = make_model stores the class (or factory) without calling it. Build the model "
        "with model = make_model(), then load the weights into it.",
        topic="P12",
    ),
    # model.load_state_dict(path): the file name where the weights should be.
    Slip(
        error=TypeError,
        says=r"Expected state_dict to be dict-like, got <class '(pathlib\.\w*Path|str)'>",
        code=r"load_state_dict",
        explanation="load_state_dict takes the weights, not a file name: read the file first "
        'with torch.load(path, map_location="cpu") and pass what it returns, '
        'model.load_state_dict(torch.load(path, map_location="cpu")).',
        topic="P12",
    ),
    # torch.load(path) without map_location, on a checkpoint written on a GPU.
    Slip(
        error=RuntimeError,
        says=r"deserialize object on a CUDA device",
        code=r"torch\.load\((?!.*map_location)",
        explanation="The checkpoint was saved from a GPU, so its tensors are tagged cuda:0, and "
        "on a machine without CUDA torch.load cannot put them there. Pass "
        'map_location="cpu": torch.load(path, map_location="cpu").',
        topic="P12, G3",
    ),
)


class ManualMLP(nn.Module):
    """The manual's 8 -> 100 -> 100 -> 1 MLP, so that this exercise does not depend on yours."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(8, 100), nn.Linear(100, 100), nn.Linear(100, 1)

    def forward(self, x):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


def pickled_object(path):
    """What a file that weights_only=True refuses holds, or None if even a full load fails.

    A full unpickling runs code from the file, but this file was written by the code being
    graded, in this very process: it can do nothing that code could not already do.
    """
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except Exception:  # noqa: BLE001 - classes that cannot be found again, a broken file
        return None


def expect_state_dict_file(path, model: nn.Module) -> None:
    """The file at `path` must hold model.state_dict() itself: names mapped to tensors."""
    what = f"{path.name} to hold the model's state_dict (its weights by name)"
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - a pickled module, or no file at all
        if not path.exists():
            fail(what, "no file was written", "Call torch.save(model.state_dict(), path).", "P12")
        pickled = pickled_object(path)
        if isinstance(pickled, nn.Module):
            next_step = (
                "That is the whole model object, pickled: torch.save(model, path). Loading it "
                "needs the exact class code and breaks when the code moves. Save the weights "
                "only: torch.save(model.state_dict(), path)."
            )
        elif callable(pickled) and getattr(pickled, "__name__", "") == "state_dict":
            next_step = (
                "That is the method model.state_dict itself, saved without calling it (and the "
                "whole model object with it). Call it: torch.save(model.state_dict(), path)."
            )
        else:
            next_step = (
                f"The file holds {describe(pickled) if pickled is not None else 'Python objects'}, "
                "not a dict of tensors. Save the weights only: torch.save(model.state_dict(), path)."
            )
        fail(
            what,
            f"a file that only loads with its Python classes ({type(exc).__name__})",
            next_step,
            "P12",
        )
    want = model.state_dict()
    if not isinstance(saved, Mapping) or set(saved) != set(want):
        keys = sorted(saved)[:5] if isinstance(saved, Mapping) else None
        fail(
            f"{what}, with the keys {sorted(want)}",
            f"{describe(saved)}" + (f" with keys {keys}" if keys is not None else ""),
            "Save model.state_dict() directly, not wrapped in another dict.",
            "P12",
        )
    for name, value in want.items():
        if not torch.equal(saved[name].cpu(), value.detach().cpu()):
            fail(
                what,
                f"different values for {name}",
                "Save model.state_dict() of the model you were given.",
                "P12",
            )


def expect_loaded(loaded, model: nn.Module, rng: np.random.Generator, device) -> None:
    """`loaded` must be a model that reproduces model's outputs exactly."""
    what = "load_checkpoint(ManualMLP, path)"
    if isinstance(loaded, tuple) and hasattr(loaded, "missing_keys"):
        fail(
            f"{what} to return the model",
            "the result of load_state_dict()",
            "model.load_state_dict(...) loads in place and returns only the lists of missing "
            "and unexpected keys. Call it, then return the model itself.",
            "P12",
        )
    if isinstance(loaded, Mapping):
        fail(
            f"{what} to return the model",
            f"the state_dict itself (a {type(loaded).__name__})",
            "You returned the state_dict, what torch.load gives back, instead of a model. Load it "
            "into a fresh model and return that model: model = make_model(); "
            "model.load_state_dict(torch.load(path, map_location='cpu')); return model.",
            "P12",
        )
    if not isinstance(loaded, nn.Module):
        fail(
            f"{what} to return the model",
            describe(loaded),
            "Return the model you loaded the weights into.",
            "P12",
        )
    devices = {p.device.type for p in loaded.parameters()}
    if devices != {"cpu"}:
        fail(
            f"{what} to give a model on the CPU",
            f"parameters on {sorted(devices)}",
            "Build the fresh model with make_model() (it is on the CPU) and load the weights "
            "into it with map_location='cpu'.",
            "P12, G3",
        )
    x = torch.from_numpy(rng.normal(size=(BATCH, N_FEATURES)).astype(np.float32)).to(device)
    loaded = loaded.to(device).eval()
    with torch.no_grad():
        got, want = loaded(x), model.eval()(x)
    if not torch.allclose(got, want, atol=1e-3):
        fail(
            f"the loaded model's outputs to equal the saved model's for a ({BATCH}, {N_FEATURES}) batch",
            "different outputs: the model does not hold the saved weights",
            "A fresh make_model() has random weights. Load the saved ones into it: "
            "model.load_state_dict(torch.load(path, map_location='cpu')), then return that model.",
            "P12",
        )
    expect_close(got, want, what="the loaded model's outputs", topic="P12", **EXACT)


def trained_like_model(device) -> nn.Module:
    """A model whose weights no fresh instance has: random init, then shifted."""
    model = ManualMLP()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.01)
    return model.to(device)


def test_file_holds_a_state_dict(learner, tmp_path, device):
    """Check that save_checkpoint writes the model's state_dict, not the pickled model object."""
    model = trained_like_model(device)
    path = tmp_path / "best.pt"
    learner.save_checkpoint(model, path)
    expect_state_dict_file(path, model)


def test_round_trip_reproduces_the_outputs(learner, rng, tmp_path, device):
    """Check that save_checkpoint then load_checkpoint gives a fresh model with identical outputs."""
    model = trained_like_model(device)
    path = tmp_path / "best.pt"
    # The docstrings promise str | Path; the other checks pass a Path, this one a str.
    learner.save_checkpoint(model, str(path))
    expect_state_dict_file(path, model)
    expect_loaded(learner.load_checkpoint(ManualMLP, str(path)), model, rng, device)


def test_loads_a_state_dict_saved_with_torch_save(learner, rng, tmp_path, device):
    """Check that load_checkpoint loads a file written by torch.save(model.state_dict(), path)."""
    model = trained_like_model(device)
    path = tmp_path / "best.pt"
    torch.save(model.state_dict(), path)  # saved on the device, as a training run on a GPU would
    expect_loaded(learner.load_checkpoint(ManualMLP, path), model, rng, device)


def test_loads_a_gpu_checkpoint_on_the_cpu(learner, rng, tmp_path):
    """Check that load_checkpoint loads weights saved on a GPU into a CPU model (map_location)."""
    model = trained_like_model("cpu")
    path = tmp_path / "best.pt"
    # Written as torch.save writes tensors that live on cuda:0, so that loading it without
    # map_location fails here exactly as a real GPU checkpoint does on a machine without CUDA.
    save_as_if_on_cuda(model.state_dict(), path)
    expect_loaded(learner.load_checkpoint(ManualMLP, path), model, rng, "cpu")

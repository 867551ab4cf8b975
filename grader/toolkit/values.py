"""Learner values as the checks see them: as a NumPy array for comparing, and in words."""

from __future__ import annotations

from typing import Any

import numpy as np

# What a framework's value is called in a message, by the top-level package of its type.
KINDS = {"numpy": "numpy array", "torch": "torch tensor", "tensorflow": "TensorFlow tensor"}

# A method bound to an object, handed over where its result was meant (`model.state_dict`).
METHOD_ITSELF = "the method {name} itself, not its result"


def to_numpy(value: Any) -> np.ndarray:
    """Turns torch/TF tensors, numpy arrays, lists and scalars into a numpy array for comparing."""
    if hasattr(value, "detach"):  # torch.Tensor, possibly on a GPU or requiring grad
        return value.detach().cpu().numpy()
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # tf.Tensor / tf.Variable
        return np.asarray(value.numpy())
    return np.asarray(value)


def describe(value: Any) -> str:
    """A short learner-readable description: type, shape and dtype (a container's items too)."""
    if value is None:
        return "None"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        kind = KINDS.get(type(value).__module__.split(".")[0], type(value).__name__)
        dtype = (
            getattr(value.dtype, "name", value.dtype)
            if kind == "TensorFlow tensor"
            else value.dtype
        )
        return f"a {kind} of shape {tuple(value.shape)} and dtype {dtype}"
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return f"the number {value!r}"
    if bound_method_name(value):
        return METHOD_ITSELF.format(name=bound_method_name(value))
    name = type(value).__name__
    if isinstance(value, (list, tuple)) and value:
        items = {_item_kind(v) for v in value}
        if len(items) == 1:
            return f"a {name} of {len(value)} {items.pop()}"
        return f"a {name} of {len(value)} items"
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def bound_method_name(value: Any) -> str | None:
    """The name of a method bound to an object (not to a module), else None."""
    owner = getattr(value, "__self__", None)
    name = getattr(value, "__name__", None)
    if owner is None or type(owner).__name__ == "module" or not isinstance(name, str):
        return None
    if type(value).__name__ not in ("method", "builtin_function_or_method"):
        return None
    return name


def _item_kind(value: Any) -> str:
    """What one item of a list is, in the plural: "torch tensors of shape (3,)", "floats"."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        kind = KINDS.get(type(value).__module__.split(".")[0], type(value).__name__)
        return f"{kind}s of shape {tuple(value.shape)}"
    return f"{type(value).__name__}s"

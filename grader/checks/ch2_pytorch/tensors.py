"""Checks for exercises/ch2_pytorch/tensors.py (manual P1)."""

import re

import numpy as np
import torch

from grader.toolkit.expect import Slip, describe, expect_close, expect_dtype, fail
from grader.toolkit.learner_code import code_lines

# Small integers and float32 values convert exactly, so any difference at all is a real mistake.
EXACT = {"rtol": 0.0, "atol": 0.0}

IMAGE_SHAPE = (3, 5, 7)  # (C, H, W) with three different sizes, so a misplaced axis shows
# Shapes that a misplaced new axis produces, with the slip behind each.
WRONG_BATCH_SHAPES = {
    (3, 5, 7, 1): "The new axis went last (unsqueeze(-1) or unsqueeze(3)). The batch axis comes "
    "first in PyTorch's (B, C, H, W): use unsqueeze(0).",
    (3, 1, 5, 7): "The new axis went second (unsqueeze(1) or image[:, None]). The batch axis comes "
    "first: use unsqueeze(0).",
    (1, 5, 7, 3): "That is TensorFlow's (B, H, W, C) layout. PyTorch keeps channels before height "
    "and width: (B, C, H, W). Add the axis with unsqueeze(0) and do not move the others.",
}


# Exceptions that typical slips raise inside the exercise; each is named only when the line that
# raised has the slip (the `code` pattern).
SLIPS = (
    Slip(
        error=RuntimeError,
        says=r"cannot be converted to Scalar",
        code=r"\.item\(\s*\)",
        explanation="t.item() turns a tensor of one element into a Python number; a tensor of "
        "any other size has no single number to give. For an array of any shape, detach and "
        "convert: t.detach().numpy().",
        topic="P1",
    ),
)


def _numpy_dtype_step(learner, got_dtype) -> str:
    """Why to_numpy's dtype changed, named from the learner's code when it shows the cause."""
    code = "\n".join(code_lines(learner.to_numpy))
    if "tolist" in code:
        return (
            "Going through Python lists (np.array(t.tolist())) turns float32 into float64, "
            "Python's float. .numpy() keeps the dtype."
        )
    if re.search(r"astype|float64|np\.double|dtype\s*=", code):
        return (
            f"Your code converts the array to another dtype ({got_dtype}). .numpy() already gives "
            "the tensor's own dtype, so float32 stays float32: leave out the conversion."
        )
    return "The array must keep the tensor's dtype: t.detach().numpy() does."


# The input is a list of Python ints, so float64 has several sources (dtype=float is float64,
# as is a NumPy float array passed through); the step names them all and asserts none.
FLOAT64_STEP = (
    "float64 is double precision: dtype=float and dtype=torch.float64 ask for it (a Python float "
    "is 64-bit), and so does a NumPy float array, whose default is float64. PyTorch models use "
    "float32: pass dtype=torch.float32 to torch.tensor."
)


def test_as_float_tensor_gives_float32(learner, reference, rng):
    """Check that as_float_tensor turns integer lists (the manual's and random ones) into float32."""
    cases = [
        ([[1, 2], [3, 4]], "as_float_tensor([[1, 2], [3, 4]])"),
        (rng.integers(-9, 10, size=(2, 3, 4)).tolist(), "as_float_tensor of a (2, 3, 4) int list"),
    ]
    for values, what in cases:
        got = learner.as_float_tensor(values)
        if not isinstance(got, torch.Tensor):
            fail(
                f"{what} to be a torch tensor",
                describe(got),
                "Build it with torch.tensor(values, dtype=torch.float32).",
                "P1",
            )
        if got.dtype == torch.int64:
            fail(
                f"{what} to have dtype torch.float32",
                describe(got),
                "torch.tensor keeps integer literals as int64, and a model's float32 weights "
                "cannot take int64 input. Pass dtype=torch.float32 (or call .float()).",
                "P1",
            )
        expect_dtype(
            got,
            torch.float32,
            what,
            FLOAT64_STEP,
            "P1",
        )
        expect_close(got, reference.as_float_tensor(values), what=what, topic="P1", **EXACT)


def test_add_batch_dim_puts_batch_first(learner, rng):
    """Check that add_batch_dim turns a (C, H, W) image into (1, C, H, W) without changing it."""
    image = torch.from_numpy(rng.normal(size=IMAGE_SHAPE).astype(np.float32))
    original = image.clone()
    what = f"add_batch_dim(image) for an image of shape {IMAGE_SHAPE}"
    got = learner.add_batch_dim(image)
    if tuple(image.shape) != IMAGE_SHAPE:
        fail(
            f"the caller's image to keep its shape {IMAGE_SHAPE}",
            f"an image that now has shape {tuple(image.shape)}",
            "unsqueeze_ (with the underscore) changes the caller's tensor in place. Use "
            "unsqueeze(0), which returns a new view and leaves the image alone.",
            "P1",
        )
    if not isinstance(got, torch.Tensor):
        fail(
            f"{what} to be a torch tensor",
            describe(got),
            "Return image.unsqueeze(0).",
            "P1",
        )
    want_shape = (1, *IMAGE_SHAPE)
    if tuple(got.shape) != want_shape:
        fail(
            f"{what} to have shape {want_shape}",
            f"shape {tuple(got.shape)}",
            WRONG_BATCH_SHAPES.get(
                tuple(got.shape), "Add exactly one axis of size 1, in front: unsqueeze(0)."
            ),
            "P1",
        )
    expect_dtype(got, image.dtype, what, "Adding an axis must not change the dtype.", "P1")
    expect_close(got[0], original, what=f"{what}[0]", topic="P1", **EXACT)
    # "Any dtype": an image straight from a file is uint8, and must stay uint8.
    pixels = torch.from_numpy(rng.integers(0, 256, size=IMAGE_SHAPE, dtype=np.uint8))
    got = learner.add_batch_dim(pixels)
    what = f"add_batch_dim(image) for a uint8 image of shape {IMAGE_SHAPE}"
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != want_shape:
        fail(
            f"{what} to have shape {want_shape}", describe(got), "Return image.unsqueeze(0).", "P1"
        )
    expect_dtype(
        got,
        torch.uint8,
        what,
        "Adding an axis must not change the dtype: leave out any .float() or .to(...); "
        "unsqueeze(0) keeps uint8.",
        "P1",
    )
    expect_close(got[0], pixels, what=f"{what}[0]", topic="P1", **EXACT)


def test_to_numpy_returns_an_ndarray(learner, rng):
    """Check that to_numpy returns an np.ndarray with the tensor's shape, dtype and values."""
    tensors = [
        torch.from_numpy(rng.normal(size=(2, 3)).astype(np.float32)),
        torch.tensor(rng.integers(-5, 5, size=4).tolist()),  # int64
    ]
    for t in tensors:
        what = f"to_numpy of a {t.dtype} tensor of shape {tuple(t.shape)}"
        got = learner.to_numpy(t)
        if isinstance(got, torch.Tensor):
            fail(
                f"{what} to be an np.ndarray",
                describe(got),
                "detach() alone still gives a tensor; finish with .numpy().",
                "P1",
            )
        if not isinstance(got, np.ndarray):
            fail(
                f"{what} to be an np.ndarray",
                describe(got),
                "tolist() and item() give Python objects; .numpy() gives the array.",
                "P1",
            )
        want_dtype = t.numpy().dtype
        if got.dtype != want_dtype:
            fail(
                f"{what} to have dtype {want_dtype}",
                describe(got),
                _numpy_dtype_step(learner, got.dtype),
                "P1",
            )
        expect_close(got, t.numpy(), what=what, topic="P1", **EXACT)


def test_to_numpy_works_when_tensor_requires_grad(learner, rng):
    """Check that to_numpy converts a tensor that is part of an autograd graph."""
    weights = torch.tensor(rng.normal(size=(2, 3)).tolist(), requires_grad=True)
    output = weights * 2  # like a model's output: it requires grad and has a grad_fn
    what = "to_numpy(output) for a (2, 3) float32 tensor with requires_grad=True"
    try:
        got = learner.to_numpy(output)
    except RuntimeError as exc:
        if "requires grad" not in str(exc):
            raise
        fail(
            f"{what} to return an np.ndarray",
            f"RuntimeError: {str(exc).rstrip('.')}",
            ".numpy() refuses a tensor that requires grad, because the array could not carry "
            "the autograd graph. Call .detach() first: t.detach().numpy().",
            "P1",
        )
    if not isinstance(got, np.ndarray):
        fail(f"{what} to be an np.ndarray", describe(got), "Return t.detach().numpy().", "P1")
    expect_close(got, output.detach().numpy(), what=what, topic="P1", **EXACT)

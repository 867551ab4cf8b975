"""Checks for exercises/ch6_tensorflow/tf_variables.py (manual F1, T6, E11)."""

import re

import numpy as np
import pytest

from grader.toolkit.expect import Mistake, Slip, describe, expect_close, fail, to_numpy
from grader.toolkit.tf_source import code_only, source

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

SLIPS = (
    Slip(
        error=ValueError,
        says=r"Tensor conversion requested dtype \w+ for Tensor with dtype",
        code=r"convert_to_tensor\(.*dtype",
        explanation="tf.convert_to_tensor(tensor, dtype=...) does not cast a tensor that already "
        "has another dtype, it raises. And add_batch_axis must keep the image's dtype anyway: "
        "leave the dtype out and return tf.expand_dims(image, axis=0).",
        topic="F1",
    ),
)

# Small integers and float32 values convert exactly, so any difference at all is a real mistake.
EXACT = {"rtol": 0.0, "atol": 0.0}

# F1's default-dtype rule, quoted in the messages.
DTYPE_RULE = (
    "TF's defaults are int32 for integer literals and float32 as soon as one float is present, "
    "where torch gives int64 (E11). Create tf.Variable(values) without a dtype."
)

IMAGE_SHAPE = (5, 7, 3)  # (H, W, C) with three different sizes, so a misplaced axis shows
# Shapes that a misplaced new axis produces, with the slip behind each.
WRONG_BATCH_SHAPES = {
    (5, 7, 3, 1): "The new axis went last (axis=-1 or axis=3). The batch axis comes first in "
    "TF's (B, H, W, C): tf.expand_dims(image, axis=0).",
    (5, 1, 7, 3): "The new axis went second (axis=1). The batch axis comes first: "
    "tf.expand_dims(image, axis=0).",
    (1, 3, 5, 7): "That is PyTorch's (B, C, H, W) layout. TF keeps channels last: add the axis "
    "with tf.expand_dims(image, axis=0) and do not move the others.",
}

NCHW_SHAPE = (2, 3, 4, 5)  # (B, C, H, W), all sizes different so every wrong perm shows
WRONG_LAYOUTS = {
    (0, 3, 1, 2): "perm=[0, 3, 1, 2] is the way back (NHWC to NCHW). perm lists, for each "
    "output axis, the input axis it takes: (B, H, W, C) takes axes 0, 2, 3, 1, so "
    "perm=[0, 2, 3, 1].",
    (0, 3, 2, 1): "Height and width are swapped: perm=[0, 3, 2, 1] puts W before H. Use "
    "perm=[0, 2, 3, 1].",
    (0, 1, 3, 2): "Only H and W were swapped; the channels are still second. Use "
    "perm=[0, 2, 3, 1].",
}


def unpack_variable(got, what: str):
    """The 4-tuple from make_variable, with a targeted failure for the wrong kind of result."""
    if not (isinstance(got, tuple) and len(got) == 4):
        fail(
            f"{what} to return a tuple (variable, shape, dtype, array)",
            describe(got),
            "Return variable, tuple(variable.shape), variable.dtype and variable.numpy(), in "
            "that order.",
            "F1",
        )
    return got


def test_make_variable_keeps_tf_default_dtypes(learner, reference, rng):
    """Check that make_variable gives int32 for integer lists and float32 for float lists."""
    cases = [
        [[1, 2], [3, 4]],
        rng.integers(-9, 10, size=(2, 3, 4)).tolist(),
        [[1.5, 2.0], [3.0, -4.25]],
        [[1, 2.5], [3, 4]],
    ]
    for values in cases:
        what = (
            f"make_variable({values})"
            if len(str(values)) < 40
            else "make_variable of a (2, 3, 4) int list"
        )
        variable, _, _, _ = unpack_variable(learner.make_variable(values), what)
        want = reference.make_variable(values)[0]
        if not isinstance(variable, tf.Variable):
            fail(
                f"{what}[0] to be a tf.Variable",
                describe(variable),
                "F1 is about tf.Variable, the mutable tensor that holds weights; tf.constant and "
                "tf.convert_to_tensor make immutable tensors. Create it with tf.Variable(values).",
                "F1",
            )
        if variable.dtype == want.dtype:
            continue
        code = code_only(source(learner.make_variable))
        through_numpy = re.search(r"\bnp\.(array|asarray)\(|\bnumpy\.(array|asarray)\(", code)
        if variable.dtype in (tf.int64, tf.float64) and through_numpy:
            next_step = (
                f"You built the variable from {through_numpy.group(0)}values): NumPy makes "
                "integer lists int64 and float lists float64, and TF keeps the array's dtype. "
                + DTYPE_RULE
            )
        elif want.dtype == tf.int32 and variable.dtype == tf.int64:
            next_step = (
                "int64 is torch's default for integer literals, and NumPy's, not TF's. "
                + DTYPE_RULE
            )
        elif want.dtype == tf.float32 and variable.dtype == tf.float64:
            next_step = "float64 is NumPy's default float, not TF's. " + DTYPE_RULE
        else:
            next_step = f"You chose the dtype yourself. {DTYPE_RULE}"
        fail(f"{what}[0] to have dtype {want.dtype.name}", describe(variable), next_step, "F1, E11")


SHAPE_LIST_STEP = (
    "The docstring asks for a tuple of ints, and a list never equals a tuple in Python "
    "([2, 2] == (2, 2) is False). Return tuple(variable.shape) instead of "
    "variable.shape.as_list()."
)


def test_make_variable_reports_shape_dtype_and_numpy(learner, reference, rng):
    """Check that make_variable returns the variable's shape tuple, tf.DType and NumPy values."""
    for values in ([[1, 2], [3, 4]], rng.normal(size=(3, 2)).astype(np.float32).tolist()):
        what = f"make_variable of a {np.shape(values)} {'int' if isinstance(values[0][0], int) else 'float'} list"
        _, shape, dtype, array = unpack_variable(learner.make_variable(values), what)
        _, want_shape, want_dtype, want_array = reference.make_variable(values)
        try:
            shape_ints = tuple(int(size) for size in shape)
        except (TypeError, ValueError):
            shape_ints = None
        if shape_ints != want_shape:
            fail(
                f"{what}[1] (the shape) to be {want_shape}",
                repr(shape),
                "Read variable.shape and turn it into a tuple: tuple(variable.shape).",
                "F1",
            )
        if isinstance(shape, list):
            # A TensorShape compares equal to the tuple, a list never does: [2, 2] != (2, 2).
            fail(
                f"{what}[1] (the shape) to be the tuple {want_shape}",
                f"the list {shape!r}",
                SHAPE_LIST_STEP,
                "F1",
            )
        if isinstance(dtype, tf.DType) and dtype != want_dtype:
            fail(
                f"{what}[2] (the dtype) to be tf.{want_dtype.name}",
                repr(dtype),
                f"The variable itself is {dtype.name}: create it with tf.Variable(values) and no "
                f"dtype, so that TF picks its default, {want_dtype.name} here (E11).",
                "F1, E11",
            )
        if not isinstance(dtype, tf.DType):
            fail(
                f"{what}[2] (the dtype) to be tf.{want_dtype.name}",
                repr(dtype),
                "Return variable.dtype itself, a tf.DType, not its name or the NumPy array's dtype.",
                "F1",
            )
        if not isinstance(array, np.ndarray):
            fail(
                f"{what}[3] to be an np.ndarray",
                describe(array),
                "variable.numpy() turns the variable's current value into a NumPy array.",
                "F1",
            )
        if array.dtype != want_array.dtype:
            numpy_default = np.asarray(values).dtype
            fail(
                f"{what}[3] to have dtype {want_array.dtype}, the variable's",
                describe(array),
                f"{array.dtype} is NumPy's own dtype for these lists (np.array(values) gives "
                f"{numpy_default}), not the variable's. Return variable.numpy(): it keeps the "
                "variable's dtype."
                if array.dtype == numpy_default
                else "variable.numpy() keeps the variable's dtype; converting to another dtype "
                "changes it.",
                "F1",
            )
        expect_close(array, want_array, what=f"{what}[3]", topic="F1", **EXACT)


def test_add_batch_axis_puts_batch_first(learner, rng):
    """Check that add_batch_axis turns an (H, W, C) image into (1, H, W, C) unchanged."""
    for image in (
        tf.constant(rng.normal(size=IMAGE_SHAPE).astype(np.float32)),
        tf.constant(rng.integers(0, 256, size=IMAGE_SHAPE).astype(np.uint8)),
    ):
        what = f"add_batch_axis(image) for a {image.dtype.name} image of shape {IMAGE_SHAPE}"
        got = learner.add_batch_axis(image)
        if not hasattr(got, "shape") or not hasattr(got, "dtype"):
            fail(
                f"{what} to be a tf.Tensor",
                describe(got),
                "Return tf.expand_dims(image, axis=0).",
                "F1",
            )
        want_shape = (1, *IMAGE_SHAPE)
        if tuple(got.shape) != want_shape:
            fail(
                f"{what} to have shape {want_shape}",
                f"shape {tuple(got.shape)}",
                WRONG_BATCH_SHAPES.get(
                    tuple(got.shape),
                    "Add exactly one axis of size 1, in front: tf.expand_dims(image, axis=0).",
                ),
                "F1, T6",
            )
        if to_numpy(got).dtype != image.dtype.as_numpy_dtype:
            fail(
                f"{what} to have dtype {image.dtype.name}",
                describe(got),
                "Adding an axis must not change the dtype.",
                "F1",
            )
        expect_close(to_numpy(got)[0], image.numpy(), what=f"{what}[0]", topic="F1", **EXACT)


def test_nchw_to_nhwc_moves_channels_last(learner, reference, rng):
    """Check that nchw_to_nhwc gives result[b, h, w, c] == batch[b, c, h, w], as a tf.Tensor."""
    # float32 as a torch batch comes, then float64 (NumPy's default): the dtype must survive.
    for dtype in (np.float32, np.float64):
        expect_nhwc(learner, reference, rng.normal(size=NCHW_SHAPE).astype(dtype))


def expect_nhwc(learner, reference, batch: np.ndarray) -> None:
    what = f"nchw_to_nhwc(batch) for a {batch.dtype} batch of shape {NCHW_SHAPE} (B, C, H, W)"
    got = learner.nchw_to_nhwc(batch)
    want = to_numpy(reference.nchw_to_nhwc(batch))
    if isinstance(got, np.ndarray):
        fail(
            f"{what} to be a tf.Tensor",
            describe(got),
            "NumPy functions (np.transpose, np.moveaxis) return a numpy array, and TF code after "
            "this expects a tf.Tensor. Transpose with TF: tf.transpose(batch, perm=[0, 2, 3, 1]).",
            "E11",
        )
    if not isinstance(got, tf.Tensor):
        fail(
            f"{what} to be a tf.Tensor",
            describe(got),
            "Return tf.transpose(batch, perm=[0, 2, 3, 1]).",
            "E11",
        )
    got_shape = tuple(got.shape)
    if got_shape != want.shape:
        wrong = {
            np.transpose(batch, perm).shape: message for perm, message in WRONG_LAYOUTS.items()
        }
        fail(
            f"{what} to have shape {want.shape} (B, H, W, C)",
            f"shape {got_shape}",
            wrong.get(
                got_shape,
                "Move the channel axis (axis 1) to the end: tf.transpose(batch, perm=[0, 2, 3, 1]).",
            ),
            "E11, T6",
        )
    if to_numpy(got).dtype != batch.dtype:
        fail(
            f"{what} to have dtype {batch.dtype}",
            describe(got),
            f"Moving axes must not change the dtype: the batch came in as {batch.dtype}. Leave "
            "the dtype out (no dtype= in tf.constant or tf.convert_to_tensor, no tf.cast).",
            "E11",
        )
    expect_close(
        got,
        want,
        what=what,
        topic="E11, T6",
        **EXACT,
        mistakes=(
            Mistake(
                batch.reshape(want.shape),
                "The shape is right but the pixels are scrambled: reshape keeps the memory order "
                "and only relabels the sizes. tf.transpose(batch, perm=[0, 2, 3, 1]) moves the axes.",
            ),
        ),
    )

"""Checks for exercises/ch1_theory/convolution.py (manual T4, T6, E12)."""

import re

import numpy as np
import torch
import torch.nn.functional as F

from grader.toolkit.expect import Mistake, Slip, expect_close, expect_dtype, fail
from grader.toolkit.learner_code import code_lines, first_line_matching

# float64 sums of at most C_in * K * K = 27 products of O(1) numbers: only rounding order differs
# from torch, about 1e-15 relative; 1e-9 leaves ample room and still catches any real slip.
RTOL, ATOL = 1e-9, 1e-9

# float32 inputs: torch's float32 conv and the learner's differ by rounding order only, about
# 1e-7 relative per product; sums of 27 products of O(1) numbers stay far below 1e-4.
RTOL32, ATOL32 = 1e-4, 1e-5

# (padding, stride) pairs where one-sided padding and an ignored stride each change the output.
PADDING_STRIDE_CASES = [(1, 1), (1, 2), (2, 3), (0, 2)]

# Exceptions that typical slips raise inside conv2d and max_pool2d; each is named only when the
# line that raised has the slip (the `code` pattern).
SLIPS = (
    Slip(
        error=ValueError,
        says=r"truth value of an array",
        code=r"(?<![\w.])max\(",
        explanation="Python's built-in max() walks along the window's first axis and compares "
        "whole sub-arrays, which NumPy refuses. Use the array's own max over the window axes: "
        "window.max(axis=(2, 3)), which keeps one value per sample and channel.",
        topic="T4",
    ),
    Slip(
        error=ValueError,
        says=r"could not broadcast input array from shape",
        code=r"max\(.*axis\s*=\s*\(?\s*[01]\b",
        explanation="This max reduces over axis 0 or 1 (the batch or the channels), so its "
        "result does not fit out[:, :, i, j], which holds one value per sample and channel. "
        "Reduce over the window's own axes: window.max(axis=(2, 3)).",
        topic="T4",
    ),
    Slip(
        error=ValueError,
        says=r"shape-mismatch for sum",
        code=r"tensordot\(.*axes\s*=\s*3\b",
        explanation="np.tensordot(..., axes=3) pairs the last three axes of the window "
        "(C_in, K, K) with the first three of the weight (C_out, C_in, K). Name the axes to "
        "sum on each side: np.tensordot(window, weight, axes=([1, 2, 3], [1, 2, 3])).",
        topic="T4",
    ),
    Slip(
        error=ValueError,
        says=r"requested shape \(4,\s*2\)",
        code=r"np\.pad\(",
        explanation="np.pad takes one (before, after) pair per axis of x, four for "
        "(batch, C, H, W). Pad only H and W: "
        "np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding))).",
        topic="T4",
    ),
)

# np.pad(x, padding), np.pad(x, (padding, padding)) and np.pad(x, [(padding, padding)] * 4) pad
# every axis, batch and channels too.
PAD_EVERY_AXIS = (
    r"np\.pad\(\s*x\s*,\s*(?:padding|\(\s*padding\s*,\s*padding\s*\)"
    r"|\[\s*\(\s*padding\s*,\s*padding\s*\)\s*\]\s*\*\s*4)\s*[,)]"
)
# An output size that adds 2P to the padded array's shape[2] or shape[3] ({name}: the array that
# np.pad's result was assigned to).
SIZE_WITH_2P = (
    r"\b{name}\.shape\[\s*[23]\s*\].*2\s*\*\s*padding"
    r"|2\s*\*\s*padding.*\b{name}\.shape\[\s*[23]\s*\]"
)


# A slice whose end is start + K - 1: one row short, since a slice's end is exclusive.
WINDOW_ONE_SHORT_STEP = (
    "Your window slice ends one short: `{line}`. A slice's end is exclusive, so "
    "start : start + K - 1 holds K - 1 rows, and the window no longer matches the K x K kernel. "
    "End it at start + K: x[:, :, i * stride : i * stride + K, ...]."
)
WINDOW_ONE_SHORT = r":\s*[\w*\s]+\+\s*(?:kernel\w*|k\w*|K\w*)\s*-\s*1\s*[,\]]"


def _conv(learner, x, weight, bias=None, padding=0, stride=1):
    """learner.conv2d, with the padding slips that make it raise later on named from its code."""
    try:
        return learner.conv2d(x, weight, bias, padding=padding, stride=stride)
    except ValueError as exc:
        why = None
        pad_line = first_line_matching(learner.conv2d, r"np\.pad\(")
        if padding and first_line_matching(learner.conv2d, PAD_EVERY_AXIS) is not None:
            why = (
                "Your np.pad call pads every axis of x, the batch and channel axes too, so each "
                "window has batch + 2P samples and C_in + 2P channels and no longer matches the "
                "weight. Pad only H and W: "
                "np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))."
            )
        elif padding and pad_line is not None:
            lines = code_lines(learner.conv2d)
            padded = re.match(r"(\w+)\s*=\s*np\.pad\(", lines[pad_line])
            size_with_2p = padded and next(
                (
                    line
                    for line in lines[pad_line + 1 :]
                    if re.search(SIZE_WITH_2P.format(name=re.escape(padded.group(1))), line)
                ),
                None,
            )
            if size_with_2p:
                why = (
                    f"The padding is counted twice: after np.pad, {padded.group(1)}.shape[2] "
                    "already holds I + 2P, and your output size adds 2P again "
                    f"({size_with_2p}). The last windows then run off the edge and come out "
                    "smaller than K x K. After padding, the size is "
                    f"({padded.group(1)}.shape[2] - K) // stride + 1."
                )
        window_line = first_line_matching(learner.conv2d, WINDOW_ONE_SHORT)
        if why is None and window_line is not None and "broadcast" in str(exc):
            why = WINDOW_ONE_SHORT_STEP.format(line=code_lines(learner.conv2d)[window_line])
        if why is None:
            raise
        fail(
            f"conv2d(x, weight, bias, padding={padding}, stride={stride}) to run",
            "ValueError: " + " ".join(str(exc).split())[:200],
            why,
            "T4",
        )


def _torch_conv(x, weight, bias=None, padding=0, stride=1):
    bias = None if bias is None else torch.from_numpy(bias)
    out = F.conv2d(
        torch.from_numpy(x), torch.from_numpy(weight), bias, stride=stride, padding=padding
    )
    return out.numpy()


def _size(size, kernel, padding, stride, sides=2):
    return (size - kernel + sides * padding) // stride + 1


NO_PLUS_ONE = (
    "Your output is {height} x {width}, one row and one column short, with padding and without "
    "it: your output size leaves out the + 1. O = floor((I - K + 2P) / S) + 1 counts the first "
    "window too."
)


def _unpadded_shape_error(learner, x, weight, bias, stride):
    """How many rows and columns short (or long) the learner's output is without padding; None
    when it does not run or is not a 4-axis array. Padded one side only and a missing + 1 give
    the same padded shape when P = 1 and S = 1; only the unpadded output tells them apart."""
    try:
        got = np.asarray(learner.conv2d(x, weight, bias, padding=0, stride=stride))
    except Exception:  # noqa: BLE001 - an unpadded output that fails confirms no padding slip
        return None
    want = _torch_conv(x, weight, bias, 0, stride)
    if got.ndim != 4:
        return None
    return (want.shape[2] - got.shape[2], want.shape[3] - got.shape[3])


def _conv_mistakes(x, weight, bias, padding, stride, unpadded_short=None):
    """The known wrong outputs of conv2d for these inputs, each with its misconception.

    unpadded_short: how many rows and columns the learner's unpadded output lacks (see
    _unpadded_shape_error); the padding slips are named only when it confirms them."""
    kernel = weight.shape[-1]
    height, width = x.shape[2:]
    one_sided = (
        _size(height, kernel, padding, stride, sides=1),
        _size(width, kernel, padding, stride, sides=1),
    )
    no_stride = _torch_conv(x, weight, bias, padding, 1)
    out_h, out_w = _size(height, kernel, padding, stride), _size(width, kernel, padding, stride)
    mistakes = [
        Mistake(
            lambda got: (
                unpadded_short == (1, 1)
                and got.ndim == 4
                and got.shape[2:] == (out_h - 1, out_w - 1)
            ),
            NO_PLUS_ONE.format(height=out_h - 1, width=out_w - 1),
        ),
        Mistake(
            lambda got: (
                padding > 0
                and unpadded_short == (0, 0)
                and got.ndim == 4
                and got.shape[2:] == one_sided
            ),
            f"Your output is {one_sided[0]} x {one_sided[1]}: you padded one side only. "
            "np.pad takes (before, after) per axis; pad (padding, padding) on axes 2 and 3, which "
            "adds 2P to each size.",
        ),
        Mistake(
            no_stride,
            "That is the stride-1 output: your windows and output size ignore the stride. Windows "
            "start at i * stride, and O = floor((I - K + 2P) / S) + 1.",
        ),
        Mistake(
            lambda got: (
                got.shape == (x.shape[0], weight.shape[0], out_h, out_w)
                and np.allclose(got, no_stride[:, :, :out_h, :out_w], rtol=RTOL, atol=ATOL)
            ),
            "Your output size is right, but the windows move by 1: the stride is ignored when you "
            "slice. The window for output (i, j) starts at row i * stride, column j * stride.",
        ),
        Mistake(
            _torch_conv(x, weight[:, :, ::-1, ::-1].copy(), bias, padding, stride),
            "You flipped the kernel (the textbook convolution). CNN layers, torch's conv2d "
            "included, compute cross-correlation: multiply window and kernel as they are.",
        ),
    ]
    unbiased = _torch_conv(x, weight, None, padding, stride)
    if x.shape[0] > 1:
        mistakes.append(
            Mistake(
                np.broadcast_to(unbiased.sum(axis=0, keepdims=True), unbiased.shape)
                + (0 if bias is None else bias[:, None, None]),
                "Every sample got the same output, the sum over the whole batch: your sum runs "
                "over the batch axis too. (In np.einsum an index missing after the ->, like b in "
                "'bckl,ockl->o', is summed.) Keep the batch index: 'bckl,ockl->bo'.",
            )
        )
    if bias is not None:
        mistakes.append(
            Mistake(
                unbiased,
                "That is the output without the bias: add bias[o] to every position of output "
                "channel o (bias[:, None, None] broadcasts over H and W).",
            )
        )
    return tuple(mistakes)


def test_conv2d_manual_example_gives_411(learner, reference):
    """Check that the manual's 5x5 input (1..25) and 3x3 kernel (1..9) give 411 at the top left."""
    x = np.arange(1, 26, dtype=np.float64).reshape(1, 1, 5, 5)
    weight = np.arange(1, 10, dtype=np.float64).reshape(1, 1, 3, 3)
    want = reference.conv2d(x, weight)
    expect_close(
        _conv(learner, x, weight),
        want,
        what="conv2d of the manual's 5x5 input with its 3x3 kernel, a (1, 1, 3, 3) array with "
        "411 at the top left",
        topic="T4, E12",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                lambda got: got.shape == (3, 3),
                "You dropped the batch and channel axes. Keep the (batch, C_out, O_h, O_w) layout "
                "(manual T6), even for one image with one channel.",
            ),
            Mistake(
                lambda got: got.size and np.isclose(got.flat[0], 285),
                "285 is the slide's own slip (erratum E12): 1x1 + 2x2 + ... + 9x9 multiplies the "
                "kernel by itself. Multiply the kernel by the input window instead: 1x1 + 2x2 + "
                "3x3 + 6x4 + 7x5 + 8x6 + 11x7 + 12x8 + 13x9 = 411.",
            ),
            Mistake(
                lambda got: got.size and np.isclose(got.flat[0], 219),
                "219 is the top left with the kernel flipped (the textbook convolution). CNN "
                "layers compute cross-correlation: pair window and kernel as they are, giving 411.",
            ),
        ),
    )


def test_conv2d_channels_and_bias_match_torch(learner, rng):
    """Check that conv2d sums over input channels and adds a bias per output channel, like torch."""
    x = rng.normal(size=(2, 3, 6, 5))
    weight = rng.normal(size=(4, 3, 3, 3))
    bias = rng.normal(size=4)
    expect_close(
        _conv(learner, x, weight, bias),
        _torch_conv(x, weight, bias),
        what="conv2d of a (2, 3, 6, 5) batch with a (4, 3, 3, 3) weight and a bias",
        topic="T4",
        rtol=RTOL,
        atol=ATOL,
        next_step="Each output channel o sums window * weight[o] over all input channels and the "
        "K x K window, then adds bias[o].",
        inputs=(x, weight, bias),
        reference=_torch_conv,
        names=("x", "weight", "bias"),
        mistakes=_conv_mistakes(x, weight, bias, 0, 1)
        + (
            Mistake(
                lambda got: got.shape == (2, 3, 4, 3),
                "Your output has C_in channels: each output channel o uses its own kernel "
                "weight[o] and sums over all C_in input channels, giving C_out channels.",
            ),
        ),
    )
    # The docstring promises x's dtype back; models and images are float32.
    x32, weight32, bias32 = (a.astype(np.float32) for a in (x, weight, bias))
    got32 = _conv(learner, x32, weight32, bias32)
    what32 = "conv2d of a float32 (2, 3, 6, 5) batch with a float32 weight and bias"
    expect_dtype(
        got32,
        np.dtype(np.float32),
        what32,
        "conv2d must return x's dtype. An output array made without dtype= (np.zeros(shape) or "
        "np.empty(shape)) is float64 whatever x is; the stub's "
        "np.zeros(..., dtype=np.result_type(x, weight)) keeps float32.",
        "T4",
    )
    expect_close(
        got32,
        _torch_conv(x32, weight32, bias32),
        what=what32,
        topic="T4",
        rtol=RTOL32,
        atol=ATOL32,
    )


def test_conv2d_padding_and_stride_match_torch(learner, rng):
    """Check that conv2d pads both sides and moves windows by the stride, like torch."""
    x = rng.normal(size=(2, 2, 7, 8))
    weight = rng.normal(size=(3, 2, 3, 3))
    bias = rng.normal(size=3)
    for padding, stride in PADDING_STRIDE_CASES:
        expect_close(
            _conv(learner, x, weight, bias, padding=padding, stride=stride),
            _torch_conv(x, weight, bias, padding, stride),
            what=f"conv2d of a (2, 2, 7, 8) batch with a 3x3 kernel, padding={padding}, "
            f"stride={stride}",
            topic="T4",
            rtol=RTOL,
            atol=ATOL,
            next_step="Pad P zeros on every side, slide the window by S, and size the output "
            "with O = floor((I - K + 2P) / S) + 1.",
            inputs=(x, weight, bias),
            reference=lambda x, w, b, p=padding, s=stride: _torch_conv(x, w, b, p, s),
            names=("x", "weight", "bias"),
            mistakes=_conv_mistakes(
                x,
                weight,
                bias,
                padding,
                stride,
                _unpadded_shape_error(learner, x, weight, bias, stride),
            ),
        )


def test_max_pool2d_matches_torch(learner, rng):
    """Check that max_pool2d keeps channels, defaults the stride to the size, and matches torch."""
    x = rng.normal(size=(2, 3, 7, 6))
    for size, stride in [(2, None), (3, None), (3, 1)]:
        got = learner.max_pool2d(x, size) if stride is None else learner.max_pool2d(x, size, stride)
        want = F.max_pool2d(torch.from_numpy(x), size, stride).numpy()
        stride_1 = F.max_pool2d(torch.from_numpy(x), size, 1).numpy()
        expect_close(
            got,
            want,
            what=f"max_pool2d(x, {size}{'' if stride is None else f', {stride}'}) of a "
            "(2, 3, 7, 6) batch",
            topic="T4",
            rtol=RTOL,
            atol=ATOL,
            next_step="Take the max of each size x size window, per sample and per channel; "
            "windows start every `stride` pixels.",
            inputs=(x,),
            reference=lambda x, k=size, s=stride: F.max_pool2d(torch.from_numpy(x), k, s).numpy(),
            names=("x",),
            mistakes=(
                Mistake(
                    stride_1,
                    "Your windows overlap: with no stride given, the stride is the window size "
                    "(torch's default), so a 2x2 pool halves H and W.",
                ),
                Mistake(
                    lambda got: got.ndim == 4 and got.shape[1] != x.shape[1] or got.ndim == 3,
                    "Pooling keeps the number of channels: reduce over the window axes only "
                    "(axis=(2, 3)), never over the channel axis.",
                ),
                Mistake(
                    np.broadcast_to(want.max(axis=1, keepdims=True), want.shape),
                    "You took the max across channels too. Pooling keeps channels apart: reduce "
                    "over axis=(2, 3) only.",
                ),
                Mistake(
                    F.avg_pool2d(torch.from_numpy(x), size, stride).numpy(),
                    "That is average pooling. Max pooling keeps each window's largest value.",
                ),
                Mistake(
                    np.broadcast_to(want.max(axis=(0, 1), keepdims=True), want.shape),
                    "Every sample and channel got the same value, the max over the whole window "
                    "array: a max with no axis (np.max(window)) reduces over the batch and the "
                    "channels too. Reduce over the window axes only: window.max(axis=(2, 3)).",
                ),
            ),
        )
    x32 = x.astype(np.float32)
    expect_dtype(
        learner.max_pool2d(x32, 2),
        np.dtype(np.float32),
        "max_pool2d(x, 2) of a float32 batch",
        "max_pool2d must return x's dtype: make the output with dtype=x.dtype, as the stub does.",
        "T4",
    )

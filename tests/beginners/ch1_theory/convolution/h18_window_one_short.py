"""Convolution (cross-correlation, as in torch) and max pooling on NCHW batches (manual T4, T6)."""

import numpy as np


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    padding: int = 0,
    stride: int = 1,
) -> np.ndarray:
    """Convolve a batch like torch.nn.functional.conv2d: no kernel flip (cross-correlation).

    x: (batch, C_in, H, W); weight: (C_out, C_in, K, K); bias: (C_out,) or None; float arrays.
    padding: zeros added on each side of H and W; stride: step between windows.
    Returns (batch, C_out, O_h, O_w) with O = floor((I - K + 2P) / S) + 1, in x's dtype.

    Note (manual E12): the slide's top-left value 411 is right, but its expression
    1x1 + 2x2 + ... + 9x9 is not (that sum is 285). Each output sums the *input window*
    times the kernel: 1x1 + 2x2 + 3x3 + 6x4 + 7x5 + 8x6 + 11x7 + 12x8 + 13x9 = 411.
    """
    kernel = weight.shape[-1]
    # TODO: Zero-pad axes 2 and 3 of x by `padding` on both sides with np.pad, then compute the
    # output height and width with O = floor((I - K + 2P) / S) + 1; after padding, x.shape[2]
    # already holds I + 2P.
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h = (x.shape[2] - kernel) // stride + 1
    out_w = (x.shape[3] - kernel) // stride + 1
    out = np.zeros((x.shape[0], weight.shape[0], out_h, out_w), dtype=np.result_type(x, weight))
    for i in range(out_h):
        for j in range(out_w):
            # TODO: Take the K x K window of every sample and input channel that starts at row
            # i * stride and column j * stride, and set out[:, :, i, j] to the sum of window times
            # weight over (C_in, K, K) for each output channel, with np.einsum or np.tensordot.
            # rows i*stride .. i*stride+K-1
            window = x[:, :, i * stride : i * stride + kernel - 1, j * stride : j * stride + kernel - 1]
            out[:, :, i, j] = np.einsum("bckl,ockl->bo", window, weight)
    if bias is not None:
        out += bias[:, None, None]  # one bias per output channel, shared by every position
    return out


def max_pool2d(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling like torch.nn.functional.max_pool2d: no parameters, channels unchanged.

    x: (batch, C, H, W) float array; size: window size; stride: step, defaulting to size.
    Returns (batch, C, O_h, O_w) with O = floor((I - size) / stride) + 1, in x's dtype.
    """
    stride = size if stride is None else stride
    out_h = (x.shape[2] - size) // stride + 1
    out_w = (x.shape[3] - size) // stride + 1
    out = np.empty((x.shape[0], x.shape[1], out_h, out_w), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            # TODO: Set out[:, :, i, j] to the max of the size x size window starting at row
            # i * stride and column j * stride, for each sample and channel (axis=(2, 3)).
            window = x[:, :, i * stride : i * stride + size, j * stride : j * stride + size]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out

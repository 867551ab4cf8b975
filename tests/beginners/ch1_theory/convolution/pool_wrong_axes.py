"""Convolution (cross-correlation, as in torch) and max pooling on NCHW batches (manual T4, T6)."""

import numpy as np


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    padding: int = 0,
    stride: int = 1,
) -> np.ndarray:
    """Convolve a batch like torch.nn.functional.conv2d: no kernel flip (cross-correlation)."""
    kernel = weight.shape[-1]
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h = (x.shape[2] - kernel) // stride + 1
    out_w = (x.shape[3] - kernel) // stride + 1
    out = np.zeros((x.shape[0], weight.shape[0], out_h, out_w), dtype=np.result_type(x, weight))
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, :, i * stride : i * stride + kernel, j * stride : j * stride + kernel]
            out[:, :, i, j] = np.einsum("bckl,ockl->bo", window, weight)
    if bias is not None:
        out += bias[:, None, None]  # one bias per output channel, shared by every position
    return out


def max_pool2d(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling like torch.nn.functional.max_pool2d: no parameters, channels unchanged."""
    stride = size if stride is None else stride
    out_h = (x.shape[2] - size) // stride + 1
    out_w = (x.shape[3] - size) // stride + 1
    out = np.empty((x.shape[0], x.shape[1], out_h, out_w), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            win = x[:, :, i * stride : i * stride + size, j * stride : j * stride + size]
            out[:, :, i, j] = win.max(axis=(1, 2))
    return out

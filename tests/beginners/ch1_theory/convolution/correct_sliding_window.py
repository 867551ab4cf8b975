"""Convolution (cross-correlation, as in torch) and max pooling on NCHW batches (manual T4, T6)."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    padding: int = 0,
    stride: int = 1,
) -> np.ndarray:
    """Convolve a batch like torch.nn.functional.conv2d: no kernel flip (cross-correlation)."""
    k = weight.shape[-1]
    if padding:
        x = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)], mode="constant")
    # every K x K window at once: (batch, C_in, H', W', K, K), then keep every stride-th one
    windows = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.tensordot(windows, weight, axes=([1, 4, 5], [1, 2, 3]))  # (batch, O_h, O_w, C_out)
    out = out.transpose(0, 3, 1, 2)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out.astype(np.result_type(x, weight), copy=False)


def max_pool2d(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling like torch.nn.functional.max_pool2d: no parameters, channels unchanged."""
    if stride is None:
        stride = size
    windows = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.max(axis=(-2, -1))

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
    batch, c_in, h, w = x.shape
    padded = np.zeros((batch, c_in, h + 2 * padding, w + 2 * padding), dtype=x.dtype)
    padded[:, :, padding : padding + h, padding : padding + w] = x
    out_h = (h + 2 * padding - kernel) // stride + 1
    out_w = (w + 2 * padding - kernel) // stride + 1
    out = np.zeros((batch, weight.shape[0], out_h, out_w), dtype=np.result_type(x, weight))
    for n in range(batch):
        for o in range(weight.shape[0]):
            for i in range(out_h):
                for j in range(out_w):
                    r, c = i * stride, j * stride
                    out[n, o, i, j] = np.sum(padded[n, :, r : r + kernel, c : c + kernel] * weight[o])
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
            r, c = i * stride, j * stride
            out[:, :, i, j] = np.amax(np.amax(x[:, :, r : r + size, c : c + size], axis=3), axis=2)
    return out

"""tf.Variable, TF's default dtypes, a batch axis and the NHWC layout (manual F1, T6, E11)."""

import numpy as np
import tensorflow as tf


def make_variable(values: list) -> tuple[tf.Variable, tuple[int, ...], tf.DType, np.ndarray]:
    """Wrap nested lists in a tf.Variable and read back its shape, dtype and values.

    values: nested lists of Python ints or floats, e.g. [[1, 2], [3, 4]].
    Returns (variable, shape, dtype, array): the tf.Variable with TF's default dtype (int32 for
    integer literals, float32 as soon as one float is present), its shape as a tuple of ints,
    its tf.DType, and its values as an np.ndarray with the matching NumPy dtype.
    """
    variable = tf.Variable(values)
    dtype = variable.dtype.name  # e.g. "int32"
    return variable, tuple(variable.shape), dtype, variable.numpy()


def add_batch_axis(image: tf.Tensor) -> tf.Tensor:
    """Turn one image into a batch of one image.

    image: a tensor of shape (H, W, C) (TF's channels-last layout), any dtype.
    Returns a tensor of shape (1, H, W, C) with the same dtype and values.
    """
    return tf.expand_dims(image, axis=0)


def nchw_to_nhwc(batch: np.ndarray) -> tf.Tensor:
    """Convert a PyTorch-layout batch (B, C, H, W) to TF's layout (B, H, W, C).

    batch: an np.ndarray of shape (B, C, H, W), any dtype.
    Returns a tf.Tensor of shape (B, H, W, C) with the same dtype, where
    result[b, h, w, c] == batch[b, c, h, w].
    """
    return tf.transpose(batch, perm=[0, 2, 3, 1])

"""tf.Variable, TF's default dtypes, a batch axis and the NHWC layout (manual F1, T6, E11)."""

import numpy as np
import tensorflow as tf


def make_variable(values: list) -> tuple[tf.Variable, tuple[int, ...], tf.DType, np.ndarray]:
    """Wrap nested lists in a tf.Variable and read back its shape, dtype and values."""
    variable = tf.Variable(tf.constant(values))
    shape = tuple(int(n) for n in variable.shape.as_list())
    return variable, shape, variable.dtype, np.array(variable)


def add_batch_axis(image: tf.Tensor) -> tf.Tensor:
    """Turn one image into a batch of one image."""
    return image[tf.newaxis, ...]


def nchw_to_nhwc(batch: np.ndarray) -> tf.Tensor:
    """Convert a PyTorch-layout batch (B, C, H, W) to TF's layout (B, H, W, C)."""
    return tf.convert_to_tensor(np.moveaxis(batch, 1, -1))

"""tf.Variable, TF's default dtypes, a batch axis and the NHWC layout (manual F1, T6, E11)."""

import numpy as np
import tensorflow as tf


def make_variable(values: list) -> tuple[tf.Variable, tuple[int, ...], tf.DType, np.ndarray]:
    """Wrap nested lists in a tf.Variable and read back its shape, dtype and values."""
    variable = tf.Variable(values)
    return variable, tuple(variable.shape), variable.dtype, variable.numpy()


def add_batch_axis(image: tf.Tensor) -> tf.Tensor:
    """Turn one image into a batch of one image."""
    image = tf.convert_to_tensor(image, dtype=tf.float32)
    return tf.expand_dims(image, axis=0)


def nchw_to_nhwc(batch: np.ndarray) -> tf.Tensor:
    """Convert a PyTorch-layout batch (B, C, H, W) to TF's layout (B, H, W, C)."""
    return tf.transpose(batch, perm=[0, 2, 3, 1])

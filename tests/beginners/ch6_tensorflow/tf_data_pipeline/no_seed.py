"""A tf.data input pipeline: from_tensor_slices, map, shuffle and batch (manual F3)."""

import numpy as np
import tensorflow as tf


def normalize(image: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Scale one uint8 image to float32 in [0, 1]; the label passes through unchanged."""
    return tf.cast(image, tf.float32) / 255.0, label


def make_dataset(
    images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int
) -> tf.data.Dataset:
    """A shuffled, batched dataset of normalised (image, label) pairs."""
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    return dataset.map(normalize).shuffle(len(labels)).batch(batch_size)

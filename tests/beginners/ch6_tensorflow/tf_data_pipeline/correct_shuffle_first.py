"""A tf.data input pipeline: from_tensor_slices, map, shuffle and batch (manual F3)."""

import numpy as np
import tensorflow as tf


def normalize(image: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Scale one uint8 image to float32 in [0, 1]; the label passes through unchanged."""
    return image / 255, label  # uint8 / int gives float32 in TF


def make_dataset(
    images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int
) -> tf.data.Dataset:
    """A shuffled, batched dataset of normalised (image, label) pairs."""
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    # shuffle the raw samples, then normalise and batch them
    return dataset.shuffle(images.shape[0], seed=seed).map(normalize).batch(batch_size)

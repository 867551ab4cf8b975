"""A tf.data input pipeline: from_tensor_slices, map, shuffle and batch (manual F3)."""

import numpy as np
import tensorflow as tf


def normalize(image: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Scale one uint8 image to float32 in [0, 1]; the label passes through unchanged.

    image: a uint8 tensor of shape (H, W, C); label: an int64 scalar tensor.
    Returns (float32 image of shape (H, W, C) equal to image / 255, label).
    """
    image = tf.cast(image, tf.float32) / 255.0
    return image, label


def make_dataset(
    images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int
) -> tf.data.Dataset:
    """A shuffled, batched dataset of normalised (image, label) pairs.

    images: uint8 array of shape (N, H, W, C); labels: int64 array of shape (N,).
    Returns a tf.data.Dataset whose elements are batches (float32 (B, H, W, C) in [0, 1],
    int64 (B,)), with B = batch_size except a smaller last batch. Each pass is a fresh
    shuffle of all N samples; two datasets made with the same seed give the same order.
    """
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    dataset = dataset.map(normalize)
    # same seed -> same order, as the docstring asks
    dataset = dataset.shuffle(len(labels), seed=seed, reshuffle_each_iteration=False)
    dataset = dataset.batch(batch_size)
    return dataset

"""Saving a Keras model's weights and loading them into a freshly built model (manual F11)."""

from collections.abc import Callable
from pathlib import Path

import tensorflow as tf


def save_weights(model: tf.keras.Model, directory: str) -> str:
    path = str(Path(directory) / "cnn.keras")
    model.save(path)
    return path


def load_weights(build_model: Callable[[], tf.keras.Model], path: str) -> tf.keras.Model:
    return tf.keras.models.load_model(path)

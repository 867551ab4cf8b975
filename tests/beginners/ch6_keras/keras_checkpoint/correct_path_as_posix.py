"""Saving a Keras model's weights and loading them into a freshly built model (manual F11)."""

from collections.abc import Callable
from pathlib import Path

import tensorflow as tf


def save_weights(model: tf.keras.Model, directory: str) -> str:
    path = Path(directory, "model.weights.h5").as_posix()
    model.save_weights(filepath=path, overwrite=True)
    return path


def load_weights(build_model: Callable[[], tf.keras.Model], path: str) -> tf.keras.Model:
    model = build_model()
    model.load_weights(path)
    return model

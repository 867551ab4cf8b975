"""Saving a Keras model's weights and loading them into a freshly built model (manual F11)."""

from collections.abc import Callable
from pathlib import Path

import tensorflow as tf


def save_weights(model: tf.keras.Model, directory: str) -> str:
    """Save the model's weights into `directory` and return the file's path as a string.

    Keras 3 only writes weight files whose name ends in ".weights.h5", for example
    "<directory>/cnn.weights.h5".
    """
    path = str(Path(directory) / "cnn.weights.h5")
    model.save_weights(path)
    return path


def load_weights(build_model: Callable[[], tf.keras.Model], path: str) -> tf.keras.Model:
    """Build a fresh model with build_model() and load the weights saved at `path` into it.

    Returns the new model, which then predicts exactly what the saved model predicted.
    """
    model = build_model
    model.load_weights(path)
    return model

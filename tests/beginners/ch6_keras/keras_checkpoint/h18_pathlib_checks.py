"""Saving a Keras model's weights and loading them into a freshly built model (manual F11)."""

from collections.abc import Callable
from pathlib import Path

import tensorflow as tf


def save_weights(model: tf.keras.Model, directory: str) -> str:
    """Save the model's weights into `directory` and return the file's path as a string.

    Keras 3 only writes weight files whose name ends in ".weights.h5", for example
    "<directory>/cnn.weights.h5".
    """
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    weights_file = out_dir.joinpath("cnn.weights.h5")
    model.save_weights(str(weights_file))
    return weights_file.as_posix()


def load_weights(build_model: Callable[[], tf.keras.Model], path: str) -> tf.keras.Model:
    """Build a fresh model with build_model() and load the weights saved at `path` into it.

    Returns the new model, which then predicts exactly what the saved model predicted.
    """
    if not Path(path).is_file():
        raise FileNotFoundError(f"no weights at {path}")
    model = build_model()
    model.load_weights(str(path))
    return model

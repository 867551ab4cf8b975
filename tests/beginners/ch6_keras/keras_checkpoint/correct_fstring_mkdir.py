"""Saving a Keras model's weights and loading them into a freshly built model (manual F11)."""

from collections.abc import Callable
from pathlib import Path

import tensorflow as tf


def save_weights(model: tf.keras.Model, directory: str) -> str:
    Path(directory).mkdir(parents=True, exist_ok=True)
    path = f"{directory}/best.weights.h5"
    model.save_weights(path)
    return path


def load_weights(build_model: Callable[[], tf.keras.Model], path: str) -> tf.keras.Model:
    new_model = build_model()
    new_model.load_weights(path, skip_mismatch=False)
    return new_model

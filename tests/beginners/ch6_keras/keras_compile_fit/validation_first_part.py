"""Training with Keras's built-in loop: compile, fit, evaluate and predict (manual F6, F7, F8)."""

import numpy as np
import tensorflow as tf


def compile_model(model: tf.keras.Model, learning_rate: float = 1e-3) -> None:
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate=learning_rate),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(),
        metrics=[tf.keras.metrics.SparseCategoricalAccuracy()],
    )


def fit_model(
    model: tf.keras.Model,
    images: np.ndarray,
    labels: np.ndarray,
    epochs: int,
    batch_size: int,
    validation_split: float,
) -> tf.keras.callbacks.History:
    n_val = int(len(images) * validation_split)
    return model.fit(
        images[n_val:],
        labels[n_val:],
        batch_size=batch_size,
        epochs=epochs,
        validation_data=(images[:n_val], labels[:n_val]),
        verbose=0,
    )


def evaluate_and_predict(
    model: tf.keras.Model, images: np.ndarray, labels: np.ndarray
) -> tuple[float, float, np.ndarray]:
    loss, accuracy = model.evaluate(images, labels, verbose=0)
    probabilities = model.predict(images, verbose=0)
    return float(loss), float(accuracy), probabilities

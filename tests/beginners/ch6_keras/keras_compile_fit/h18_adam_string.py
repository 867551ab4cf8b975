"""Training with Keras's built-in loop: compile, fit, evaluate and predict (manual F6, F7, F8)."""

import numpy as np
import tensorflow as tf


def compile_model(model: tf.keras.Model, learning_rate: float = 1e-3) -> None:
    """Compile a classifier whose last layer is a softmax, for integer class labels.

    Sets Adam with the given learning rate, SparseCategoricalCrossentropy as the loss and
    SparseCategoricalAccuracy as the metric. Returns nothing: compile changes the model in place.
    """
    model.compile(
        optimizer="adam",
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
    """Train a compiled model, holding out the last `validation_split` of the data for validation.

    images: float32 (N, 32, 32, 3) in [0, 1]; labels: int (N,) class indices.
    Returns the History that fit returns: history.history["loss"] and ["val_loss"] hold one
    value per epoch.
    """
    history = model.fit(
        images,
        labels,
        batch_size=batch_size,
        epochs=epochs,
        validation_split=validation_split,
        verbose=0,
    )
    return history


def evaluate_and_predict(
    model: tf.keras.Model, images: np.ndarray, labels: np.ndarray
) -> tuple[float, float, np.ndarray]:
    """Test a compiled model: its mean loss, its accuracy and its class probabilities.

    images: float32 (N, 32, 32, 3); labels: int (N,). Returns (loss, accuracy, probabilities),
    where loss and accuracy are Python floats and probabilities is a float32 array (N, 10).
    """
    loss, accuracy = model.evaluate(images, labels, verbose=0)
    probabilities = model.predict(images, verbose=0)
    return float(loss), float(accuracy), probabilities

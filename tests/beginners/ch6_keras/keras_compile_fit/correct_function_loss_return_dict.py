"""Training with Keras's built-in loop: compile, fit, evaluate and predict (manual F6, F7, F8)."""

import numpy as np
import tensorflow as tf


def compile_model(model: tf.keras.Model, learning_rate: float = 1e-3) -> None:
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    loss_func = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=False)
    metric = tf.keras.metrics.SparseCategoricalAccuracy(name="acc")
    model.compile(optimizer=optimizer, loss=loss_func, metrics=[metric])


def fit_model(
    model: tf.keras.Model,
    images: np.ndarray,
    labels: np.ndarray,
    epochs: int,
    batch_size: int,
    validation_split: float,
) -> tf.keras.callbacks.History:
    history = model.fit(
        x=images,
        y=labels,
        batch_size=batch_size,
        epochs=epochs,
        verbose=0,
        validation_split=validation_split,
        shuffle=True,
    )
    return history


def evaluate_and_predict(
    model: tf.keras.Model, images: np.ndarray, labels: np.ndarray
) -> tuple[float, float, np.ndarray]:
    results = model.evaluate(images, labels, batch_size=64, verbose=0, return_dict=True)
    probabilities = model.predict(images, batch_size=64, verbose=0)
    # the loss comes first; the only other entry is the compiled accuracy, whatever its name
    accuracy = next(value for name, value in results.items() if name != "loss")
    return float(results["loss"]), float(accuracy), np.asarray(probabilities, np.float32)

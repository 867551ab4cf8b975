"""A custom training loop: one GradientTape step under @tf.function, then the epochs (manual F9)."""

from collections.abc import Callable

import tensorflow as tf


def make_train_step(
    model: tf.keras.Model, loss_fn: tf.keras.losses.Loss, optimizer: tf.keras.optimizers.Optimizer
) -> Callable[[tf.Tensor, tf.Tensor], tf.Tensor]:
    @tf.function
    def train_step(images: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(images, training=True))
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    return train_step


def train_epochs(
    train_step: Callable[[tf.Tensor, tf.Tensor], tf.Tensor], dataset: tf.data.Dataset, epochs: int
) -> list[float]:
    import numpy as np

    epoch_losses = []
    for _ in range(epochs):
        batch_losses = [train_step(x, y).numpy() for x, y in dataset]
        epoch_losses.append(float(np.mean(batch_losses)))
    return epoch_losses

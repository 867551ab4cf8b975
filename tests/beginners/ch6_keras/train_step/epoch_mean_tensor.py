"""A custom training loop: one GradientTape step under @tf.function, then the epochs (manual F9)."""

from collections.abc import Callable

import tensorflow as tf


def make_train_step(
    model: tf.keras.Model, loss_fn: tf.keras.losses.Loss, optimizer: tf.keras.optimizers.Optimizer
) -> Callable[[tf.Tensor, tf.Tensor], tf.Tensor]:
    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            outputs = model(images, training=True)
            loss = loss_fn(labels, outputs)
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        return loss

    return train_step


def train_epochs(
    train_step: Callable[[tf.Tensor, tf.Tensor], tf.Tensor], dataset: tf.data.Dataset, epochs: int
) -> list[float]:
    history = []
    for epoch in range(epochs):
        losses = []
        for images, labels in dataset:
            losses.append(train_step(images, labels))
        history.append(tf.reduce_mean(losses))
    return history

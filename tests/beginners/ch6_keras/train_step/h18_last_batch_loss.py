"""A custom training loop: one GradientTape step under @tf.function, then the epochs (manual F9)."""

from collections.abc import Callable

import tensorflow as tf

# Erratum E6: the manual writes optimizer.apply_gradients(gradients, weights). apply_gradients
# takes one list of (gradient, variable) pairs: apply_gradients(zip(gradients, weights)).
# Erratum E3: an epoch's loss is the mean of its batch losses, not their sum over the samples.


def make_train_step(
    model: tf.keras.Model, loss_fn: tf.keras.losses.Loss, optimizer: tf.keras.optimizers.Optimizer
) -> Callable[[tf.Tensor, tf.Tensor], tf.Tensor]:
    """Return train_step(images, labels) -> loss, which trains `model` on one batch.

    train_step takes a batch of images (batch, ...) float32 and labels (batch,) int, runs the
    model, computes loss_fn(labels, outputs), takes the gradients of that loss with respect to
    model.trainable_weights, applies them with the optimizer and returns the batch's mean loss,
    a float32 scalar tensor. It is compiled into a graph with @tf.function.
    """

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
    """Run train_step on every (images, labels) batch of `dataset`, `epochs` times.

    Returns one float per epoch: the mean of that epoch's batch losses.
    """
    history = []
    for epoch in range(epochs):
        for images, labels in dataset:
            loss = train_step(images, labels)
        history.append(float(loss))
        print(f"epoch {epoch + 1}: loss {float(loss):.4f}")
    return history

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

    def step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            batch_loss = loss_fn(labels, predictions)
        variables = model.trainable_variables
        gradients = tape.gradient(batch_loss, variables)
        optimizer.apply_gradients(list(zip(gradients, variables)))
        return batch_loss

    # same as decorating step with @tf.function
    train_step = tf.function(step)
    return train_step


def train_epochs(
    train_step: Callable[[tf.Tensor, tf.Tensor], tf.Tensor], dataset: tf.data.Dataset, epochs: int
) -> list[float]:
    """Run train_step on every (images, labels) batch of `dataset`, `epochs` times.

    Returns one float per epoch: the mean of that epoch's batch losses.
    """
    epoch_losses = []
    mean_loss = tf.keras.metrics.Mean()
    for _ in range(epochs):
        mean_loss.reset_state()
        for images, labels in dataset:
            mean_loss.update_state(train_step(images, labels))
        epoch_losses.append(float(mean_loss.result()))
    return epoch_losses

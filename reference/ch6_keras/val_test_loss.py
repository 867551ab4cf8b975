"""Validation and test loss, each counted from zero (manual F9, erratum E10).

The manual's TF2 regression script adds up the validation loss and its sample count, then runs
the test loop without starting the count again, so the test loss it reports is wrong.
"""

import tensorflow as tf


def val_and_test_loss(
    model: tf.keras.Model,
    val_set: tf.data.Dataset,
    test_set: tf.data.Dataset,
    loss_fn: tf.keras.losses.Loss,
) -> tuple[float, float]:
    """The mean loss per sample of `model` on the validation set, then on the test set.

    model: maps float32 features (batch, 8) to predictions (batch, 1).
    val_set, test_set: batches of (features (batch, 8), targets (batch, 1)), both float32; the
        last batch may be smaller than the others.
    loss_fn: returns a batch's mean loss as a scalar tensor, loss_fn(targets, predictions), as
        tf.keras.losses.MeanSquaredError() does.
    Returns (val_loss, test_loss) as Python floats: each is sum over batches of (batch mean loss
    x batch size) / number of samples. The mean of the batch means, erratum E3's other correct
    form, is accepted too (it differs only when the last batch is smaller).
    """
    total, count = 0.0, 0
    for features, targets in val_set:
        predictions = model(features, training=False)
        batch = int(tf.shape(targets)[0])
        total += float(loss_fn(targets, predictions)) * batch
        count += batch
    val_loss = total / count

    # TODO: Start the test loop's sum and sample count from zero (total, count = 0.0, 0): the
    # manual's script keeps the validation's count, so its test loss is wrong (erratum E10).
    ### BEGIN SOLUTION
    total, count = 0.0, 0
    ### END SOLUTION
    for features, targets in test_set:
        predictions = model(features, training=False)
        batch = int(tf.shape(targets)[0])
        # TODO: Add the batch's mean loss times its size to total (float(loss_fn(...)) * batch)
        # and its size to count, as the validation loop above does.
        ### BEGIN SOLUTION
        total += float(loss_fn(targets, predictions)) * batch
        count += batch
        ### END SOLUTION
    return val_loss, total / count

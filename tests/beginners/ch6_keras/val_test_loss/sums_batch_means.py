"""Validation and test loss (manual F9)."""

import tensorflow as tf


def val_and_test_loss(model, val_set, test_set, loss_fn):
    total, count = 0.0, 0
    for features, targets in val_set:
        predictions = model(features, training=False)
        batch = int(tf.shape(targets)[0])
        total += float(loss_fn(targets, predictions)) * batch
        count += batch
    val_loss = total / count

    total, count = 0.0, 0
    for features, targets in test_set:
        predictions = model(features, training=False)
        loss = loss_fn(targets, predictions)
        total += float(loss)
        count += int(tf.shape(targets)[0])
    return val_loss, total / count

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

    test_total = tf.constant(0.0)
    test_count = 0
    for features, targets in test_set:
        predictions = model(features, training=False)
        batch = targets.shape[0]
        test_total += loss_fn(targets, predictions) * batch
        test_count += batch
    return val_loss, test_total / test_count

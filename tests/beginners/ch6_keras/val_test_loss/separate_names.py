"""Validation and test loss (manual F9)."""

import tensorflow as tf


def val_and_test_loss(model, val_set, test_set, loss_fn):
    val_sum, val_n = 0.0, 0
    for features, targets in val_set:
        predictions = model(features, training=False)
        batch = int(tf.shape(targets)[0])
        val_sum += float(loss_fn(targets, predictions)) * batch
        val_n += batch

    test_sum, test_n = 0.0, 0
    for features, targets in test_set:
        predictions = model(features, training=False)
        batch = int(tf.shape(targets)[0])
        test_sum += float(loss_fn(targets, predictions)) * batch
        test_n += batch
    return val_sum / val_n, test_sum / test_n

"""Validation and test loss, each counted from zero (manual F9, erratum E10)."""

import tensorflow as tf


def mean_loss(model, dataset, loss_fn) -> float:
    """The mean loss per sample over one dataset, counted from zero on each call."""
    total, count = 0.0, 0
    for features, targets in dataset:
        batch = int(tf.shape(targets)[0])
        total += float(loss_fn(targets, model(features, training=False))) * batch
        count += batch
    return total / count


def val_and_test_loss(model, val_set, test_set, loss_fn):
    return mean_loss(model, val_set, loss_fn), mean_loss(model, test_set, loss_fn)

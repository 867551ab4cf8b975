"""Validation and test loss (manual F9)."""

import tensorflow as tf


def val_and_test_loss(model, val_set, test_set, loss_fn):
    running_loss = 0.0
    n = 0
    for x, y in val_set:
        pred = model(x, training=False)
        running_loss += float(loss_fn(y, pred)) * len(y)
        n += len(y)
    val_loss = running_loss / n

    running_loss = 0.0
    for x, y in test_set:
        pred = model(x, training=False)
        running_loss += float(loss_fn(y, pred)) * len(y)
        n += len(y)
    test_loss = running_loss / n
    return val_loss, test_loss

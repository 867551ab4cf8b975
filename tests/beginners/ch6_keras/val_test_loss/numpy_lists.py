"""Validation and test loss (manual F9)."""

import numpy as np
import tensorflow as tf


def val_and_test_loss(model, val_set, test_set, loss_fn):
    results = []
    for dataset in (val_set, test_set):
        losses, sizes = [], []
        for features, targets in dataset:
            losses.append(float(loss_fn(targets, model(features, training=False))))
            sizes.append(len(targets))
        results.append(float(np.average(losses, weights=sizes)))
    return results[0], results[1]

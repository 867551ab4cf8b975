"""A set_seed helper for TensorFlow that makes runs repeatable (manual P3, F1, erratum E2)."""

import os
import random

import numpy as np
import tensorflow as tf


def set_seed(seed: int) -> None:
    """Seed Python's random, NumPy and TensorFlow (Keras included), and make TF ops deterministic.

    seed: a non-negative int. Returns None. After set_seed(s), random.random(),
    np.random.rand(), tf.random.uniform() and a new Keras layer's initial weights give the same
    numbers on every run.
    """
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
    # same numbers on every run also needs deterministic ops
    tf.config.experimental.enable_op_determinism()

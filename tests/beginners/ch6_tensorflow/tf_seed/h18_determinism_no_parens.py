"""A set_seed helper for TensorFlow that makes runs repeatable (manual P3, F1, erratum E2)."""

import tensorflow as tf


def set_seed(seed: int) -> None:
    """Seed Python's random, NumPy and TensorFlow (Keras included), and make TF ops deterministic.

    seed: a non-negative int. Returns None. After set_seed(s), random.random(),
    np.random.rand(), tf.random.uniform() and a new Keras layer's initial weights give the same
    numbers on every run.
    """
    tf.keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism

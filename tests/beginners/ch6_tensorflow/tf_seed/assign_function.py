"""A set_seed helper for TensorFlow that makes runs repeatable (manual P3, F1, erratum E2)."""

import tensorflow as tf


def set_seed(seed: int) -> None:
    """Seed Python's random, NumPy and TensorFlow (Keras included), and make TF ops deterministic."""
    # like torch.use_deterministic_algorithms = True in the torch helper
    tf.keras.utils.set_random_seed = seed
    tf.config.experimental.enable_op_determinism = True

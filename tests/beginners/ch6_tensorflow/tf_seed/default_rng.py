"""A set_seed helper for TensorFlow that makes runs repeatable (manual P3, F1, erratum E2)."""

import random

import numpy as np
import tensorflow as tf


def set_seed(seed: int) -> None:
    """Seed Python's random, NumPy and TensorFlow (Keras included), and make TF ops deterministic."""
    random.seed(seed)
    np.random.default_rng(seed)
    tf.random.set_seed(seed)
    tf.config.experimental.enable_op_determinism()

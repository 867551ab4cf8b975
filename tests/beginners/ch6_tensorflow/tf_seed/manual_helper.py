"""A set_seed helper for TensorFlow that makes runs repeatable (manual P3, F1, erratum E2)."""

import os
import random

import numpy as np
import tensorflow as tf


def set_seed(seed: int) -> None:
    """Seed Python's random, NumPy and TensorFlow (Keras included), and make TF ops deterministic."""
    # the manual's helper
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
    tf.config.threading.set_inter_op_parallelism_threads(seed)
    tf.config.threading.set_intra_op_parallelism_threads(seed)

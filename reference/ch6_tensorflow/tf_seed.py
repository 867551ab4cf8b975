"""A set_seed helper for TensorFlow that makes runs repeatable (manual P3, F1, erratum E2)."""

import tensorflow as tf


def set_seed(seed: int) -> None:
    """Seed Python's random, NumPy and TensorFlow (Keras included), and make TF ops deterministic.

    seed: a non-negative int. Returns None. After set_seed(s), random.random(),
    np.random.rand(), tf.random.uniform() and a new Keras layer's initial weights give the same
    numbers on every run.
    """
    # Note (erratum E2): the manual's helper passes the seed to
    # tf.config.threading.set_inter_op_parallelism_threads and ..._intra_op_...; those set
    # thread counts, not a seed, so nothing becomes repeatable.
    # TODO: Seed everything with one call, tf.keras.utils.set_random_seed(seed), then call
    #   tf.config.experimental.enable_op_determinism().
    ### BEGIN SOLUTION
    tf.keras.utils.set_random_seed(seed)  # seeds random, NumPy and TF (and so Keras) together
    tf.config.experimental.enable_op_determinism()
    ### END SOLUTION

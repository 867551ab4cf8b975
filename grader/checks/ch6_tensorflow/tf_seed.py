"""Checks for exercises/ch6_tensorflow/tf_seed.py (manual P3, F1, erratum E2).

The checks run in the order written: the first one must run before any TF op in this process,
because TF fixes its thread counts when its runtime starts.
"""

import random

import numpy as np
import pytest

from grader.expect import fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")
# TF's public API can turn op determinism on but not query or undo it; these are the functions
# behind tf.config.experimental.enable_op_determinism.
from tensorflow.python.framework import config as tf_config

# How to reseed each generator, for the message when its draws do not repeat.
RESEED = {
    "random.random()": "tf.random.set_seed seeds TF only. tf.keras.utils.set_random_seed(seed) "
    "seeds Python's random, NumPy and TF in one call.",
    "np.random.rand()": "tf.random.set_seed seeds TF only. tf.keras.utils.set_random_seed(seed) "
    "seeds Python's random, NumPy and TF in one call.",
    "tf.random.uniform()": "Call tf.keras.utils.set_random_seed(seed); it also sets TF's global seed.",
    "a new Dense layer's initial weights": "Keras 3 draws initial weights from its own seed, "
    "which only tf.keras.utils.set_random_seed(seed) sets.",
}
E2_NEXT_STEP = (
    "The manual's helper passes the seed to tf.config.threading.set_inter_op_parallelism_threads "
    "and set_intra_op_parallelism_threads (erratum E2). Those set how many threads TF uses, not "
    "a seed. Call tf.keras.utils.set_random_seed(seed) instead, and leave the thread counts alone."
)


def thread_counts() -> tuple[int, int]:
    return (
        tf.config.threading.get_inter_op_parallelism_threads(),
        tf.config.threading.get_intra_op_parallelism_threads(),
    )


def call_set_seed(learner, seed: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Runs learner.set_seed and puts TF's thread counts back at once, before any op can start
    the runtime with them. Returns the counts (before, after)."""
    before = thread_counts()
    try:
        learner.set_seed(seed)
    except RuntimeError as exc:
        if "parallelism" not in str(exc):
            raise
        fail(
            f"set_seed({seed}) to seed the random generators",
            f"RuntimeError: {str(exc).rstrip('.')}",
            E2_NEXT_STEP,
            "P3, E2",
        )
    after = thread_counts()
    if after != before:  # only possible while the runtime has not started, so it can be undone
        tf.config.threading.set_inter_op_parallelism_threads(before[0])
        tf.config.threading.set_intra_op_parallelism_threads(before[1])
    return before, after


@pytest.fixture(autouse=True)
def op_determinism_restored():
    """Undoes enable_op_determinism after each check, even when the check fails."""
    saved = tf_config.is_op_determinism_enabled()
    yield
    if tf_config.is_op_determinism_enabled() != saved:
        (tf_config.enable_op_determinism if saved else tf_config.disable_op_determinism)()


def draws() -> dict[str, list[float]]:
    """A few numbers from every generator that set_seed must reseed."""
    layer = tf.keras.layers.Dense(3)
    layer.build((None, 2))
    return {
        "random.random()": [random.random() for _ in range(3)],
        "np.random.rand()": np.random.rand(3).tolist(),
        "tf.random.uniform()": tf.random.uniform((3,)).numpy().tolist(),
        "a new Dense layer's initial weights": layer.kernel.numpy().ravel().tolist(),
    }


def test_thread_counts_are_left_alone(learner, seed):
    """Check that set_seed does not change TF's thread counts (erratum E2)."""
    before, after = call_set_seed(learner, seed)
    if after != before:
        fail(
            f"TF's (inter-op, intra-op) thread counts to stay {before} after set_seed({seed})",
            str(after),
            E2_NEXT_STEP,
            "P3, E2",
        )


def test_same_seed_gives_same_draws(learner, seed):
    """Check that drawing again after set_seed with the same seed gives the same numbers."""
    call_set_seed(learner, seed)
    first = draws()
    call_set_seed(learner, seed)
    second = draws()
    for source, numbers in first.items():
        if numbers != second[source]:
            fail(
                f"{source} to give the same numbers after each set_seed({seed})",
                f"{numbers[0]:.6f}, … the first time and {second[source][0]:.6f}, … the second",
                f"set_seed does not reseed this generator. {RESEED[source]}",
                "P3, E2",
            )


def test_different_seeds_give_different_draws(learner, seed):
    """Check that set_seed uses its argument: another seed gives other numbers."""
    call_set_seed(learner, seed)
    first = draws()
    call_set_seed(learner, seed + 1)
    second = draws()
    for source, numbers in first.items():
        if numbers == second[source]:
            fail(
                f"{source} to give other numbers after set_seed({seed + 1}) than after set_seed({seed})",
                f"{numbers[0]:.6f}, … both times",
                "set_seed must pass its `seed` argument on, not a fixed number (such as a SEED "
                "constant copied from a script).",
                "P3",
            )


def test_op_determinism_is_enabled(learner, seed):
    """Check that set_seed calls tf.config.experimental.enable_op_determinism()."""
    tf_config.disable_op_determinism()
    call_set_seed(learner, seed)
    if not tf_config.is_op_determinism_enabled():
        fail(
            "TF's op determinism to be on after set_seed",
            "op determinism still off",
            "Seeds fix the random numbers, but some TF ops (and tf.data's parallel map) can "
            "still differ from run to run. Call tf.config.experimental.enable_op_determinism().",
            "P3, E2",
        )

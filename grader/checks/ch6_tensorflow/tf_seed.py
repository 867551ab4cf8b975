"""Checks for exercises/ch6_tensorflow/tf_seed.py (manual P3, F1, erratum E2).

The checks run in the order written: the first one must run before any TF op in this process,
because TF fixes its thread counts when its runtime starts.
"""

import random
import re

import numpy as np
import pytest

from grader.toolkit.expect import fail
from grader.toolkit.tf_source import code_only, source

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")
import keras

# TF's public API can turn op determinism on but not query or undo it; these are the functions
# behind tf.config.experimental.enable_op_determinism.
from tensorflow.python.framework import config as tf_config

# The functions a set_seed helper calls. Assigning to one instead of calling it (like erratum
# E1's `torch.use_deterministic_algorithms = True`) replaces it for the whole process, the
# grader's own seeding included, so the checks put them back.
SEEDING_FUNCTIONS = {
    "tf.keras.utils.set_random_seed": (tf.keras.utils, "set_random_seed", "(seed)"),
    "keras.utils.set_random_seed": (keras.utils, "set_random_seed", "(seed)"),
    "tf.random.set_seed": (tf.random, "set_seed", "(seed)"),
    "tf.config.experimental.enable_op_determinism": (
        tf.config.experimental,
        "enable_op_determinism",
        "()",
    ),
    "random.seed": (random, "seed", "(seed)"),
    "np.random.seed": (np.random, "seed", "(seed)"),
}
ORIGINAL_FUNCTIONS = {
    name: getattr(owner, attribute) for name, (owner, attribute, _) in SEEDING_FUNCTIONS.items()
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
    except Exception as exc:
        expect_functions_kept(seed)
        if not isinstance(exc, RuntimeError) or "parallelism" not in str(exc):
            raise
        fail(
            f"set_seed({seed}) to seed the random generators",
            f"RuntimeError: {str(exc).rstrip('.')}",
            E2_NEXT_STEP,
            "P3, E2",
        )
    expect_functions_kept(seed)
    after = thread_counts()
    if after != before:  # only possible while the runtime has not started, so it can be undone
        tf.config.threading.set_inter_op_parallelism_threads(before[0])
        tf.config.threading.set_intra_op_parallelism_threads(before[1])
    return before, after


def expect_functions_kept(seed: int) -> None:
    """Puts back any seeding function set_seed assigned to, and fails naming it."""
    replaced = {}
    for name, (owner, attribute, _) in SEEDING_FUNCTIONS.items():
        value = getattr(owner, attribute, None)
        if value is not ORIGINAL_FUNCTIONS[name]:
            replaced[name] = value
            setattr(owner, attribute, ORIGINAL_FUNCTIONS[name])
    if replaced:
        name, value = next(iter(replaced.items()))
        calls = ", ".join(f"{n}{SEEDING_FUNCTIONS[n][2]}" for n in replaced)
        fail(
            f"set_seed({seed}) to call the seeding functions",
            ", ".join(f"{n} replaced by {v!r}" for n, v in replaced.items()),
            f"`{name} = {value!r}` gives the name a new value: it replaces the function for the "
            "whole program and seeds nothing, like erratum E1's `torch.use_deterministic_"
            f"algorithms = True`. Call it instead: {calls}.",
            "P3, E2",
        )


def reseed_next_step(failing: list[str], function) -> str:
    """How to seed each generator whose draws did not repeat, with causes the code confirms."""
    code = code_only(source(function))
    steps = []
    if "tf.random.set_seed" in code and {"random.random()", "np.random.rand()"} & set(failing):
        steps.append("tf.random.set_seed seeds TF only.")
    if "np.random.rand()" in failing:
        steps.append(
            "np.random.default_rng(seed) makes a new, separate Generator and leaves NumPy's "
            "global one (np.random.rand) as it was: call np.random.seed(seed)."
            if "default_rng" in code
            else "NumPy's global generator is not reseeded: np.random.seed(seed)."
        )
    if "random.random()" in failing:
        steps.append(
            "Python's random is not reseeded: random.seed(seed). Keras 3 takes each new layer's "
            "initializer seed from Python's random, so that also fixes the initial weights."
        )
    elif "a new Dense layer's initial weights" in failing:
        steps.append(
            "Keras 3 takes each new layer's initializer seed from Python's random, which must "
            "be reseeded last: random.seed(seed)."
        )
    if "tf.random.uniform()" in failing:
        steps.append("TF's global seed is not set: tf.random.set_seed(seed).")
    steps.append(
        "Or seed all of them in one call: tf.keras.utils.set_random_seed(seed) seeds Python's "
        "random, NumPy and TF."
    )
    return " ".join(steps)


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
    failing = [name for name, numbers in first.items() if numbers != second[name]]
    if failing:
        name = failing[0]
        fail(
            f"{', '.join(failing)} to give the same numbers after each set_seed({seed})",
            f"{first[name][0]:.6f}, … the first time and {second[name][0]:.6f}, … the second "
            f"from {name}",
            reseed_next_step(failing, learner.set_seed),
            "P3, E2",
        )


def test_different_seeds_give_different_draws(learner, seed):
    """Check that set_seed uses its argument: another seed gives other numbers."""
    call_set_seed(learner, seed)
    first = draws()
    call_set_seed(learner, seed + 1)
    second = draws()
    for name, numbers in first.items():
        if numbers == second[name]:
            fixed = re.search(
                r"[\w.]*(set_random_seed|set_seed|seed)\(\s*\d+\s*\)",
                code_only(source(learner.set_seed)),
            )
            fail(
                f"{name} to give other numbers after set_seed({seed + 1}) than after set_seed({seed})",
                f"{numbers[0]:.6f}, … both times",
                (f"Your code calls {fixed.group(0)}, with a fixed number. " if fixed else "")
                + "set_seed must pass its `seed` argument on, not a fixed number (such as a SEED "
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

"""Checks for exercises/ch2_pytorch/reproducibility.py (manual P3, erratum E1)."""

import contextlib
import os
import random

import numpy as np
import torch

from grader.toolkit.expect import Slip, fail

# torch's own function, saved before any learner code runs, so that a set_seed which assigns to
# it (erratum E1) can be recognised and undone.
USE_DETERMINISTIC_ALGORITHMS = torch.use_deterministic_algorithms
# The two workspace settings that NVIDIA documents as making cuBLAS deterministic.
CUBLAS_SETTINGS = (":4096:8", ":16:8")

# How to reseed each generator, for the message when its draws do not repeat.
RESEED = {
    "random.random()": "Call random.seed(seed).",
    "np.random.rand()": "Call np.random.seed(seed). (np.random.default_rng(seed) makes a new "
    "generator and leaves np.random's global one as it was.)",
    "torch.rand()": "Call torch.manual_seed(seed).",
    "nn.Linear's initial weights": "Call torch.manual_seed(seed); a model's initial weights are "
    "drawn from torch's generator.",
    "torch.rand(device='cuda')": "Call torch.cuda.manual_seed_all(seed).",
}


# Exceptions that typical slips raise inside set_seed; each is named only when the line that
# raised has the slip (the `code` pattern).
SLIPS = (
    Slip(
        error=AttributeError,
        says=r"has no attribute 'set_deterministic'",
        code=r"torch\.set_deterministic\(",
        explanation="torch.set_deterministic is an old name that this torch no longer has. Its "
        "replacement is torch.use_deterministic_algorithms(True), called like a function.",
        topic="P3",
    ),
    Slip(
        error=TypeError,
        says=r"seed\(\) takes 0 positional arguments",
        code=r"torch\.(?:cuda\.)?seed\(",
        explanation="torch.seed() takes no argument: it seeds torch with a fresh random number, "
        "the opposite of what set_seed is for. To set the seed, call torch.manual_seed(seed).",
        topic="P3",
    ),
)


@contextlib.contextmanager
def global_state_restored():
    """Undoes what set_seed changes for the whole process, even when the check fails."""
    saved_env = os.environ.get("CUBLAS_WORKSPACE_CONFIG")
    saved_cudnn = (torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms = USE_DETERMINISTIC_ALGORITHMS
        torch.use_deterministic_algorithms(False)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = saved_cudnn
        if saved_env is None:
            os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
        else:
            os.environ["CUBLAS_WORKSPACE_CONFIG"] = saved_env


def draws() -> dict[str, list[float]]:
    """A few numbers from every generator that set_seed must reseed."""
    numbers = {
        "random.random()": [random.random() for _ in range(3)],
        "np.random.rand()": np.random.rand(3).tolist(),
        "torch.rand()": torch.rand(3).tolist(),
        "nn.Linear's initial weights": torch.nn.Linear(4, 2).weight.detach().flatten().tolist(),
    }
    if torch.cuda.is_available():
        numbers["torch.rand(device='cuda')"] = torch.rand(3, device="cuda").tolist()
    return numbers


def test_same_seed_gives_same_draws(learner, seed):
    """Check that drawing again after set_seed with the same seed gives the same numbers."""
    with global_state_restored():
        learner.set_seed(seed)
        first = draws()
        learner.set_seed(seed)
        second = draws()
    for source, numbers in first.items():
        if numbers != second[source]:
            fail(
                f"{source} to give the same numbers after each set_seed({seed})",
                f"{numbers[0]:.6f}, … the first time and {second[source][0]:.6f}, … the second",
                f"set_seed does not reseed this generator. {RESEED[source]}",
                "P3",
            )


def test_different_seeds_give_different_draws(learner, seed):
    """Check that set_seed uses its argument: another seed gives other numbers."""
    with global_state_restored():
        learner.set_seed(seed)
        first = draws()
        learner.set_seed(seed + 1)
        second = draws()
    for source, numbers in first.items():
        if numbers == second[source]:
            fail(
                f"{source} to give other numbers after set_seed({seed + 1}) than after "
                f"set_seed({seed})",
                f"{numbers[0]:.6f}, … both times",
                "set_seed must pass its `seed` argument on, not a fixed number (such as a SEED "
                "constant copied from a script).",
                "P3",
            )


def test_torch_is_made_deterministic(learner, seed):
    """Check that set_seed calls torch.use_deterministic_algorithms(True) and sets up cuDNN and cuBLAS."""
    with global_state_restored():
        # Start from the non-deterministic defaults, so that only set_seed can make them right.
        torch.use_deterministic_algorithms(False)
        torch.backends.cudnn.deterministic = False
        torch.backends.cudnn.benchmark = True
        os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
        learner.set_seed(seed)
        replaced = torch.use_deterministic_algorithms
        if replaced is not USE_DETERMINISTIC_ALGORITHMS:
            fail(
                "torch.use_deterministic_algorithms to still be torch's function after set_seed",
                f"{replaced!r} in its place",
                "set_seed assigns to it, as the manual's helper does "
                "(`torch.use_deterministic_algorithms = True`, erratum E1). That replaces the "
                "function and makes nothing deterministic. Call it: "
                "torch.use_deterministic_algorithms(True).",
                "P3, E1",
            )
        if not torch.are_deterministic_algorithms_enabled():
            fail(
                "torch.are_deterministic_algorithms_enabled() to be True after set_seed",
                "False",
                "Call torch.use_deterministic_algorithms(True), so that torch picks deterministic "
                "kernels (or raises where none exists).",
                "P3, E1",
            )
        if torch.backends.cudnn.deterministic is not True:
            fail(
                "torch.backends.cudnn.deterministic to be True after set_seed",
                repr(torch.backends.cudnn.deterministic),
                "Set torch.backends.cudnn.deterministic = True.",
                "P3",
            )
        if torch.backends.cudnn.benchmark is not False:
            fail(
                "torch.backends.cudnn.benchmark to be False after set_seed",
                repr(torch.backends.cudnn.benchmark),
                "Benchmark mode times several convolution algorithms and keeps the fastest, "
                "which can differ from run to run. Set torch.backends.cudnn.benchmark = False.",
                "P3",
            )
        cublas = os.environ.get("CUBLAS_WORKSPACE_CONFIG")
        if cublas not in CUBLAS_SETTINGS:
            fail(
                f'os.environ["CUBLAS_WORKSPACE_CONFIG"] to be {CUBLAS_SETTINGS[0]!r} after set_seed',
                "no value (it is unset)" if cublas is None else repr(cublas),
                'Set os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8", as the exercise asks: it '
                "is the cuBLAS workspace setting that NVIDIA documents for reproducible matrix "
                "products on the GPU. (The torch installed here no longer raises without it, so "
                "nothing else would remind you.)",
                "P3, E1",
            )

"""Checks for exercises/ch6_tensorflow/gradient_tape.py (manual F2, P2, E11)."""

import re

import numpy as np
import pytest

from grader.toolkit.expect import Mistake, Slip, describe, expect_close, fail, to_numpy
from grader.toolkit.numbers import expect_pair
from grader.toolkit.tf_source import code_only, source

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

SLIPS = (
    Slip(
        error=AttributeError,
        says=r"'SymbolicTensor' object has no attribute 'numpy'",
        code=r"\.numpy\(",
        explanation="Inside a @tf.function TF first runs your Python code to trace it, with "
        "symbolic tensors that have no value yet, so .numpy() fails there. Print with "
        "tf.print(...) and return the tensors themselves, or leave out @tf.function.",
        topic="F2, F9",
    ),
    Slip(
        error=ValueError,
        says=r"tf\.function only supports singleton tf\.Variables",
        code=r"Variable\(",
        explanation="TF runs a @tf.function's Python code more than once to trace it (twice on "
        "the first call when it creates variables), and would create new variables each time, "
        "which it refuses. Leave z_and_gradients undecorated: it creates its variables.",
        topic="F2, F9",
    ),
)

# The manual's example, as integer lists: the variables must still end up float to get gradients.
MANUAL_X1 = [[1, 2], [3, 4]]
MANUAL_X2 = [[1, -2], [-3, -4]]
# Worked by hand: y = [[3, 0], [3, 8]], so z = 27 + 0 + 27 + 512.
MANUAL_Z = 566.0
RANDOM_SHAPE = (3, 4)

# Learner float32 gradients against float64 formulas (and the float32 reference). With inputs
# ~N(0, 1), |y| stays below ~20, so float32 rounding (about 1e-7 relative) is far below these;
# any formula slip is far above.
RTOL, ATOL = 1e-5, 1e-4


def analytic(x1, x2) -> dict[str, np.ndarray]:
    """z and its gradients from the chain rule: dz/dy = 3y², dy/dx1 = 2·x1, dy/dx2 = 2."""
    x1, x2 = np.asarray(x1, dtype=np.float64), np.asarray(x2, dtype=np.float64)
    y = x1 * x1 + 2 * x2
    return {
        "z": (y**3).sum(),
        "dz/dx1": 6 * y**2 * x1,
        "dz/dx2": 6 * y**2,
        "dz/dy": 3 * y**2,
        "y sum": y.sum(),
    }


def call_z_and_gradients(learner, x1: list, x2: list) -> dict:
    """Runs z_and_gradients and turns the known tape slips into targeted failures."""
    what = "z_and_gradients(x1, x2)"
    result = learner.z_and_gradients(x1, x2)
    if not (isinstance(result, tuple) and len(result) == 3):
        fail(
            f"{what} to return a tuple (z, dz/dx1, dz/dx2)",
            describe(result),
            "Return z and the two gradients from tape.gradient(z, [x1, x2]), in that order.",
            "F2",
        )
    got = dict(zip(("z", "dz/dx1", "dz/dx2"), result, strict=True))
    z_dtype = getattr(got["z"], "dtype", None)
    if z_dtype is not None and tf.as_dtype(z_dtype).is_integer:
        fail(
            f"{what} to compute in float32",
            f"z of dtype {tf.as_dtype(z_dtype).name}, and gradients {describe(got['dz/dx1'])}",
            "tf.Variable([[1, 2], [3, 4]]) is int32 (E11), and a tape has no gradients for "
            "integers (it returns None). Create the variables with dtype=tf.float32.",
            "F2, E11",
        )
    if got["dz/dx1"] is None and got["dz/dx2"] is None:
        fail(
            f"{what} to return both gradients",
            "None for both",
            "tape.gradient returns None when the tape recorded nothing that links z to the "
            "source. Compute y and z inside the `with tf.GradientTape() as tape:` block, from "
            "the tf.Variables x1 and x2 (a tape watches variables by itself, constants only "
            "after tape.watch).",
            "F2",
        )
    expect_float32(got, what, learner.z_and_gradients)
    return got


def expect_float32(got: dict, what: str, function) -> None:
    """Fails unless every returned tensor that has a dtype is float32, as the docstring promises."""
    for name, value in got.items():
        dtype = getattr(value, "dtype", None)
        if dtype is None or tf.as_dtype(dtype) == tf.float32:
            continue
        code = code_only(source(function))
        if tf.as_dtype(dtype) == tf.float64 and "float64" in code:
            cause = "You asked for float64 (tf.float64 in your code)."
        elif tf.as_dtype(dtype) == tf.float64 and "np.array" in code:
            cause = "np.array of Python floats is float64, and TF keeps that dtype."
        else:
            cause = f"Your code computes in {tf.as_dtype(dtype).name}."
        fail(
            f"{what}'s {name} to be float32",
            describe(value),
            f"{cause} The docstring promises float32, TF's default float: create the variables "
            "with dtype=tf.float32.",
            "F2, E11",
        )


def expect_gradient(got, want: dict, name: str, inputs: str, mistakes: tuple = ()) -> None:
    """expect_close for one gradient, after ruling out None."""
    what = f"{name} for {inputs}"
    if got is None:
        fail(
            f"{what} to be a tensor of shape {want[name].shape}",
            "None",
            "tape.gradient(target, sources) returns one gradient per source, and None for a "
            "source the target does not depend on. Check which tensors you passed as sources.",
            "F2",
        )
    expect_close(got, want[name], what=what, topic="F2", rtol=RTOL, atol=ATOL, mistakes=mistakes)


def test_z_matches_manual_example(learner):
    """Check that z is 566 for the manual's x1 and x2, given as integer lists."""
    got = call_z_and_gradients(learner, MANUAL_X1, MANUAL_X2)
    what = f"z for x1 = {MANUAL_X1}, x2 = {MANUAL_X2}"
    if got["z"] is None or np.shape(to_numpy(got["z"])) != ():
        builtin_sum = np.shape(to_numpy(got["z"])) == (len(MANUAL_X1[0]),) and re.search(
            r"(?<![\w.])sum\(", code_only(source(learner.z_and_gradients))
        )
        fail(
            f"{what} to be a single number (a tensor of shape ())",
            describe(got["z"]),
            "Python's built-in sum() adds up the rows of y**3, so one number per column is "
            "left. tf.reduce_sum(y**3) sums every element: z = tf.reduce_sum(y**3)."
            if builtin_sum
            else "z is the sum of y³ over all elements: z = tf.reduce_sum(y**3).",
            "F2",
        )
    expect_close(
        got["z"],
        MANUAL_Z,
        what=what,
        topic="F2",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                MANUAL_Z / 4,
                "That is the mean of y³; the manual's z is the sum: tf.reduce_sum(y**3).",
            ),
            Mistake(
                (3 + 0 + 3 + 8) ** 3,  # y = [[3, 0], [3, 8]]
                "That is (sum of y)³; the manual's z is the sum of the cubes: tf.reduce_sum(y**3).",
            ),
        ),
    )


def test_gradients_match_analytic_and_reference(learner, reference, rng):
    """Check that dz/dx1 = 6y²·x1 and dz/dx2 = 6y², for the manual's example and random inputs."""
    cases = [
        (MANUAL_X1, MANUAL_X2, "the manual's example"),
        (
            rng.normal(size=RANDOM_SHAPE).tolist(),
            rng.normal(size=RANDOM_SHAPE).tolist(),
            f"random {RANDOM_SHAPE} inputs",
        ),
    ]
    for x1, x2, inputs in cases:
        got = call_z_and_gradients(learner, x1, x2)
        want = analytic(x1, x2)
        swapped = "The gradients come back in the order of the sources: tape.gradient(z, [x1, x2]) gives dz/dx1 first, then dz/dx2."
        # z = (sum y)³ by mistake: dz/dy = 3·(sum y)² for every element.
        cubed_sum = 3 * want["y sum"] ** 2
        sum_cubed = (
            "That is the gradient of (sum of y)³; the manual's z is the sum of the cubes: "
            "z = tf.reduce_sum(y**3)."
        )
        expect_gradient(
            got["dz/dx1"],
            want,
            "dz/dx1",
            inputs,
            mistakes=(
                Mistake(want["dz/dx2"], swapped),
                Mistake(
                    want["dz/dx1"] / want["dz/dx1"].size,
                    "That is the gradient of the mean of y³; z is the sum.",
                ),
                Mistake(
                    2 * np.asarray(x1),
                    "That is dy/dx1 = 2·x1: the target of tape.gradient must be z, not y.",
                ),
                Mistake(cubed_sum * 2 * np.asarray(x1), sum_cubed),
            ),
        )
        expect_gradient(
            got["dz/dx2"],
            want,
            "dz/dx2",
            inputs,
            mistakes=(
                Mistake(want["dz/dx1"], swapped),
                Mistake(
                    want["dz/dx2"] / want["dz/dx2"].size,
                    "That is the gradient of the mean of y³; z is the sum.",
                ),
                Mistake(cubed_sum * 2 * np.ones_like(want["dz/dx2"]), sum_cubed),
            ),
        )
        ref = reference.z_and_gradients(x1, x2)
        for name, mine, theirs in (
            ("dz/dx1", got["dz/dx1"], ref[1]),
            ("dz/dx2", got["dz/dx2"], ref[2]),
        ):
            expect_close(
                mine, theirs, what=f"{name} for {inputs}", topic="F2", rtol=RTOL, atol=ATOL
            )


def test_persistent_tape_gives_two_gradients(learner, reference, rng):
    """Check that one persistent tape over watched constants gives dz/dx1 and dz/dy."""
    cases = [
        (MANUAL_X1, MANUAL_X2, "the manual's example"),
        (
            rng.normal(size=RANDOM_SHAPE),
            rng.normal(size=RANDOM_SHAPE),
            f"random {RANDOM_SHAPE} inputs",
        ),
    ]
    for a, b, inputs in cases:
        x1 = tf.constant(np.asarray(a, dtype=np.float32))
        x2 = tf.constant(np.asarray(b, dtype=np.float32))
        what = f"gradients_from_one_tape(x1, x2) for {inputs}"
        try:
            result = learner.gradients_from_one_tape(x1, x2)
        except RuntimeError as exc:
            if "persistent" not in str(exc) and "one set of gradients" not in str(exc):
                raise
            fail(
                f"{what} to call tape.gradient twice",
                f"RuntimeError: {str(exc).strip().splitlines()[0]}",
                "A tape frees what it recorded after its first gradient() call. Open it with "
                "tf.GradientTape(persistent=True) to ask it for a second gradient (and `del tape` "
                "when done).",
                "F2",
            )
        dz_dx1, dz_dy = expect_pair(
            result,
            f"{what} to return a tuple (dz/dx1, dz/dy)",
            "Return the two gradients, in that order.",
            "F2",
            kinds=(tuple,),
        )
        if dz_dx1 is None:
            watches = "watch(" in code_only(source(learner.gradients_from_one_tape))
            fail(
                f"{what}: dz/dx1 to be a tensor of shape {x1.shape}",
                "None",
                "Your tape watches something, but z does not depend on what it recorded of x1: "
                "call tape.watch(x1) inside the `with` block, then compute y and z from that x1 "
                "inside the block too."
                if watches
                else "x1 is a tf.constant, and a tape only watches tf.Variables by itself: call "
                "tape.watch(x1) inside the `with` block, before computing y from it.",
                "F2",
            )
        if dz_dy is None:
            fail(
                f"{what}: dz/dy to be a tensor of shape {x1.shape}",
                "None",
                "Pass the very y that was computed inside the tape. A y computed again after the "
                "block is a new tensor the tape never saw.",
                "F2",
            )
        expect_float32({"dz/dx1": dz_dx1, "dz/dy": dz_dy}, what, learner.gradients_from_one_tape)
        want = analytic(a, b)
        expect_gradient(
            dz_dx1,
            want,
            "dz/dx1",
            inputs,
            mistakes=(
                Mistake(want["dz/dy"], "That is dz/dy; the first gradient is with respect to x1."),
            ),
        )
        expect_gradient(
            dz_dy,
            want,
            "dz/dy",
            inputs,
            mistakes=(
                Mistake(
                    want["dz/dx1"],
                    "That is dz/dx1 again; the second gradient is with respect to y.",
                ),
                Mistake(
                    want["dz/dx2"],
                    "That is dz/dx2 = 6y²; the second gradient is with respect to y (3y²).",
                ),
            ),
        )
        ref_dx1, ref_dy = reference.gradients_from_one_tape(x1, x2)
        expect_close(dz_dx1, ref_dx1, what=f"dz/dx1 for {inputs}", topic="F2", rtol=RTOL, atol=ATOL)
        expect_close(dz_dy, ref_dy, what=f"dz/dy for {inputs}", topic="F2", rtol=RTOL, atol=ATOL)

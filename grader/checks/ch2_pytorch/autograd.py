"""Checks for exercises/ch2_pytorch/autograd.py (manual P2, erratum E6)."""

import numpy as np

from grader.expect import Mistake, describe, expect_close, fail

# The manual's example, as integer lists: the tensors must still end up float to take gradients.
MANUAL_X1 = [[1, 2], [3, 4]]
MANUAL_X2 = [[1, -2], [-3, -4]]
# Worked by hand: y = [[3, 0], [3, 8]], so z = 27 + 0 + 27 + 512.
MANUAL_Z = 566.0
RANDOM_SHAPE = (3, 4)

# Learner float32 autograd against float64 formulas. With inputs ~N(0, 1), |y| stays below ~20,
# so float32 rounding (about 1e-7 relative) is far below these; any formula slip is far above.
RTOL, ATOL = 1e-5, 1e-4


def analytic(x1: np.ndarray, x2: np.ndarray) -> dict[str, np.ndarray]:
    """z and its gradients from the chain rule: dz/dy = 3y², dy/dx1 = 2·x1, dy/dx2 = 2."""
    y = x1 * x1 + 2 * x2
    return {"z": (y**3).sum(), "dz/dx1": 6 * y**2 * x1, "dz/dx2": 6 * y**2, "dz/dy": 3 * y**2}


def call(learner, x1: list, x2: list) -> dict:
    """Runs z_and_gradients and turns the known autograd slips into targeted failures."""
    what = "z_and_gradients(x1, x2)"
    try:
        result = learner.z_and_gradients(x1, x2)
    except TypeError as exc:
        if "require_grad" not in str(exc):
            raise
        fail(
            f"{what} to run",
            f"TypeError: {str(exc).rstrip('.')}",
            "The manual writes `require_grad=True` (erratum E6); the keyword is "
            "`requires_grad=True`, with an s.",
            "P2, E6",
        )
    except RuntimeError as exc:
        text = str(exc).rstrip(".")
        if "floating point" in text and "require gradients" in text:
            fail(
                f"{what} to run on the integer lists {MANUAL_X1} and {MANUAL_X2}",
                f"RuntimeError: {text}",
                "requires_grad=True needs a floating-point dtype, and torch.tensor turns integer "
                "lists into int64. Pass dtype=torch.float32 together with requires_grad=True.",
                "P2",
            )
        if "does not require grad" in text or "requires_grad=False" in text:
            fail(
                f"{what} to run",
                f"RuntimeError: {text}",
                "Nothing z depends on requires grad, so autograd built no graph. Create x1 and "
                "x2 with requires_grad=True (spelled requires, not require: erratum E6).",
                "P2, E6",
            )
        if "scalar outputs" in text:
            fail(
                f"{what} to run",
                f"RuntimeError from backward(): {text}",
                "backward() works on a single number only. Sum the cubes first, "
                "z = (y**3).sum(), and call z.backward().",
                "P2",
            )
        raise
    if not (isinstance(result, tuple) and len(result) == 4):
        fail(
            f"{what} to return a tuple (z, dz/dx1, dz/dx2, dz/dy)",
            describe(result),
            "Return z, x1.grad, x2.grad and y.grad, in that order.",
            "P2",
        )
    return dict(zip(("z", "dz/dx1", "dz/dx2", "dz/dy"), result, strict=True))


def expect_gradient(got: dict, want: dict, name: str, inputs: str) -> None:
    """expect_close for one gradient, after ruling out the ways it comes back as None."""
    what = f"{name} for {inputs}"
    if got[name] is None and all(got[n] is None for n in ("dz/dx1", "dz/dx2", "dz/dy")):
        fail(
            f"{what} to be a tensor of shape {want[name].shape}",
            "None for all three gradients",
            ".grad is filled in only by z.backward(). Call it before reading x1.grad, x2.grad "
            "and y.grad.",
            "P2",
        )
    if got[name] is None and name == "dz/dy":
        fail(
            f"{what} to be a tensor of shape {want[name].shape}",
            "None",
            "y is an intermediate (non-leaf) tensor, so autograd drops its gradient. Call "
            "y.retain_grad() before z.backward().",
            "P2",
        )
    if got[name] is None:
        fail(
            f"{what} to be a tensor of shape {want[name].shape}",
            "None",
            "Only leaf tensors keep .grad: return the .grad of the very tensors you created with "
            "requires_grad=True. An operation after creating them (.float(), .to(), * 1) makes "
            "a new, non-leaf tensor.",
            "P2",
        )
    expect_close(
        got[name],
        want[name],
        what=what,
        topic="P2",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                want[name] / want[name].size,
                "That is the gradient of the mean of y³. The manual's z is the sum: (y**3).sum().",
            ),
        ),
    )


def test_z_matches_manual_example(learner):
    """Check that z is 566 for the manual's x1 and x2, given as integer lists."""
    got = call(learner, MANUAL_X1, MANUAL_X2)
    what = f"z for x1 = {MANUAL_X1}, x2 = {MANUAL_X2}"
    if got["z"] is None or np.shape(got["z"]) != ():
        fail(
            f"{what} to be a single number (a tensor of shape ())",
            describe(got["z"]),
            "z is the sum of y³ over all elements: z = (y**3).sum().",
            "P2",
        )
    expect_close(
        got["z"],
        MANUAL_Z,
        what=what,
        topic="P2",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                MANUAL_Z / 4, "That is the mean of y³; the manual's z is the sum: (y**3).sum()."
            ),
            Mistake(
                (3 + 0 + 3 + 8) ** 3,  # y = [[3, 0], [3, 8]]
                "That is (sum of y)³; the manual's z is the sum of the cubes: (y**3).sum().",
            ),
        ),
    )


def test_leaf_gradients_match_analytic(learner, rng):
    """Check that dz/dx1 = 6y²·x1 and dz/dx2 = 6y², for the manual's example and random inputs."""
    x1 = rng.normal(size=RANDOM_SHAPE)
    x2 = rng.normal(size=RANDOM_SHAPE)
    cases = [
        (MANUAL_X1, MANUAL_X2, "the manual's example"),
        (x1.tolist(), x2.tolist(), f"random {RANDOM_SHAPE} inputs"),
    ]
    for a, b, inputs in cases:
        got = call(learner, a, b)
        want = analytic(np.array(a, dtype=np.float64), np.array(b, dtype=np.float64))
        expect_gradient(got, want, "dz/dx1", inputs)
        expect_gradient(got, want, "dz/dx2", inputs)


def test_intermediate_gradient_is_retained(learner, rng):
    """Check that dz/dy = 3y² comes back for the intermediate y (which needs retain_grad)."""
    x1 = rng.normal(size=RANDOM_SHAPE)
    x2 = rng.normal(size=RANDOM_SHAPE)
    for a, b, inputs in [(MANUAL_X1, MANUAL_X2, "the manual's example"), (x1, x2, "random inputs")]:
        got = call(learner, np.asarray(a).tolist(), np.asarray(b).tolist())
        want = analytic(np.array(a, dtype=np.float64), np.array(b, dtype=np.float64))
        expect_gradient(got, want, "dz/dy", inputs)

"""Checks for exercises/ch2_pytorch/autograd.py (manual P2, erratum E6)."""

import ast
import inspect
import textwrap

import numpy as np
import torch

from grader.toolkit.expect import Mistake, describe, expect_close, expect_dtype, fail

BACKWARD_TWICE = (
    "Your gradients are {count} times the expected ones, and z_and_gradients calls .backward() "
    "{count} times: each call adds its gradients to .grad, which accumulates them. Call "
    "z.backward() once, after building z."
)

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


def analytic_sum_of_y(x1: np.ndarray, x2: np.ndarray) -> dict[str, np.ndarray]:
    """The same for the slip z = y.sum(), without the cubes."""
    y = x1 * x1 + 2 * x2
    return {
        "z": y.sum(),
        "dz/dx1": 2 * x1,
        "dz/dx2": np.full_like(y, 2.0),
        "dz/dy": np.ones_like(y),
    }


def graph_leaves(z) -> list[torch.Tensor]:
    """The tensors that require grad and that z was computed from (its graph's leaves)."""
    leaves, seen, stack = [], set(), [getattr(z, "grad_fn", None)]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if hasattr(node, "variable"):  # AccumulateGrad: where a leaf's .grad is filled in
            leaves.append(node.variable)
        stack.extend(next_node for next_node, _ in node.next_functions)
    return leaves


def holds(tensor: torch.Tensor, values: np.ndarray) -> bool:
    return tuple(tensor.shape) == values.shape and np.allclose(
        tensor.detach().cpu().double().numpy(), values
    )


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
        if "requires_grad flags of leaf variables" in text:
            fail(
                f"{what} to run",
                f"RuntimeError: {text}",
                "y is computed from x1 and x2, so it is not a leaf, and torch refuses to change "
                "requires_grad on it (y already requires grad, through x1 and x2). To keep y's "
                "gradient, call y.retain_grad() before z.backward().",
                "P2",
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


def backward_calls(learner) -> int:
    """How many .backward(...) calls z_and_gradients's source holds; 0 when it cannot be read.
    One call inside a loop counts once, so a loop never confirms a repeated backward."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(learner.z_and_gradients)))
    except (OSError, TypeError, SyntaxError):
        return 0
    return sum(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "backward"
        for node in ast.walk(tree)
    )


def expect_gradient(
    got: dict, want: dict, name: str, inputs: str, values: dict, backward: int = 1
) -> None:
    """expect_close for one gradient, after ruling out the ways it comes back as None.

    values: the numbers x1 and x2 were made from, to find them among the leaves of z's graph.
    """
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
        variable = name.removeprefix("dz/d")
        in_graph = [leaf for leaf in graph_leaves(got["z"]) if holds(leaf, values[variable])]
        if isinstance(got["z"], torch.Tensor) and not in_graph:
            fail(
                f"{what} to be a tensor of shape {want[name].shape}",
                f"None: nothing that z was computed from both requires grad and holds {variable}'s "
                "values",
                f"{variable} never got requires_grad=True (or was cut off from the graph by "
                f".detach() or .data), so autograd does not track it and {variable}.grad stays "
                f"None. Create it with torch.tensor(..., dtype=torch.float32, requires_grad=True).",
                "P2",
            )
        found = (
            f"; z's graph does have a leaf holding {variable}'s values (dtype "
            f"{str(in_graph[0].dtype).removeprefix('torch.')}), but not the tensor you returned "
            ".grad of"
            if in_graph
            else ""
        )
        fail(
            f"{what} to be a tensor of shape {want[name].shape}",
            f"None{found}",
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
            *(
                (Mistake(want[name] * backward, BACKWARD_TWICE.format(count=backward)),)
                if backward > 1
                else ()
            ),
            Mistake(
                want[name] / want[name].size,
                "That is the gradient of the mean of y³. The manual's z is the sum: (y**3).sum().",
            ),
            Mistake(
                analytic_sum_of_y(values["x1"], values["x2"])[name],
                "That is the gradient of z = y.sum(), without the cubes. The manual's z is the sum "
                "of y cubed: z = (y**3).sum().",
            ),
        ),
    )
    expect_dtype(
        got[name],
        torch.float32,
        what,
        "A gradient has the dtype of its tensor, and the docstring promises float32, the dtype "
        "of PyTorch's models: create x1 and x2 with dtype=torch.float32.",
        "P2",
    )


def test_z_matches_manual_example(learner):
    """Check that z is a float32 tensor equal to 566 for the manual's x1 and x2 (integer lists)."""
    got = call(learner, MANUAL_X1, MANUAL_X2)
    what = f"z for x1 = {MANUAL_X1}, x2 = {MANUAL_X2}"
    if not isinstance(got["z"], torch.Tensor):
        fail(
            f"{what} to be a float32 tensor of shape ()",
            describe(got["z"]),
            "Return the tensor z itself. z.item() (or float(z)) turns it into a Python number, "
            "which has no dtype, no device and no graph.",
            "P2",
        )
    if np.shape(got["z"]) != ():
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
            Mistake(
                3 + 0 + 3 + 8,
                "That is the sum of y, without the cubes; the manual's z is the sum of y cubed: "
                "z = (y**3).sum().",
            ),
        ),
    )
    expect_dtype(
        got["z"],
        torch.float32,
        what,
        "The docstring promises float32, the dtype of PyTorch's models: create x1 and x2 with "
        "dtype=torch.float32, and z follows.",
        "P2",
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
        values = {"x1": np.array(a, dtype=np.float64), "x2": np.array(b, dtype=np.float64)}
        want = analytic(values["x1"], values["x2"])
        expect_gradient(got, want, "dz/dx1", inputs, values, backward_calls(learner))
        expect_gradient(got, want, "dz/dx2", inputs, values, backward_calls(learner))


def test_intermediate_gradient_is_retained(learner, rng):
    """Check that dz/dy = 3y² comes back for the intermediate y (which needs retain_grad)."""
    x1 = rng.normal(size=RANDOM_SHAPE)
    x2 = rng.normal(size=RANDOM_SHAPE)
    for a, b, inputs in [(MANUAL_X1, MANUAL_X2, "the manual's example"), (x1, x2, "random inputs")]:
        got = call(learner, np.asarray(a).tolist(), np.asarray(b).tolist())
        values = {"x1": np.array(a, dtype=np.float64), "x2": np.array(b, dtype=np.float64)}
        want = analytic(values["x1"], values["x2"])
        expect_gradient(got, want, "dz/dy", inputs, values, backward_calls(learner))

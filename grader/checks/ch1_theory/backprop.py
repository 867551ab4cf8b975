"""Checks for exercises/ch1_theory/backprop.py (manual T10, E9)."""

import numpy as np
import torch

from grader.toolkit.expect import Mistake, Slip, expect_close, fail

# float64 sums of a few O(10) products: only rounding order differs from torch, about 1e-15
# relative; 1e-9 leaves ample room and still catches any real slip.
RTOL, ATOL = 1e-9, 1e-9

# The manual's worked example (T10).
W0 = np.array([[3.0, 1.0, 2.0], [-2.0, -3.0, -1.0]])
W1 = np.array([3.0, 2.0])
X = np.array([1.0, 2.0, 3.0])
Y = 10.0

KEYS = ("y_hat", "W1", "z", "W0", "x")

# A square W0 (hidden == inputs) lets a forward pass that sums over the wrong axis run, so that
# its z can be compared with the slip's.
SQUARE_W0 = np.array([[3.0, 1.0, 2.0], [-2.0, -3.0, -1.0], [1.0, 0.0, 2.0]])
SQUARE_W1 = np.array([3.0, 2.0, 1.0])

# Exceptions that typical slips raise inside backward; each is named only when the line that
# raised has the slip (the `code` pattern).
SLIPS = (
    Slip(
        error=ValueError,
        says=r"not aligned|mismatch in its core dimension",
        code=r"(?<![\w.])W0\s*@\s*d_?z\b|np\.(?:dot|matmul)\(\s*W0\s*,\s*d_?z\b",
        explanation="W0 is (hidden, inputs) and d_z is (hidden,), so W0 @ d_z does not line up. "
        "x_j reaches every z_i through W0[i, j], so dL/dx_j = sum_i dL/dz_i * W0[i, j]: that is "
        "W0.T @ d_z, with W0 transposed.",
        topic="T10",
    ),
)


def _forward(learner, W0, W1, x):
    """learner.forward; a ValueError from summing over the wrong axis is named, after a probe."""
    try:
        return learner.forward(W0, W1, x)
    except ValueError as exc:
        try:
            z_probe, _ = learner.forward(SQUARE_W0, SQUARE_W1, X)
        except Exception:  # noqa: BLE001 - the probe only confirms; otherwise report the original
            z_probe = None
        z_probe = None if z_probe is None else np.asarray(z_probe, dtype=np.float64)
        slips = [
            (
                X * SQUARE_W0.sum(axis=0),
                "(W0 * x).sum(axis=0)",
                (
                    "Summing W0 * x over axis 0 adds up the hidden units, which gives one value "
                    "per input. z_i = sum_j W0[i, j] x_j sums over the inputs, axis=1: "
                    "(W0 * x).sum(axis=1), or W0 @ x."
                ),
            ),
            (
                SQUARE_W0.T @ X,
                "x @ W0 (that is W0.T @ x)",
                (
                    "x @ W0 pairs x with the columns of W0, one per input. z_i = "
                    "sum_j W0[i, j] x_j uses the rows of W0: z = W0 @ x."
                ),
            ),
        ]
        for wrong, formula, why in slips:
            if (
                z_probe is not None
                and z_probe.shape == wrong.shape
                and np.allclose(z_probe, wrong, rtol=RTOL, atol=ATOL)
            ):
                fail(
                    f"forward(W0, W1, x) to run with W0 of shape {W0.shape} and x of shape "
                    f"{x.shape}",
                    f"ValueError: {exc}. With a square W0 your z equals {formula}",
                    why,
                    "T10",
                )
        raise


def _grads(learner, W0, W1, x, y):
    _forward(learner, W0, W1, x)  # names a forward slip before backward trips over it
    grads = learner.backward(W0, W1, x, y)
    if not isinstance(grads, dict) or not set(KEYS) <= set(grads):
        have = sorted(grads) if isinstance(grads, dict) else None
        fail(
            f"backward to return a dict with the keys {', '.join(KEYS)}",
            f"a dict with the keys {have}" if have is not None else repr(type(grads).__name__),
            'Return {"y_hat": ..., "W1": ..., "z": ..., "W0": ..., "x": ...}, each value dL/d of '
            "that variable.",
            "T10",
        )
    return grads


def _expect_grads(grads, want, W0, W1, x, y, what, reference):
    """Compares each gradient in output-to-input order, so the first slip is the one reported."""
    d_y_hat = want["y_hat"]
    z = W0 @ x
    mistakes = {
        "y_hat": (
            Mistake(
                d_y_hat / 2,
                "You dropped the 2: the derivative of (y_hat - y)^2 is 2 (y_hat - y).",
            ),
            Mistake(
                -d_y_hat, "Your sign is flipped: dL/dy_hat = 2 (y_hat - y), not 2 (y - y_hat)."
            ),
            Mistake(
                lambda got: got.shape == (1,),
                "dL/dy_hat should be one number, like y_hat itself, not an array of one element. "
                "Check that forward returns y_hat as a float: with 1-D W1 and z, W1 @ z is "
                "already a number, while a 2-D W1 (such as W1.reshape(1, -1)) makes it an array.",
            ),
            Mistake(
                lambda got: got.shape == W1.shape,
                "dL/dy_hat should be one number, like y_hat itself. Check that forward computes "
                "y_hat as the dot product W1 @ z, not the elementwise W1 * z.",
            ),
            Mistake(
                lambda got: got.ndim > 0,
                "dL/dy_hat should be one number, like y_hat itself: 2 * (y_hat - y) with y_hat "
                "a float.",
            ),
        ),
        "W1": (
            Mistake(
                z,
                "That is dy_hat/dW1 = z alone. The chain rule multiplies it by dL/dy_hat: "
                "dL/dW1 = dL/dy_hat * z.",
            ),
            Mistake(want["W1"] / 2, "You dropped the 2 of dL/dy_hat = 2 (y_hat - y)."),
            Mistake(
                d_y_hat * W1,
                "That is dL/dy_hat * W1, the gradient for z. y_hat = W1 . z, so each gradient is "
                "dL/dy_hat times the other factor: dL/dW1 = dL/dy_hat * z.",
            ),
        ),
        "z": (
            Mistake(
                d_y_hat * W0[:, 0],
                "You used a weight of W0, the slide's slip (erratum E9: it writes "
                "dL/dz2 = w21^0 = -2). z feeds y_hat through W1, so dL/dz = dL/dy_hat * W1; in the "
                "manual's example dL/dz2 = 2 * 2 = 4.",
            ),
            Mistake(
                W1,
                "That is dy_hat/dz = W1 alone. The chain rule multiplies it by dL/dy_hat: "
                "dL/dz = dL/dy_hat * W1.",
            ),
            Mistake(want["z"] / 2, "You dropped the 2 of dL/dy_hat = 2 (y_hat - y)."),
            Mistake(
                d_y_hat * z,
                "That is dL/dy_hat * z, the gradient for W1. y_hat = W1 . z, so each gradient is "
                "dL/dy_hat times the other factor: dL/dz = dL/dy_hat * W1.",
            ),
        ),
        "W0": (
            Mistake(
                want["W0"].T,
                "Your dL/dW0 is transposed. It has W0's shape (hidden, inputs): "
                "dL/dW0[i, j] = dL/dz_i * x_j, which is np.outer(d_z, x).",
            ),
            Mistake(
                np.outer(np.ones_like(want["z"]), x),
                "That is dz/dW0 alone (x in every row). Scale row i by dL/dz_i: np.outer(d_z, x).",
            ),
        ),
        "x": (
            Mistake(
                lambda got: got.shape == W0.shape,
                "You kept one term per hidden unit. x_j reaches every z_i, so sum them: "
                "dL/dx_j = sum_i dL/dz_i * W0[i, j], i.e. W0.T @ d_z (manual: 18 + (-8) = 10).",
            ),
            Mistake(
                (want["z"][:, None] * W0).sum(axis=1),
                "You summed d_z[:, None] * W0 over axis 1, the inputs, which gives one number "
                "per hidden unit. x_j reaches every z_i, so sum over the hidden units, axis 0: "
                "(d_z[:, None] * W0).sum(axis=0), which is W0.T @ d_z.",
            ),
            Mistake(
                W0.sum(axis=0),
                "That is the sum of W0's columns, dz/dx without the chain rule. Weight row i by "
                "dL/dz_i: W0.T @ d_z.",
            ),
        ),
    }
    names = {"y_hat": "dL/dy_hat", "W1": "dL/dW1", "z": "dL/dz", "W0": "dL/dW0", "x": "dL/dx"}
    for key in KEYS:
        expect_close(
            grads[key],
            want[key],
            what=f"{names[key]} {what}",
            topic="T10",
            rtol=RTOL,
            atol=ATOL,
            next_step=f"Apply the chain rule from the loss back to {key}: multiply the gradient "
            "arriving from the output side by the local derivative.",
            mistakes=mistakes[key],
            inputs=(W0, W1, x, y),
            reference=lambda *args, key=key: reference.backward(*args)[key],
            names=("W0", "W1", "x", "y"),
            quantities={
                "y_hat, the forward pass's output": float(W1 @ z),
                "z, the hidden layer's values": z,
            },
        )


def test_forward_matches_manual_example(learner, reference):
    """Check that the manual's example gives z = (11, -11) and y_hat = 11."""
    z, y_hat = _forward(learner, W0, W1, X)
    expect_close(
        z,
        np.array([11.0, -11.0]),
        what="z = W0 @ x for the manual's example",
        topic="T10",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                lambda got: got.shape == (3,),
                "Your z has 3 entries, one per input. z = W0 @ x has one per hidden unit (2 here).",
            ),
        ),
        inputs=(W0, W1, X),
        reference=lambda *args: reference.forward(*args)[0],
        names=("W0", "W1", "x"),
    )
    expect_close(
        y_hat,
        11.0,
        what="y_hat = W1 . z for the manual's example (so L = (11 - 10)^2 = 1)",
        topic="T10",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                lambda got: got.shape == (2,),
                "Your y_hat has 2 entries: you multiplied elementwise. Use the dot product W1 @ z.",
            ),
            Mistake(
                lambda got: got.shape == (1,),
                "Your y_hat is an array of one element, not a float. With the 1-D W1 and z, "
                "W1 @ z is already a number; a 2-D W1 (such as W1.reshape(1, -1) or W1[None]) "
                "makes the product an array. Use W1 @ z as it is, or float(...).",
            ),
        ),
    )


def test_backward_matches_manual_example(learner, reference):
    """Check the manual's gradients: (22, -22) for W1, (6, 4) for z, (10, -6, 8) for x, and W0's."""
    want = {
        "y_hat": 2.0,
        "W1": np.array([22.0, -22.0]),
        "z": np.array([6.0, 4.0]),
        "W0": np.array([[6.0, 12.0, 18.0], [4.0, 8.0, 12.0]]),
        "x": np.array([10.0, -6.0, 8.0]),
    }
    grads = _grads(learner, W0, W1, X, Y)
    _expect_grads(grads, want, W0, W1, X, Y, "for the manual's example", reference)


def test_backward_matches_autograd(learner, reference, rng):
    """Check that backward matches torch autograd on a random 4 -> 5 -> 1 network."""
    w0, w1, x = rng.normal(size=(5, 4)), rng.normal(size=5), rng.normal(size=4)
    y = float(rng.normal())
    t_w0, t_w1, t_x = (torch.tensor(a, requires_grad=True) for a in (w0, w1, x))
    t_z = t_w0 @ t_x
    t_y_hat = t_w1 @ t_z
    t_z.retain_grad()
    t_y_hat.retain_grad()
    ((t_y_hat - y) ** 2).backward()
    want = {
        "y_hat": t_y_hat.grad.item(),
        "W1": t_w1.grad.numpy(),
        "z": t_z.grad.numpy(),
        "W0": t_w0.grad.numpy(),
        "x": t_x.grad.numpy(),
    }
    grads = _grads(learner, w0, w1, x, y)
    _expect_grads(
        grads, want, w0, w1, x, y, "for a random (5, 4) W0, compared with autograd", reference
    )

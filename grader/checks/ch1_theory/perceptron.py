"""Checks for exercises/ch1_theory/perceptron.py (manual T2, T3)."""

import numpy as np

from grader.toolkit.expect import Mistake, Slip, expect_close, expect_shape, fail

# A few float64 multiply-adds per entry: only rounding order can differ, about 1e-15 relative;
# 1e-10 leaves ample room and still catches any real slip.
RTOL, ATOL = 1e-10, 1e-12

BATCH, INPUTS, HIDDEN, OUTPUTS = 6, 3, 4, 2

# Exceptions that typical slips raise inside the exercise; each is named only when the line that
# raised has the slip (the `code` pattern).
SLIPS = (
    Slip(
        error=ValueError,
        says=r"not aligned|mismatch in its core dimension",
        code=r"np\.dot\(\s*w\s*,\s*x\s*\)|np\.matmul\(\s*w\s*,\s*x\s*\)|(?<![\w.])w\s*@\s*x\b",
        explanation="w @ x (np.dot(w, x)) is the manual's form for one sample as a column "
        "vector. Here x holds one sample per row, shape (batch, inputs), so the weighted sums of "
        "all rows at once are x @ w: (batch, inputs) @ (inputs,) gives (batch,).",
        topic="T2",
    ),
)


def _relu(a):
    return np.maximum(0, a)


def test_perceptron_matches_reference(learner, reference, rng):
    """Check that perceptron computes ReLU(b + sum_i w_i x_i) for every row of a batch."""
    x, w, b = rng.normal(size=(BATCH, INPUTS)), rng.normal(size=INPUTS), 0.5
    expect_close(
        learner.perceptron(x, w, b),
        reference.perceptron(x, w, b),
        what=f"perceptron of a ({BATCH}, {INPUTS}) batch, a ({BATCH},) array",
        topic="T2",
        rtol=RTOL,
        atol=ATOL,
        next_step="For each row x, take b + w . x (x @ w does every row at once), then ReLU.",
        inputs=(x, w, b),
        reference=reference.perceptron,
        mistakes=(
            Mistake(
                b + x @ w,
                "Your outputs can be negative: you left out the activation. F is ReLU, "
                "np.maximum(0, ...), applied after adding the bias.",
            ),
            Mistake(
                _relu(x @ w),
                "You left out the bias b: y = F(b + sum_i w_i x_i).",
            ),
            Mistake(
                _relu(x @ w) + b,
                "You added the bias after the ReLU. The bias goes inside: F(b + sum_i w_i x_i).",
            ),
            Mistake(
                lambda got: got.shape == (BATCH, INPUTS),
                "You kept one value per input: multiply and then sum over the inputs, which "
                "x @ w does in one step.",
            ),
            Mistake(
                _relu(b + (w * x).sum(axis=0)),
                "You got one value per input, not per sample: the sum ran down the rows of x "
                "(over the batch). Python's built-in sum() on a 2-D array adds up its rows, and so "
                "does np.sum(..., axis=0). Each sample's weighted sum runs over its inputs: x @ w "
                "(or np.sum(w * x, axis=1)).",
            ),
        ),
    )


def _untransposed_layer(learner) -> str | None:
    """Which layer's weight is used untransposed, found on square shapes where that code runs."""
    rng = np.random.default_rng(0)
    n = 3  # batch = inputs = hidden = outputs, so every product lines up
    x, W0, b0, W1, b1 = (rng.normal(size=shape) for shape in [(n, n), (n, n), n, (n, n), n])
    try:
        got = np.asarray(learner.two_layer_forward(x, W0, b0, W1, b1), dtype=np.float64)
    except Exception:  # noqa: BLE001 - the probe only confirms; otherwise a neutral message
        return None
    slips = [
        (
            _relu(_relu(x @ W0 + b0) @ W1.T + b1),
            (
                "Your code multiplies by W0 without transposing it. Samples are rows of x (manual "
                "T6), so the manual's W0 x becomes x @ W0.T: (batch, inputs) @ (inputs, hidden) "
                "gives (batch, hidden)."
            ),
        ),
        (
            _relu(_relu(x @ W0.T + b0) @ W1 + b1),
            (
                "Your code multiplies by W1 without transposing it. The hidden activations are one "
                "row per sample, (batch, hidden), so the manual's W1 h becomes h @ W1.T: "
                "(batch, hidden) @ (hidden, outputs) gives (batch, outputs)."
            ),
        ),
        (
            _relu(_relu(x @ W0 + b0) @ W1 + b1),
            (
                "Your code multiplies by W0 and W1 without transposing them. Samples are rows of x "
                "(manual T6), so the manual's W x becomes x @ W.T in each layer: x @ W0.T, then "
                "h @ W1.T."
            ),
        ),
        (
            _relu(W1 @ _relu(W0 @ x + b0) + b1),
            (
                "Your code follows the manual's W0 x, written for one sample as a column vector. "
                "Here x holds one sample per row, so each layer becomes x @ W.T: x @ W0.T + b0, "
                "then h @ W1.T + b1."
            ),
        ),
    ]
    for wrong, why in slips:
        if got.shape == wrong.shape and np.allclose(got, wrong, rtol=RTOL, atol=ATOL):
            return why
    return None


def test_two_layer_forward_matches_reference(learner, reference, rng):
    """Check that two_layer_forward computes F(W1 F(W0 x + b0) + b1) for every row of a batch."""
    x = rng.normal(size=(BATCH, INPUTS))
    W0, b0 = rng.normal(size=(HIDDEN, INPUTS)), rng.normal(size=HIDDEN)
    W1, b1 = rng.normal(size=(OUTPUTS, HIDDEN)), rng.normal(size=OUTPUTS)
    try:
        got = learner.two_layer_forward(x, W0, b0, W1, b1)
    except ValueError as exc:
        if "matmul" not in str(exc) and "align" not in str(exc):
            raise
        step = _untransposed_layer(learner) or (
            "A matrix product got shapes that do not line up. Samples are rows of x (manual T6), "
            "so the manual's W x becomes x @ W.T for each layer."
        )
        fail(
            f"two_layer_forward to run on a ({BATCH}, {INPUTS}) batch with W0 of shape "
            f"({HIDDEN}, {INPUTS}) and W1 of shape ({OUTPUTS}, {HIDDEN})",
            f"ValueError: {exc}",
            step,
            "T3",
        )
    expect_close(
        got,
        reference.two_layer_forward(x, W0, b0, W1, b1),
        what=f"two_layer_forward of a ({BATCH}, {INPUTS}) batch, a ({BATCH}, {OUTPUTS}) array",
        topic="T3",
        rtol=RTOL,
        atol=ATOL,
        next_step="Hidden layer: z = ReLU(x @ W0.T + b0). Output: ReLU(z @ W1.T + b1).",
        inputs=(x, W0, b0, W1, b1),
        reference=reference.two_layer_forward,
        mistakes=(
            Mistake(
                _relu((x @ W0.T + b0) @ W1.T + b1),
                "You left out the hidden layer's ReLU. Without it the two layers collapse into "
                "one linear map: apply F after each layer.",
            ),
            Mistake(
                _relu(x @ W0.T + b0) @ W1.T + b1,
                "You left out the output layer's ReLU: the MLP is F(W1 F(W0 x + b0) + b1).",
            ),
            Mistake(
                lambda got: got.shape == (OUTPUTS, BATCH),
                "Your output is (outputs, batch): transposed. Keep one row per sample, "
                "x @ W.T instead of W @ x.T.",
            ),
        ),
    )


def test_fold_bias_gives_the_same_layer(learner, reference, rng):
    """Check that fold_bias puts b in a last column, so that it applied to [x; 1] gives W x + b."""
    W, b = rng.normal(size=(HIDDEN, INPUTS)), rng.normal(size=HIDDEN)
    try:
        folded = learner.fold_bias(W, b)
    except ValueError as exc:
        if "same number of dimensions" in str(exc):
            step = (
                "b is 1-D and W is 2-D, and np.hstack / np.concatenate / np.append with an axis "
                "only join arrays with the same number of dimensions. Stack b as a column: "
                "np.column_stack([W, b]), or np.hstack([W, b[:, None]])."
            )
        elif "concatenation axis must match" in str(exc):
            step = (
                "The arrays you joined do not line up along the other axis. b has one entry per "
                "row of W (one per output), so it becomes one more column on the right: "
                "np.column_stack([W, b])."
            )
        else:
            raise
        fail(
            f"fold_bias to stack a ({HIDDEN}, {INPUTS}) W and a ({HIDDEN},) b",
            f"ValueError: {exc}",
            step,
            "T3",
        )
    if np.shape(folded) == (W.size + b.size,) and np.array_equal(folded, np.append(W, b)):
        fail(
            f"fold_bias of a ({HIDDEN}, {INPUTS}) W and a ({HIDDEN},) b to have shape "
            f"({HIDDEN}, {INPUTS + 1})",
            f"a 1-D array of {W.size + b.size} numbers: W's entries, then b's",
            "Without axis=, np.append flattens both arrays into one long vector. Add b as a "
            "column instead: np.column_stack([W, b]).",
            "T3",
        )
    expect_shape(
        folded,
        (HIDDEN, INPUTS + 1),
        what=f"fold_bias of a ({HIDDEN}, {INPUTS}) W and a ({HIDDEN},) b",
        next_step="Add b as one extra column: (outputs, inputs) becomes (outputs, inputs + 1). "
        "Check the axis you stacked along.",
        topic="T3",
        like=reference.fold_bias(W, b),
    )
    expect_close(
        folded,
        reference.fold_bias(W, b),
        what=f"fold_bias of a ({HIDDEN}, {INPUTS}) W and a ({HIDDEN},) b",
        topic="T3",
        rtol=0,
        atol=0,
        next_step="Keep W as it is and put b in a new last column, so that "
        "fold_bias(W, b) @ np.append(x, 1) == W @ x + b.",
        inputs=(W, b),
        reference=reference.fold_bias,
        mistakes=(
            Mistake(
                np.column_stack([b, W]),
                "You put b in the first column. The 1 is appended at the end of x, so b goes in "
                "the last column.",
            ),
        ),
    )

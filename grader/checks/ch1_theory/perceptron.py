"""Checks for exercises/ch1_theory/perceptron.py (manual T2, T3)."""

import numpy as np

from grader.expect import Mistake, expect_close, expect_shape, fail

# A few float64 multiply-adds per entry: only rounding order can differ, about 1e-15 relative;
# 1e-10 leaves ample room and still catches any real slip.
RTOL, ATOL = 1e-10, 1e-12

BATCH, INPUTS, HIDDEN, OUTPUTS = 6, 3, 4, 2


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
        ),
    )


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
        fail(
            "two_layer_forward to run on a (6, 3) batch with W0 of shape (4, 3)",
            f"ValueError: {exc}",
            "Samples are rows of x (manual T6), so the manual's W0 x becomes x @ W0.T: "
            "(batch, inputs) @ (inputs, hidden) gives (batch, hidden).",
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
        if "dimension" not in str(exc):
            raise
        fail(
            f"fold_bias to stack a ({HIDDEN}, {INPUTS}) W and a ({HIDDEN},) b",
            f"ValueError: {exc}",
            "b is 1-D and W is 2-D. Stack b as a column: np.column_stack([W, b]), or "
            "np.hstack([W, b[:, None]]).",
            "T3",
        )
    expect_shape(
        folded,
        (HIDDEN, INPUTS + 1),
        what=f"fold_bias of a ({HIDDEN}, {INPUTS}) W and a ({HIDDEN},) b",
        next_step="Add b as one extra column: (outputs, inputs) becomes (outputs, inputs + 1). "
        "Check the axis you stacked along.",
        topic="T3",
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
        mistakes=(
            Mistake(
                np.column_stack([b, W]),
                "You put b in the first column. The 1 is appended at the end of x, so b goes in "
                "the last column.",
            ),
        ),
    )

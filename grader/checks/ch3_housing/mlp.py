"""Checks for exercises/ch3_housing/mlp.py (manual P8, T3)."""

import numpy as np
import torch
from torch import nn

from grader.expect import Mistake, describe, expect_close, fail

N_FEATURES = 8
# (8*100 + 100) + (100*100 + 100) + (100*1 + 1)
N_PARAMETERS = 11101
WEIGHT_SHAPES = [(100, 8), (100, 100), (1, 100)]
BATCH = 16
# Same float32 operations on the same weights; only a different summation order (another
# BLAS path on the GPU) can differ, by about 1e-6 relative. Every known mistake differs by > 0.1.
RTOL, ATOL = 1e-4, 1e-5
NEGATIVE_BIAS = -10.0  # a last-layer bias this low must show in the predictions


def build(learner) -> nn.Module:
    model = learner.MLP()
    if not isinstance(model, nn.Module):
        fail(
            "MLP() to be an nn.Module",
            describe(model),
            "Subclass nn.Module: class MLP(nn.Module).",
            "P8",
        )
    return model


PLAIN_LIST = (
    "model.parameters() finds layers only when they are attributes of the module (self.fc1 = "
    "nn.Linear(...)) or inside an nn.Sequential / nn.ModuleList, not in a plain list."
)


def shapes(model: nn.Module) -> list[tuple[int, ...]]:
    return [tuple(p.shape) for p in model.parameters()]


def test_parameter_count_is_11101(learner):
    """Check that the MLP has 11101 parameters: 8 -> 100 -> 100 -> 1 with biases."""
    model = build(learner)
    count = sum(p.numel() for p in model.parameters())
    if count == N_PARAMETERS:
        return
    if count == N_PARAMETERS - 201:
        next_step = "That is the count without biases: keep nn.Linear's default bias=True."
    elif count == 0:
        next_step = PLAIN_LIST
    else:
        next_step = (
            "Use nn.Linear(8, 100), nn.Linear(100, 100) and nn.Linear(100, 1); ReLU has no "
            "parameters."
        )
    fail(
        f"{N_PARAMETERS} parameters",
        f"{count}, in tensors of shapes {shapes(model)}",
        next_step,
        "P8",
    )


def test_linear_weights_are_out_by_in(learner):
    """Check that the weight matrices, in order, have shapes (100, 8), (100, 100) and (1, 100)."""
    model = build(learner)
    weights = [tuple(p.shape) for p in model.parameters() if p.ndim == 2]
    if weights == WEIGHT_SHAPES:
        return
    if weights == [(n_in, n_out) for n_out, n_in in WEIGHT_SHAPES]:
        next_step = (
            "The arguments are nn.Linear(in_features, out_features), in that order; it is the "
            "weight that is stored as (out, in)."
        )
    else:
        next_step = "Create the layers 8 -> 100, 100 -> 100, 100 -> 1, in the order the data flows."
    fail(f"weight shapes {WEIGHT_SHAPES}", f"{weights}", next_step, "P8")


def test_output_has_shape_batch_by_1(learner, rng, device):
    """Check that a (16, 8) float32 batch gives (16, 1) float32 predictions on the device."""
    model = build(learner).to(device)
    x = torch.from_numpy(rng.normal(size=(BATCH, N_FEATURES)).astype(np.float32)).to(device)
    out = model(x)
    if not isinstance(out, torch.Tensor):
        fail(
            f"model(x) to be a tensor of shape ({BATCH}, 1)",
            describe(out),
            "forward must return the last layer's output.",
            "P8",
        )
    if tuple(out.shape) == (BATCH,):
        fail(
            f"model(x) for x of shape ({BATCH}, {N_FEATURES}) to have shape ({BATCH}, 1)",
            describe(out),
            "Do not squeeze the output: the targets are (batch, 1), and MSE between (batch,) "
            "and (batch, 1) broadcasts to (batch, batch).",
            "P8, P6",
        )
    if tuple(out.shape) != (BATCH, 1) or out.dtype != torch.float32:
        fail(
            f"model(x) to be float32 of shape ({BATCH}, 1)",
            describe(out),
            "The last layer is nn.Linear(100, 1).",
            "P8",
        )


def functional_forward(
    params: list[torch.Tensor], x: torch.Tensor, hidden_relu=True, last=None
) -> torch.Tensor:
    """The manual's MLP from (W1, b1, W2, b2, W3, b3), with the slips as options."""
    w1, b1, w2, b2, w3, b3 = params
    act = torch.relu if hidden_relu else (lambda t: t)
    out = act(act(x @ w1.T + b1) @ w2.T + b2) @ w3.T + b3
    return last(out) if last else out


def test_matches_reference_with_the_same_weights(learner, reference, rng, device):
    """Check that with the reference's weights copied in, the MLP gives the reference's output."""
    model = build(learner).to(device)
    ref = reference.MLP().to(device)
    if shapes(model) != shapes(ref):
        fail(
            f"parameters of shapes {shapes(ref)}, in that order",
            f"{shapes(model)}",
            "Create fc1, fc2 and fc3 in the order the data flows: 8 -> 100, 100 -> 100, 100 -> 1.",
            "P8",
        )
    with torch.no_grad():
        for mine, theirs in zip(model.parameters(), ref.parameters(), strict=True):
            mine.copy_(theirs)
        x = torch.from_numpy(rng.normal(size=(BATCH, N_FEATURES)).astype(np.float32)).to(device)
        got, want = model(x), ref(x)
        params = list(ref.parameters())
        mistakes = (
            Mistake(
                functional_forward(params, x, last=torch.relu),
                "Your predictions are the reference's with negatives clipped to 0: there is a ReLU "
                "after the last layer. A regression output must be free to take any value.",
            ),
            Mistake(
                functional_forward(params, x, last=torch.sigmoid),
                "There is a sigmoid after the last layer, which squeezes predictions into (0, 1). "
                "House values go up to 5 ($500k): leave the last layer without activation.",
            ),
            Mistake(
                functional_forward(params, x, hidden_relu=False),
                "There is no ReLU between the layers, so the three Linear layers collapse into "
                "one linear map (manual T3). Apply ReLU after fc1 and after fc2.",
            ),
        )
    expect_close(
        got,
        want,
        what=f"model(x) for a ({BATCH}, {N_FEATURES}) batch",
        topic="P8",
        rtol=RTOL,
        atol=ATOL,
        mistakes=mistakes,
    )


def test_predictions_can_be_negative(learner, rng, device):
    """Check that the model has no activation after its last layer: predictions can be negative."""
    model = build(learner).to(device)
    if not list(model.parameters()):
        fail("an MLP with parameters", "model.parameters() is empty", PLAIN_LIST, "P8")
    with torch.no_grad():
        list(model.parameters())[-1].fill_(NEGATIVE_BIAS)  # the last layer's bias
        x = torch.from_numpy(rng.normal(size=(BATCH, N_FEATURES)).astype(np.float32)).to(device)
        out = model(x)
    if bool((out >= 0).all()):
        fail(
            f"negative predictions once the last layer's bias is {NEGATIVE_BIAS}",
            f"all {out.numel()} predictions >= 0 (smallest {out.min().item():.3g})",
            "The model ends in an activation (ReLU, sigmoid, softmax ...). A regression model's "
            "last layer is a plain nn.Linear(100, 1); remove the activation after it.",
            "P8",
        )

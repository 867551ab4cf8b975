"""Checks for exercises/ch3_housing/mlp.py (manual P8, T3)."""

import numpy as np
import torch
from torch import nn

from grader.toolkit.expect import CheckFailed, Mistake, Slip, describe, expect_close, fail

N_FEATURES = 8
# (8*100 + 100) + (100*100 + 100) + (100*1 + 1)
N_PARAMETERS = 11101
WEIGHT_SHAPES = [(100, 8), (100, 100), (1, 100)]
BATCH = 16
# Same float32 operations on the same weights; only a different summation order (another
# BLAS path on the GPU) can differ, by about 1e-6 relative. Every known mistake differs by > 0.1.
RTOL, ATOL = 1e-4, 1e-5
NEGATIVE_BIAS = -10.0  # a last-layer bias this low must show in the predictions


SLIPS = (
    # self.relu = nn.ReLU (the class): self.relu(x) then builds a module, nn.ReLU(inplace=x), and
    # the next layer receives that module instead of a tensor.
    Slip(
        error=TypeError,
        says=r"must be Tensor, not ReLU",
        code=r"(?i)relu",
        explanation="A ReLU module, not a tensor, reached the next layer. self.relu = nn.ReLU "
        "without parentheses stores the class, so self.relu(x) builds a new module instead of "
        "applying one: write self.relu = nn.ReLU() in __init__ (or call F.relu(x)).",
        topic="P8",
    ),
)

ORDINALS = ("first", "second", "third", "fourth", "fifth")


def linear_layers(model: nn.Module) -> list[tuple[str, nn.Linear]]:
    """The model's nn.Linear layers with their attribute names, in registration order."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Linear)]


def layer_name(model: nn.Module, layer: nn.Module) -> str:
    """'second Linear layer (fc2)': its place among the Linear layers and its attribute name."""
    for position, (attribute, m) in enumerate(linear_layers(model)):
        if m is layer:
            ordinal = ORDINALS[position] if position < len(ORDINALS) else f"#{position + 1}"
            return f"{ordinal} Linear layer ({attribute})"
    return "Linear layer"


def layer_diagnosis(model: nn.Module) -> str | None:
    """When exactly one of three Linear layers has the wrong shape: which, and what it should be."""
    layers = linear_layers(model)
    wrong = [
        (i, layer)
        for i, (_, layer) in enumerate(layers[: len(WEIGHT_SHAPES)])
        if tuple(layer.weight.shape) != WEIGHT_SHAPES[i]
    ]
    if len(layers) != len(WEIGHT_SHAPES) or len(wrong) != 1:
        return None
    i, layer = wrong[0]
    out_f, in_f = WEIGHT_SHAPES[i]
    made = f"nn.Linear({layer.in_features}, {layer.out_features})"
    if (layer.in_features, layer.out_features) == (out_f, in_f):
        why = "in and out are swapped, as the arguments are nn.Linear(in_features, out_features)"
    elif layer.in_features != in_f:
        before = "the input's 8 features" if i == 0 else "the layer before it"
        why = f"its in_features must be {in_f}, the out_features of {before}"
    else:
        why = f"its out_features must be {out_f}"
    return (
        f"The {layer_name(model, layer)} is {made}, weight {tuple(layer.weight.shape)}: {why}. "
        f"Make it nn.Linear({in_f}, {out_f})."
    )


def forward(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """model(x); a Linear layer that gets the wrong number of features is named in a failure.

    The layer is confirmed, not guessed: a pre-hook records each Linear layer as it starts, and
    only a layer that was entered and not left, with an input whose last dimension differs from
    its in_features, is blamed.
    """
    running: list[tuple[nn.Linear, tuple]] = []
    handles = []
    for _, layer in linear_layers(model):

        def enter(module, args, layer=layer):
            running.append((layer, args))

        def leave(module, args, output, layer=layer):
            if running and running[-1][0] is layer:
                running.pop()

        handles.append(layer.register_forward_pre_hook(enter))
        handles.append(layer.register_forward_hook(leave))
    try:
        return model(x)
    except RuntimeError as exc:
        if "shapes cannot be multiplied" not in str(exc) or not running:
            raise
        layer, args = running[-1]
        got = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if got is None or got.shape[-1] == layer.in_features:
            raise
        name = layer_name(model, layer)
        position = [m for _, m in linear_layers(model)].index(layer)
        want = [(n_in, n_out) for n_out, n_in in WEIGHT_SHAPES]  # nn.Linear's argument order
        advice = ""
        if position < len(want) and (layer.in_features, layer.out_features) == want[position][::-1]:
            advice = (
                " The arguments are nn.Linear(in_features, out_features), in that order: "
                f"make it nn.Linear{want[position]}."
            )
        elif position < len(want) and got.shape[-1] == want[position][0]:
            advice = f" Make it nn.Linear{want[position]}."
        raise CheckFailed(
            f"model(x) for x of shape {tuple(x.shape)} to run through 8 -> 100 -> 100 -> 1",
            f"RuntimeError: {exc}, in the {name}, nn.Linear({layer.in_features}, "
            f"{layer.out_features})",
            f"The {name} has in_features={layer.in_features} but receives {got.shape[-1]} "
            "features. Each layer's in_features must equal the number of features it receives: "
            "8 for the first, then the out_features of the layer before it." + advice,
            "P8",
        ) from None
    finally:
        for handle in handles:
            handle.remove()


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


def no_parameters_step(model: nn.Module) -> str:
    """Why model.parameters() is empty: layers kept in a plain list or dict (confirmed), or none."""
    hidden = any(
        isinstance(value, (list, tuple, dict))
        and any(
            isinstance(v, nn.Module) for v in (value.values() if isinstance(value, dict) else value)
        )
        for value in vars(model).values()
    )
    if hidden:
        return PLAIN_LIST
    return (
        "MLP() has no layers that model.parameters() can find. Create them in __init__ as "
        "attributes: self.fc1 = nn.Linear(8, 100), self.fc2 = nn.Linear(100, 100), "
        "self.fc3 = nn.Linear(100, 1)."
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
        next_step = no_parameters_step(model)
    else:
        next_step = layer_diagnosis(model) or (
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
    elif not weights:
        next_step = no_parameters_step(model)
    else:
        next_step = layer_diagnosis(model) or (
            "Create the layers 8 -> 100, 100 -> 100, 100 -> 1, in the order the data flows."
        )
    fail(f"weight shapes {WEIGHT_SHAPES}", f"{weights}", next_step, "P8")


def test_output_has_shape_batch_by_1(learner, rng, device):
    """Check that a (16, 8) float32 batch gives (16, 1) float32 predictions on the device."""
    model = build(learner).to(device)
    x = torch.from_numpy(rng.normal(size=(BATCH, N_FEATURES)).astype(np.float32)).to(device)
    out = forward(model, x)
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


def identity(t: torch.Tensor) -> torch.Tensor:
    return t


def functional_forward(
    params: list[torch.Tensor],
    x: torch.Tensor,
    hidden_relu=True,
    last=None,
    first_act=None,
    second_act=None,
    skip_second=False,
) -> torch.Tensor:
    """The manual's MLP from (W1, b1, W2, b2, W3, b3), with the slips as options.

    first_act / second_act replace the ReLU after fc1 / fc2 (None keeps it); skip_second leaves
    fc2 out, as a forward that never applies it does.
    """
    w1, b1, w2, b2, w3, b3 = params
    act = torch.relu if hidden_relu else identity
    h = (first_act or act)(x @ w1.T + b1)
    if not skip_second:
        h = (second_act or act)(h @ w2.T + b2)
    out = h @ w3.T + b3
    return last(out) if last else out


def test_matches_reference_with_the_same_weights(learner, reference, rng, device):
    """Check that with the reference's weights copied in, the MLP gives the reference's output."""
    model = build(learner).to(device)
    ref = reference.MLP().to(device)
    if shapes(model) != shapes(ref):
        fail(
            f"parameters of shapes {shapes(ref)}, in that order",
            f"{shapes(model)}",
            (no_parameters_step(model) if not shapes(model) else layer_diagnosis(model))
            or "Create fc1, fc2 and fc3 in the order the data flows: 8 -> 100, 100 -> 100, "
            "100 -> 1.",
            "P8",
        )
    with torch.no_grad():
        for mine, theirs in zip(model.parameters(), ref.parameters(), strict=True):
            mine.copy_(theirs)
        x = torch.from_numpy(rng.normal(size=(BATCH, N_FEATURES)).astype(np.float32)).to(device)
        got, want = forward(model, x), ref(x)
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
            Mistake(
                functional_forward(params, x, second_act=identity),
                "The ReLU after the second Linear layer (fc2) is missing: forward goes fc1, ReLU, "
                "fc2, fc3. Apply ReLU after fc2 too; without it fc2 and fc3 act as one linear "
                "map (manual T3).",
            ),
            Mistake(
                functional_forward(params, x, first_act=identity),
                "The ReLU after the first Linear layer (fc1) is missing: forward goes fc1, fc2, "
                "ReLU, fc3. Apply ReLU after fc1 too; without it fc1 and fc2 act as one linear "
                "map (manual T3).",
            ),
            Mistake(
                functional_forward(params, x, skip_second=True),
                "Your output is what fc1, ReLU, fc3 give: forward skips the second Linear layer "
                "(fc2), although it is created. Apply all three: fc1, ReLU, fc2, ReLU, fc3.",
            ),
            Mistake(
                functional_forward(params, x, skip_second=True, hidden_relu=False),
                "Your output is what fc1 then fc3 give: forward skips the second Linear layer "
                "(fc2) and applies no ReLU. Apply fc1, ReLU, fc2, ReLU, fc3.",
            ),
            Mistake(
                functional_forward(params, x, first_act=torch.sigmoid, second_act=torch.sigmoid),
                "Your hidden layers use a sigmoid where the manual's MLP uses ReLU, max(0, x). "
                "Use nn.ReLU() (or F.relu) after fc1 and after fc2.",
            ),
            Mistake(
                functional_forward(params, x, first_act=torch.tanh, second_act=torch.tanh),
                "Your hidden layers use tanh where the manual's MLP uses ReLU, max(0, x). "
                "Use nn.ReLU() (or F.relu) after fc1 and after fc2.",
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
        fail(
            "an MLP with parameters", "model.parameters() is empty", no_parameters_step(model), "P8"
        )
    with torch.no_grad():
        list(model.parameters())[-1].fill_(NEGATIVE_BIAS)  # the last layer's bias
        x = torch.from_numpy(rng.normal(size=(BATCH, N_FEATURES)).astype(np.float32)).to(device)
        out = forward(model, x)
    if bool((out >= 0).all()):
        fail(
            f"negative predictions once the last layer's bias is {NEGATIVE_BIAS}",
            f"all {out.numel()} predictions >= 0 (smallest {out.min().item():.3g})",
            "The model ends in an activation (ReLU, sigmoid, softmax ...). A regression model's "
            "last layer is a plain nn.Linear(100, 1); remove the activation after it.",
            "P8",
        )

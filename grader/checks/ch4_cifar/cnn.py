"""Checks for exercises/ch4_cifar/cnn.py (manual P16, P17, P18)."""

import torch
from torch import nn

from grader.expect import Mistake, describe, expect_close, fail

BATCH = 4  # not 10, so a batch axis mixed up with the class axis shows
# Same weights, same float32 input: nn.ReLU vs F.relu or pool-then-ReLU vs ReLU-then-pool give
# bit-identical results on the CPU; cuDNN may pick other conv algorithms, about 1e-6 apart.
# Logits are of order 0.1, and a wrong layer changes them by far more than 1e-4.
RTOL, ATOL = 1e-4, 1e-5
FLATTENED = 32 * 4 * 4  # 32 channels of 4x4 after three size-halving pools

FLATTEN_STEP = (
    f"fc1 must take the flattened feature map: 32 channels x 4 x 4 = {FLATTENED}. padding=1 keeps "
    "each conv's 32x32 (or 16x16, 8x8) size, and each max-pool 2 halves it: 32 -> 16 -> 8 -> 4."
)


def build(learner) -> nn.Module:
    try:
        model = learner.CNN()
    except TypeError as exc:
        if "out_features" not in str(exc):
            raise
        fail(
            "CNN() to build its layers",
            f"TypeError: {exc}",
            "The manual's slide calls Conv2d's second argument out_features (erratum E6); its name "
            "is out_channels: nn.Conv2d(3, 32, kernel_size=3, padding=1).",
            "P16, E6",
        )
    if not isinstance(model, nn.Module):
        fail(
            "CNN() to be an nn.Module",
            describe(model),
            "Subclass nn.Module and call super().__init__() first in __init__.",
            "P16",
        )
    return model


def forward(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """model(images), with the shape errors a wrong flatten or padding causes explained."""
    what = f"CNN()(images of shape {tuple(images.shape)})"
    try:
        return model(images)
    except AttributeError as exc:
        if "maxpool2d" not in str(exc):
            raise
        fail(
            f"{what} to run",
            f"AttributeError: {exc}",
            "The manual writes maxpool2d (erratum E6): the function is F.max_pool2d(x, 2), with an "
            "underscore, and the module is nn.MaxPool2d(2).",
            "P17, E6",
        )
    except RuntimeError as exc:
        text = str(exc)
        if "mat1 and mat2" in text:
            fail(
                f"{what} to run",
                f"RuntimeError: {text}",
                FLATTEN_STEP + " Flatten with torch.flatten(x, 1), which keeps the batch axis.",
                "P16",
            )
        if "channels" in text:
            fail(
                f"{what} to run",
                f"RuntimeError: {text}",
                "Each conv's in_channels must equal the "
                "channels coming in: 3 (RGB) for conv1, 32 after that. The arguments are "
                "Conv2d(in_channels, out_channels, kernel_size).",
                "P16",
            )
        raise


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_cnn_has_the_manuals_parameter_count(learner, reference):
    """Check that CNN() has as many parameters as the manual's network, layer by layer."""
    model = build(learner)
    want = reference.CNN()
    got_count, want_count = parameter_count(model), parameter_count(want)
    if got_count == want_count:
        return
    for module in model.modules():
        if (
            isinstance(module, nn.Linear)
            and module.out_features == 100
            and module.in_features not in (100, FLATTENED)
        ):
            fail(
                f"{want_count} parameters",
                f"{got_count}, with a first Linear layer taking {module.in_features} inputs",
                FLATTEN_STEP,
                "P16",
            )
    shapes = [tuple(p.shape) for p in model.parameters()]
    fail(
        f"{want_count} parameters in {len(list(want.parameters()))} tensors",
        f"{got_count} parameters in {len(shapes)} tensors, of shapes {shapes}",
        "Compare with the manual's layers: three Conv2d(in, 32, kernel_size=3, padding=1) (in is 3 "
        "for the first, 32 after that), max-pooling (no parameters), then Linear(512, 100), "
        "Linear(100, 100) and Linear(100, 10).",
        "P16",
    )


def test_cnn_conv_layers_keep_the_size(learner):
    """Check that each Conv2d has 3x3 kernels, padding 1 and weights shaped (out, in, kh, kw)."""
    model = build(learner)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if len(convs) != 3:
        fail(
            "three nn.Conv2d layers",
            f"{len(convs)}",
            "The manual's CNN repeats conv -> pool -> "
            "ReLU three times; create conv1, conv2 and conv3 in __init__.",
            "P16",
        )
    for number, (conv, channels_in) in enumerate(zip(convs, (3, 32, 32)), start=1):
        what = f"conv layer {number}"
        if tuple(conv.weight.shape) == (channels_in, 32, 3, 3) and channels_in != 32:
            fail(
                f"{what}'s weight to have shape (32, {channels_in}, 3, 3)",
                describe(conv.weight),
                "Conv2d's weight is (out_channels, in_channels, kh, kw), and its arguments come in "
                "the order Conv2d(in_channels, out_channels, kernel_size): Conv2d(3, 32, ...).",
                "P16",
            )
        if tuple(conv.weight.shape) != (32, channels_in, 3, 3):
            fail(
                f"{what}'s weight to have shape (32, {channels_in}, 3, 3): (out, in, kh, kw)",
                describe(conv.weight),
                f"Use nn.Conv2d({channels_in}, 32, kernel_size=3, padding=1).",
                "P16",
            )
        if tuple(conv.padding) != (1, 1) or tuple(conv.stride) != (1, 1):
            fail(
                f"{what} to have padding=1 and stride 1",
                f"padding={conv.padding}, stride={conv.stride}",
                "With K=3 the output size is I - 3 + 2P + 1, which equals I only for padding=1. "
                "Conv2d's default padding is 0, which shrinks 32 to 30 and breaks the 32*4*4 "
                "flatten size: pass padding=1.",
                "T4, P16",
            )


def test_cnn_output_shape(learner, device):
    """Check that CNN() maps (B, 3, 32, 32) images to (B, 10) logits, for B = 4 and for B = 1."""
    model = build(learner).to(device)
    for batch in (BATCH, 1):
        images = torch.randn(batch, 3, 32, 32, device=device)
        out = forward(model, images)
        if not isinstance(out, torch.Tensor):
            fail(
                "forward to return a tensor",
                describe(out),
                "Return the last Linear layer's output.",
                "P16",
            )
        if batch == 1 and tuple(out.shape) == (10,):
            fail(
                "shape (1, 10) for one image",
                describe(out),
                "Keep the batch axis even when B = 1: "
                "flatten with torch.flatten(x, 1) and do not squeeze the output.",
                "P16",
            )
        if tuple(out.shape) != (batch, 10):
            fail(
                f"shape ({batch}, 10) for a batch of {batch}",
                describe(out),
                "One row of 10 class scores per image: flatten with torch.flatten(x, 1) or "
                "x.view(x.size(0), -1), and end with Linear(100, 10).",
                "P16",
            )


def test_cnn_matches_reference_with_copied_weights(learner, reference, device):
    """Check that, with the reference's weights copied in, CNN() computes the reference's logits."""
    model, want = build(learner).to(device), reference.CNN().to(device)
    got_shapes = [tuple(p.shape) for p in model.parameters()]
    want_shapes = [tuple(p.shape) for p in want.parameters()]
    if got_shapes != want_shapes:
        fail(
            f"parameters of shapes {want_shapes}, in this order",
            f"{got_shapes}",
            "Define the layers in the manual's order: conv1, conv2, conv3, then fc1, fc2, fc3 "
            "(pooling and ReLU have no parameters).",
            "P16",
        )
    with torch.no_grad():
        for mine, theirs in zip(model.parameters(), want.parameters()):
            mine.copy_(theirs)
    images = torch.randn(BATCH, 3, 32, 32, device=device)
    model.eval(), want.eval()
    with torch.no_grad():
        got, logits = forward(model, images), want(images)
    expect_close(
        got,
        logits,
        what=f"the logits for a batch of {BATCH} images",
        topic="P16, P18",
        rtol=RTOL,
        atol=ATOL,
        next_step="Compare your forward with the manual's order: conv -> max-pool 2 -> ReLU, three "
        "times; flatten; fc1 -> ReLU -> fc2 -> ReLU -> fc3, with nothing after fc3.",
        mistakes=(
            Mistake(
                torch.softmax(logits, dim=1),
                "Your model ends in a softmax. F.cross_entropy "
                "applies softmax itself, so the model must return the raw scores (logits); "
                "apply softmax separately when you want a confidence.",
            ),
            Mistake(
                torch.log_softmax(logits, dim=1),
                "Your model ends in log_softmax. Return the "
                "raw scores from fc3; F.cross_entropy does the (log-)softmax itself.",
            ),
            Mistake(
                torch.relu(logits),
                "Your model applies ReLU after fc3, so no logit can be "
                "negative. The last layer has no activation: return self.fc3(x) as is.",
            ),
        ),
    )


def test_cnn_outputs_logits_not_probabilities(learner, device):
    """Check that CNN() returns raw scores (logits), not softmax probabilities or ReLU'd values."""
    model = build(learner).to(device)
    out = forward(model, torch.randn(BATCH, 3, 32, 32, device=device)).detach().cpu()
    if out.ndim != 2:
        fail(
            "logits of shape (B, 10)",
            describe(out),
            "Return fc3's output, one row per image.",
            "P16",
        )
    if bool((out >= 0).all() and (out <= 1).all()) and torch.allclose(
        out.sum(dim=1), torch.ones(len(out)), atol=1e-4
    ):
        fail(
            "raw scores (logits), some of them negative",
            "rows that are probabilities: all in [0, 1], each summing to 1 "
            f"(first row {out[0].tolist()})",
            "Remove the softmax from forward. F.cross_entropy (and nn.CrossEntropyLoss) applies "
            "softmax itself, so a softmax in the model is applied twice and training stalls. Apply "
            "torch.softmax(logits, dim=1) outside the model when you want confidences.",
            "P18",
        )
    if bool((out >= 0).all()):
        fail(
            "raw scores (logits), some of them negative",
            f"only values >= 0 (first row {out[0].tolist()})",
            "Do not apply ReLU (or any activation) after fc3: the last layer has no activation.",
            "P16, P18",
        )

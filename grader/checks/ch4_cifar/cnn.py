"""Checks for exercises/ch4_cifar/cnn.py (manual P16, P17, P18)."""

import itertools
import re

import torch
import torch.nn.functional as F
from torch import nn

from grader.toolkit.expect import Mistake, describe, expect_close, fail

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


SHAPES = re.compile(r"\((\d+)x(\d+) and (\d+)x(\d+)\)")
# Feature-map sizes after three conv -> max-pool 2 blocks, and what leads to each.
MAP_SIZES = {
    2: "a 2x2 map: the convs shrink it, 32 -> 30 -> 15 -> 13 -> 6 -> 4 -> 2, because Conv2d's "
    "default padding is 0. With kernel_size=3, padding=1 keeps each conv's size: pass padding=1.",
    8: "an 8x8 map: one of the three max-pools is missing. Each max-pool 2 halves the size, "
    "32 -> 16 -> 8 -> 4, so every conv block needs its pool.",
    16: "a 16x16 map: two of the three max-pools are missing. Each max-pool 2 halves the size, "
    "32 -> 16 -> 8 -> 4, so every conv block needs its pool.",
}
RELUS = ("conv1", "conv2", "conv3", "fc1", "fc2")  # where the manual's CNN has a ReLU


def flatten_step(text: str, batch: int) -> str:
    """The next step for fc1's shape error, from the shapes it names."""
    found = SHAPES.search(text)
    if found:
        rows, columns = int(found[1]), int(found[2])
        if rows == 1 and batch > 1 and columns == batch * FLATTENED:
            return (
                f"Your flatten also flattened the batch axis: the {batch} images became one row "
                f"of {batch} x {FLATTENED} = {columns} values. Flatten with torch.flatten(x, 1) "
                "(or x.view(x.size(0), -1)), which keeps the batch axis."
            )
        for size, why in MAP_SIZES.items():
            if rows == batch and columns == 32 * size * size:
                return (
                    f"fc1 takes 32 channels x 4 x 4 = {FLATTENED} values per image, but got "
                    f"{columns} = 32 x {size} x {size}: {why}"
                )
    return FLATTEN_STEP + " Flatten with torch.flatten(x, 1), which keeps the batch axis."


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
                flatten_step(text, len(images)),
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
        if tuple(conv.weight.shape) == (32, 3, 3, 3) and channels_in == 32:
            fail(
                f"{what}'s weight to have shape (32, 32, 3, 3): (out, in, kh, kw)",
                describe(conv.weight),
                f"conv{number} gets the 32 channels that conv{number - 1} makes, so its "
                f"in_channels is 32: nn.Conv2d(32, 32, kernel_size=3, padding=1). Only conv1 "
                "sees the image's 3 RGB channels.",
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
        if out.dtype != torch.float32:
            fail(
                "logits of dtype torch.float32",
                describe(out),
                "float32 images through float32 layers give float32 logits: drop any .double() "
                "or dtype change in forward.",
                "P16",
            )


def layers_in_call_order(model: nn.Module, images: torch.Tensor) -> list[nn.Module]:
    """The model's Conv2d and Linear layers in the order its forward calls them."""
    called: list[nn.Module] = []
    hooks = [
        module.register_forward_hook(lambda module, args, out: called.append(module))
        for module in model.modules()
        if isinstance(module, (nn.Conv2d, nn.Linear))
    ]
    try:
        with torch.no_grad():
            forward(model, images)
    finally:
        for hook in hooks:
            hook.remove()
    return called


def manual_forward(net: nn.Module, x: torch.Tensor, pool, relus: set[str]) -> torch.Tensor:
    """The reference network's layers, with another pooling or some ReLUs left out."""
    for name in ("conv1", "conv2", "conv3"):
        x = pool(getattr(net, name)(x), 2)
        x = F.relu(x) if name in relus else x
    x = torch.flatten(x, 1)
    for name in ("fc1", "fc2"):
        x = getattr(net, name)(x)
        x = F.relu(x) if name in relus else x
    return net.fc3(x)


def _missing(names: tuple[str, ...]) -> str:
    blocks = [n for n in names if n.startswith("conv")]
    dense = [n for n in names if n.startswith("fc")]
    parts = []
    if blocks:
        which = ", ".join(n.removeprefix("conv") for n in blocks)
        parts.append(f"the max-pool of conv block{'s' if len(blocks) > 1 else ''} {which}")
    if dense:
        parts.append(" and ".join(dense))
    return " and after ".join(parts)


def architecture_mistakes(want: nn.Module, images: torch.Tensor) -> tuple[Mistake, ...]:
    """The logits of the reference's weights with average pooling or missing ReLUs."""
    mistakes = []
    with torch.no_grad():
        for pool, absent in itertools.product(
            (F.max_pool2d, F.avg_pool2d),
            [c for r in range(len(RELUS) + 1) for c in itertools.combinations(RELUS, r)],
        ):
            if pool is F.max_pool2d and not absent:
                continue  # the reference itself
            parts = []
            if pool is F.avg_pool2d:
                parts.append(
                    "Your pooling averages: the manual's CNN uses max-pooling, nn.MaxPool2d(2) "
                    "or F.max_pool2d(x, 2), not nn.AvgPool2d."
                )
            if absent:
                parts.append(
                    f"Your forward leaves out the ReLU after {_missing(absent)}: each of those "
                    "layers is followed by a ReLU (F.relu or nn.ReLU)."
                )
            logits = manual_forward(want, images, pool, set(RELUS) - set(absent))
            mistakes.append(Mistake(logits, " ".join(parts)))
    return tuple(mistakes)


def test_cnn_matches_reference_with_copied_weights(learner, reference, device):
    """Check that, with the reference's weights copied in, CNN() computes the reference's logits."""
    model, want = build(learner).to(device), reference.CNN().to(device)
    images = torch.randn(BATCH, 3, 32, 32, device=device)
    mine = layers_in_call_order(model, images)
    theirs = [want.conv1, want.conv2, want.conv3, want.fc1, want.fc2, want.fc3]
    got_shapes = [tuple(p.shape) for layer in mine for p in layer.parameters()]
    want_shapes = [tuple(p.shape) for layer in theirs for p in layer.parameters()]
    if got_shapes != want_shapes:
        fail(
            f"layers with parameters of shapes {want_shapes}, called in this order",
            f"{got_shapes}",
            "Call the layers in the manual's order: conv1, conv2, conv3, then fc1, fc2, fc3 "
            "(pooling and ReLU have no parameters).",
            "P16",
        )
    with torch.no_grad():
        for layer, source in zip(mine, theirs):
            for p, q in zip(layer.parameters(), source.parameters()):
                p.copy_(q)
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
            *architecture_mistakes(want, images),
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

"""Checks for exercises/ch6_keras/keras_functional.py (manual F4, F5, F6, E4)."""

import numpy as np
import pytest

from grader.toolkit.expect import Mistake, expect_close, expect_dtype, expect_shape, fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

from grader.toolkit.keras import (
    MODEL_SLIPS,
    NORMALISATION,
    build,
    copy_weights,
    expect_class_output,
    expect_layers,
    layer_difference,
    layer_tokens,
    run_built_model,
    structure_notes,
    unused_layers,
    without,
)

SLIPS = MODEL_SLIPS

# The same float32 weights and inputs through the same layer kinds: only the order of the
# backend's sums can differ (0 on the reference CPU run); 1e-5 leaves room for oneDNN's kernels.
RTOL, ATOL = 1e-5, 1e-6
# What reaches the first Conv2D is compared with pixels / 255 computed in float64: x * (1 / 255)
# in float32 differs from it by rounding, about 1e-7 relative; the slips below differ by far more.
FEED_RTOL, FEED_ATOL = 1e-5, 1e-6


def learner_functional(factory, what: str):
    model = build(factory, what, "F5")
    if isinstance(model, tf.keras.Sequential) or not any(
        c.__name__ == "Functional" for c in type(model).__mro__
    ):
        fail(
            f"{what} to return a Functional model, tf.keras.Model(inputs=..., outputs=...)",
            f"a {type(model).__name__}",
            "Start from inputs = tf.keras.Input(shape=...), call each layer on the running tensor, then return "
            "tf.keras.Model(inputs=inputs, outputs=outputs).",
            "F5",
        )
    return model


def pixels(rng, count: int) -> np.ndarray:
    """Raw pixel values 0..255 as float32, NHWC, as the Functional CNN's docstring promises."""
    return rng.integers(0, 256, size=(count, 32, 32, 3)).astype(np.float32)


def first_conv_input(model, images: np.ndarray) -> np.ndarray | None:
    """What the first Conv2D receives for `images`, through the model's own layers; None if unknown."""
    conv = next((op for op in model.operations if isinstance(op, tf.keras.layers.Conv2D)), None)
    if conv is None:
        return None
    try:
        return np.asarray(tf.keras.Model(model.inputs, conv.input)(images))
    except (ValueError, TypeError, AttributeError):  # a conv used twice has no single input
        return None


def expect_pixels_scaled(model, images: np.ndarray) -> None:
    """Fails unless the first Conv2D receives the pixels divided by 255, naming the slip (E4)."""
    names = [type(op).__name__ for op in model.operations]
    first_conv = next((i for i, name in enumerate(names) if name == "Conv2D"), len(names))
    before = [name for name in names[:first_conv] if name != "InputLayer"]
    feed = first_conv_input(model, images)
    if not before or (feed is not None and np.allclose(feed, images, rtol=0, atol=0)):
        thrown_away = [
            layer for layer in unused_layers(model) if type(layer).__name__ in NORMALISATION
        ]
        fail(
            "a normalisation step, such as Rescaling(1 / 255), between Input and the first Conv2D",
            f"the operations {' -> '.join(names[: first_conv + 1])}: the first Conv2D takes the raw inputs"
            if not before
            else "raw pixels, 0 to 255, at the first Conv2D",
            "The normalisation does not reach the first Conv2D. "
            + (
                f"Your {type(thrown_away[0]).__name__} layer is computed, but Keras keeps only the layers "
                "on the path from inputs to outputs, so it is thrown away. "
                if thrown_away
                else ""
            )
            + "Apply the first Conv2D to the rescaled x, not to inputs; the manual's sample code skips its "
            "normalisation this way (erratum E4).",
            "E4",
        )
    if feed is None:
        return
    want = images.astype(np.float64) / 255
    if feed.shape == want.shape and np.allclose(feed, want, rtol=FEED_RTOL, atol=FEED_ATOL):
        return
    slips = (
        (
            want / 255,
            "You scale the pixels twice, to [0, 1/255]: keep only one of x / 255 and Rescaling(1 / 255).",
        ),
        (
            images * 255.0,
            (
                "Rescaling(255) multiplies by 255: its argument is the factor, so Rescaling(1 / 255) divides "
                "the pixels by 255."
            ),
        ),
        (
            np.zeros_like(want),
            (
                "Every pixel reaches the first Conv2D as 0: your scale factor is 0. If you wrote "
                "1 // 255, that is floor division, which gives 0; write 1 / 255."
            ),
        ),
        (
            want * 2 - 1,
            "That is [-1, 1]; the docstring asks for [0, 1]: Rescaling(1 / 255), with no offset.",
        ),
    )
    # Each slip is a different power of 255 away from the others: 1e-4 relative only absorbs rounding.
    for value, step in slips:
        if feed.shape == value.shape and np.allclose(feed, value, rtol=1e-4, atol=1e-6):
            fail(
                "the first Conv2D to receive the pixels divided by 255, in [0, 1]",
                f"values from {feed.min():.4g} to {feed.max():.4g} for pixels from 0 to 255",
                step,
                "F5",
            )
    fail(
        "the first Conv2D to receive the pixels divided by 255, in [0, 1]",
        f"values from {feed.min():.4g} to {feed.max():.4g} for pixels from 0 to 255",
        "Scale the pixels with Rescaling(1 / 255) or x / 255 before the first Conv2D, as the docstring says.",
        "F5",
    )


def test_mlp_matches_reference(learner, reference, rng):
    """Check that the Functional MLP has the reference's layers and, with its weights, its predictions."""
    features = rng.normal(size=(16, 8)).astype(np.float32)
    model = learner_functional(learner.build_mlp, "build_mlp()")
    output, layers = run_built_model(model, features, "build_mlp()", "F4")
    notes = structure_notes(model, [])
    unused = [layer_tokens([layer])[0] for layer in unused_layers(model) if layer_tokens([layer])]
    if tuple(output.shape) != (16, 1) and "Dense(1)" in unused:
        fail(
            "build_mlp()'s output for a (16, 8) batch to have shape (16, 1)",
            f"shape {tuple(output.shape)}: your model's outputs are a hidden layer's",
            "Your Dense(1) layer is computed, but its output is not the model's outputs, so Keras leaves it "
            "out. Pass the last layer's output: tf.keras.Model(inputs=inputs, outputs=outputs).",
            "F5",
        )
    expect_shape(
        output,
        (16, 1),
        "build_mlp()'s output for a (16, 8) batch",
        "End with Dense(units=1): one prediction per row.",
        "F4",
    )
    expect_dtype(
        output, tf.float32, "build_mlp()'s output", "Keep Keras's default float32 layers.", "F4"
    )
    want, reference_layers = run_built_model(reference.build_mlp(), features, "reference", "F4")
    expect_layers(layer_tokens(layers), layer_tokens(reference_layers), "build_mlp()", "F4", notes)
    copy_weights(reference_layers, layers, "build_mlp()", "F4")
    expect_close(
        model(features),
        want,
        what="build_mlp()'s predictions with the reference's weights",
        topic="F5",
        rtol=RTOL,
        atol=ATOL,
    )


def test_cnn_layers_match_reference(learner, reference, rng):
    """Check that the Functional CNN has the manual's layers, NHWC in, (batch, 10) float32 out."""
    images = pixels(rng, 2)
    model = learner_functional(learner.build_cnn, "build_cnn()")
    output, layers = run_built_model(model, images, "build_cnn()", "F4")
    expect_class_output(output, layers, 2, "build_cnn()", "F4, F6")
    expect_dtype(
        output, tf.float32, "build_cnn()'s output", "Keep Keras's default float32 layers.", "F4"
    )
    _, reference_layers = run_built_model(reference.build_cnn(), images, "reference", "F4")
    expect_layers(
        without(layer_tokens(layers)),
        without(layer_tokens(reference_layers)),
        "build_cnn()",
        "F4",
        structure_notes(model, []),
    )


def test_cnn_normalisation_feeds_the_first_conv(learner, rng):
    """Check that the first Conv2D of the Functional CNN receives the pixels divided by 255 (E4)."""
    images = pixels(rng, 2)
    model = learner_functional(learner.build_cnn, "build_cnn()")
    run_built_model(model, images, "build_cnn()", "F4")
    expect_pixels_scaled(model, images)


def test_cnn_output_matches_reference_with_same_weights(learner, reference, rng):
    """Check that the Functional CNN, given the reference's weights, maps raw pixels to the reference's output."""
    images = pixels(rng, 4)
    model = learner_functional(learner.build_cnn, "build_cnn()")
    output, layers = run_built_model(model, images, "build_cnn()", "F4")
    # The normalisation check's diagnosis first: with other inputs, every later number differs.
    expect_pixels_scaled(model, images)
    expect_class_output(output, layers, 4, "build_cnn()", "F4, F6")
    reference_model = reference.build_cnn()
    want, reference_layers = run_built_model(reference_model, images, "reference", "F4")
    tokens = (without(layer_tokens(layers)), without(layer_tokens(reference_layers)))
    notes = structure_notes(model, [])
    copy_weights(reference_layers, layers, "build_cnn()", "F4", tokens, notes)
    difference = layer_difference(*tokens, notes)
    expect_close(
        model(images),
        want,
        what="build_cnn()'s probabilities for raw pixels, with the reference's weights",
        topic="F5",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                lambda got: not np.allclose(got.sum(axis=-1), 1.0, atol=1e-4),
                "Your rows do not sum to 1: the model does not end in a softmax. The manual's example ends in "
                "ReLU()(x); a classifier ends in Dense(units=10, activation='softmax') (F6).",
            ),
        ),
        next_step=difference[0]
        if difference
        else "Compare the layers after the normalisation with the docstring.",
    )

"""Checks for exercises/ch6_keras/keras_subclass.py (manual F4, F5, F6, E5)."""

import numpy as np
import pytest

from grader.toolkit.expect import Mistake, Slip, expect_close, expect_dtype, expect_shape, fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

from grader.toolkit.keras import (
    MODEL_SLIPS,
    build,
    copy_weights,
    expect_class_output,
    expect_layers,
    expect_layers_made_once,
    layer_difference,
    layer_tokens,
    leaves_of,
    spied_call,
    structure_notes,
    uncalled_attributes,
    without,
)

SLIPS = (
    *MODEL_SLIPS,
    Slip(
        error=ValueError,
        says=r"expected axis -1 of input shape to have value \d+, but received input with shape",
        code=r"self\.\w+\(",
        explanation="A layer was called again on inputs of another size: a Keras layer fixes its input size "
        "on its first call, so each Dense or Conv2D object can sit at one place only. Check that call() "
        "uses each of them once, in order (fc1, then fc2, then fc3).",
        topic="F4, F5",
    ),
)

# The same float32 weights and inputs through the same layer kinds: only the order of the
# backend's sums can differ (0 on the reference CPU run); 1e-5 leaves room for oneDNN's kernels.
RTOL, ATOL = 1e-5, 1e-6
DROPOUT_RATE = 0.5  # the CNN's default; with 100 units, training mode zeroes about 50 of them
OTHER_RATE = 0.25  # CNN(dropout_rate=OTHER_RATE) must build its Dropout with that rate


def expect_call_not_dunder_call(cls, name: str) -> None:
    """Fails when the class (or a class of the learner's between it and tf.keras.Model) overrides __call__."""
    own = [c for c in cls.__mro__ if c.__module__ == cls.__module__]
    if any("__call__" in c.__dict__ for c in own):
        # Checked on Keras 3.15: such a model still runs fit and predict, but its inner layers no
        # longer get `training` from Keras, and the model never counts as built.
        fail(
            f"{name} to implement call(self, x, training=None)",
            f"{name} overrides __call__",
            "Rename __call__ to call. Keras's own __call__ builds the model and passes `training` on to the "
            "layers inside (such as Dropout), then runs your call(); overriding __call__ skips that, so a "
            "Dropout you do not hand training to yourself stays off even in model(x, training=True). The "
            "manual's __call__ is an erratum (E5).",
            "E5",
        )
    if not any("call" in c.__dict__ for c in own):
        fail(
            f"{name} to implement call(self, x, training=None)",
            f"{name} has no call method",
            "Define call(self, x, training=None) and return the model's output from it.",
            "F5",
        )


def without_relu(reference_model, images):
    """What the reference CNN outputs at inference with no ReLU after its poolings."""
    x = images
    for conv in (reference_model.conv1, reference_model.conv2, reference_model.conv3):
        x = reference_model.pool(conv(x))
    x = reference_model.fc2(reference_model.fc1(reference_model.flatten(x)))
    return reference_model.fc3(x).numpy()


def test_models_implement_call(learner, rng):
    """Check that MLP and CNN run and implement call(self, x, training=None), not __call__ (E5)."""
    expect_call_not_dunder_call(learner.MLP, "MLP")
    expect_call_not_dunder_call(learner.CNN, "CNN")
    mlp = build(learner.MLP, "MLP()", "F5")
    expect_shape(
        mlp(rng.normal(size=(4, 8)).astype(np.float32)),
        (4, 1),
        "MLP's output for a (4, 8) batch",
        "fc3 is Dense(units=1): return its output.",
        "F5",
    )
    cnn = build(learner.CNN, "CNN()", "F5")
    output, layers = spied_call(cnn, rng.uniform(size=(2, 32, 32, 3)).astype(np.float32))
    expect_class_output(output, leaves_of(layers), 2, "CNN", "F5, F6")


def test_mlp_output_matches_reference_with_same_weights(learner, reference, rng):
    """Check that MLP, given the reference's weights, predicts what the reference predicts."""
    features = rng.normal(size=(16, 8)).astype(np.float32)
    model = build(learner.MLP, "MLP()", "F5")
    output, calls = spied_call(model, features)
    expect_dtype(output, tf.float32, "MLP's output", "Keep Keras's default float32 layers.", "F4")
    want, reference_calls = spied_call(reference.MLP(), features)
    layers, reference_layers = leaves_of(calls), leaves_of(reference_calls)
    tokens = (layer_tokens(layers), layer_tokens(reference_layers))
    notes = structure_notes(model, calls)
    copy_weights(reference_layers, layers, "MLP", "F5", tokens, notes)
    difference = layer_difference(*tokens, notes)
    want = want.numpy()
    expect_close(
        model(features),
        want,
        what="MLP's predictions with the reference's weights",
        topic="F5",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                np.maximum(want, 0),
                "Your predictions are never negative: the output passes through a "
                "ReLU. A regression output has no activation (P8).",
            ),
        ),
        next_step=difference[0] if difference else None,
    )


def test_cnn_layers_match_reference(learner, reference, rng):
    """Check that CNN calls the manual's layers in order (activations may be functions, so they are not listed)."""
    images = rng.uniform(size=(2, 32, 32, 3)).astype(np.float32)
    model = build(learner.CNN, "CNN()", "F5")
    expect_layers_made_once(model, images, "CNN's call()", "F5")
    # In training mode, so that a dropout applied only under `if training:` is listed too.
    output, calls = spied_call(model, images, training=True)
    expect_dtype(output, tf.float32, "CNN's output", "Keep Keras's default float32 layers.", "F4")
    _, reference_calls = spied_call(reference.CNN(), images, training=True)
    expect_layers(
        without(layer_tokens(leaves_of(calls)), drop_activations=True),
        without(layer_tokens(leaves_of(reference_calls)), drop_activations=True),
        "CNN's call()",
        "F5",
        structure_notes(model, calls),
    )


def test_cnn_output_matches_reference_at_inference(learner, reference, rng):
    """Check that CNN with the reference's weights and training=False outputs the reference's probabilities."""
    images = rng.uniform(size=(4, 32, 32, 3)).astype(np.float32)
    model = build(learner.CNN, "CNN()", "F5")
    expect_layers_made_once(model, images, "CNN's call()", "F5")
    output, calls = spied_call(model, images, training=True)
    layers = leaves_of(calls)
    expect_class_output(output, layers, 4, "CNN", "F5, F6")
    reference_model = reference.CNN()
    _, reference_calls = spied_call(reference_model, images, training=True)
    reference_layers = leaves_of(reference_calls)
    tokens = (
        without(layer_tokens(layers), drop_activations=True),
        without(layer_tokens(reference_layers), drop_activations=True),
    )
    notes = structure_notes(model, calls)
    copy_weights(reference_layers, layers, "CNN", "F5", tokens, notes)
    want = reference_model(images, training=False).numpy()
    first, inference_calls = spied_call(model, images, training=False)
    first = np.asarray(first)
    again = model(images, training=False).numpy()
    if not np.array_equal(first, again):
        forced = [
            layer
            for layer, training in inference_calls
            if isinstance(layer, tf.keras.layers.Dropout) and training is True
        ]
        fail(
            "CNN(x, training=False) to give the same output every time",
            "two different outputs for one batch"
            + (", with Dropout called as training=True" if forced else ""),
            "Dropout is still active at test time. Pass training=training to the Dropout layer, not "
            "training=True."
            if forced
            else "Something random runs at test time: only Dropout may be random, and only in training.",
            "F5, T12",
        )
    difference = layer_difference(*tokens, notes)
    expect_close(
        first,
        want,
        what="CNN's probabilities with the reference's weights and training=False",
        topic="F5",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(
                lambda got: not np.allclose(got.sum(axis=-1), 1.0, atol=1e-4),
                "Your rows do not sum to 1: the model does not end in a softmax. In Keras the last layer "
                "has one: Dense(units=10, activation='softmax') (F6).",
            ),
            Mistake(
                without_relu(reference_model, images),
                "Your output is what the CNN gives without a ReLU after each pooling: apply self.relu (or "
                "tf.nn.relu) to each pooled feature map, conv -> pool -> ReLU.",
            ),
        ),
        next_step=difference[0] if difference else None,
    )


def test_cnn_dropout_is_active_in_training(learner, rng):
    """Check that CNN(x, training=True) applies Dropout(dropout_rate), so it differs from CNN(x, training=False)."""
    images = rng.uniform(size=(8, 32, 32, 3)).astype(np.float32)
    model = build(learner.CNN, "CNN()", "F5")
    expect_layers_made_once(model, images, "CNN's call()", "F5")
    inference = model(images, training=False).numpy()
    training, calls = spied_call(model, images, training=True)
    if np.allclose(np.asarray(training), inference, rtol=RTOL, atol=ATOL):
        idle = [
            name
            for name in uncalled_attributes(model, calls)
            if isinstance(getattr(model, name), tf.keras.layers.Dropout)
        ]
        forced_off = any(
            isinstance(layer, tf.keras.layers.Dropout) and training is False
            for layer, training in calls
        )
        if idle:
            step = (
                f"__init__ creates self.{idle[0]}, but call() never calls it. Call it after each hidden "
                f"Dense layer: x = self.{idle[0]}(x, training=training)."
            )
        elif forced_off:
            step = (
                "Your Dropout is called with training=False, so it never switches on: pass training=training "
                "on, as Keras gives it to call()."
            )
        else:
            step = (
                "Create a Dropout(dropout_rate) layer in __init__ and call it after each hidden Dense layer "
                "with self.dropout(x, training=training), so Keras can switch it on for training."
            )
        fail(
            f"CNN(x, training=True) to apply Dropout({DROPOUT_RATE:g}) and so differ from training=False",
            "the same output in both modes",
            step,
            "F5, T12",
        )
    other = build(
        lambda: learner.CNN(dropout_rate=OTHER_RATE), f"CNN(dropout_rate={OTHER_RATE})", "F5"
    )
    _, other_calls = spied_call(other, images, training=True)
    rates = sorted(
        {
            float(layer.rate)
            for layer, _ in other_calls
            if isinstance(layer, tf.keras.layers.Dropout)
        }
    )
    if rates and rates != [OTHER_RATE]:
        fail(
            f"CNN(dropout_rate={OTHER_RATE}) to apply Dropout({OTHER_RATE})",
            f"Dropout with the rate {', '.join(f'{r:g}' for r in rates)}",
            "Pass the dropout_rate argument on: self.dropout = tf.keras.layers.Dropout(dropout_rate), not a "
            "fixed number.",
            "F5, T12",
        )

"""Helpers shared by the ch6_keras checks: layer walks, weight copies and reference modules.

Not an exercise: the grader only runs the check modules named after exercises.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from grader import REFERENCE_DIR
from grader.expect import fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

ACTIVATIONS = {"ReLU", "Softmax"}
# Layers that scale the input; the Functional check looks for them and the layer lists skip them.
NORMALISATION = ("Rescaling", "Normalization", "Lambda")

_REFERENCES: dict[str, object] = {}


def reference_module(relative: str):
    """Another exercise's reference module (the CNN builders), loaded once from reference/."""
    if relative not in _REFERENCES:
        path = REFERENCE_DIR / relative
        spec = importlib.util.spec_from_file_location(
            "_kit_check_" + relative[:-3].replace("/", "_"), path
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _REFERENCES[relative] = module
    return _REFERENCES[relative]


def small_classifier():
    """A small CIFAR-10 classifier ending in a softmax, for the checks of training code.

    compile, fit and train_step work on any Keras model; this one has 4 weights instead of the
    manual CNN's 12, so tracing it and training it take a fraction of the time.
    """
    layers = tf.keras.layers
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(32, 32, 3)),
            layers.Conv2D(filters=16, kernel_size=3, strides=2, padding="same", activation="relu"),
            layers.MaxPool2D(),
            layers.Flatten(),
            layers.Dense(units=10, activation="softmax"),
        ]
    )


def source_digest() -> str:
    """A digest of this file, for the keys of cached reference runs that use small_classifier."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def cifar_arrays(datasets, train_count: int, test_count: int):
    """The first images of CIFAR-10's train and test sets as float32 in [0, 1], labels as int32."""
    train = datasets.cifar10(train=True)
    test = datasets.cifar10(train=False)
    return (
        (train.data[:train_count] / 255).astype(np.float32),
        np.asarray(train.targets[:train_count], dtype=np.int32),
        (test.data[:test_count] / 255).astype(np.float32),
        np.asarray(test.targets[:test_count], dtype=np.int32),
        train.kit_source,
    )


def build(factory: Callable[[], object], what: str, topic: str):
    """factory(), with the manual's Keras slips (erratum E6) turned into targeted failures."""
    try:
        return factory()
    except TypeError as exc:
        text = str(exc)
        if "'units'" in text or "'unit'" in text:
            fail(
                f"{what} to build its Dense layers",
                f"TypeError: {text}",
                "Dense's argument is units=, as in Dense(units=100); the manual's Dense(unit=...) is a slip "
                "(erratum E6).",
                topic,
            )
        if "Layer.__init__() takes" in text:
            fail(
                f"{what} to build a model from a list of layers",
                f"TypeError: {text}",
                "tf.keras.Model() takes no list of layers; the Sequential API is tf.keras.Sequential([...]). "
                "The manual's tf.keras.Model() for Sequential is a slip (erratum E6).",
                topic,
            )
        raise
    except AttributeError as exc:
        if "'add'" in str(exc):
            fail(
                f"{what} to add layers to a Sequential model",
                f"AttributeError: {exc}",
                "Only tf.keras.Sequential() has add(); the manual's tf.keras.Model() for the Sequential API "
                "is a slip (erratum E6).",
                topic,
            )
        raise


def called_layers(model, inputs) -> tuple[object, list]:
    """Runs model(inputs) once; returns its output and the innermost layers in the order called.

    A layer called twice (a shared pooling or ReLU) appears twice. Watching the calls instead of
    reading model.layers works for all three APIs, nested blocks and layers created in any order.
    """
    model(
        inputs
    )  # builds a model without an Input first: building runs the layers symbolically too
    layer_class = tf.keras.layers.Layer
    original = layer_class.__call__
    seen = []

    def spy(self, *args, **kwargs):
        seen.append(self)
        return original(self, *args, **kwargs)

    layer_class.__call__ = spy
    try:
        output = model(inputs)
    finally:
        layer_class.__call__ = original
    leaves = [layer for layer in seen if not list(layer._flatten_layers(include_self=False))]
    return output, leaves


def _activation_token(function) -> str | None:
    name = getattr(function, "__name__", str(function))
    return {"linear": None, "relu": "ReLU", "softmax": "Softmax"}.get(name, name)


def layer_tokens(layers: list) -> list[str]:
    """Short names of the layers and their activations, e.g. ["Conv2D(32, 3, padding='same')", "ReLU"].

    An activation given as activation="relu" and a separate ReLU layer give the same names, and
    MaxPool2D -> ReLU is written ReLU -> MaxPool2D: the two orders compute the same numbers.
    """
    keras_layers = tf.keras.layers
    tokens: list[str] = []
    for layer in layers:
        config = layer.get_config()
        activation = None
        if isinstance(layer, keras_layers.InputLayer):
            continue
        if isinstance(layer, keras_layers.Conv2D):
            kernel = config["kernel_size"]
            kernel = kernel[0] if len(set(kernel)) == 1 else tuple(kernel)
            strides = (
                ""
                if tuple(config["strides"]) == (1, 1)
                else f", strides={tuple(config['strides'])}"
            )
            tokens.append(
                f"Conv2D({config['filters']}, {kernel}, padding={config['padding']!r}{strides})"
            )
            activation = _activation_token(layer.activation)
        elif isinstance(layer, keras_layers.Dense):
            tokens.append(f"Dense({config['units']})")
            activation = _activation_token(layer.activation)
        elif isinstance(layer, keras_layers.MaxPooling2D):
            size = config["pool_size"]
            size = size[0] if len(set(size)) == 1 else tuple(size)
            tokens.append(
                f"MaxPool2D({size})"
                if tuple(config["strides"]) == tuple(config["pool_size"])
                else f"MaxPool2D({size}, strides={tuple(config['strides'])})"
            )
        elif isinstance(layer, keras_layers.ReLU):
            plain = (
                config["max_value"] is None
                and not config["negative_slope"]
                and not config["threshold"]
            )
            tokens.append(
                "ReLU"
                if plain
                else "ReLU(max_value={max_value}, negative_slope={negative_slope})".format(**config)
            )
        elif isinstance(layer, keras_layers.Softmax):
            tokens.append("Softmax")
        elif isinstance(layer, keras_layers.Activation):
            tokens.append(_activation_token(layer.activation) or "Activation('linear')")
        elif isinstance(layer, keras_layers.Flatten):
            tokens.append("Flatten")
        elif isinstance(layer, keras_layers.Dropout):
            tokens.append(f"Dropout({config['rate']:g})")
        elif isinstance(layer, keras_layers.Rescaling):
            tokens.append(f"Rescaling({config['scale']:.4g}, offset={config['offset']:g})")
        else:
            tokens.append(type(layer).__name__)
        if activation:
            tokens.append(activation)
    for i in range(len(tokens) - 1):
        if tokens[i].startswith("MaxPool2D") and tokens[i + 1] == "ReLU":
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
    return tokens


def without(tokens: list[str], drop_activations: bool = False) -> list[str]:
    """The tokens without normalisation steps (and without activations, if asked)."""
    return [
        t
        for t in tokens
        if not t.startswith(NORMALISATION) and not (drop_activations and t in ACTIVATIONS)
    ]


def expect_layers(got: list[str], want: list[str], what: str, topic: str) -> None:
    """Fails with the first difference between two layer lists, naming the likely slip."""
    if got == want:
        return
    first = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w), min(len(got), len(want)))
    got_at = got[first] if first < len(got) else "nothing (your model ends there)"
    want_at = want[first] if first < len(want) else "nothing (the model should end there)"
    if any("padding='valid'" in t for t in got) and any("padding='same'" in t for t in want):
        step = (
            "Conv2D's default padding is 'valid', which shrinks 32x32 to 30x30. Pass padding='same' so each "
            "conv keeps the size and three poolings give 4x4."
        )
        topic = "T4, F4"
    elif want and want[-1] == "Softmax" and (not got or got[-1] != "Softmax"):
        step = (
            "A Keras classifier ends in a softmax: Dense(units=10, activation='softmax'). The manual's example "
            "that ends in ReLU()(x) is not a classifier's output."
        )
        topic = "F6"
    elif got and got[-1] == "ReLU" and want and want[-1] != "ReLU":
        step = (
            "The regression output must be able to go negative and above any bound: leave the last Dense "
            "without an activation."
        )
        topic = "P8"
    elif got.count("ReLU") < want.count("ReLU"):
        step = (
            "Add the missing ReLU: without a non-linearity between them, stacked layers collapse into one "
            "linear map."
        )
        topic = "T3"
    else:
        step = "Compare your layers with the docstring one by one: kind, units or filters, kernel size, padding."
    fail(
        f"{what} to have the layers {' -> '.join(want)}",
        f"{' -> '.join(got) or 'no layers'}; the first difference is at position {first + 1}: "
        f"{got_at} where {want_at} belongs",
        step,
        topic,
    )


def unique(layers: list) -> list:
    found, seen = [], set()
    for layer in layers:
        if id(layer) not in seen:
            seen.add(id(layer))
            found.append(layer)
    return found


def copy_weights(source_layers: list, target_layers: list, what: str, topic: str) -> None:
    """Copies weights layer by layer in call order, so that two models start identical."""
    source = [w for layer in unique(source_layers) for w in layer.weights]
    target = [w for layer in unique(target_layers) for w in layer.weights]
    want = [tuple(w.shape) for w in source]
    got = [tuple(w.shape) for w in target]
    if want != got:
        fail(
            f"{what}'s weights, in the order the layers run, to have the shapes {want}",
            f"{got}",
            "Compare the layers' units, filters and kernel sizes with the docstring, and keep the bias "
            "(use_bias stays True).",
            topic,
        )
    for mine, theirs in zip(target, source):
        mine.assign(theirs)


def as_array(value) -> np.ndarray:
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)

"""Keras checks: layer walks, weight copies, a small classifier with live progress."""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from grader.toolkit.expect import Slip, describe, expect_shape, fail
from grader.toolkit.progress import report_epoch

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")
Flatten, InputLayer = tf.keras.layers.Flatten, tf.keras.layers.InputLayer

ACTIVATIONS = {"ReLU", "Softmax"}
# Layers that scale the input; the Functional check looks for them and the layer lists skip them.
NORMALISATION = ("Rescaling", "Normalization", "Lambda")


class _EpochProgress(tf.keras.callbacks.Callback):
    """Sends each epoch's training loss to the terminal as fit goes (grader.toolkit.progress)."""

    def __init__(self, who: str):
        super().__init__()
        self.who = who

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        report_epoch(epoch=epoch + 1, epochs=self.params.get("epochs"), loss=loss, who=self.who)


class ProgressSequential(tf.keras.Sequential):
    """A Sequential whose fit reports live progress once per epoch while `progress_who` is set.

    The learner's fit_model calls model.fit as usual; the callback is added here, so their code
    needs none.
    """

    progress_who: str | None = None

    def fit(self, *args, **kwargs):
        if self.progress_who:
            kwargs["callbacks"] = [
                *(kwargs.get("callbacks") or []),
                _EpochProgress(self.progress_who),
            ]
        return super().fit(*args, **kwargs)


def small_classifier(progress_reports: bool = False):
    """A small CIFAR-10 classifier ending in a softmax, for the checks of training code.

    compile, fit and train_step work on any Keras model; this one has 4 weights instead of the
    manual CNN's 12, so tracing it and training it take a fraction of the time. With
    progress_reports, its fit can report live progress (see ProgressSequential).
    """
    layers = tf.keras.layers
    return (ProgressSequential if progress_reports else tf.keras.Sequential)(
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


def source_of(function) -> str:
    """The learner's source of a function or class, or "" where Python cannot find it."""
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


# An image shape written channels-first, as torch has it: (3, 32, 32).
NCHW_SHAPE = re.compile(r"\(\s*3\s*,\s*32\s*,\s*32\s*,?\s*\)")


def fail_nchw(what: str, got: str, topic: str) -> None:
    fail(
        f"{what} to take NHWC images of shape (batch, 32, 32, 3)",
        got,
        "Your code declares the images as (3, 32, 32), channels first as in torch. Keras images are NHWC, "
        "(batch, height, width, channels): tf.keras.Input(shape=(32, 32, 3)).",
        topic,
    )


# Exceptions that the manual's and a newcomer's Keras slips raise in the model builders, each
# confirmed by the learner's line (see grader.toolkit.expect.Slip). Checked on TF 2.21 / Keras 3.15.
MODEL_SLIPS = (
    Slip(
        error=ValueError,
        says=r"Cannot convert '\d+' to a shape",
        code=r"(shape\s*=\s*(\d+\b|\(\s*\d+\s*\)))|Input\(\s*\d+\s*[,)]",
        explanation="Input's shape is a tuple even for one dimension: tf.keras.Input(shape=(8,)). The "
        "comma makes (8,) a tuple; shape=8 and shape=(8) are plain numbers, which Keras 3 refuses.",
        topic="F4, F5",
    ),
    Slip(
        error=ValueError,
        says=r"You must pass a `shape` argument",
        code=r"Input\(\s*\)",
        explanation="tf.keras.Input needs the shape of one sample, without the batch: Input(shape=(8,)) for "
        "the MLP, Input(shape=(32, 32, 3)) for the CNN. The manual's Input() leaves it out.",
        topic="F5",
    ),
    Slip(
        error=TypeError,
        says=r"AveragePooling2D.__init__\(\) missing 1 required positional argument: 'pool_size'",
        code=r"AveragePooling2D\(",
        explanation="The manual's CNN pools with MaxPool2D(), max pooling over 2x2 windows by default; "
        "AveragePooling2D takes the mean instead (and has no default pool size in Keras 3).",
        topic="T4, F4",
    ),
)


def fail_missing_function(exc: AttributeError, names: dict, topic: str) -> None:
    """A function passed where its result belongs: `model = build_model` instead of build_model()."""
    for name, function in names.items():
        if getattr(exc, "obj", None) is function:
            fail(
                f"{name}() to be called",
                f"AttributeError: {exc}: your code used the function {name} itself as a model",
                f"Call it: model = {name}(). {name} builds a new model each time you call it; the "
                "function itself has no weights, load_weights or predict.",
                topic,
            )


def build(factory: Callable[[], object], what: str, topic: str):
    """factory(), with the manual's Keras slips (erratum E6) turned into targeted failures."""
    try:
        return factory()
    except ValueError as exc:
        # An NCHW Input fails later, at a pooling layer's line: the learner's source confirms it.
        if NCHW_SHAPE.search(source_of(factory)):
            fail_nchw(what, f"ValueError: {_first_sentence(exc)}", "F4, E11")
        raise
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


def _first_sentence(exc: BaseException, limit: int = 240) -> str:
    """An exception's text without Keras's colour codes and call summary, cut to `limit`."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    text = text.split("Arguments received by")[0]
    text = re.sub(r"Exception encountered when calling [\w.]+\(\)\.", "", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_learner_class(model) -> bool:
    """Whether the model's class is the learner's own (a subclass), whose call() they wrote."""
    return type(model).__module__.startswith("_kit_learner")


def spied_call(model, inputs, **kwargs) -> tuple[object, list]:
    """Runs model(inputs, **kwargs) once; returns its output and every (layer, training) call in order.

    The model is called once before, unwatched: a model without an Input builds on its first call,
    and building runs the layers symbolically too. `training` is what the caller passed to that
    layer (None when it passed nothing).
    """
    model(inputs, **kwargs)
    layer_class = tf.keras.layers.Layer
    original = layer_class.__call__
    calls = []

    def spy(self, *args, **call_kwargs):
        calls.append((self, call_kwargs.get("training")))
        return original(self, *args, **call_kwargs)

    layer_class.__call__ = spy
    try:
        output = model(inputs, **kwargs)
    finally:
        layer_class.__call__ = original
    return output, calls


def leaves_of(calls: list) -> list:
    """The innermost layers among the calls, in the order called."""
    return [layer for layer, _ in calls if not list(layer._flatten_layers(include_self=False))]


def called_layers(model, inputs, **kwargs) -> tuple[object, list]:
    """Runs model(inputs) once; returns its output and the innermost layers in the order called.

    A layer called twice (a shared pooling or ReLU) appears twice. Watching the calls instead of
    reading model.layers works for all three APIs, nested blocks and layers created in any order.
    """
    output, calls = spied_call(model, inputs, **kwargs)
    return output, leaves_of(calls)


def run_built_model(model, inputs, what: str, topic: str, **kwargs) -> tuple[object, list]:
    """called_layers for a Sequential or Functional model, whose errors come from Keras's code.

    Such an error has no line of the learner's in its traceback, so it is described here rather
    than blamed on a return value. A subclass's errors come from the learner's call(): they are
    raised as they are, so that the report shows that line.
    """
    try:
        return called_layers(model, inputs, **kwargs)
    except (ValueError, TypeError, tf.errors.InvalidArgumentError) as exc:
        if is_learner_class(model):
            raise
        declared = [tuple(t.shape[1:]) for t in getattr(model, "inputs", None) or []]
        if (3, 32, 32) in declared:
            fail_nchw(what, f"a model whose Input has the shape {declared[0]}", "F4, E11")
        fail(
            f"{what}'s model to run on a batch of shape {tuple(np.shape(inputs))}",
            f"{type(exc).__name__}: {_first_sentence(exc)}",
            "Keras raised this inside one of your layers while running the batch: compare each layer's "
            "arguments and the Input's shape with the docstring.",
            topic,
        )


def expect_class_output(output, layers: list, count: int, what: str, topic: str) -> None:
    """Fails unless a classifier's output is (count, 10), naming a missing Flatten when that is why."""
    shape = tuple(getattr(output, "shape", ()) or ())
    if (
        len(shape) == 4
        and shape[-1] == 10
        and not any(isinstance(layer, Flatten) for layer in layers)
    ):
        fail(
            f"{what}'s output for a ({count}, 32, 32, 3) batch to have shape ({count}, 10)",
            describe(output),
            "Add Flatten() between the last pooling and the first Dense. Without it, Dense works on the last "
            "axis only and runs on each of the 4x4 positions of the feature map, so the output keeps them.",
            "F4",
        )
    expect_shape(
        output,
        (count, 10),
        f"{what}'s output for a ({count}, 32, 32, 3) batch",
        "End with Dense(units=10, activation='softmax'): one probability per class.",
        topic,
    )


def unused_layers(model) -> list:
    """Layers of a Functional model that were called on its tensors but do not reach its outputs.

    Keras keeps only the operations on the path from inputs to outputs; a layer applied to
    `inputs` and then not used (erratum E4) is still linked to the Input, so it can be found.
    """
    keep = {id(op) for op in getattr(model, "operations", [])}
    found, queue = {}, [op for op in getattr(model, "operations", []) if isinstance(op, InputLayer)]
    try:
        while queue:
            for node in queue.pop(0)._outbound_nodes:
                op = node.operation
                if id(op) not in found:
                    found[id(op)] = op
                    queue.append(op)
    except AttributeError:  # another Keras version's internals: report nothing rather than guess
        return []
    return [
        op for key, op in found.items() if key not in keep and isinstance(op, tf.keras.layers.Layer)
    ]


def uncalled_attributes(model, calls: list) -> list[str]:
    """Names of the layers a subclass creates in __init__ that its call() never runs."""
    if not is_learner_class(model):
        return []
    seen = {id(layer) for layer, _ in calls}
    names = []
    for name, value in vars(model).items():
        if isinstance(value, tf.keras.layers.Layer) and not any(
            id(layer) in seen for layer in value._flatten_layers(include_self=True)
        ):
            names.append(name)
    return names


def structure_notes(model, calls: list) -> str:
    """What a model creates but does not use, in words, for the layer checks' next steps."""
    unused = unused_layers(model)
    if unused:
        names = ", ".join(layer_tokens([layer])[0] for layer in unused if layer_tokens([layer]))
        return (
            f"Keras keeps only the layers on the path from inputs to outputs, and {names} "
            f"{'is computed but never reaches' if len(unused) == 1 else 'are computed but never reach'} "
            "the outputs: call each layer on the previous layer's output (x), not on inputs."
        )
    uncalled = uncalled_attributes(model, calls)
    if uncalled:
        names = ", ".join(f"self.{name}" for name in uncalled)
        return f"__init__ creates {names}, but call() never calls {'it' if len(uncalled) == 1 else 'them'}."
    return ""


def expect_layers_made_once(model, inputs, what: str, topic: str) -> None:
    """Fails when call() builds new layers on every call instead of using those made in __init__."""
    _, first = spied_call(model, inputs)
    _, second = spied_call(model, inputs)
    if {id(layer) for layer in leaves_of(first)} != {id(layer) for layer in leaves_of(second)}:
        fail(
            f"{what} to run the same layers on every call",
            "new layer objects on each call: call() creates its layers",
            "Create each layer once, in __init__, as an attribute (self.conv1 = Conv2D(...)), and only call "
            "them in call(). A layer made inside call() gets new random weights every time, and the model "
            "cannot train or save them.",
            topic,
        )


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


def _weighted(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t.startswith(("Dense", "Conv2D"))]


def layer_difference(got: list[str], want: list[str], notes: str = "") -> tuple[str, str] | None:
    """(next step, topic) naming the slip behind the difference of two layer lists; None if equal.

    `notes` (see structure_notes) says what the model creates but does not use; it is the
    confirmed reason when a layer is missing.
    """
    if got == want:
        return None
    if any("padding='valid'" in t for t in got) and any("padding='same'" in t for t in want):
        return (
            (
                "Conv2D's default padding is 'valid', which shrinks 32x32 to 30x30. Pass padding='same' so each "
                "conv keeps the size and three poolings give 4x4."
            ),
            "T4, F4",
        )
    if "Flatten" in want and "Flatten" not in got:
        return (
            (
                "Add a Flatten() layer between the last pooling and the first Dense, as the manual's CNN "
                "does: the layers are compared one by one, and a reshape inside call() is no layer. "
                "With no flattening at all, Dense works on the last axis only and runs on each "
                "position of the feature map."
            ),
            "F4",
        )
    if any(t.startswith("AveragePooling2D") for t in got) and any(
        t.startswith("MaxPool2D") for t in want
    ):
        return (
            (
                "Pool with MaxPool2D(), as the manual's CNN does: max pooling keeps each 2x2 window's largest "
                "value, AveragePooling2D its mean."
            ),
            "T4, F4",
        )
    if len(_weighted(got)) < len(_weighted(want)):
        return (
            f"Your model runs {len(_weighted(got))} Dense/Conv2D layers where the docstring has "
            f"{len(_weighted(want))}: a layer is skipped. "
            + (notes or "Check that each layer takes the previous layer's output."),
            "F5",
        )
    if want and want[-1] == "Softmax" and (not got or got[-1] != "Softmax"):
        return (
            (
                "A Keras classifier ends in a softmax: Dense(units=10, activation='softmax'). The manual's example "
                "that ends in ReLU()(x) is not a classifier's output."
            ),
            "F6",
        )
    if got and got[-1] == "ReLU" and want and want[-1] != "ReLU":
        return (
            (
                "A regression output has no activation: it must be able to go negative and above any bound, so "
                "leave the last Dense without one."
            ),
            "P8",
        )
    if "Dropout" in " ".join(want) and "Dropout" not in " ".join(got):
        return (
            (notes + " " if notes else "")
            + "Apply Dropout after each hidden Dense layer: self.dropout(x, training=training).",
            "F5, T12",
        )
    if got.count("ReLU") < want.count("ReLU") and without(got, True) == without(want, True):
        return (
            (
                "Add the missing ReLU: a Dense layer has no activation unless you pass one, so give each hidden "
                "Dense activation='relu' (or put a ReLU layer after it). Without a non-linearity between them, "
                "stacked layers collapse into one linear map."
            ),
            "T3",
        )
    return (
        (notes + " " if notes else "")
        + "Compare your layers with the docstring one by one: kind, units or filters, kernel size, padding.",
        "F4",
    )


def expect_layers(got: list[str], want: list[str], what: str, topic: str, notes: str = "") -> None:
    """Fails with the first difference between two layer lists, naming the likely slip."""
    difference = layer_difference(got, want, notes)
    if difference is None:
        return
    step, topic = difference
    first = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w), min(len(got), len(want)))
    got_at = got[first] if first < len(got) else "nothing (your model ends there)"
    want_at = want[first] if first < len(want) else "nothing (the model should end there)"
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


def copy_weights(
    source_layers: list,
    target_layers: list,
    what: str,
    topic: str,
    tokens: tuple[list[str], list[str]] | None = None,
    notes: str = "",
) -> None:
    """Copies weights layer by layer in call order, so that two models start identical.

    When the shapes differ and `tokens` (the learner's and the reference's layer lists) differ
    too, the failure names the layer difference, as the layer check does, instead of the shapes.
    """
    source = [w for layer in unique(source_layers) for w in layer.weights]
    target = [w for layer in unique(target_layers) for w in layer.weights]
    want = [tuple(w.shape) for w in source]
    got = [tuple(w.shape) for w in target]
    if want != got:
        if tokens is not None:
            expect_layers(tokens[0], tokens[1], what, topic, notes)
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

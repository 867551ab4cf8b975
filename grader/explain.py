"""Exceptions explained from the learner's code: what was on the line that raised, and why it broke.

The grader (grader.plugin) asks here when no Slip of the check module names an exception. Each
explainer reads the evidence, never guesses: the expression that raised (from the frame's
position table), the values it combined (from the frame's own variables, read without running
any of the learner's code), the exception's own text, and the learner's source. It names a cause
only when the evidence confirms it, such as a class where its text names that class, or shapes
that are the shapes the error reports; otherwise it stays silent.

Messages are whole sentences with named placeholders, so each can be translated as one unit.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import inspect
import linecache
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType, TracebackType
from typing import Any

import numpy as np

from grader.toolkit.values import METHOD_ITSELF, bound_method_name, describe

# --- the templates ------------------------------------------------------------------------------

UNKNOWN_DEVICE = (
    "torch knows no device type {name}: its device types include 'cpu' and 'cuda' (an NVIDIA "
    "GPU is 'cuda', never 'gpu')."
)
UNKNOWN_DEVICE_AT = (
    "`{expr}` asks for the device type {name}, which torch does not know: its device types "
    "include 'cpu' and 'cuda' (an NVIDIA GPU is 'cuda', never 'gpu')."
)
UNKNOWN_DEVICE_STEP = 'Write torch.device("cuda") for the GPU, or torch.device("cpu").'
WITH_CLASS = "`{expr}` is a class, and `with` needs an object made from it."
WITH_CLASS_STEP = "Call it to make one: with {expr}():"
WITH_METHOD = "`{expr}` is a method, and `with` needs what it returns, not the method itself."
WITH_METHOD_STEP = "Call it: with {expr}():"
CLASS_VALUE = (
    "`{expr}` is the class {name} itself, not an object made from it, so the code that received "
    "it could not use it."
)
CLASS_VALUE_AT = (
    "`{expr}` on line {line} of your file is the class {name} itself, not an object made from "
    "it, so the code that received it could not use it."
)
CLASS_VALUE_STEP = "Call it to make one: {expr}(), with its arguments if it takes any."
CLASS_WITH_DATA = (
    "`{expr}` is a class: {call} makes a new {name} object from those arguments and computes "
    "nothing with them."
)
CLASS_WITH_DATA_STEP = (
    "Make the object once, then call it on the data: f = {expr}(), then f({args})."
)
METHOD_VALUE = "`{expr}` is a method; without parentheses it is the method itself, not its result."
METHOD_VALUE_STEP = "Call it: {expr}()."
METHOD_STATEMENT = (
    "Line {line} of your file, `{expr}`, names the method without calling it, so it does nothing."
)
METHOD_STATEMENT_STEP = "Call it: {expr}()."
METHOD_UNCALLED_AT = (
    "Line {line} of your file, `{expr}`, names the method {name} without calling it."
)
OPERAND = "`{expr}` is {described}."
OPERAND_ON = "`{expr}` is {described}, on {device}."
LAYER = "`{expr}` is the layer {layer}."
LAYER_WEIGHTS = "`{expr}` is the layer {layer}, whose weights are {dtype} on {device}."
BROADCAST_RULE = (
    "Elementwise operations line shapes up from the last axis, and each pair of sizes must be "
    "equal or 1. Check which of them has the shape the docstring gives; keepdims=True or an axis "
    "added with [:, None] lines shapes up on purpose."
)
TRANSPOSE_1D = (
    "`{expr}` is {described}: .T of a 1-D array returns it unchanged, so `{expr}` is no column "
    "and the two vectors cannot pair up."
)
TRANSPOSE_1D_STEP = (
    "To pair every entry of one vector with every entry of the other, use np.outer(a, b) "
    "(torch.outer in torch), or make a column with a[:, None] first."
)
MATMUL_RULE = (
    "A matrix product a @ b needs the last axis of a to have the size of the first axis of b "
    "(of its second-to-last axis, if b has more than 2). Check the order of the factors, and "
    "whether one of them needs .T."
)
LINEAR_RULE = (
    "The layer `{layer}` takes inputs whose last axis holds {expected} values, but `{expr}` has "
    "{got} there. Make the layer's in_features match what reaches it (after a flatten, the "
    "number of values per sample), or fix the input's shape."
)
CONV_RULE = (
    "The layer `{layer}` takes inputs with {expected} channels on axis 1, but `{expr}` has "
    "{got} there. Its in_channels must match the channels that reach it, in (batch, channels, "
    "height, width) order."
)
RESHAPE = "`{expr}` is {described}: {total} values, which do not fill the shape {shape}."
RESHAPE_PER_SAMPLE_STEP = (
    "One sample holds {per_sample} values ({sizes}), so each row needs {per_sample}: "
    "torch.flatten({expr}, 1) counts them for you."
)
RESHAPE_STEP = "Ask for a shape that holds exactly {total} values."
DTYPE_RULE = (
    "Their dtypes differ, and this operation needs one dtype. Convert one of them: .float() "
    "gives float32, what torch layers use, and .long() gives int64, what class labels use."
)
DEVICE_RULE = (
    "They are on different devices, and one operation needs all its tensors on one device. "
    "Move each tensor, and the model, with .to(device)."
)
NAME_IMPORT = "`{name}` is not defined in your file: it is the usual name for {what}, which your file does not import."
NAME_IMPORT_STEP = "Add `{statement}` at the top of your file."
NAME_SIMILAR = "`{name}` is not defined where it is used; `{similar}` is."
NAME_SIMILAR_STEP = "Check the spelling: did you mean `{similar}`?"
NUMPY_HAS_NO = "`{expr}` is a NumPy array, and .{name} is a torch tensor method."
NUMPY_HAS_NO_STEP = "In NumPy that is {hint}; or make a tensor first with torch.from_numpy(...)."
TORCH_HAS_NO = "`{expr}` is a torch tensor, and .{name} is a NumPy array method."
TORCH_HAS_NO_STEP = "In torch that is {hint}."
ATTRIBUTE_SIMILAR = "`{expr}` is {described}, which has no attribute .{name}; it has .{similar}."
ATTRIBUTE_SIMILAR_STEP = "Did you mean .{similar}?"
IS_NONE = "`{expr}` is None on that line."
IS_NONE_STEP = (
    "Find where it got that value: a function without a return statement gives None, and so "
    "does a method that works in place, such as list.append or list.sort."
)
PAST_END = (
    "The index {index} is one past the end: an axis of size {size} has the indices 0 to {last}."
)
PAST_END_STEP = "Check the range() or the + 1 that produced it: range(n) already stops at n - 1."
NO_KEY = "The dict `{expr}` has no key {key}; its keys are {keys}."
NO_KEY_SIMILAR_STEP = "Did you mean {similar}?"
NO_KEY_STEP = (
    "No key of it is spelt like {key}, so this is no typo: look at what this dict holds where "
    "it is made (for a loaded file, what was saved into it), and read the key your code needs "
    "from that."
)
MISSING_FUNCTION = (
    "Your file {path} has no function `{name}`; did you rename it? It defines: {defined}."
)
MISSING_FUNCTION_SIMILAR = (
    "Your file {path} has no function `{name}`; did you rename it to `{similar}`?"
)
MISSING_FUNCTION_EMPTY = "Your file {path} has no function `{name}`, and defines no other function."
MISSING_FUNCTION_STEP = (
    "Keep the name the stub gives, `{name}`: the grader calls the function by that name."
)

METHOD_HELD = (
    "`{expr}` holds the method {method} itself, not its result: line {line} of your file, "
    "`{source}`, names the method without calling it."
)
METHOD_HELD_STEP = "Call it there: {source}()."
NOT_CALLABLE_FLAG = (
    "`{expr}` is a setting that holds the value {value}, not a function, so it cannot be called."
)
NOT_CALLABLE_FLAG_STEP = "Assign the value to it instead: {expr} = {arg}."
ENVIRON_VALUE = "Values stored in os.environ must be strings, and `{expr}` is {described}."
ENVIRON_VALUE_STEP = "Convert it to text: {target} = str({expr})."
SIZES_PACKED = (
    "`{expr}` is the shape {shape}, passed as one argument beside other sizes; {func} takes "
    "the sizes one by one, or one shape alone, not both."
)
SIZES_PACKED_STEP = "Unpack it with *: {fixed}."
NUMBER_NOT_TENSOR = (
    "`{expr}` is {described}, a Python number and not a tensor, so it has no .{name}()."
)
NUMBER_FROM_ITEM = "Line {line} of your file, `{source}`, made it a number with .item()."
NUMBER_NOT_TENSOR_STEP = (
    "Keep the tensor for .{name}(): call .item() only where you need the number, after .{name}()."
)
NUMBER_NOT_TENSOR_FIND_STEP = (
    "Find where it became a number (.item() and float() give one) and keep the tensor for "
    ".{name}()."
)
MODULE_INIT = (
    "{cls}.__init__ stores a layer on self before nn.Module's own __init__ has run, so torch has "
    "nowhere to keep it."
)
MODULE_INIT_STEP = "Make super().__init__() the first line of {cls}.__init__."
TF1_NAME = "`{expr}` is a TensorFlow 1 name; TensorFlow 2, which the kit runs, has no {name} there."
TF1_NAME_STEP = "Use {new} instead."
CALLS_ITSELF = (
    "`{expr}` is this object itself, so `{call}` calls {method} again, which calls it again, "
    "without end."
)
CALLS_ITSELF_SAVED_AFTER = (
    "Line {replaced} of your file, `{replace}`, puts this object in place before line {saved}, "
    "`{save}`, saves what is there, so the saved value is this object."
)
CALLS_ITSELF_STEP = "Find the line that set `{expr}`: it must hold the object to pass the call to."
CALLS_ITSELF_SAVED_STEP = "Swap the two lines: save the old value first, then replace it."

ARGUMENTS_SWAPPED = (
    "{func} takes its arguments in the order ({order}), so your call passes `{wrong}` as "
    "{param} and `{right}` as {other}."
)
ARGUMENTS_SWAPPED_STEP = "Swap them: {fixed}."

PARAMETERS_REORDERED = (
    "Your {name}() takes its parameters in the order ({got}), and the stub's order is ({want}): "
    "a call by position in the stub's order gives `{param}` the value meant for `{other}`."
)
PARAMETERS_REORDERED_STEP = "Keep the stub's signature: def {name}({signature})."

ZERO_DIM_ITEMS = (
    "`{expr}` is {described}: each item is a single value with no axis, and {func} joins "
    "arrays along an axis they already have."
)
ZERO_DIM_ITEMS_STEP = (
    "Check what each item should hold: the values of one batch make an array with a batch axis."
)
ARGMAX_WHOLE = (
    "Line {line} of your file, `{source}`, gives argmax no axis, so it returns one index for the "
    "whole batch instead of one per sample."
)
ARGMAX_WHOLE_STEP = "Give it the class axis: {fixed}, for scores of shape (batch, classes)."

# Names newcomers use without importing them, and the import each needs.
IMPORTS = {
    "np": ("NumPy", "import numpy as np"),
    "torch": ("PyTorch", "import torch"),
    "nn": ("torch.nn", "from torch import nn"),
    "F": ("torch.nn.functional", "import torch.nn.functional as F"),
    "optim": ("torch.optim", "from torch import optim"),
    "DataLoader": ("torch's DataLoader", "from torch.utils.data import DataLoader"),
    "Dataset": ("torch's Dataset", "from torch.utils.data import Dataset"),
    "TensorDataset": ("torch's TensorDataset", "from torch.utils.data import TensorDataset"),
    "transforms": ("torchvision's transforms", "from torchvision import transforms"),
    "tf": ("TensorFlow", "import tensorflow as tf"),
    "keras": ("Keras", "from tensorflow import keras"),
    "layers": ("Keras layers", "from tensorflow.keras import layers"),
    "plt": ("matplotlib's pyplot", "import matplotlib.pyplot as plt"),
    "math": ("the math module", "import math"),
    "copy": ("the copy module", "import copy"),
    "os": ("the os module", "import os"),
    "csv": ("the csv module", "import csv"),
    "random": ("the random module", "import random"),
    "time": ("the time module", "import time"),
    "sys": ("the sys module", "import sys"),
}

# The NumPy spelling of torch tensor methods a NumPy array lacks, and the other way round.
TORCH_ONLY = {
    "unsqueeze": "np.expand_dims(x, axis)",
    "view": "x.reshape(...)",
    "permute": "x.transpose(...)",
    "float": "x.astype(np.float32)",
    "double": "x.astype(np.float64)",
    "long": "x.astype(np.int64)",
    "size": "x.shape",
    "dim": "x.ndim",
    "numel": "x.size",
    "detach": "the array itself (NumPy has no autograd)",
    "to": "the array itself (NumPy arrays live on the CPU)",
    "cpu": "the array itself (NumPy arrays live on the CPU)",
    "numpy": "the array itself (it is one already)",
    "clone": "x.copy()",
    "item": "x.item() on a 1-element array, or float(x)",
}
NUMPY_ONLY = {
    "astype": "x.to(dtype), such as x.to(torch.float32), or x.float()",
    "copy": "x.clone()",
    "ravel": "x.flatten()",
    "swapaxes": "x.transpose(a, b)",
    "dot": "x @ y",
}

# Exception texts that report shapes, dtypes or devices, and the rule each breaks.
BROADCAST = re.compile(
    r"could not be broadcast|size of tensor a \(\d+\) must match the size of tensor b|"
    r"Incompatible shapes|are incompatible"
)
MATMUL = re.compile(
    r"not aligned|mismatch in its core dimension|mat1 and mat2 shapes cannot be multiplied|"
    r"size mismatch|shapes cannot be multiplied|inner dimensions"
)
CONV = re.compile(r"expected input\[([\d, ]+)\] to have (\d+) channels, but got (\d+) channels")
DTYPE = re.compile(
    r"expected (?:both vectors to have same dtype|scalar type|m1 and m2 to have the same dtype)|"
    r"must have the same dtype|found dtype \w+ but expected|expected scalar type"
)
RESHAPE_TEXT = re.compile(r"shape '\[([-\d, ]+)\]' is invalid for input of size (\d+)")
DEVICE_TYPE_TEXT = re.compile(r"device type at start of device string: (\S+)")
DEVICE = re.compile(
    r"Expected all tensors to be on the same device|is on (?:cpu|cuda)|"
    r"is not on the expected device"
)


@dataclass(frozen=True)
class Explanation:
    """What the evidence shows (a sentence or more) and what to do, and which explainer spoke.

    `line`, when set, is the learner's line the explanation is about (path, line number, code),
    for an exception that surfaced in library code.
    """

    seen: str
    step: str
    explainer: str
    line: tuple[str, int, str] | None = None

    def text(self) -> str:
        return " ".join(part for part in (self.seen, self.step) if part)


def say(template: str, **fields: Any) -> str:
    """One message from its template (the single place a translation would hook in)."""
    return template.format(**fields)


# --- reading a frame without running learner code ----------------------------------------------


def innermost(exc: BaseException, keep: Callable[[str], bool]) -> TracebackType | None:
    """The innermost traceback entry whose file `keep` accepts."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if keep(tb.tb_frame.f_code.co_filename):
            found = tb
        tb = tb.tb_next
    return found


def failing_source(tb: TracebackType) -> str | None:
    """The source of the expression that was running when the exception left this frame."""
    code = tb.tb_frame.f_code
    try:
        start, end, first_col, last_col = list(code.co_positions())[tb.tb_lasti // 2]
    except (IndexError, ValueError):
        return None
    if None in (start, end, first_col, last_col):
        return None
    lines = [linecache.getline(code.co_filename, n).encode() for n in range(start, end + 1)]
    if not lines or not lines[0]:
        return None
    if start == end:
        return lines[0][first_col:last_col].decode(errors="replace")
    middle = b"".join(lines[1:-1])
    return (lines[0][first_col:] + middle + lines[-1][:last_col]).decode(errors="replace")


def parse(source: str) -> ast.AST | None:
    """An expression, else a statement (a `with` line), from a piece of source; None if neither."""
    text = textwrap.dedent(source).strip()
    for mode in ("eval", "exec"):
        try:
            tree = ast.parse(text, mode=mode)
        except SyntaxError:
            continue
        if mode == "eval":
            return tree.body
        return tree.body[0] if tree.body else None
    if text.startswith(("with ", "async with ")):
        try:  # the position of a `with` covers the statement, whose body may be cut off
            return ast.parse(text.splitlines()[0] + "\n    pass").body[0]
        except SyntaxError:
            return None
    return None


class Reader:
    """Evaluates plain expressions (names, attributes, constant subscripts) in a frame, without
    calling anything the learner wrote: a property defined in the learner's files is not read."""

    MISSING = object()

    def __init__(self, frame: FrameType, is_learner: Callable[[str], bool]):
        self.frame = frame
        self.is_learner = is_learner

    def value(self, node: ast.AST) -> Any:
        try:
            return self._value(node)
        except Exception:  # noqa: BLE001 - whatever cannot be read stays unread
            return self.MISSING

    def _value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Name):
            for scope in (self.frame.f_locals, self.frame.f_globals, vars(builtins)):
                if node.id in scope:
                    return scope[node.id]
            return self.MISSING
        if isinstance(node, ast.Attribute):
            owner = self._value(node.value)
            if owner is self.MISSING:
                return owner
            static = inspect.getattr_static(owner, node.attr, None)
            getter = getattr(static, "fget", None) or getattr(static, "__get__", None)
            code = getattr(getter, "__code__", None)
            if code is not None and self.is_learner(code.co_filename):
                return self.MISSING
            return getattr(owner, node.attr)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Subscript):
            owner = self._value(node.value)
            index = self._value(node.slice)
            if owner is self.MISSING or index is self.MISSING:
                return self.MISSING
            if type(owner).__module__.split(".")[0] not in ("numpy", "torch", "builtins"):
                return self.MISSING
            return owner[index]
        if isinstance(node, ast.Tuple):
            return tuple(self._value(e) for e in node.elts)
        if isinstance(node, ast.Slice):
            parts = [
                None if p is None else self._value(p) for p in (node.lower, node.upper, node.step)
            ]
            return slice(*parts)
        return self.MISSING


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


def _operands(node: ast.AST) -> list[ast.AST]:
    """The values the failing expression combined: both sides of an operator, a call's callee
    and arguments, an indexed value and its index."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.Compare):
        return [node.left, *node.comparators]
    if isinstance(node, ast.Call):
        args = [a.value if isinstance(a, ast.Starred) else a for a in node.args]
        return [node.func, *args, *(k.value for k in node.keywords)]
    if isinstance(node, ast.Subscript):
        return [node.value, node.slice]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.AugAssign):
        return [node.target, node.value]
    return []


def _is_data(value: Any) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _short_repr(value: Any) -> str | None:
    text = " ".join(repr(value).split())
    return text if len(text) <= 80 else None


# --- the explainers for an exception raised on a learner's line ---------------------------------


def _with_class(exc, node, reader) -> Explanation | None:
    if "context manager protocol" not in str(exc) and "__enter__" not in str(exc):
        return None
    if not isinstance(node, (ast.With, ast.AsyncWith)):
        return None
    for item in node.items:
        value = reader.value(item.context_expr)
        expr = _text(item.context_expr)
        if isinstance(value, type) and hasattr(value, "__enter__"):
            return Explanation(say(WITH_CLASS, expr=expr), say(WITH_CLASS_STEP, expr=expr), "class")
        kind = type(value).__name__
        if kind in METHOD_TYPES and f"'{kind}' object" in str(exc):
            return Explanation(
                say(WITH_METHOD, expr=expr), say(WITH_METHOD_STEP, expr=expr), "method"
            )
    return None


def _class_value(exc, node, reader) -> Explanation | None:
    """A class passed where an object of it was needed, named by the exception's text: an
    operand itself, or an item of a list operand (then found uncalled in the learner's file)."""
    if not isinstance(exc, (TypeError, ValueError)):  # Keras refuses a class with a ValueError
        return None
    text = str(exc)
    for operand in _operands(node)[1:] if isinstance(node, ast.Call) else _operands(node):
        value = reader.value(operand)
        if isinstance(value, type) and re.search(rf"\b{value.__name__}\b", text):
            expr = _text(operand)
            return Explanation(
                say(CLASS_VALUE, expr=expr, name=value.__name__),
                say(CLASS_VALUE_STEP, expr=expr),
                "class",
            )
        items = value if isinstance(value, (list, tuple)) else ()
        if isinstance(operand, (ast.List, ast.Tuple)):  # a literal list of layers
            items = [reader.value(element) for element in operand.elts]
        for item in items:
            if isinstance(item, type) and re.search(rf"\b{item.__name__}\b", text):
                found = uncalled_reference(reader.frame.f_code.co_filename, item.__name__)
                if found:
                    return Explanation(
                        say(CLASS_VALUE_AT, expr=found[1], line=found[0], name=item.__name__),
                        say(CLASS_VALUE_STEP, expr=found[1]),
                        "class",
                    )
    return None


def _class_in_frame(exc, node, reader) -> Explanation | None:
    """A class kept where a layer (an object) belongs, such as `self.relu = nn.ReLU`: the
    exception's text names the class, the frame holds the class itself or an object it made
    from the data, and the learner's file names the class without calling it."""
    text = str(exc)
    if not isinstance(exc, (TypeError, RuntimeError, AttributeError)):
        return None
    held = list(reader.frame.f_locals.values())
    owner = reader.frame.f_locals.get("self")
    if owner is not None:
        held += list(getattr(owner, "__dict__", {}).values())
    held += [reader.value(o) for o in _operands(node)]
    names = {v.__name__ for v in held if isinstance(v, type)}
    names |= {type(v).__name__ for v in held if _is_layer(v)}
    for name in sorted(names):
        if not re.search(rf"\b{name}\b", text):
            continue
        found = uncalled_reference(reader.frame.f_code.co_filename, name)
        if found:
            return Explanation(
                say(CLASS_VALUE_AT, expr=found[1], line=found[0], name=name),
                say(CLASS_VALUE_STEP, expr=found[1]),
                "class",
            )
    return None


def _class_with_data(exc, node, reader, below: list[FrameType]) -> Explanation | None:
    """A class called on the data, as if it were the function: the error came from its __init__."""
    if not isinstance(node, ast.Call):
        return None
    cls = reader.value(node.func)
    if not isinstance(cls, type) or not any("__call__" in vars(c) for c in cls.__mro__[:-1]):
        return None  # only a class whose objects are called on data, such as a layer or a loss
    args = [reader.value(a) for a in node.args]
    if not any(_is_data(a) for a in args):
        return None
    inits = [
        f
        for f in below
        if f.f_code.co_name == "__init__" and isinstance(f.f_locals.get("self"), cls)
    ]
    if not inits:
        return None
    expr = _text(node.func)
    return Explanation(
        say(CLASS_WITH_DATA, expr=expr, call=_text(node), name=cls.__name__),
        say(CLASS_WITH_DATA_STEP, expr=expr, args=", ".join(_text(a) for a in node.args)),
        "class",
    )


METHOD_TYPES = ("method", "builtin_function_or_method", "method-wrapper", "function")


def _method_value(exc, node, reader) -> Explanation | None:
    """A method used as a value where its result was meant: the exception names its type."""
    text = str(exc)
    if not any(f"'{t}'" in text or f"got {t}" in text for t in METHOD_TYPES):
        return None
    for operand in ast.walk(node):
        if not isinstance(operand, ast.Attribute):
            continue
        if any(isinstance(p, ast.Call) and p.func is operand for p in ast.walk(node)):
            continue
        value = reader.value(operand)
        kind = type(value).__name__
        if kind in METHOD_TYPES and (f"'{kind}'" in text or f"got {kind}" in text):
            expr = _text(operand)
            return Explanation(
                say(METHOD_VALUE, expr=expr), say(METHOD_VALUE_STEP, expr=expr), "method"
            )
    return None


def _numbers_in(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", text)}


def _operand_sentences(node, reader, confirm: Callable[[Any], bool]) -> list[str]:
    """One sentence per array, tensor or layer the failing expression combined, for those that
    `confirm` accepts (their shapes appear in the error, say)."""
    sentences = []
    for operand in _operands(node):
        value = reader.value(operand)
        if value is Reader.MISSING or not confirm(value):
            continue
        if _is_data(value):
            sentences.append(say(OPERAND, expr=_text(operand), described=describe(value)))
        elif _is_layer(value) and _short_repr(value):
            sentences.append(say(LAYER, expr=_text(operand), layer=_short_repr(value)))
    return sentences


def _is_layer(value: Any) -> bool:
    return any(c.__name__ in ("Module", "Layer") for c in type(value).__mro__)


def _elementary(node: ast.AST, reader: Reader) -> bool:
    """The failing expression is one operation on arrays (an operator, a NumPy or torch
    function, a tensor's method, a layer): its operands are what the error is about. A call of
    anything else (model.fit, a function of the learner's) hides its own operations."""
    if isinstance(node, (ast.BinOp, ast.AugAssign, ast.Compare, ast.UnaryOp, ast.Subscript)):
        return True
    if not isinstance(node, ast.Call):
        return False
    callee = reader.value(node.func)
    if _is_layer(callee) and type(callee).__module__.split(".")[0] == "torch":
        return True
    owner = getattr(callee, "__self__", None)
    if _is_data(owner):
        return True
    module = getattr(callee, "__module__", None) or type(callee).__module__
    return str(module).split(".")[0] in ("numpy", "torch")


def _operands_explained(exc, node, reader) -> Explanation | None:
    """Shapes, dtypes or devices of the operands, when the error is about them and names them."""
    if not _elementary(node, reader):
        return None
    text = str(exc)
    numbers = _numbers_in(text)
    values = [reader.value(o) for o in _operands(node)]
    data = [v for v in values if _is_data(v)]
    layers = [v for v in values if _is_layer(v)]
    if CONV.search(text):
        expected, got = int(CONV.search(text).group(2)), int(CONV.search(text).group(3))
        layer = next((v for v in layers if getattr(v, "in_channels", None) == expected), None)
        tensor = next(
            (
                o
                for o in _operands(node)
                if _is_data(reader.value(o))
                and len(reader.value(o).shape) >= 2
                and reader.value(o).shape[-3] == got
            ),
            None,
        )
        if layer is not None and tensor is not None and _short_repr(layer):
            return Explanation(
                say(
                    CONV_RULE,
                    layer=_short_repr(layer),
                    expected=expected,
                    expr=_text(tensor),
                    got=got,
                ),
                "",
                "operands",
            )
    if BROADCAST.search(text):
        for operand in _operands(node):
            if isinstance(operand, ast.Attribute) and operand.attr in ("T", "mT"):
                value = reader.value(operand)
                if _is_data(value) and len(value.shape) == 1:
                    return Explanation(
                        say(TRANSPOSE_1D, expr=_text(operand), described=describe(value)),
                        say(TRANSPOSE_1D_STEP),
                        "operands",
                    )
    if MATMUL.search(text) or BROADCAST.search(text):
        linear = next((v for v in layers if hasattr(v, "in_features")), None)
        if linear is not None and _short_repr(linear):
            for operand in _operands(node):
                value = reader.value(operand)
                if _is_data(value) and len(value.shape) and value.shape[-1] != linear.in_features:
                    return Explanation(
                        say(
                            LINEAR_RULE,
                            layer=_short_repr(linear),
                            expected=linear.in_features,
                            expr=_text(operand),
                            got=value.shape[-1],
                        ),
                        "",
                        "operands",
                    )
        shaped = [v for v in data if len(v.shape)]
        if len(shaped) < 2 and not (shaped and MATMUL.search(text)):
            return None

        def mentioned(value: Any) -> bool:
            sizes = [int(n) for n in getattr(value, "shape", ())]
            return bool(sizes) and all(n in numbers for n in sizes if n != 1)

        sentences = _operand_sentences(node, reader, lambda v: _is_data(v) and mentioned(v))
        if len(sentences) < (1 if MATMUL.search(text) else 2):
            return None
        rule = MATMUL_RULE if MATMUL.search(text) else BROADCAST_RULE
        return Explanation(" ".join(sentences), rule, "operands")
    if DTYPE.search(text) or DEVICE.search(text):
        # A layer takes part through its weights: their dtype and device count too.
        weights = {id(v): getattr(v, "weight", None) for v in layers}
        kinds, places, sentences = set(), set(), []
        for operand, value in zip(_operands(node), values, strict=True):
            tensor = weights.get(id(value)) if _is_layer(value) else value
            if not _is_data(tensor):
                continue
            kinds.add(str(tensor.dtype))
            places.add(str(getattr(tensor, "device", "cpu")))
            if _is_layer(value) and _short_repr(value):
                sentences.append(
                    say(
                        LAYER_WEIGHTS,
                        expr=_text(operand),
                        layer=_short_repr(value),
                        dtype=tensor.dtype,
                        device=getattr(tensor, "device", "cpu"),
                    )
                )
            elif not _is_layer(value):
                sentences.append(
                    say(
                        OPERAND_ON,
                        expr=_text(operand),
                        described=describe(value),
                        device=getattr(value, "device", "cpu"),
                    )
                )
        if DTYPE.search(text) and len(kinds) >= 2:
            return Explanation(" ".join(sentences), DTYPE_RULE, "operands")
        if DEVICE.search(text) and len(places) >= 2:
            return Explanation(" ".join(sentences), DEVICE_RULE, "operands")
    return None


def _reshape(exc, node, reader) -> Explanation | None:
    """x.view(...) or x.reshape(...) asked for a shape that x's values do not fill."""
    found = RESHAPE_TEXT.search(str(exc))
    if not found or not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    tensor = reader.value(node.func.value)
    total = int(found.group(2))
    if not _is_data(tensor) or int(np.prod(tuple(tensor.shape))) != total:
        return None
    expr = _text(node.func.value)
    seen = say(
        RESHAPE,
        expr=expr,
        described=describe(tensor),
        total=total,
        shape=f"({found.group(1)})",
    )
    # Rows of a batch only when the shape asked for is rows (two sizes, one of them -1) of a
    # tensor whose first axis can be the batch; otherwise the step says no more than the count.
    asked = [int(n) for n in found.group(1).split(",")]
    if len(tensor.shape) >= 3 and len(asked) == 2 and -1 in asked:
        sizes = [int(n) for n in tensor.shape[1:]]
        step = say(
            RESHAPE_PER_SAMPLE_STEP,
            per_sample=int(np.prod(sizes)),
            sizes=" x ".join(map(str, sizes)),
            expr=expr,
        )
    else:
        step = say(RESHAPE_STEP, total=total)
    return Explanation(seen, step, "operands")


def _name_error(exc, node, reader) -> Explanation | None:
    if not isinstance(exc, NameError):
        return None
    # An UnboundLocalError (a name only ever assigned with +=) carries its name in the text only.
    spelt = re.search(r"local variable '(\w+)'", str(exc))
    name = getattr(exc, "name", None) or (spelt.group(1) if spelt else None)
    if name is None:
        return None
    if name in IMPORTS:
        what, statement = IMPORTS[name]
        return Explanation(
            say(NAME_IMPORT, name=name, what=what),
            say(NAME_IMPORT_STEP, statement=statement),
            "name",
        )
    known = set(reader.frame.f_locals) | set(reader.frame.f_globals) | set(vars(builtins))
    known |= set(reader.frame.f_code.co_varnames)
    similar = difflib.get_close_matches(name, sorted(known - {name}), n=1, cutoff=0.8)
    if similar:
        return Explanation(
            say(NAME_SIMILAR, name=name, similar=similar[0]),
            say(NAME_SIMILAR_STEP, similar=similar[0]),
            "name",
        )
    return None


def _attribute_error(exc, node, reader) -> Explanation | None:
    if not isinstance(exc, AttributeError) or not getattr(exc, "name", None):
        return None
    name, obj = exc.name, getattr(exc, "obj", None)
    target = next(
        (
            a
            for a in ast.walk(node)
            if isinstance(a, ast.Attribute) and a.attr == name and reader.value(a.value) is obj
        ),
        None,
    )
    expr = _text(target.value) if target is not None else None
    if obj is None:
        return (
            Explanation(say(IS_NONE, expr=expr), say(IS_NONE_STEP), "attribute") if expr else None
        )
    if expr is None:
        return None
    root = type(obj).__module__.split(".")[0]
    if root == "numpy" and name in TORCH_ONLY:
        return Explanation(
            say(NUMPY_HAS_NO, expr=expr, name=name),
            say(NUMPY_HAS_NO_STEP, hint=TORCH_ONLY[name]),
            "attribute",
        )
    if root == "torch" and name in NUMPY_ONLY:
        return Explanation(
            say(TORCH_HAS_NO, expr=expr, name=name),
            say(TORCH_HAS_NO_STEP, hint=NUMPY_ONLY[name]),
            "attribute",
        )
    public = [a for a in dir(obj) if not a.startswith("_")]
    similar = difflib.get_close_matches(name, public, n=1, cutoff=0.8)
    if similar:
        return Explanation(
            say(
                ATTRIBUTE_SIMILAR, expr=expr, described=describe(obj), name=name, similar=similar[0]
            ),
            say(ATTRIBUTE_SIMILAR_STEP, similar=similar[0]),
            "attribute",
        )
    return None


INDEX_TEXT = re.compile(
    r"index (-?\d+) is out of bounds for (?:axis|dimension) \d+ with size (\d+)"
)


def _index_error(exc, node, reader) -> Explanation | None:
    if not isinstance(exc, IndexError):
        return None
    found = INDEX_TEXT.search(str(exc))
    if not found or int(found.group(1)) != int(found.group(2)):
        return None
    size = int(found.group(2))
    return Explanation(
        say(PAST_END, index=size, size=size, last=size - 1), say(PAST_END_STEP), "index"
    )


def _key_error(exc, node, reader) -> Explanation | None:
    if not isinstance(exc, KeyError) or not exc.args or not isinstance(node, ast.Subscript):
        return None
    owner = reader.value(node.value)
    if not isinstance(owner, dict) or exc.args[0] in owner:
        return None
    keys = [k for k in owner if isinstance(k, str)]
    key = exc.args[0]
    if not isinstance(key, str) or not keys or len(keys) > 12:
        return None
    similar = difflib.get_close_matches(key, keys, n=1, cutoff=0.6) or [
        k for k in keys if k.lower() == key.lower()
    ]
    seen = say(NO_KEY, expr=_text(node.value), key=repr(key), keys=", ".join(map(repr, keys)))
    if similar:
        return Explanation(seen, say(NO_KEY_SIMILAR_STEP, similar=repr(similar[0])), "key")
    return Explanation(seen, say(NO_KEY_STEP, key=repr(key)), "key")


def _unknown_device(exc, node, reader) -> Explanation | None:
    """A device string torch does not know, such as torch.device("gpu"): torch's own text names
    the string; the call on the learner's line that holds it is quoted when there is one."""
    found = DEVICE_TYPE_TEXT.search(str(exc)) if isinstance(exc, RuntimeError) else None
    if not found:
        return None
    name = found.group(1)
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and any(
            isinstance(a, ast.Constant) and a.value == name for a in call.args
        ):
            return Explanation(
                say(UNKNOWN_DEVICE_AT, expr=_text(call), name=repr(name)),
                say(UNKNOWN_DEVICE_STEP),
                "device_type",
            )
    return Explanation(
        say(UNKNOWN_DEVICE, name=repr(name)), say(UNKNOWN_DEVICE_STEP), "device_type"
    )


def _bound_method(value: Any) -> bool:
    """A method bound to an object (a tensor's requires_grad_, a model's state_dict)."""
    return bound_method_name(value) is not None


def _method_held(exc, node, reader) -> Explanation | None:
    """A name that holds a method, assigned without the call: `x = t.requires_grad_`. The
    exception names the method's type, the name on the line holds a bound method, and the
    learner's file names that method uncalled."""
    text = str(exc)
    if not isinstance(exc, (TypeError, AttributeError)):
        return None
    for operand in ast.walk(node):
        if not isinstance(operand, ast.Name):
            continue
        value = reader.value(operand)
        kind = type(value).__name__
        if not _bound_method(value) or f"'{kind}'" not in text:
            continue
        found = uncalled_reference(reader.frame.f_code.co_filename, value.__name__)
        if found and found[1].endswith(f".{value.__name__}"):
            return Explanation(
                say(
                    METHOD_HELD,
                    expr=operand.id,
                    method=value.__name__,
                    line=found[0],
                    source=found[1],
                ),
                say(METHOD_HELD_STEP, source=found[1]),
                "method",
            )
    return None


NOT_CALLABLE_TEXT = re.compile(r"'(\w+)' object is not callable")


def _flag_called(exc, node, reader) -> Explanation | None:
    """A module's setting called like a function: `torch.backends.cudnn.deterministic(True)`."""
    found = NOT_CALLABLE_TEXT.search(str(exc))
    if not isinstance(exc, TypeError) or not found or not isinstance(node, ast.Call):
        return None
    if not isinstance(node.func, ast.Attribute):
        return None
    owner = reader.value(node.func.value)
    value = reader.value(node.func)
    if not isinstance(owner, ModuleType) or type(value) not in (bool, int, float, str):
        return None
    if type(value).__name__ != found.group(1) or len(node.args) != 1 or node.keywords:
        return None
    expr = _text(node.func)
    return Explanation(
        say(NOT_CALLABLE_FLAG, expr=expr, value=repr(value)),
        say(NOT_CALLABLE_FLAG_STEP, expr=expr, arg=_text(node.args[0])),
        "not_callable",
    )


def _statement_on_line(reader: Reader) -> ast.stmt | None:
    """The learner's statement on the frame's current line, parsed alone."""
    code = reader.frame.f_code
    line = linecache.getline(code.co_filename, reader.frame.f_lineno)
    try:
        body = ast.parse(textwrap.dedent(line)).body
    except SyntaxError:
        return None
    return body[0] if len(body) == 1 else None


def _environ_value(exc, node, reader) -> Explanation | None:
    """`os.environ[key] = value` with a value that is not a string (os says "str expected")."""
    if not isinstance(exc, TypeError) or not str(exc).startswith("str expected, not"):
        return None
    statement = _statement_on_line(reader)
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return None
    target = statement.targets[0]
    if not isinstance(target, ast.Subscript):
        return None
    import os

    if reader.value(target.value) is not os.environ:
        return None
    value = reader.value(statement.value)
    if value is Reader.MISSING or isinstance(value, str):
        return None
    expr = _text(statement.value)
    return Explanation(
        say(ENVIRON_VALUE, expr=expr, described=describe(value)),
        say(ENVIRON_VALUE_STEP, target=_text(target), expr=expr),
        "environ",
    )


UNPACK_TEXT = re.compile(r"argument '(?:size|shape)' failed to unpack the object at pos (\d+)")


def _sizes_packed(exc, node, reader) -> Explanation | None:
    """A torch call that takes sizes one by one, given a whole shape beside other sizes:
    `x.expand(1, x.shape)`. torch's text gives the position of the shape."""
    found = UNPACK_TEXT.search(str(exc))
    if not isinstance(exc, TypeError) or not found or not isinstance(node, ast.Call):
        return None
    position = int(found.group(1)) - 1
    if not 0 <= position < len(node.args) or len(node.args) < 2:
        return None
    if any(isinstance(a, ast.Starred) for a in node.args):
        return None
    shape = reader.value(node.args[position])
    if not isinstance(shape, (tuple, list)) or not all(isinstance(n, int) for n in shape):
        return None
    others = [reader.value(a) for i, a in enumerate(node.args) if i != position]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in others):
        return None
    fixed = ast.Call(
        func=node.func,
        args=[
            ast.Starred(value=a, ctx=ast.Load()) if i == position else a
            for i, a in enumerate(node.args)
        ],
        keywords=node.keywords,
    )
    return Explanation(
        say(
            SIZES_PACKED,
            expr=_text(node.args[position]),
            shape=tuple(int(n) for n in shape),
            func=_text(node.func),
        ),
        say(SIZES_PACKED_STEP, fixed=ast.unparse(fixed)),
        "sizes",
    )


def _assignment_from_item(filename: str, function: str, name: str) -> tuple[int, str] | None:
    """(line, text) of an assignment `name = ....item()` inside the learner's function."""
    tree = _tree(filename)
    if tree is None:
        return None
    for scope in ast.walk(tree):
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) or scope.name != function:
            continue
        for node in ast.walk(scope):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr == "item"
            ):
                return node.lineno, ast.unparse(node)
    return None


def _number_not_tensor(exc, node, reader) -> Explanation | None:
    """A tensor method asked of a Python number: `loss.backward()` after `loss = ....item()`."""
    if not isinstance(exc, AttributeError) or not getattr(exc, "name", None):
        return None
    import sys

    torch = sys.modules.get("torch")
    obj, name = getattr(exc, "obj", None), exc.name
    if torch is None or type(obj) not in (int, float) or not hasattr(torch.Tensor, name):
        return None
    target = next(
        (
            a
            for a in ast.walk(node)
            if isinstance(a, ast.Attribute) and a.attr == name and isinstance(a.value, ast.Name)
        ),
        None,
    )
    if target is None or reader.value(target.value) is not obj:
        return None
    expr = target.value.id
    seen = say(NUMBER_NOT_TENSOR, expr=expr, described=describe(obj), name=name)
    code = reader.frame.f_code
    made = _assignment_from_item(code.co_filename, code.co_name, expr)
    if made:
        seen += " " + say(NUMBER_FROM_ITEM, line=made[0], source=made[1])
        return Explanation(seen, say(NUMBER_NOT_TENSOR_STEP, name=name), "number")
    return Explanation(seen, say(NUMBER_NOT_TENSOR_FIND_STEP, name=name), "number")


def _module_init_skipped(exc, node, reader) -> Explanation | None:
    """An nn.Module subclass whose __init__ stores a layer before nn.Module.__init__ ran: torch
    says so, and the object has no _modules yet (what Module.__init__ makes)."""
    if not isinstance(exc, AttributeError) or "before Module.__init__() call" not in str(exc):
        return None
    owner = reader.frame.f_locals.get("self")
    if owner is None or not _is_layer(owner) or "_modules" in getattr(owner, "__dict__", {}):
        return None
    if reader.frame.f_code.co_name != "__init__":
        return None
    name = type(owner).__name__
    return Explanation(say(MODULE_INIT, cls=name), say(MODULE_INIT_STEP, cls=name), "module_init")


# TensorFlow 1 names a learner finds in older tutorials, and what TensorFlow 2 calls them.
TF2_NAMES = {
    "set_random_seed": "tf.random.set_seed(seed)",
    "random_normal": "tf.random.normal(...)",
    "random_uniform": "tf.random.uniform(...)",
    "truncated_normal": "tf.random.truncated_normal(...)",
    "log": "tf.math.log(...)",
    "to_float": "tf.cast(x, tf.float32)",
    "placeholder": "tf.compat.v1.placeholder(...)",
    "Session": "tf.compat.v1.Session()",
    "global_variables_initializer": "tf.compat.v1.global_variables_initializer()",
    "get_variable": "tf.compat.v1.get_variable(...)",
}


def _tf1_name(exc, node, reader) -> Explanation | None:
    """A TensorFlow 1 function looked up on TensorFlow 2's module, where TF1's API (kept in
    tf.compat.v1) has it."""
    if not isinstance(exc, AttributeError) or exc.name not in TF2_NAMES:
        return None
    import sys

    obj, tf = getattr(exc, "obj", None), sys.modules.get("tensorflow")
    if tf is None or not isinstance(obj, ModuleType):
        return None
    if not obj.__name__.startswith("tensorflow") or "compat.v1" in obj.__name__:
        return None
    v1 = tf.compat.v1
    if not (hasattr(v1, exc.name) or hasattr(getattr(v1, "random", None), exc.name)):
        return None
    target = next(
        (a for a in ast.walk(node) if isinstance(a, ast.Attribute) and a.attr == exc.name), None
    )
    if target is None or reader.value(target.value) is not obj:
        return None
    return Explanation(
        say(TF1_NAME, expr=_text(target), name=exc.name),
        say(TF1_NAME_STEP, new=TF2_NAMES[exc.name]),
        "tf1_name",
    )


def _saved_after_replacing(filename: str, attr: str) -> tuple[int, str, int, str] | None:
    """(line, text) of `X = self` and then of `self.attr = X` in one function of the file: the
    object put in place before the old value was saved."""
    tree = _tree(filename)
    if tree is None:
        return None
    for scope in ast.walk(tree):
        if not isinstance(scope, ast.FunctionDef):
            continue
        replaced: dict[str, tuple[int, str]] = {}
        for statement in scope.body:
            if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
                continue
            target, value = statement.targets[0], statement.value
            if isinstance(value, ast.Name) and value.id == "self":
                replaced[ast.unparse(target)] = (statement.lineno, ast.unparse(statement))
            elif (
                isinstance(target, ast.Attribute)
                and target.attr == attr
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and ast.unparse(value) in replaced
            ):
                line, text = replaced[ast.unparse(value)]
                return line, text, statement.lineno, ast.unparse(statement)
    return None


def _calls_itself(exc, node, reader) -> Explanation | None:
    """A RecursionError where the method calls the same method on an attribute of self that is
    self: `self.terminal.write(text)` inside write, with self.terminal being the object."""
    if not isinstance(exc, RecursionError) or not isinstance(node, ast.Call):
        return None
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr != reader.frame.f_code.co_name:
        return None
    owner = reader.frame.f_locals.get("self")
    inner = func.value
    if owner is None or not isinstance(inner, ast.Attribute):
        return None
    if not isinstance(inner.value, ast.Name) or inner.value.id != "self":
        return None
    if reader.value(inner) is not owner:
        return None
    expr = _text(inner)
    seen = say(CALLS_ITSELF, expr=expr, call=_text(node), method=func.attr)
    order = _saved_after_replacing(reader.frame.f_code.co_filename, inner.attr)
    if order:
        seen += " " + say(
            CALLS_ITSELF_SAVED_AFTER,
            replaced=order[0],
            replace=order[1],
            saved=order[2],
            save=order[3],
        )
        return Explanation(seen, say(CALLS_ITSELF_SAVED_STEP), "recursion")
    return Explanation(seen, say(CALLS_ITSELF_STEP, expr=expr), "recursion")


EXPECTED_FOR_ARGUMENT = re.compile(r"Expected (\w+) for argument '(\w+)' not")
# The type an error names, and the name of the class of its values when they differ.
TYPE_ALIASES = {"DataType": "DType"}


def _arguments_swapped(exc, node, reader) -> Explanation | None:
    """Two positional arguments in each other's places: the error names the parameter that got
    the wrong value and the type it expected, and the call passes a value of that very type
    positionally as another parameter (tf.compat.v1.placeholder((2, 2), tf.float32))."""
    found = EXPECTED_FOR_ARGUMENT.search(str(exc))
    if not isinstance(exc, TypeError) or not found or not isinstance(node, ast.Call):
        return None
    if any(isinstance(a, ast.Starred) for a in node.args):
        return None
    try:
        parameters = list(inspect.signature(reader.value(node.func)).parameters)
    except (TypeError, ValueError):
        return None
    wanted, param = TYPE_ALIASES.get(found.group(1), found.group(1)), found.group(2)
    if param not in parameters[: len(node.args)]:
        return None
    at = parameters.index(param)
    for other, argument in enumerate(node.args):
        value = reader.value(argument)
        if other == at or other >= len(parameters) or value is Reader.MISSING:
            continue
        if wanted not in {c.__name__ for c in type(value).__mro__}:
            continue
        swapped = list(node.args)
        swapped[at], swapped[other] = node.args[other], node.args[at]
        fixed = ast.Call(func=node.func, args=swapped, keywords=node.keywords)
        return Explanation(
            say(
                ARGUMENTS_SWAPPED,
                func=_text(node.func),
                order=", ".join(parameters[: len(node.args)]),
                wrong=_text(node.args[at]),
                param=param,
                right=_text(argument),
                other=parameters[other],
            ),
            say(ARGUMENTS_SWAPPED_STEP, fixed=ast.unparse(fixed)),
            "swapped",
        )
    return None


def _argmax_without_axis(filename: str, function: str) -> tuple[int, str, str] | None:
    """(line, text, text with the class axis) of a torch.argmax(x) or np.argmax(x) call with
    no axis inside the learner's function."""
    tree = _tree(filename)
    for scope in ast.walk(tree) if tree is not None else ():
        if not isinstance(scope, ast.FunctionDef) or scope.name != function:
            continue
        for node in ast.walk(scope):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            if node.func.attr != "argmax" or not isinstance(owner, ast.Name):
                continue
            axis = {"torch": "dim", "np": "axis", "numpy": "axis"}.get(owner.id)
            if axis is None or len(node.args) != 1 or node.keywords:
                continue
            fixed = ast.Call(
                func=node.func,
                args=node.args,
                keywords=[ast.keyword(arg=axis, value=ast.Constant(1))],
            )
            return node.lineno, ast.unparse(node), ast.unparse(fixed)
    return None


def _zero_dim_items(exc, node, reader) -> Explanation | None:
    """np.concatenate of single values (0-d arrays or tensors), such as one argmax per batch."""
    if not isinstance(exc, ValueError) or "zero-dimensional arrays cannot be" not in str(exc):
        return None
    if not isinstance(node, ast.Call) or not node.args:
        return None
    items = reader.value(node.args[0])
    if not isinstance(items, (list, tuple)) or not items:
        return None
    if not all(_is_data(v) and len(v.shape) == 0 for v in items):
        return None
    expr = _text(node.args[0])
    seen = say(ZERO_DIM_ITEMS, expr=expr, described=describe(items), func=_text(node.func))
    code = reader.frame.f_code
    argmax = _argmax_without_axis(code.co_filename, code.co_name)
    if argmax is None:
        return Explanation(seen, say(ZERO_DIM_ITEMS_STEP), "zero_dim")
    seen += " " + say(ARGMAX_WHOLE, line=argmax[0], source=argmax[1])
    return Explanation(seen, say(ARGMAX_WHOLE_STEP, fixed=argmax[2]), "zero_dim")


LINE_EXPLAINERS = (
    _unknown_device,
    _with_class,
    _class_value,
    _method_value,
    _method_held,
    _flag_called,
    _environ_value,
    _sizes_packed,
    _arguments_swapped,
    _zero_dim_items,
    _class_in_frame,
    _operands_explained,
    _reshape,
    _name_error,
    _number_not_tensor,
    _module_init_skipped,
    _tf1_name,
    _calls_itself,
    _attribute_error,
    _index_error,
    _key_error,
)


def raised_on_learner_line(
    exc: BaseException, is_learner: Callable[[str], bool]
) -> Explanation | None:
    """Why the learner's line raised, when the evidence on that line confirms a cause."""
    tb = innermost(exc, is_learner)
    if tb is None:
        return None
    source = failing_source(tb)
    node = parse(source) if source else None
    if node is None:
        return None
    reader = Reader(tb.tb_frame, is_learner)
    below = []
    deeper = tb.tb_next
    while deeper is not None:
        below.append(deeper.tb_frame)
        deeper = deeper.tb_next
    found = _class_with_data(exc, node, reader, below)
    for explainer in LINE_EXPLAINERS:
        if found is not None:
            break
        try:
            found = explainer(exc, node, reader)
        except Exception:  # noqa: BLE001 - an explainer must never hide the learner's error
            found = None
    return found


# --- exceptions that surfaced outside the learner's code ----------------------------------------


def check_line_operands(exc: BaseException, is_check: Callable[[str], bool]) -> list[str]:
    """One sentence per value of the check's own variables on its line that raised: the
    learner's results as the check held them (constants, modules and functions left out)."""
    tb = innermost(exc, is_check)
    source = failing_source(tb) if tb is not None else None
    node = parse(source) if source else None
    if node is None:
        return []
    reader = Reader(tb.tb_frame, lambda filename: False)
    sentences, seen = [], set()
    local = set(tb.tb_frame.f_locals)
    for operand in ast.walk(node):
        if not isinstance(operand, (ast.Name, ast.Attribute, ast.Subscript)):
            continue
        root = operand
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in local:
            continue
        value = reader.value(operand)
        text = _text(operand)
        if value is Reader.MISSING or text in seen or callable(value):
            continue
        if isinstance(value, (ModuleType, str)):
            continue
        seen.add(text)
        sentences.append(say(OPERAND, expr=text, described=describe(value)))
        if len(sentences) == 3:
            break
    return sentences


def missing_function(
    exc: BaseException, learner_modules: list[ModuleType], show: Callable[[str], str]
) -> Explanation | None:
    """An AttributeError on the learner's module: the function the check calls is not there."""
    if not isinstance(exc, AttributeError):
        return None
    module = getattr(exc, "obj", None)
    name = getattr(exc, "name", None)
    if name is None or not any(module is m for m in learner_modules):
        return None
    defined = sorted(
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and (inspect.isfunction(v) or inspect.isclass(v))
        and getattr(v, "__module__", None) == module.__name__
    )
    path = show(module.__file__)
    similar = difflib.get_close_matches(name, defined, n=1, cutoff=0.6)
    if similar:
        seen = say(MISSING_FUNCTION_SIMILAR, path=path, name=name, similar=similar[0])
    elif defined:
        seen = say(MISSING_FUNCTION, path=path, name=name, defined=", ".join(defined))
    else:
        seen = say(MISSING_FUNCTION_EMPTY, path=path, name=name)
    return Explanation(seen, say(MISSING_FUNCTION_STEP, name=name), "missing_function")


def class_in_source(
    exc: BaseException, learner_modules: list[ModuleType], show: Callable[[str], str]
) -> Explanation | None:
    """A class the learner handed over uncalled, which library code then tried to use as an
    object: the exception's text names the class, a frame of the traceback holds it, and the
    learner's source names it without calling it."""
    if not isinstance(exc, TypeError):
        return None
    text = str(exc)
    classes = {}
    tb = exc.__traceback__
    while tb is not None:
        for value in list(tb.tb_frame.f_locals.values()):
            if isinstance(value, type) and re.search(rf"\b{value.__name__}\b", text):
                classes[value.__name__] = value
        tb = tb.tb_next
    for name in classes:
        for module in learner_modules:
            found = uncalled_reference(module.__file__, name)
            if found:
                line, expr = found
                path = show(module.__file__)
                return Explanation(
                    say(CLASS_VALUE, expr=expr, name=name),
                    say(CLASS_VALUE_STEP, expr=expr),
                    "class",
                    line=(path, line, linecache.getline(module.__file__, line).strip()),
                )
    return None


def _tree(filename: str) -> ast.AST | None:
    try:
        return ast.parse(Path(filename).read_text())
    except (OSError, SyntaxError, TypeError, ValueError):
        return None


def uncalled_reference(filename: str, name: str) -> tuple[int, str] | None:
    """(line, text) of the first place the module's code uses `name` (a bare name or the last
    part of a dotted one) as a value, not as the callee of a call, an import, a base class or an
    annotation (`-> float` names the class on purpose and never runs it)."""
    tree = _tree(filename)
    if tree is None:
        return None
    skip: set[int] = set()
    for node in ast.walk(tree):
        for annotation in _annotations(node):
            skip.update(id(part) for part in ast.walk(annotation))
        if isinstance(node, ast.Call):
            skip.add(id(node.func))
            if isinstance(node.func, ast.Name) and node.func.id in ("isinstance", "issubclass"):
                skip.update(id(a) for a in node.args)
        elif isinstance(node, ast.ClassDef):
            skip.update(id(b) for b in node.bases)
        elif isinstance(node, ast.Attribute):
            skip.add(id(node.value))  # transforms in transforms.ToTensor is not the class
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(getattr(node, "ctx", None), ast.Load):
            continue
        if (isinstance(node, ast.Name) and node.id == name) or (
            isinstance(node, ast.Attribute) and node.attr == name
        ):
            return node.lineno, ast.unparse(node)
    return None


def _annotations(node: ast.AST) -> list[ast.expr]:
    """The annotations a node holds: a function's return and its parameters', an annotated
    assignment's."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        found = [node.returns]
    elif isinstance(node, (ast.arg, ast.AnnAssign)):
        found = [node.annotation]
    else:
        found = []
    return [a for a in found if a is not None]


def _positional(tree: ast.AST | None, name: str) -> tuple[list[str], ast.FunctionDef] | None:
    """The positional parameter names of the module-level function `name`, and its def."""
    for node in getattr(tree, "body", []):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return [a.arg for a in node.args.posonlyargs + node.args.args], node
    return None


def parameters_reordered(
    exc: BaseException, is_learner: Callable[[str], bool], learner_root: Path, stub_root: Path
) -> Explanation | None:
    """The learner's function the check called (the outermost learner frame) names the stub's
    parameters in another order: the caller's positional arguments land in other parameters."""
    tb = exc.__traceback__
    while tb is not None and not is_learner(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    if tb is None:
        return None
    code = tb.tb_frame.f_code
    if code.co_qualname != code.co_name:
        return None  # a method or a nested function: not one the stub defines at top level
    try:
        relative = Path(code.co_filename).resolve().relative_to(learner_root)
    except ValueError:
        return None
    learner = _positional(_tree(code.co_filename), code.co_name)
    stub = _positional(_tree(str(stub_root / relative)), code.co_name)
    if learner is None or stub is None:
        return None
    got, want = learner[0], stub[0]
    if got == want or sorted(got) != sorted(want):
        return None
    first = next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
    signature = ast.unparse(stub[1].args)
    return Explanation(
        say(
            PARAMETERS_REORDERED,
            name=code.co_name,
            got=", ".join(got),
            want=", ".join(want),
            param=got[first],
            other=want[first],
        ),
        say(PARAMETERS_REORDERED_STEP, name=code.co_name, signature=signature),
        "signature",
    )


def uncalled_method_described(message: str, filename: str) -> Explanation | None:
    """For a message that describes a value as a method itself (values.METHOD_ITSELF), the
    place in the learner's file that names that method without calling it."""
    pattern = re.escape(METHOD_ITSELF).replace(re.escape("{name}"), r"(\w+)")
    named = re.search(pattern, message)
    found = uncalled_reference(filename, named.group(1)) if named else None
    if found is None or not found[1].endswith("." + named.group(1)):
        return None
    return Explanation(
        say(METHOD_UNCALLED_AT, line=found[0], expr=found[1], name=named.group(1)),
        say(METHOD_STATEMENT_STEP, expr=found[1]),
        "method",
    )


def bare_method_statements(filename: str) -> list[tuple[int, str, str]]:
    """(line, text, method) of each statement that is only `obj.method`, with no call: a method
    named and never run. Only names that are methods of the classes learners meet count."""
    tree = _tree(filename)
    if tree is None:
        return []
    methods = _known_methods()
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in methods
        ):
            found.append((node.lineno, ast.unparse(node.value), node.value.attr))
    return found


def _known_methods() -> set[str]:
    """Method names of torch modules, optimizers and tensors, Keras models and NumPy arrays:
    the objects whose methods a learner calls for their effect."""
    import sys

    import numpy as np

    owners: list[type] = [np.ndarray, list, dict]
    torch = sys.modules.get("torch")
    if torch is not None:
        owners += [torch.nn.Module, torch.optim.Optimizer, torch.Tensor]
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        owners += [tf.keras.Model]
    names = set()
    for owner in owners:
        for name in dir(owner):
            if name.startswith("_"):
                continue
            member = inspect.getattr_static(owner, name, None)
            if callable(member) and not isinstance(member, (property, type)):
                names.add(name)
    return names

"""TensorFlow checks: reading the learner's tf.function and tf.data code to confirm a cause."""

from __future__ import annotations

import ast
import inspect
import textwrap

# tf.data.Dataset methods that return a new dataset and leave the one they are called on as it
# was, so a call whose result is not kept does nothing.
DATASET_METHODS = ("map", "shuffle", "batch", "prefetch", "cache", "filter", "repeat", "take")


def _unwrapped(function):
    """The Python function behind a tf.function (or any functools wrapper)."""
    function = getattr(function, "python_function", function)
    return inspect.unwrap(function)


def source(function) -> str:
    """The learner function's source, dedented, or "" when it cannot be read."""
    try:
        return textwrap.dedent(inspect.getsource(_unwrapped(function)))
    except (OSError, TypeError):
        return ""


def code_only(text: str) -> str:
    """Source without comments and docstrings, so a cause is confirmed by code, not by a note."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body[0] = ast.Pass()
    return ast.unparse(tree)


def discarded_dataset_calls(function) -> dict[str, str]:
    """{method: line} for tf.data method calls written as statements, their result thrown away.

    `dataset.shuffle(100)` on a line of its own returns a shuffled dataset that nothing keeps.
    """
    text = source(function)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr in DATASET_METHODS
        ):
            found.setdefault(node.value.func.attr, ast.get_source_segment(text, node) or "")
    return found


def discarded_message(method: str, line: str) -> str:
    """The next step for a tf.data call whose result was not kept."""
    return (
        f"Your line `{line}` throws its result away: tf.data methods never change the dataset "
        f"they are called on, they return a new dataset. Keep it: dataset = dataset.{method}(...)."
    )

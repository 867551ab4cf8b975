"""Checks for exercises/ch5_gpu/pick_device.py (manual G1, S2)."""

import ast
import contextlib
import importlib.util
import io
from pathlib import Path

import torch

from grader.toolkit.expect import describe, fail

BUILD_CHECK = (
    "pick_device returns 'cuda' even when torch.cuda.is_available() is False: it asks how torch "
    "was built (torch.version.cuda or torch.backends.cuda.is_built()), and a torch built with "
    "CUDA runs on many machines without a usable GPU. Ask torch.cuda.is_available() instead."
)


def _code_facts(path: str) -> dict[str, bool]:
    """What the learner's file really does (docstrings and comments aside).

    called: torch.cuda.is_available() is called somewhere; uncalled: is_available is named
    without (), the function object itself, which is always true; cuda: a 'cuda...' string.
    """
    tree = ast.parse(Path(path).read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    callees = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    names = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "is_available"
    ]
    return {
        # torch.version.cuda / torch.backends.cuda.is_built(): how torch was built, not this GPU.
        "build": any(
            (
                isinstance(node, ast.Attribute)
                and node.attr == "cuda"
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "version"
            )
            or (isinstance(node, ast.Attribute) and node.attr == "is_built")
            for node in ast.walk(tree)
        ),
        "condition": any(isinstance(node, (ast.If, ast.IfExp)) for node in ast.walk(tree)),
        "called": any(id(node) in callees for node in names),
        "uncalled": any(id(node) not in callees for node in names),
        "cuda": any(
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("cuda")
            and id(node) not in docstrings
            for node in ast.walk(tree)
        ),
    }


def _device_type(value) -> str | None:
    if isinstance(value, bool):  # torch.device(True) is refused, but say so plainly
        return None
    try:
        return torch.device(value).type
    except (TypeError, RuntimeError):
        return None


def _call(function):
    """function(), and what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        got = function()
    return got, printed.getvalue().strip()


def _fresh_pick_device(learner):
    """pick_device from a fresh import of the learner's file, so module-level code runs again.

    The manual's G1 idiom decides the device once, at the top of the script
    (`device = "cuda" if torch.cuda.is_available() else "cpu"`); a fresh import under the
    simulated answer lets that idiom follow the simulation too.
    """
    spec = importlib.util.spec_from_file_location(
        "_kit_learner_pick_device_simulated", learner.__file__
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pick_device


def _simulated(learner, monkeypatch) -> dict[bool, str | None]:
    """The device type pick_device gives when torch.cuda.is_available() answers True, and False."""
    answers = {}
    with monkeypatch.context() as patch:
        for available in (True, False):
            patch.setattr(torch.cuda, "is_available", lambda a=available: a)
            answers[available] = _device_type(_fresh_pick_device(learner)())
    return answers


def _explain_value(got, printed: str) -> str | None:
    """The next step when pick_device's answer is no device at all."""
    if got is None:
        if printed:
            return (
                f"pick_device printed {printed!r} but returned None. The caller needs the "
                "device itself: return it instead of printing it."
            )
        return "pick_device returned None: end it with return torch.device(...)."
    if isinstance(got, bool):
        return (
            "You returned the bool that torch.cuda.is_available() answers. Use it to choose the "
            "device: return torch.device('cuda' if torch.cuda.is_available() else 'cpu')."
        )
    if isinstance(got, str) and got.lower() in ("cuda", "cpu") and got != got.lower():
        return (
            f"Device types are lower-case: 'cuda' and 'cpu'. torch.device({got!r}) raises "
            'RuntimeError ("Expected one of cpu, cuda, ... device type").'
        )
    if _device_type(got) is None:
        return "Return torch.device('cuda' if torch.cuda.is_available() else 'cpu')."
    return None


def _explain_choice(learner, answers: dict[bool, str | None]) -> str:
    """Why pick_device chose the wrong device, from its answers under both simulations."""
    facts = _code_facts(learner.__file__)
    if answers == {True: "cpu", False: "cuda"}:
        return (
            "Your two branches are the wrong way round: pick_device gives 'cpu' when "
            "torch.cuda.is_available() is True and 'cuda' when it is False. Swap them: "
            "'cuda' if torch.cuda.is_available() else 'cpu'."
        )
    if answers == {True: "cuda", False: "cuda"}:
        if facts["uncalled"]:
            return (
                "torch.cuda.is_available without () is the function itself, not its answer, and "
                "a function is always true in an if: so pick_device always picks 'cuda'. Call "
                "it: torch.cuda.is_available()."
            )
        if not facts["called"] and facts["build"]:
            return BUILD_CHECK
        if not facts["called"] and facts["cuda"] and not facts["condition"]:
            return (
                "pick_device always returns 'cuda': a hard-coded 'cuda' breaks on every "
                "CPU-only machine. Ask torch.cuda.is_available() and fall back to the CPU."
            )
        return (
            "pick_device returns 'cuda' even when torch.cuda.is_available() is False. Decide "
            "with torch.cuda.is_available(): 'cuda' if it is True, else 'cpu'."
        )
    if answers == {True: "cpu", False: "cpu"}:
        return (
            "pick_device always returns 'cpu', even when torch.cuda.is_available() is True, so "
            "a GPU machine would never use its GPU. Return 'cuda' when torch.cuda.is_available()."
        )
    return "Decide with torch.cuda.is_available(): 'cuda' if it returns True, else 'cpu'."


def test_picks_what_this_machine_has(learner, monkeypatch):
    """Check that pick_device returns cuda exactly when torch.cuda.is_available() says so."""
    want = "cuda" if torch.cuda.is_available() else "cpu"
    got, printed = _call(learner.pick_device)
    step = _explain_value(got, printed)
    if step:
        fail("a torch.device (or the string 'cuda'/'cpu')", describe(got), step, "G1")
    if _device_type(got) != want:
        expected = (
            "'cpu' on this machine, which has no usable GPU"
            if want == "cpu"
            else "'cuda' on this machine, where torch.cuda.is_available() is True"
        )
        fail(expected, f"{got!r}", _explain_choice(learner, _simulated(learner, monkeypatch)), "G1")


def test_follows_cuda_availability(learner, monkeypatch):
    """Check that pick_device follows both answers of torch.cuda.is_available(), simulated."""
    got, printed = _call(learner.pick_device)
    step = _explain_value(got, printed)
    if step:
        fail("a torch.device (or the string 'cuda'/'cpu')", describe(got), step, "G1")
    answers = _simulated(learner, monkeypatch)
    for available, want in ((True, "cuda"), (False, "cpu")):
        if answers[available] != want:
            fail(
                f"'{want}' when torch.cuda.is_available() returns {available}",
                f"{answers[available]!r}",
                _explain_choice(learner, answers),
                "G1",
            )

"""Detects learner code that swaps the functions a verdict rests on, or uses the reference.

A Guard records, before any learner code runs, the identity and the code object of every
function the checks compare with: the kit's own assertions and plugin, NumPy's and torch's
comparisons and every Python function those call in turn (numpy.allclose's isclose in
numpy._core.numeric, torch.testing's pair classes), a few builtins, and each check module's
globals. After every check it looks again; any difference marks the check as tampered.

It also notices learner code that takes its answers from the kit's reference solution: opening
a file of reference/ (an audit hook, which no code can remove), calling a function of the
reference module the checks loaded, or a learner module that holds reference code.

Learner code runs in the same process, so this is detection, not prevention, and a determined
author can evade it (README: "What autograde guarantees"). The instructor's copy of the checks
and the reference stays read-only while a submission is graded (grader.course.isolation).
"""

from __future__ import annotations

import builtins
import functools
import os
import sys
from pathlib import Path
from types import CodeType, FunctionType, ModuleType

# (module name, attribute names); None means every function and class the module defines.
WATCHED = (
    ("grader.toolkit.expect", None),
    ("grader.plugin", None),
    ("grader.integrity", None),
    ("numpy", ("allclose", "isclose", "array_equal", "isfinite", "all", "any", "abs", "asarray")),
    ("numpy.testing", ("assert_allclose", "assert_array_equal")),
    ("torch", ("allclose", "equal", "isclose", "isfinite", "all")),
    ("torch.testing", ("assert_close",)),
    ("builtins", ("isinstance", "len", "abs", "max", "min", "sum", "float", "int", "round", "all")),
)


# The packages whose functions the watched comparisons may call in turn, and how deep.
CALLEES_OF = ("numpy", "torch", "grader")
CALL_DEPTH = 4


class Guard:
    def __init__(self) -> None:
        self._seen: dict[str, tuple[object, object]] = {}
        for module_name, names in WATCHED:
            module = builtins if module_name == "builtins" else sys.modules.get(module_name)
            if module is not None:
                self.watch(module, names)
        for key, (value, _) in list(self._seen.items()):
            if key.startswith(("numpy", "torch")):
                self._watch_callees(value, CALL_DEPTH)

    def _watch_callees(self, value: object, depth: int) -> None:
        """Watches what `value` (a function, or a class's methods) calls by global name, in
        numpy, torch and the kit: replacing numpy._core.numeric.isclose changes np.allclose
        without touching the name np.allclose."""
        if depth == 0:
            return
        # numpy's public functions are C dispatchers around a Python implementation.
        value = getattr(value, "_implementation", None) or getattr(value, "__wrapped__", value)
        functions = (
            [m for m in vars(value).values() if isinstance(m, FunctionType)]
            if isinstance(value, type)
            else [value]
            if isinstance(value, FunctionType)
            else []
        )
        for function in functions:
            # The module whose globals the function reads (numpy sets __module__ = "numpy" on
            # functions that live in numpy._core.numeric).
            module = sys.modules.get(function.__globals__.get("__name__") or "")
            if module is None or vars(module) is not function.__globals__:
                continue
            for name in _global_names(function.__code__):
                callee = function.__globals__.get(name)
                if not isinstance(callee, (FunctionType, type)) and not hasattr(
                    callee, "_implementation"
                ):
                    continue
                if not (getattr(callee, "__module__", "") or "").startswith(CALLEES_OF):
                    continue
                key = f"{module.__name__}.{name}"
                if key not in self._seen:
                    self._seen[key] = (callee, _code(callee))
                    if isinstance(callee, type):
                        for attr, member in vars(callee).items():
                            if isinstance(member, FunctionType):
                                self._seen[f"{key}.{attr}"] = (member, member.__code__)
                    self._watch_callees(callee, depth - 1)

    def watch(
        self, module: ModuleType, names: tuple[str, ...] | None = None, imported: bool = False
    ) -> None:
        """Records the module's functions and classes (or only `names`) as they are now.

        imported=True includes what the module imported by name (a check module's
        `expect_close`), which learner code could replace in the check's globals.
        """
        if names is None:
            names = tuple(
                name
                for name, value in vars(module).items()
                if isinstance(value, (FunctionType, type))
                and (imported or getattr(value, "__module__", None) == module.__name__)
            )
        for name in names:
            value = getattr(module, name, None)
            if value is not None:
                self._seen[f"{module.__name__}.{name}"] = (value, _code(value))
                if isinstance(value, type):
                    for attr, member in vars(value).items():
                        if isinstance(member, FunctionType):
                            key = f"{module.__name__}.{name}.{attr}"
                            self._seen[key] = (member, member.__code__)

    def swapped(self) -> list[str]:
        """Names whose object or code differs from when they were recorded."""
        changed = []
        for key, (value, code) in self._seen.items():
            current = _lookup(key)
            if current is not value or _code(current) is not code:
                changed.append(key)
        return changed


def _global_names(code: CodeType) -> set[str]:
    """The global names a code object (and the functions nested in it) may load."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _global_names(const)
    return names


class ReferenceGuard:
    """Notices learner code that takes its answers from the kit's reference solution."""

    def __init__(self, reference_root: Path, learner_root: Path) -> None:
        self.reference_roots = tuple(
            dict.fromkeys(str(p) + os.sep for p in (reference_root, reference_root.resolve()))
        )
        self.learner_roots = tuple(
            dict.fromkeys(str(p) + os.sep for p in (learner_root, learner_root.resolve()))
        )
        self.uses: list[str] = []
        sys.addaudithook(self._audit)

    def _audit(self, event: str, args: tuple) -> None:
        # Every open in the process passes here: the cheap tests come first.
        if event != "open" or not isinstance(args[0], str):
            return
        path = os.path.abspath(args[0])
        if not path.startswith(self.reference_roots) and not (
            path.endswith(".py") and os.path.realpath(path).startswith(self.reference_roots)
        ):
            return
        if "__pycache__" not in path and self._from_learner():
            self._note(f"opened the reference's {_short(path)}")

    def _from_learner(self, depth: int = 40) -> bool:
        frame = sys._getframe(2)
        for _ in range(depth):
            if frame is None:
                return False
            if frame.f_code.co_filename.startswith(self.learner_roots):
                return True
            frame = frame.f_back
        return False

    def _note(self, what: str) -> None:
        if what not in self.uses:
            self.uses.append(what)

    def watch_reference(self, module: ModuleType) -> None:
        """Wraps the module's own functions so that a call from learner code is noticed; the
        checks call them as before."""
        for name, value in list(vars(module).items()):
            if isinstance(value, FunctionType) and value.__module__ == module.__name__:
                setattr(module, name, self._wrapped(value))

    def _wrapped(self, function: FunctionType) -> FunctionType:
        guard = self

        @functools.wraps(function)
        def reference_function(*args, **kwargs):
            caller = sys._getframe(1).f_code.co_filename
            if caller.startswith(guard.learner_roots):
                guard._note(f"called the reference's {function.__name__}()")
            return function(*args, **kwargs)

        return reference_function

    def check_module(self, module: ModuleType) -> None:
        """Notes reference code that a learner module holds: functions, classes or modules."""
        for name, value in list(vars(module).items()):
            where = _defined_in(value)
            if where and where.startswith(self.reference_roots):
                self._note(f"holds the reference's code as {name}")


def _defined_in(value: object) -> str | None:
    if isinstance(value, ModuleType):
        return getattr(value, "__file__", None)
    if isinstance(value, functools.partial):
        value = value.func
    value = getattr(value, "__wrapped__", value)
    if isinstance(value, FunctionType):
        return value.__code__.co_filename
    if isinstance(value, type):
        for member in vars(value).values():
            if isinstance(member, FunctionType):
                return member.__code__.co_filename
    return None


def _short(path: str) -> str:
    parts = Path(path).parts
    return "/".join(parts[parts.index("reference") :]) if "reference" in parts else path


def _code(value: object) -> object:
    return value.__code__ if isinstance(value, FunctionType) else None


def _lookup(key: str) -> object:
    parts = key.split(".")
    # The longest prefix that names a loaded module, then attributes below it.
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        module = builtins if module_name == "builtins" else sys.modules.get(module_name)
        if module is not None:
            value: object = module
            for attr in parts[split:]:
                value = (
                    vars(value).get(attr) if isinstance(value, type) else getattr(value, attr, None)
                )
            return value
    return None

"""Detects learner code that swaps the functions a verdict rests on (comparisons, the checks).

A Guard records, before any learner code runs, the identity and the code object of every
function the checks compare with: the kit's own assertions and plugin, NumPy's and torch's
comparisons, a few builtins, and each check module's globals. After every check it looks again;
any difference marks the check as tampered. Learner code runs in the same process, so this is
detection, not prevention: the instructor's copy of the checks and the reference stays
read-only on disk while a submission is graded (grader.course.isolation).
"""

from __future__ import annotations

import builtins
import sys
from types import FunctionType, ModuleType

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


class Guard:
    def __init__(self) -> None:
        self._seen: dict[str, tuple[object, object]] = {}
        for module_name, names in WATCHED:
            module = builtins if module_name == "builtins" else sys.modules.get(module_name)
            if module is not None:
                self.watch(module, names)

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

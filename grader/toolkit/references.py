"""Another exercise's reference module, for checks that build on it (the CNN, the transform)."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from grader import REFERENCE_DIR

_LOADED: dict[str, ModuleType] = {}


def reference_module(relative: str) -> ModuleType:
    """reference/<relative> (such as "ch4_cifar/cnn.py"), loaded once per process.

    A check uses it so that its exercise does not depend on the learner's answer to another.
    """
    if relative not in _LOADED:
        spec = importlib.util.spec_from_file_location(
            "_kit_check_" + relative[:-3].replace("/", "_"), REFERENCE_DIR / relative
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _LOADED[relative] = module
    return _LOADED[relative]

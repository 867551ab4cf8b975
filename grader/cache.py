"""On-disk cache for reference results that cost training time, keyed by all that affects them."""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from grader import PROJECT_ROOT


def cache_dir() -> Path:
    return Path(os.environ.get("KIT_CACHE_DIR") or PROJECT_ROOT / ".kit-cache")


def write_dir() -> Path:
    """Where new results go: the cache itself, except in an autograde job, where the
    instructor's cache is read-only and new results stay in the job's own scratch space."""
    return Path(os.environ.get("KIT_CACHE_WRITE_DIR") or cache_dir())


def key(reference: ModuleType, check_file: str | Path, **parts: Any) -> str:
    """A digest of the reference and check sources, library versions and the given parts.

    Pass everything else that changes the result as `parts`: seed, device, data source, budget.
    """
    import numpy
    import torch

    material = {
        "reference": hashlib.sha256(Path(reference.__file__).read_bytes()).hexdigest(),
        "check": hashlib.sha256(Path(check_file).read_bytes()).hexdigest(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        **{name: str(value) for name, value in parts.items()},
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:24]


def cached(name: str, digest: str, compute: Callable[[], Any]) -> Any:
    """compute(), or its earlier result for the same digest. Disable with KIT_NO_CACHE=1."""
    import torch

    if os.environ.get("KIT_NO_CACHE", "") not in ("", "0"):
        return compute()
    file = f"{name}-{digest}.pt"
    for path in dict.fromkeys((write_dir() / file, cache_dir() / file)):
        if path.exists():
            try:
                return torch.load(path, weights_only=False)
            except Exception:  # noqa: BLE001, S110 - a truncated or foreign file is recomputed
                pass
    value = compute()
    path = write_dir() / file
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    torch.save(value, partial)
    os.replace(partial, path)
    return value

"""The data directory and the two data sets, loaded with the libraries' own loaders.

Order of sources: what the library finds (or downloads) in the data directory first; the
offline copies (a scikit-learn cache file, a CIFAR-10 subset .npz) only when that fails.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from grader import PROJECT_ROOT, records
from grader.i18n import _

CIFAR_SUBSET = "cifar10_subset.npz"
SKLEARN_HOME = "scikit_learn_data"


class DataProblem(RuntimeError):
    """A data set could not be used: a fault of the data or the machine, never of the learner.

    The message names the file or folder, what is wrong with it, and how to fix it.
    """


class DataMissing(DataProblem):
    """A data set could not be found or downloaded; the message says where the kit looked."""


class DataDamaged(DataProblem):
    """A data file is there but unreadable (truncated, corrupt, or not what it should be)."""


def data_dir() -> Path:
    """KIT_DATA_DIR if set, else the project's datasets/ folder; an unusable one is refused."""
    given = os.environ.get("KIT_DATA_DIR")
    root = Path(given or PROJECT_ROOT / "datasets").resolve()
    name = f"KIT_DATA_DIR={given}" if given else _("the data directory {path}").format(path=root)
    if root.exists() and not root.is_dir():
        raise DataProblem(
            _("{name} is a file, not a folder. Set KIT_DATA_DIR to the data folder.").format(
                name=name
            )
        )
    if root.is_dir() and not os.access(root, os.R_OK | os.X_OK):
        raise DataProblem(
            _(
                "{name} cannot be read (permission denied). Fix its permissions "
                "({command}) or set KIT_DATA_DIR to a readable copy."
            ).format(name=name, command=f"chmod u+rx {root}")
        )
    return root


def offline() -> bool:
    """KIT_OFFLINE=1 skips download attempts (CI and air-gapped lab machines)."""
    return os.environ.get("KIT_OFFLINE", "") not in ("", "0")


@contextlib.contextmanager
def to_terminal(record: Callable[..., None] | None):
    """Lets a library's download progress reach the learner's terminal from a sandboxed process.

    `record` (grader.plugin.record, passed in by the grader's data fixture) tells the live
    display to step aside while the bar is drawn.
    """
    fd = os.environ.get("KIT_TERMINAL_FD")
    if not fd or record is None:
        yield
        return
    stream = os.fdopen(int(fd), "w", closefd=False)
    record(records.Terminal("begin"))
    try:
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            yield
    finally:
        stream.flush()
        record(records.Terminal("end"))


@dataclass(frozen=True)
class California:
    features: np.ndarray  # (20640, 8) float64, as scikit-learn returns it
    target: np.ndarray  # (20640,) float64, in units of $100k
    feature_names: tuple[str, ...]
    source: str


@cache
def california(record: Callable[..., None] | None = None) -> California:
    from sklearn.datasets import fetch_california_housing

    home = data_dir() / SKLEARN_HOME
    cache_file = home / "cal_housing_py3.pkz"
    cached = cache_file.exists()
    if cached:
        try:
            bunch = fetch_california_housing(data_home=str(home), download_if_missing=False)
        except Exception as exc:  # noqa: BLE001 - any failure to read it means a damaged file
            raise DataDamaged(
                _(
                    "The scikit-learn cache {path} is damaged ({error}). Delete it and grade "
                    "again to download a fresh copy (needs internet), or replace it with a good "
                    "copy (see datasets/README.md)."
                ).format(path=cache_file, error=f"{type(exc).__name__}: {_short(exc)}")
            ) from None
    else:
        try:
            if offline():
                raise OSError(_("downloads are off (KIT_OFFLINE=1)"))
            with to_terminal(record):
                bunch = fetch_california_housing(data_home=str(home), download_if_missing=True)
        except Exception as exc:  # noqa: BLE001 - any failure means the same thing to the learner
            raise DataMissing(
                _(
                    "California housing is missing: no scikit-learn cache at {path} and the "
                    "download failed ({error}). Connect to the internet and grade again, or copy "
                    "cal_housing_py3.pkz into {folder}, or set KIT_DATA_DIR to a folder that has "
                    "{file}."
                ).format(
                    path=cache_file,
                    error=_short(exc),
                    folder=home,
                    file=f"{SKLEARN_HOME}/cal_housing_py3.pkz",
                )
            ) from None
    if bunch.data.shape != (20640, 8) or bunch.target.shape != (20640,):
        raise DataDamaged(
            _(
                "The scikit-learn cache {path} holds data of shape {data} and {target}, not "
                "California housing's (20640, 8) and (20640,). Delete it and grade again, or "
                "replace it with a good copy (see datasets/README.md)."
            ).format(path=cache_file, data=bunch.data.shape, target=bunch.target.shape)
        )
    source = (
        _("scikit-learn cache in {folder}") if cached else _("scikit-learn download in {folder}")
    ).format(folder=home)
    return California(bunch.data, bunch.target, tuple(bunch.feature_names), source)


def _short(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Cifar10Subset:
    """The offline CIFAR-10 subset, with the interface of torchvision.datasets.CIFAR10.

    `data` is (N, 32, 32, 3) uint8, `targets` a list of ints, `classes` the ten names, and
    items are (PIL image, label) after `transform` / `target_transform`.
    """

    def __init__(self, path: Path, train: bool = True, transform=None, target_transform=None):
        split = "train" if train else "test"
        try:
            with np.load(path) as arrays:
                self.data = arrays[f"x_{split}"]
                self.targets = [int(t) for t in arrays[f"y_{split}"]]
                self.classes = [str(c) for c in arrays["classes"]]
        except Exception as exc:  # noqa: BLE001 - truncated, corrupt or foreign: all unusable
            raise DataDamaged(
                _(
                    "The offline CIFAR-10 subset {path} is damaged ({error}). Replace it with a "
                    "good copy (see datasets/README.md), or delete it and grade with internet "
                    "access so that torchvision downloads CIFAR-10."
                ).format(path=path, error=f"{type(exc).__name__}: {_short(exc)}")
            ) from None
        if (
            self.data.ndim != 4
            or self.data.shape[1:] != (32, 32, 3)
            or self.data.dtype != np.uint8
            or len(self.targets) != len(self.data)
            or len(self.classes) != 10
        ):
            raise DataDamaged(
                _(
                    "The offline CIFAR-10 subset {path} does not hold CIFAR-10 images ({split} "
                    "images of shape {shape} and dtype {dtype}, {labels} labels, {classes} "
                    "classes). Replace it with a good copy (see datasets/README.md)."
                ).format(
                    path=path,
                    split=split,
                    shape=self.data.shape,
                    dtype=self.data.dtype,
                    labels=len(self.targets),
                    classes=len(self.classes),
                )
            )
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}
        self.train = train
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int):
        from PIL import Image

        image, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target


def cifar10(train: bool = True, transform=None, record: Callable[..., None] | None = None):
    """torchvision's CIFAR10 from the data directory (downloading it if needed), else the subset.

    The returned object has a `kit_source` attribute naming where the images came from.
    """
    import torchvision

    root = data_dir()
    problems = []
    if (root / "cifar-10-batches-py").is_dir() or not offline():
        try:
            with to_terminal(record):
                dataset = torchvision.datasets.CIFAR10(
                    root=str(root), train=train, transform=transform, download=not offline()
                )
            dataset.kit_source = _("torchvision CIFAR10 in {folder}").format(folder=root)
            return dataset
        except Exception as exc:  # noqa: BLE001 - no internet, a corrupt archive: fall back alike
            problems.append(
                _("torchvision could not load or download it ({error})").format(error=_short(exc))
            )
    else:
        problems.append(
            _("no cifar-10-batches-py folder in {folder} and downloads are off").format(folder=root)
        )
    subset = root / CIFAR_SUBSET
    if subset.exists():
        dataset = Cifar10Subset(subset, train=train, transform=transform)
        dataset.kit_source = _("offline CIFAR-10 subset {path} ({n} images)").format(
            path=subset, n=len(dataset)
        )
        return dataset
    problems.append(_("no offline copy {path}").format(path=subset))
    raise DataMissing(
        _(
            "CIFAR-10 is missing: {problems}. Connect to the internet and grade again "
            "(torchvision downloads it into {folder}), or put {file} there, or set KIT_DATA_DIR "
            "to a folder that has either."
        ).format(problems="; ".join(problems), folder=root, file=CIFAR_SUBSET)
    )


def describe() -> dict:
    """The data directory's status, for `kit doctor` ("problem" says why it is unusable)."""
    try:
        root = data_dir()
    except DataProblem as exc:
        return {"problem": str(exc), "offline": offline()}
    return {
        "data_dir": str(root),
        "exists": root.is_dir(),
        "california_cache": (root / SKLEARN_HOME / "cal_housing_py3.pkz").exists(),
        "cifar10_torchvision": (root / "cifar-10-batches-py").is_dir(),
        "cifar10_subset": (root / CIFAR_SUBSET).exists(),
        "offline": offline(),
    }

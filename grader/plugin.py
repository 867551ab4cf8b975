"""The pytest plugin behind `kit grade`: loads learner and reference modules, seeds, classifies results.

Hooks appear in the order pytest calls them.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
import traceback
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from grader import CHECKS_DIR, REFERENCE_DIR, data
from grader.expect import CheckFailed
from grader.frameworks import import_frameworks

DEFAULT_SEED = 1234


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kit", "CNN-basics grader")
    group.addoption(
        "--exercises", default="exercises", help="folder laid out like exercises/ to grade"
    )
    group.addoption(
        "--seed",
        type=int,
        default=None,
        help=f"seed set before every check (default {DEFAULT_SEED})",
    )
    group.addoption(
        "--device",
        default="all",
        choices=["cpu", "cuda", "all"],
        help="devices for device-aware checks",
    )
    group.addoption(
        "--kit-results", default=None, help="(internal) JSON-lines file for check results"
    )
    parser.addini("kit_seed", "default seed for the grader", default=str(DEFAULT_SEED))


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--kit-results") is None:
        # A plain `pytest grader/checks` run may import tensorflow in one check module before
        # a CIFAR check imports torchvision, which crashes; torchvision first is safe. (Under
        # `kit grade` the fork server has already imported what the exercises need.)
        import_frameworks(["torchvision"])
    config._kit = KitState(config)  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> list[str]:
    kit: KitState = config._kit  # type: ignore[attr-defined]
    return [f"kit: grading {kit.learner_root} with --seed={kit.seed} --device={kit.device_option}"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "device" in metafunc.fixturenames:
        kit: KitState = metafunc.config._kit  # type: ignore[attr-defined]
        metafunc.parametrize("device", kit.device_params(), ids=str)


def pytest_collection_finish(session: pytest.Session) -> None:
    kit: KitState = session.config._kit  # type: ignore[attr-defined]
    kit.record(event="collected", checks=[check_name(item) for item in session.items])


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if _STATE is None:
        return
    if report.failed:
        _STATE.record(event="collect_error", message=str(report.longrepr))
    elif report.skipped and isinstance(report.longrepr, tuple):
        _STATE.record(event="collect_skipped", message=report.longrepr[2].removeprefix("Skipped: "))


def pytest_runtest_logstart(nodeid: str, location: tuple) -> None:
    if _STATE:
        _STATE.record(event="start", check=nodeid.split("::")[-1].removeprefix("test_"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    seed_everything(item.config._kit.seed)  # type: ignore[attr-defined]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    kit: KitState = item.config._kit  # type: ignore[attr-defined]
    if call.when == "teardown" and report.passed:
        return report
    if call.when == "setup" and report.passed:
        return report
    status, message = kit.classify(call.excinfo) if call.excinfo else ("passed", "")
    if report.skipped and call.excinfo is not None:
        status, message = "skipped", _skip_reason(call.excinfo)
    if call.excinfo is not None and status in {"failed", "not_started", "error"}:
        # pytest's own output for plain `pytest` runs: the kit message, not a grader traceback.
        report.longrepr = f"[{status}] {message}"
    kit.record(
        event="check",
        check=check_name(item),
        device=check_device(item),
        doc=_first_line(
            getattr(item, "function", None).__doc__ if hasattr(item, "function") else ""
        ),
        status=status,
        message=message,
        when=call.when,
    )
    return report


# --- state and helpers -------------------------------------------------------------------

_STATE: KitState | None = None


class KitState:
    """Per-session options and caches shared by the hooks and fixtures."""

    def __init__(self, config: pytest.Config):
        global _STATE
        _STATE = self
        self.learner_root = Path(config.getoption("--exercises")).resolve()
        seed = config.getoption("--seed")
        self.seed = int(seed if seed is not None else config.getini("kit_seed"))
        self.device_option = config.getoption("--device")
        results = config.getoption("--kit-results")
        self._results = open(results, "a", buffering=1) if results else None  # noqa: SIM115
        self._modules: dict[tuple[Path, str], ModuleType | BaseException] = {}

    def record(self, **fields) -> None:
        if self._results:
            self._results.write(json.dumps(fields) + "\n")
            self._results.flush()

    def device_params(self) -> list:
        wanted = ["cpu", "cuda"] if self.device_option == "all" else [self.device_option]
        params = []
        for name in wanted:
            marks = []
            if name == "cuda":
                import torch

                if not torch.cuda.is_available():
                    marks.append(pytest.mark.skip(reason="CUDA not available"))
            params.append(pytest.param(name, marks=marks, id=name))
        return params

    def module(self, root: Path, relative: str) -> ModuleType:
        """Imports root/relative once per session under a private name; re-raises import failures."""
        key = (root, relative)
        if key not in self._modules:
            path = root / relative
            name = f"_kit_{'learner' if root == self.learner_root else 'reference'}_" + relative[
                :-3
            ].replace("/", "_")
            try:
                spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
                self._modules[key] = module
            except BaseException as exc:  # noqa: BLE001 - SystemExit at import must not stop grading
                sys.modules.pop(name, None)
                self._modules[key] = exc
        loaded = self._modules[key]
        if isinstance(loaded, BaseException):
            raise loaded
        return loaded

    def classify(self, excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
        """Maps an exception from a check to (status, learner-facing message)."""
        exc = excinfo.value
        if isinstance(exc, CheckFailed):
            return "failed", str(exc)
        if isinstance(exc, pytest.skip.Exception):
            return "skipped", _skip_reason(excinfo)
        if isinstance(exc, data.DataMissing):
            return "error", str(exc)
        where = self._learner_frame(exc)
        if isinstance(exc, NotImplementedError) and where:
            return (
                "not_started",
                f"Not started: {where} still raises NotImplementedError. Fill in the TODO above that line.",
            )
        if isinstance(exc, SyntaxError) and exc.filename and self._is_learner_file(exc.filename):
            line = (exc.text or "").strip()
            return "error", (
                f"{self._show(exc.filename)}:{exc.lineno}: SyntaxError: {exc.msg}\n    {line}\n"
                "Next step: fix the syntax on that line; the file cannot be imported until then."
            )
        if isinstance(exc, AssertionError) and not where:
            return "failed", str(exc) or "a check's assertion failed"
        summary = f"{type(exc).__name__}: {exc}".strip()
        if isinstance(exc, SystemExit):
            summary = f"SystemExit({exc.code!r}) from sys.exit()/exit()"
            return "error", (
                f"Your code called sys.exit(){' at ' + where if where else ''}, which would stop a real "
                "training run too. Next step: return from the function instead of exiting."
            )
        if where:
            return (
                "error",
                f"Your code raised {summary}\n    at {where}\nNext step: fix the error on that line.",
            )
        return "error", (
            f"Checking your result raised {summary}. This usually means your code returned something "
            "of the wrong kind (for example None); compare with the docstring's stated return value."
        )

    def _is_learner_file(self, filename: str) -> bool:
        try:
            return Path(filename).resolve().is_relative_to(self.learner_root)
        except OSError:
            return False

    def _learner_frame(self, exc: BaseException) -> str | None:
        """'path:line in func' of the innermost frame in the learner's files, if any."""
        found = None
        for frame in traceback.extract_tb(exc.__traceback__):
            if self._is_learner_file(frame.filename):
                found = frame
        if found is None:
            return None
        return f"{found.name}() in {self._show(found.filename)}:{found.lineno}"

    @staticmethod
    def _show(filename: str) -> str:
        path = Path(filename).resolve()
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)


def check_name(item: pytest.Item) -> str:
    return item.name.removeprefix("test_")


def check_device(item: pytest.Item) -> str | None:
    """The device a check exercises: its `device` parameter, "cuda" for CUDA-only checks."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "device" in callspec.params:
        return callspec.params["device"]
    return "cuda" if "cuda" in getattr(item, "fixturenames", ()) else None


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)  # seeds CUDA too
    if "tensorflow" in sys.modules:  # E2: this seeds Python, NumPy and TF together
        sys.modules["tensorflow"].keras.utils.set_random_seed(seed)


def _skip_reason(excinfo: pytest.ExceptionInfo) -> str:
    return str(getattr(excinfo.value, "msg", excinfo.value))


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


# --- fixtures ----------------------------------------------------------------------------


def _relative_module(request: pytest.FixtureRequest) -> str:
    return Path(request.path).resolve().relative_to(CHECKS_DIR).as_posix()


@pytest.fixture
def learner(request: pytest.FixtureRequest) -> ModuleType:
    """The learner's version of the exercise module that this check file is named after."""
    kit: KitState = request.config._kit  # type: ignore[attr-defined]
    return kit.module(kit.learner_root, _relative_module(request))


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> ModuleType:
    """The reference solution of the same exercise."""
    kit: KitState = request.config._kit  # type: ignore[attr-defined]
    return kit.module(REFERENCE_DIR.resolve(), _relative_module(request))


class DataAccess:
    """Loads data sets on first use and records which source they came from.

    Checks call the learner's code on small synthetic input before touching real data, so a
    stub that is not started never loads any.
    """

    def __init__(self, kit: KitState):
        self._kit = kit

    def california(self) -> data.California:
        loaded = data.california()
        self._kit.record(event="data", message=f"California housing: {loaded.source}")
        return loaded

    def cifar10(self, train: bool = True, transform=None):
        loaded = data.cifar10(train=train, transform=transform)
        self._kit.record(
            event="data", message=f"CIFAR-10 {'train' if train else 'test'}: {loaded.kit_source}"
        )
        return loaded


@pytest.fixture
def datasets(request: pytest.FixtureRequest) -> DataAccess:
    """Lazy access to California housing and CIFAR-10 (see DataAccess)."""
    return DataAccess(request.config._kit)  # type: ignore[attr-defined]


@pytest.fixture
def cuda() -> object:
    """torch.device("cuda") for CUDA-only checks; without CUDA they are reported skipped."""
    import torch

    if not torch.cuda.is_available():
        pytest.skip("CUDA not available")
    return torch.device("cuda")


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    return request.config._kit.seed  # type: ignore[attr-defined]


@pytest.fixture
def rng(seed: int) -> np.random.Generator:
    """A numpy Generator seeded with the grading seed, for drawing check inputs."""
    return np.random.default_rng(seed)

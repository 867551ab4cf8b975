"""The pytest plugin behind `kit grade`: loads learner and reference modules, seeds, classifies results.

Hooks appear in the order pytest calls them.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import random
import re
import sys
import traceback
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from grader import CHECKS_DIR, EXERCISES_DIR, REFERENCE_DIR, data, explain, integrity, records
from grader.frameworks import import_frameworks
from grader.toolkit import diagnose
from grader.toolkit.expect import CheckFailed

DEFAULT_SEED = 1234

NOT_STARTED = (
    "Not started: {where} still raises NotImplementedError. Fill in the TODO above that line."
)
RAISE_LEFT_IN = (
    "{where} still raises NotImplementedError: your code for the TODO is written above it "
    "(line {code_line}), but the stub's raise line was left in below it and stops the "
    "function there.\nNext step: delete that line, `raise NotImplementedError(...)`, and grade "
    "again."
)


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
        "--kit-graded",
        action="store_true",
        help="(internal) run inside `kit grade`'s exercise process: send records to the kit",
    )
    parser.addini("kit_seed", "default seed for the grader", default=str(DEFAULT_SEED))


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("--kit-graded"):
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
    kit.record(records.Collected([check_name(item) for item in session.items]))
    for module in {
        id(m): m for m in (getattr(i, "module", None) for i in session.items) if m
    }.values():
        kit.guard.watch(module, imported=True)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if _STATE is None:
        return
    if report.failed:
        _STATE.record(records.CollectError(str(report.longrepr)))
    elif report.skipped and isinstance(report.longrepr, tuple):
        _STATE.record(records.CollectSkipped(report.longrepr[2].removeprefix("Skipped: ")))


def pytest_runtest_logstart(nodeid: str, location: tuple) -> None:
    if _STATE:
        _STATE.record(records.Started(nodeid.split("::")[-1].removeprefix("test_")))


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
    verdict = kit.classify(call.excinfo, item) if call.excinfo else Verdict("passed", "")
    if call.when == "call" and verdict.status == "passed" and diagnose.auditing():
        for line, text, _ in kit.bare_method_statements():
            diagnose.audit(outcome="fired_on_pass", diagnoser="method_statement", said=text)
    if report.skipped and call.excinfo is not None:
        verdict = Verdict("skipped", _skip_reason(call.excinfo))
    swapped = kit.guard.swapped()
    borrowed = kit.reference_uses()
    flag = None
    if swapped:
        verdict = Verdict(
            "error",
            f"Tampered: the grader's own functions were replaced while your code ran "
            f"({', '.join(swapped)}). A check cannot be trusted after that, so it scores nothing.",
            fault="tampered",
        )
        flag = f"tampered: replaced {', '.join(swapped[:3])}"
    elif borrowed:
        verdict = Verdict(
            "error",
            f"Tampered: your code takes its answers from the kit's reference solution "
            f"({'; '.join(borrowed)}). Such an answer scores nothing; write your own.",
            fault="tampered",
        )
        flag = f"tampered: took answers from the reference solution ({'; '.join(borrowed[:2])})"
    if call.excinfo is not None and verdict.status in {"failed", "not_started", "error"}:
        # pytest's own output for plain `pytest` runs: the kit message, not a grader traceback.
        report.longrepr = f"[{verdict.status}] {verdict.message}"
    elif swapped or borrowed:
        report.outcome = "failed"
        report.longrepr = f"[error] {verdict.message}"
    kit.record(
        records.CheckDone(
            check=check_name(item),
            device=check_device(item),
            doc=_first_line(
                getattr(item, "function", None).__doc__ if hasattr(item, "function") else ""
            ),
            status=verdict.status,
            message=verdict.message,
            where=verdict.where,
            fault=verdict.fault or "learner",
            flag=flag,
            when=call.when,
        )
    )
    return report


def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo) -> None:
    """KeyboardInterrupt or pytest.exit() inside an exercise process: learner code did it.

    (The terminal's Ctrl-C never reaches an exercise: each runs in a session of its own.)
    """
    if _STATE is not None:
        where = _STATE.learner_frame(excinfo.value)
        _STATE.record(
            records.Interrupted(
                kind=type(excinfo.value).__name__.replace("Exit", "pytest.exit()"),
                where=where["text"] if where else None,
            )
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The handshake the kit waits for: without it, the exercise's process ended early."""
    if _STATE is not None:
        _STATE.record(records.Finished(int(exitstatus)))


# --- state and helpers -------------------------------------------------------------------

_STATE: KitState | None = None


def record(record: records.Record) -> None:
    """Sends one record to the kit (under `kit grade`); a no-op in a plain pytest run."""
    if _STATE is not None:
        _STATE.record(record)


def graded_root() -> Path | None:
    """The folder of exercise modules being graded; None outside a grading session."""
    return _STATE.learner_root if _STATE is not None else None


class KitState:
    """Per-session options and caches shared by the hooks and fixtures."""

    def __init__(self, config: pytest.Config):
        global _STATE
        _STATE = self
        self.learner_root = Path(config.getoption("--exercises")).resolve()
        seed = config.getoption("--seed")
        self.seed = int(seed if seed is not None else config.getini("kit_seed"))
        self.device_option = config.getoption("--device")
        self._graded = bool(config.getoption("--kit-graded")) and records.active()
        self._modules: dict[tuple[Path, str], ModuleType | BaseException] = {}
        # Taken before any learner code is imported, so that a swap is seen after it.
        self.guard = integrity.Guard()
        # (Grading the reference itself, its code is the answer, not a borrowed one.)
        self.references = (
            integrity.ReferenceGuard(REFERENCE_DIR, self.learner_root)
            if self._graded and self.learner_root != REFERENCE_DIR.resolve()
            else None
        )

    def record(self, record: records.Record) -> None:
        if self._graded:
            records.send(record)

    def reference_uses(self) -> list[str]:
        """How learner code used the reference so far (empty outside `kit grade`)."""
        if self.references is None:
            return []
        for (root, _), module in self._modules.items():
            if root == self.learner_root and isinstance(module, ModuleType):
                self.references.check_module(module)
        return self.references.uses

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
                if self.references and root != self.learner_root:
                    self.references.watch_reference(module)
                self._modules[key] = module
            except BaseException as exc:  # noqa: BLE001 - SystemExit at import must not stop grading
                sys.modules.pop(name, None)
                self._modules[key] = exc
        loaded = self._modules[key]
        if isinstance(loaded, BaseException):
            raise loaded
        return loaded

    def classify(self, excinfo: pytest.ExceptionInfo, item: pytest.Item) -> Verdict:
        """Maps an exception from a check to a Verdict with a learner-facing message."""
        exc = excinfo.value
        if isinstance(exc, CheckFailed):
            return Verdict(
                "failed", str(exc) + self._uncalled_method(exc), where=self.checked_function(exc)
            )
        if isinstance(exc, pytest.skip.Exception):
            return Verdict("skipped", _skip_reason(excinfo))
        if isinstance(exc, data.DataProblem):
            return Verdict("error", str(exc), fault="data")
        if isinstance(exc, SyntaxError) and exc.filename and self._is_learner_file(exc.filename):
            where = self._where(exc.filename, exc.lineno or 0, "", exc.text)
            return Verdict(
                "error",
                f"{where['path']}:{exc.lineno}: SyntaxError: {exc.msg}\n"
                "Next step: fix the syntax on that line; the file cannot be imported until then.",
                where=where,
            )
        where = self.learner_frame(exc)
        # The stub's own raise (Keras re-raises it with its text wrapped in more text).
        if (
            isinstance(exc, NotImplementedError)
            and where
            and "raise NotImplementedError(" in where["code"]
            and "not started" in str(exc)
        ):
            code_line = _code_above_raise(where)
            if code_line:
                return Verdict(
                    "error",
                    RAISE_LEFT_IN.format(where=where["text"], code_line=code_line),
                    where=where,
                )
            return Verdict("not_started", NOT_STARTED.format(where=where["text"]))
        if isinstance(exc, AssertionError) and not where:
            return Verdict("failed", str(exc) or "a check's assertion failed")
        if isinstance(exc, SystemExit):
            return Verdict(
                "error",
                f"Your code called sys.exit(){' at ' + where['text'] if where else ''}, which would "
                "stop a real training run too.\nNext step: return from the function instead of "
                "exiting.",
                where=where,
            )
        text = str(exc)
        if "in user code:" in text:
            # TensorFlow's text lists the traced frames, then ends with the error itself.
            text = [line for line in text.splitlines() if line.strip()][-1].strip()
        summary = _one_line(
            text if text.startswith(type(exc).__name__) else f"{type(exc).__name__}: {text}"
        )
        cite = f" (manual {_topics(item)})" if _topics(item) else ""
        if where:
            slip = _known_slip(item, exc, where.get("code"))
            found = None if slip else self._explained_line(exc, where)
            if not slip and not found:
                found = self._parameters_reordered(exc, item)
            if slip:
                next_step = f"{slip.explanation} (manual {slip.topic})"
            elif found:
                next_step = found.text() + cite
            else:
                next_step = "Next step: fix the error on that line."
            return Verdict(
                "error", f"Your code raised {summary}\n    at {where['text']}\n{next_step}", where
            )
        modules = self.learner_modules()
        found = explain.missing_function(exc, modules, self._show)
        if found:
            return Verdict("error", found.text() + cite)
        found = explain.class_in_source(exc, modules, self._show)
        if found:
            path, line, code = found.line
            where = self._where(path, line, "", code)
            return Verdict(
                "error",
                f"Using what your code returned raised {summary}\n    at {where['text']}\n"
                f"{found.text()}{cite}",
                where,
            )
        reference_run = self.reference_run(item)
        if reference_run == "fails":
            return Verdict(
                "error",
                f"Checking your result raised {summary}, and the reference solution fails this "
                "check the same way, so this is a fault of the kit, not of your code. Please "
                "report it.",
                fault="kit",
            )
        shown = " ".join(explain.check_line_operands(exc, self._is_check_file))
        passes = (
            " The reference solution passes this check, so what your code returned is not what "
            "the docstring describes."
            if reference_run == "passes"
            else ""
        )
        return Verdict(
            "error",
            f"Your code returned without an error, but checking its result raised {summary}."
            f"{passes}{' ' + shown if shown else ''}\nNext step: compare the type, shape and "
            "dtype of what your function returns with its docstring.",
        )

    def learner_modules(self) -> list[ModuleType]:
        return [
            module
            for (root, _), module in self._modules.items()
            if root == self.learner_root and isinstance(module, ModuleType)
        ]

    def bare_method_statements(self) -> list[tuple[int, str, str]]:
        """Statements in the learner's files that name a method without calling it."""
        return [
            found
            for module in self.learner_modules()
            for found in explain.bare_method_statements(module.__file__)
        ]

    def _uncalled_method(self, failure: CheckFailed) -> str:
        """A sentence for a failed check whose message asks for a call that the learner's code
        names without parentheses (`model.eval` as a statement), or that got a method itself
        (`copy.deepcopy(model.state_dict)`) which the learner's code names uncalled; else
        nothing."""
        for line, text, method in self.bare_method_statements():
            if f"{method}(" in str(failure):
                seen = explain.say(explain.METHOD_STATEMENT, line=line, expr=text)
                return f"\n{seen} {explain.say(explain.METHOD_STATEMENT_STEP, expr=text)}"
        for module in self.learner_modules():
            found = explain.uncalled_method_described(str(failure), module.__file__)
            if found is not None:
                return f"\n{found.text()}"
        return ""

    def _parameters_reordered(
        self, exc: BaseException, item: pytest.Item
    ) -> explain.Explanation | None:
        """The learner's function takes the stub's parameters in another order, and the
        reference passes the same check: the order is what broke it."""
        found = explain.parameters_reordered(
            exc, self._is_learner_file, self.learner_root, EXERCISES_DIR.resolve()
        )
        if found is None or self.reference_run(item) != "passes":
            return None
        return found

    def _explained_line(self, exc: BaseException, where: dict) -> explain.Explanation | None:
        """The cause on the learner's line, when the traceback reaches that very line (TF's
        traced errors name a deeper line that the traceback does not hold)."""
        tb = explain.innermost(exc, self._is_learner_file)
        if tb is None or tb.tb_lineno != where["line"]:
            return None
        return explain.raised_on_learner_line(exc, self._is_learner_file)

    def _is_check_file(self, filename: str) -> bool:
        try:
            return Path(filename).resolve().is_relative_to(CHECKS_DIR.resolve())
        except OSError:
            return False

    def reference_run(self, item: pytest.Item) -> str:
        """The same check run again with the reference solution in the learner's place, quietly
        (no records, pictures into a scratch folder): "passes", "fails" or "unknown"."""
        if self.learner_root == REFERENCE_DIR.resolve():
            return "fails"  # the reference is what was graded
        function = getattr(item, "obj", None)
        funcargs = getattr(item, "funcargs", None) or {}
        if function is None or "learner" not in funcargs:
            return "unknown"
        try:
            relative = Path(item.path).resolve().relative_to(CHECKS_DIR.resolve()).as_posix()
            kwargs = {name: funcargs[name] for name in inspect.signature(function).parameters}
            kwargs["learner"] = self.module(REFERENCE_DIR.resolve(), relative)
        except Exception:  # noqa: BLE001 - a check that cannot be run again tells nothing
            return "unknown"
        if "rng" in kwargs:
            kwargs["rng"] = np.random.default_rng(self.seed)
        if "tmp_path" in kwargs:
            kwargs["tmp_path"] = kwargs["tmp_path"] / "reference-run"
            kwargs["tmp_path"].mkdir(exist_ok=True)
        plots = os.environ.get("KIT_PLOTS_DIR")
        os.environ["KIT_PLOTS_DIR"] = str(Path(funcargs.get("tmp_path") or ".") / "reference-plots")
        self._graded, graded = False, self._graded
        seed_everything(self.seed)
        try:
            function(**kwargs)
        except pytest.skip.Exception:
            return "unknown"
        except Exception:  # noqa: BLE001 - the reference failing is the answer
            return "fails"
        finally:
            self._graded = graded
            if plots is None:
                os.environ.pop("KIT_PLOTS_DIR", None)
            else:
                os.environ["KIT_PLOTS_DIR"] = plots
        return "passes"

    def _is_learner_file(self, filename: str) -> bool:
        try:
            return Path(filename).resolve().is_relative_to(self.learner_root)
        except OSError:
            return False

    def learner_frame(self, exc: BaseException) -> dict | None:
        """The innermost frame in the learner's files: from the traceback, else from the text.

        TensorFlow re-raises errors from traced code (tf.function, Keras train_step) with the
        user's frames only in the message, as `File "...", line N, in f`.
        """
        # TF lists the traced frames outermost first; the last learner one is where it broke,
        # deeper than the traceback's learner frame (the line that called model.fit or map).
        found = None
        for path, line, func in re.findall(r'File "([^"]+)", line (\d+), in (\w+)', str(exc)):
            if self._is_learner_file(path):
                found = (path, int(line), func)
        if found is None:
            for frame in traceback.extract_tb(exc.__traceback__):
                if self._is_learner_file(frame.filename):
                    found = (frame.filename, frame.lineno, frame.name)
        if found is None:
            return None
        return self._where(*found)

    def checked_function(self, failure: CheckFailed) -> dict | None:
        """The learner function a failed check names ("relu(x) ..."), at its `def` line."""
        for name in re.findall(r"([A-Za-z_]\w*)\(", failure.expected):
            for (root, _), module in self._modules.items():
                if root != self.learner_root or isinstance(module, BaseException):
                    continue
                function = getattr(module, name, None)
                if getattr(function, "__module__", None) != module.__name__:
                    continue
                try:
                    line = inspect.getsourcelines(function)[1]
                except (OSError, TypeError):
                    continue
                where = self._where(module.__file__, line, name)
                where["checked"] = True
                return where
        return None

    def _where(self, filename: str, line: int, func: str, code: str | None = None) -> dict:
        import linecache

        path = self._show(filename)
        text = (code if code is not None else linecache.getline(filename, line)).rstrip()
        return {
            "path": path,
            "line": line,
            "code": text.strip(),
            "text": f"{func}() in {path}:{line}" if func else f"{path}:{line}",
        }

    @staticmethod
    def _show(filename: str) -> str:
        path = Path(filename).resolve()
        # KIT_SHOW_FROM: the folder the learner typed the command in (the exercise process
        # runs in a scratch folder), so paths read as they would in their own shell.
        base = Path(os.environ.get("KIT_SHOW_FROM") or Path.cwd())
        try:
            return os.path.relpath(path, base) if path.is_relative_to(base) else str(path)
        except ValueError:
            return str(path)


class Verdict:
    """One check's outcome as the report shows it."""

    def __init__(
        self, status: str, message: str, where: dict | None = None, fault: str = "learner"
    ):
        self.status, self.message, self.where, self.fault = status, message, where, fault


def _known_slip(item: pytest.Item, exc: BaseException, line: str | None):
    """The first of the check module's SLIPS that this exception and line confirm.

    Under `kit dev check` (KIT_DEV_SLIPS set), a slip whose exception came but whose line did
    not confirm it is reported to the author, who would otherwise never see the generic
    message it fell back to.
    """
    slips = getattr(getattr(item, "module", None), "SLIPS", ())
    for slip in slips:
        if slip.matches(exc, line):
            return slip
    if os.environ.get("KIT_DEV_SLIPS"):
        for n, slip in enumerate(slips, 1):
            if slip.caught(exc):
                record(
                    records.SlipUnconfirmed(
                        check=check_name(item),
                        slip=n,
                        error=type(exc).__name__,
                        says=slip.says,
                        code=slip.code,
                        line=line,
                    )
                )
    return None


def _topics(item: pytest.Item) -> str:
    """The manual topics a check module cites in its docstring, "(manual T10, E9)"."""
    found = re.search(
        r"\(manual ([^)]*)\)", getattr(getattr(item, "module", None), "__doc__", "") or ""
    )
    return found.group(1) if found else ""


def _one_line(text: str, limit: int = 300) -> str:
    """An exception's text on one line without terminal colour codes, cut to `limit` characters.

    (Keras puts ANSI bold into its error messages.)
    """
    flat = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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


def _code_above_raise(where: dict) -> int | None:
    """The line of the learner's own code right above the stub's raise, or None. Every stub's
    raise follows its TODO comment directly, so a code line there that the stub does not have
    is the learner's: the TODO is done and only the raise was left in."""
    path = Path(where["path"])  # as _show wrote it: relative to KIT_SHOW_FROM or the cwd
    if not path.is_absolute():
        path = Path(os.environ.get("KIT_SHOW_FROM") or Path.cwd()) / path
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        stub = EXERCISES_DIR / path.parent.name / path.name
        stub_lines = {line.strip() for line in stub.read_text(encoding="utf-8").splitlines()}
    except OSError:
        return None
    above = where["line"] - 2
    while above >= 0 and not lines[above].strip():
        above -= 1
    if above < 0:
        return None
    code = lines[above].strip()
    if code.startswith("#") or code in stub_lines:
        return None
    return above + 1


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
        loaded = data.california(record)
        self._kit.record(records.DataUsed(f"California housing: {loaded.source}"))
        return loaded

    def cifar10(self, train: bool = True, transform=None):
        loaded = data.cifar10(train=train, transform=transform, record=record)
        self._kit.record(
            records.DataUsed(f"CIFAR-10 {'train' if train else 'test'}: {loaded.kit_source}")
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

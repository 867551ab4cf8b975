"""Shows grading results: a rich table and three-part messages in the terminal, and a JSON report."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader import commands, manifest, provenance
from grader.grading import CheckResult, ExerciseResult, as_dict, device_checks
from grader.i18n import N_, _, language, ngettext

SCHEMA = "cnn-basics-kit/report/2"
# The labels are marked for translation (grader.i18n); views translate them with _(label).
STYLE = {
    "passed": (N_("passed"), "green"),
    "failed": (N_("failed"), "red"),
    "not_started": (N_("not started"), "yellow"),
    "error": (N_("error"), "bold red"),
    "timeout": (N_("timeout"), "bold red"),
    "skipped": (N_("skipped"), "cyan"),
    "not_graded": (N_("not graded"), "magenta"),
}
# Narrower than this, a column that gives way is dropped rather than cut to a stump.
MIN_TITLE, MIN_TOPICS = 12, 5


def header(
    console: Console, env: dict, seed: int, device: str, learner_root: Path, rerun: str
) -> None:
    build = (
        _("CUDA {version}").format(version=env["torch_cuda_build"])
        if env.get("torch_cuda_build")
        else _("CPU build")
    )
    cuda = (
        _("yes — {gpus}").format(gpus=", ".join(env["gpus"]))
        if env.get("cuda_available")
        else _("no")
    )
    lines = [
        _("grading {folder}   seed {seed}   device {device}").format(
            folder=f"[bold]{_rel(learner_root)}[/]", seed=seed, device=device
        ),
        _("Python {python}   torch {torch} ({build})   tensorflow {tensorflow}").format(
            python=env.get("python"),
            torch=env.get("torch") or _("not installed"),
            build=build,
            tensorflow=env.get("tensorflow") or _("not loaded"),
        ),
        _("CUDA available: {answer}").format(answer=cuda),
        _("rerun exactly: {command}").format(command=f"[bold]{rerun}[/]"),
    ]
    if env.get("error"):
        lines.append(f"[red]{env['error']}[/]")
    console.print(Panel("\n".join(lines), title=_("CNN basics kit"), expand=False))


def shown_title(r: ExerciseResult) -> str:
    """The exercise's title in the reader's language (a result keeps the English one, which the
    JSON report holds)."""
    return next((ex.shown_title for ex in manifest.load() if ex.id == r.id), r.title)


def _cells(n: int, r: ExerciseResult) -> dict[str, Text | str]:
    label, style = STYLE[r.status]
    counted = [c for c in r.checks if c.status != "skipped"]
    skipped = len(r.checks) - len(counted)
    checks = f"{sum(c.status == 'passed' for c in counted)}/{len(counted)}" if r.checks else "–"
    if skipped:
        checks += " " + _("+{n} skipped").format(n=skipped)
    return {
        _("#"): str(n),
        _("exercise"): r.id,
        _("title"): shown_title(r),
        _("manual"): " ".join(r.topics),
        _("status"): Text(_(label), style=style),
        _("checks"): checks,
        _("score"): f"{r.score:g}/{r.max_score}",
    }


def fitted_table(
    title: str | None,
    columns: list[str],
    rows: list[dict],
    width: int,
    give_way: tuple[str, ...],
    right: tuple[str, ...] = (),
    minimum: dict[str, int] | None = None,
    wrap: tuple[str, ...] = (),
) -> Table:
    """A table laid out for `width` columns in which only the `give_way` columns are cut.

    Columns not in give_way keep their full width. When the table does not fit, the give_way
    columns shrink in the order given (each down to its minimum, with an ellipsis, or, for
    those also in `wrap`, onto more lines), and one that would fall below its minimum is
    dropped.
    """
    minimum = minimum or {}
    full = {
        c: max([cell_len(c), *(Text.from_markup(str(r.get(c, ""))).cell_len for r in rows)])
        for c in columns
    }
    shown = list(columns)
    widths = dict(full)
    gap = 3  # without edges, columns are separated by padding and a rule: 3 cells

    def total() -> int:
        return sum(widths[c] for c in shown) + gap * (len(shown) - 1)

    for name in give_way:
        excess = total() - width
        if excess <= 0:
            break
        floor = minimum.get(name, 5)
        if widths[name] - excess >= floor or name in wrap:
            widths[name] = min(widths[name], max(floor, widths[name] - excess))
        else:
            shown.remove(name)
    grid = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name in shown:
        cut = name in give_way and name not in wrap
        grid.add_column(
            name,
            justify="right" if name in right else "left",
            no_wrap=name not in wrap,
            overflow="ellipsis" if cut else "fold",
            width=widths[name],
            min_width=None if cut else widths[name],
        )
    for row in rows:
        grid.add_row(*(row.get(name, "") for name in shown))
    return grid


def table(results: list[ExerciseResult], width: int = 80) -> Table:
    """The results table, laid out for `width` columns.

    Ids, statuses, checks and scores are never cut. When the table does not fit, the title
    column gives way first (shortened, then dropped), then the manual-topics column.
    """
    rows = [_cells(n, r) for n, r in enumerate(results, 1)]
    total = f"{sum(r.score for r in results):g}/{sum(r.max_score for r in results)}"
    number, exercise, title, topics, status, checks, score = (
        _("#"),
        _("exercise"),
        _("title"),
        _("manual"),
        _("status"),
        _("checks"),
        _("score"),
    )
    rows.append({exercise: _("total"), score: total})
    grid = fitted_table(
        _("Results"),
        [number, exercise, title, topics, status, checks, score],
        rows,
        width,
        give_way=(title, topics),
        right=(number, checks, score),
        minimum={title: MIN_TITLE, topics: MIN_TOPICS},
    )
    grid.rows[-1].end_section = False
    grid.rows[-2].end_section = True
    return grid


def details(console: Console, results: list[ExerciseResult]) -> None:
    """Messages for everything that is not passed, grouped by exercise, one message per cause.

    Each exercise's heading carries its verdict. Its first problem is shown in full, with the
    learner's own line where an exception came from (a wrong value points at the function that
    was checked); checks that failed with the very same message (a file that cannot be
    imported fails them all) are named with it rather than told again. Every other check that
    did not pass gets one line: it often fails for the same reason, and the first problem is
    the one to fix. So the verdict and the first message fit on one 80x24 screen.
    """
    for r in results:
        if r.status in ("passed", "not_started", "skipped", "not_graded") and not any(
            c.status in ("failed", "error") for c in r.checks
        ):
            continue
        label = _(STYLE[r.status][0])
        console.rule(
            f"[bold]{r.id}: {label} {r.score:g}/{r.max_score}[/] — {shown_title(r)} "
            f"({' '.join(r.topics)})"
        )
        for note in r.notes:
            console.print(_indented(Text(note, style="red"), 0))
        shown_notes = set(r.notes)
        causes: dict[str, list[CheckResult]] = {}
        for c in r.checks:
            if c.status not in ("passed", "skipped") and c.message not in shown_notes:
                causes.setdefault(c.message, []).append(c)
        groups = sorted(causes.values(), key=lambda group: group[0].status == "not_started")
        if groups:
            _first_cause(console, groups[0], len([c for c in r.checks if c.status != "skipped"]))
        if len(groups) > 1:
            console.print(
                _indented(
                    Text(
                        _("Also not passed; fix the problem above first, then grade again:"),
                        style="dim",
                    )
                )
            )
            for group in groups[1:]:
                console.print(_indented(_one_line(group), 4))
        for plot in r.plots:
            console.print(_indented(Text(_("loss curves: {path}").format(path=plot))))
        hint = f"[bold]{commands.kit('hint', r.id)}[/]"
        console.print(
            _indented(
                Text.from_markup(
                    _("Hints: {command} (then --level 2 for more)").format(command=hint)
                    if language() == "ja"
                    else _(
                        "Hints: {command} (then --level 2 for more, --lang ja for Japanese)"
                    ).format(command=hint)
                )
            )
        )


def _first_cause(console: Console, group: list[CheckResult], counted: int) -> None:
    """The first problem in full: the checks it failed, what each checks, the message, the line."""
    first = group[0]
    label, style = STYLE[first.status]
    if len(group) == counted > 1:
        named = _("all {n} checks").format(n=counted)
    elif len(group) > 1:
        named = ngettext(
            "{name} and {n} more with the same message",
            "{name} and {n} more with the same message",
            len(group) - 1,
        ).format(name=first.name, n=len(group) - 1)
    else:
        named = first.name
    console.print(Text.assemble((f"✗ {named}", "bold"), f"  [{_(label)}]", style=style))
    if first.doc and len(group) < counted:
        console.print(_indented(Text(first.doc, style="dim")))
    console.print(_indented(Text(first.message)))
    where = first.where
    if not where:
        return
    if where.get("checked"):
        console.print(_indented(Text(_("checked: {code}").format(code=where["text"]), style="dim")))
    elif where.get("code"):
        console.print(
            _indented(
                Text.assemble(
                    (f"{where['path']}:{where['line']}:", "bold"),
                    "\n",
                    (f"  {where['code']}", "cyan"),
                )
            )
        )


def _one_line(group: list[CheckResult]) -> Text:
    """A check that did not pass, with the first line of its message, cut to the screen."""
    first = group[0]
    label, style = STYLE[first.status]
    more = " " + _("(+{n} more)").format(n=len(group) - 1) if len(group) > 1 else ""
    summary = first.message.strip().splitlines()[0] if first.message.strip() else ""
    return Text.assemble(
        (f"✗ {first.name}{more}", "bold"),
        (f" [{_(label)}]", style),
        f": {summary}",
        no_wrap=True,
        overflow="ellipsis",
    )


def _indented(text: Text, left: int = 2) -> Padding:
    """Text that wraps at the terminal's width and keeps its indent on every line."""
    return Padding(text, (0, 0, 0, left), expand=False)


def plots(console: Console, results: list[ExerciseResult]) -> None:
    """Loss-curve pictures of exercises that passed (the others list theirs in the details)."""
    for r in results:
        if r.status == "passed":
            for plot in r.plots:
                console.print(
                    _("loss curves for {id}: {path}").format(id=r.id, path=plot), style="dim"
                )


def device_line(console: Console, results: list[ExerciseResult]) -> None:
    """Which devices the device-aware checks really ran on, so a skipped GPU never looks passed."""
    parts = []
    for device, count in sorted(device_checks(results).items()):
        part = _("{device}: {n} ran").format(device=device, n=count["ran"])
        if count["skipped"]:
            part += _(", {n} skipped ({why})").format(
                n=count["skipped"], why="; ".join(count["why_skipped"])
            )
        parts.append(part)
    if parts:
        console.print(_("device checks — {counts}").format(counts="; ".join(parts)))


def data_sources(console: Console, results: list[ExerciseResult]) -> None:
    sources = list(dict.fromkeys(source for r in results for source in r.data))
    for source in sources:
        console.print(_("data: {source}").format(source=source), style="dim")


def summary_line(results: list[ExerciseResult]) -> str:
    counts = {s: sum(r.status == s for r in results) for s in STYLE}
    return _(", ").join(
        _("{n} {status}").format(n=n, status=_(STYLE[s][0])) for s, n in counts.items() if n
    )


def build_json(
    results: list[ExerciseResult],
    env: dict,
    seed: int,
    device: str,
    learner_root: Path,
    learner: str | None,
    interrupted: bool = False,
) -> dict:
    stubs = provenance.stub_hashes()
    exercises = []
    for r in results:
        entry = as_dict(r)
        module = f"{r.chapter}/{r.id}.py"
        digest = provenance.sha256(learner_root / module)
        entry["module"] = module
        entry["sha256"] = digest
        # Attempted: the learner's file is not the pristine stub (a run stopped by Ctrl-C
        # still tells an edited file from an untouched one).
        entry["attempted"] = digest is not None and digest != stubs.get(module)
        exercises.append(entry)
    return {
        "schema": SCHEMA,
        "learner": learner,
        "produced_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kit": provenance.kit_version(),
        "interrupted": interrupted,
        "exercises_dir": str(learner_root),
        "seed": seed,
        "device": device,
        "environment": env,
        "totals": {
            "score": round(sum(r.score for r in results), 2),
            "max_score": sum(r.max_score for r in results),
            **{status: sum(r.status == status for r in results) for status in STYLE},
        },
        "device_checks": device_checks(results),
        "exercises": exercises,
    }


def write_json(path: Path, report: dict) -> None:
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    os.replace(partial, path)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def console() -> Console:
    return Console(stderr=False, highlight=False, soft_wrap=False, file=sys.stdout)

"""Shows grading results: a rich table and three-part messages in the terminal, and a JSON report."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader import commands, provenance
from grader.grading import ExerciseResult, as_dict, device_checks

SCHEMA = "cnn-basics-kit/report/2"
STYLE = {
    "passed": ("passed", "green"),
    "failed": ("failed", "red"),
    "not_started": ("not started", "yellow"),
    "error": ("error", "bold red"),
    "timeout": ("timeout", "bold red"),
    "skipped": ("skipped", "cyan"),
    "not_graded": ("not graded", "magenta"),
}
# Narrower than this, a column that gives way is dropped rather than cut to a stump.
MIN_TITLE, MIN_TOPICS = 12, 5


def header(
    console: Console, env: dict, seed: int, device: str, learner_root: Path, rerun: str
) -> None:
    lines = [
        f"grading [bold]{_rel(learner_root)}[/]   seed {seed}   device {device}",
        (
            f"Python {env.get('python')}   torch {env.get('torch') or 'not installed'}"
            f" ({'CUDA ' + env['torch_cuda_build'] if env.get('torch_cuda_build') else 'CPU build'})"
            f"   tensorflow {env.get('tensorflow') or 'not loaded'}"
        ),
        f"CUDA available: {'yes — ' + ', '.join(env['gpus']) if env.get('cuda_available') else 'no'}",
        f"rerun exactly: [bold]{rerun}[/]",
    ]
    if env.get("error"):
        lines.append(f"[red]{env['error']}[/]")
    console.print(Panel("\n".join(lines), title="CNN basics kit", expand=False))


def _cells(n: int, r: ExerciseResult) -> dict[str, Text | str]:
    label, style = STYLE[r.status]
    counted = [c for c in r.checks if c.status != "skipped"]
    skipped = len(r.checks) - len(counted)
    checks = f"{sum(c.status == 'passed' for c in counted)}/{len(counted)}" if r.checks else "–"
    if skipped:
        checks += f" +{skipped} skipped"
    return {
        "#": str(n),
        "exercise": r.id,
        "title": r.title,
        "manual": " ".join(r.topics),
        "status": Text(label, style=style),
        "checks": checks,
        "score": f"{r.score:g}/{r.max_score}",
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
        c: max([len(c), *(Text.from_markup(str(r.get(c, ""))).cell_len for r in rows)])
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
    rows.append({"exercise": "total", "score": total})
    grid = fitted_table(
        "Results",
        ["#", "exercise", "title", "manual", "status", "checks", "score"],
        rows,
        width,
        give_way=("title", "manual"),
        right=("#", "checks", "score"),
        minimum={"title": MIN_TITLE, "manual": MIN_TOPICS},
    )
    grid.rows[-1].end_section = False
    grid.rows[-2].end_section = True
    return grid


def details(console: Console, results: list[ExerciseResult]) -> None:
    """Messages for everything that is not passed, grouped by exercise.

    The learner's own line is shown once per exercise, where an exception came from; a wrong
    value points at the function that was checked.
    """
    for r in results:
        if r.status in ("passed", "not_started", "skipped", "not_graded") and not any(
            c.status in ("failed", "error") for c in r.checks
        ):
            continue
        console.rule(f"[bold]{r.id}[/] — {r.title} ({' '.join(r.topics)})")
        for note in r.notes:
            console.print(_indented(Text(note, style="red"), 0))
        shown_notes = set(r.notes)
        shown_code: set[tuple[str, int]] = set()
        for c in r.checks:
            if c.status in ("passed", "skipped") or c.message in shown_notes:
                continue
            label, style = STYLE[c.status]
            console.print(Text.assemble((f"✗ {c.name}", "bold"), f"  [{label}]", style=style))
            if c.doc:
                console.print(_indented(Text(c.doc, style="dim")))
            console.print(_indented(Text(c.message)))
            where = c.where
            if not where or (where["path"], where["line"]) in shown_code:
                continue
            shown_code.add((where["path"], where["line"]))
            if where.get("checked"):
                console.print(_indented(Text(f"checked: {where['text']}", style="dim")))
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
        for plot in r.plots:
            console.print(_indented(Text(f"loss curves: {plot}")))
        console.print(
            _indented(
                Text.from_markup(
                    f"Hints: [bold]{commands.kit('hint', r.id)}[/] (then --level 2 for more, "
                    "--lang ja for Japanese)"
                )
            )
        )


def _indented(text: Text, left: int = 2) -> Padding:
    """Text that wraps at the terminal's width and keeps its indent on every line."""
    return Padding(text, (0, 0, 0, left), expand=False)


def plots(console: Console, results: list[ExerciseResult]) -> None:
    """Loss-curve pictures of exercises that passed (the others list theirs in the details)."""
    for r in results:
        if r.status == "passed":
            for plot in r.plots:
                console.print(f"loss curves for {r.id}: {plot}", style="dim")


def device_line(console: Console, results: list[ExerciseResult]) -> None:
    """Which devices the device-aware checks really ran on, so a skipped GPU never looks passed."""
    parts = []
    for device, count in sorted(device_checks(results).items()):
        part = f"{device}: {count['ran']} ran"
        if count["skipped"]:
            part += f", {count['skipped']} skipped ({'; '.join(count['why_skipped'])})"
        parts.append(part)
    if parts:
        console.print("device checks — " + "; ".join(parts))


def data_sources(console: Console, results: list[ExerciseResult]) -> None:
    sources = list(dict.fromkeys(source for r in results for source in r.data))
    for source in sources:
        console.print(f"data: {source}", style="dim")


def summary_line(results: list[ExerciseResult]) -> str:
    counts = {s: sum(r.status == s for r in results) for s in STYLE}
    return ", ".join(f"{n} {STYLE[s][0]}" for s, n in counts.items() if n)


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

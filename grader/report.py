"""Shows grading results: a rich table and three-part messages in the terminal, and a JSON report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.grading import ExerciseResult, as_dict, device_checks

STYLE = {
    "passed": ("passed", "green"),
    "failed": ("failed", "red"),
    "not_started": ("not started", "yellow"),
    "error": ("error", "bold red"),
    "timeout": ("timeout", "bold red"),
    "skipped": ("skipped", "cyan"),
}


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
    console.print(Panel("\n".join(lines), title="CNN basics kit", expand=False))


def table(results: list[ExerciseResult]) -> Table:
    grid = Table(title="Results", show_lines=False)
    grid.add_column("#", justify="right")
    grid.add_column("exercise")
    grid.add_column("title", no_wrap=True, overflow="ellipsis", max_width=36)
    grid.add_column("manual")
    grid.add_column("status")
    grid.add_column("checks", justify="right")
    grid.add_column("score", justify="right")
    for n, r in enumerate(results, 1):
        label, style = STYLE[r.status]
        counted = [c for c in r.checks if c.status != "skipped"]
        skipped = len(r.checks) - len(counted)
        checks = f"{sum(c.status == 'passed' for c in counted)}/{len(counted)}"
        if skipped:
            checks += f" (+{skipped} skipped)"
        grid.add_row(
            str(n),
            r.id,
            r.title,
            " ".join(r.topics),
            Text(label, style=style),
            checks,
            f"{r.score:g}/{r.max_score}",
        )
    total = sum(r.score for r in results)
    grid.add_section()
    grid.add_row("", "total", "", "", "", "", f"{total:g}/{sum(r.max_score for r in results)}")
    return grid


def details(console: Console, results: list[ExerciseResult]) -> None:
    """Messages for everything that is not passed, grouped by exercise."""
    for r in results:
        if r.status in ("passed", "not_started", "skipped") and not any(
            c.status in ("failed", "error") for c in r.checks
        ):
            continue
        console.rule(f"[bold]{r.id}[/] — {r.title} ({' '.join(r.topics)})")
        for note in r.notes:
            console.print(Text(note, style="red"))
        shown = set(r.notes)
        for c in r.checks:
            if c.status in ("passed", "skipped") or c.message in shown:
                continue
            label, style = STYLE[c.status]
            console.print(Text.assemble((f"✗ {c.name}", "bold"), f"  [{label}]", style=style))
            if c.doc:
                console.print(Text(f"  {c.doc}", style="dim"))
            console.print(Text("  " + c.message.replace("\n", "\n  ")))
        console.print(
            f"  Hints: [bold]kit hint {r.id}[/]  (add --level 2 for more, --lang ja for Japanese)"
        )


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


def write_json(
    path: Path, results: list[ExerciseResult], env: dict, seed: int, device: str, learner_root: Path
) -> None:
    report = {
        "schema": "cnn-basics-kit/report/1",
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
        "exercises": [as_dict(r) for r in results],
    }
    Path(path).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def console() -> Console:
    return Console(stderr=False, highlight=False, soft_wrap=False, file=sys.stdout)

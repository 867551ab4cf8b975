"""Generates exercises/ from reference/ by clearing the nbgrader solution regions."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from grader import EXERCISES_DIR, PROJECT_ROOT, REFERENCE_DIR
from grader.manifest import load

# What replaces each `### BEGIN SOLUTION` … `### END SOLUTION` region; the TODO above it stays.
CODE_STUB = 'raise NotImplementedError("not started: see the TODO above")'
# Where `kit release --overwrite` keeps the files it replaces (git-ignored).
BACKUP_DIR = PROJECT_ROOT / ".kit-backup"
# The sha256 of each stub the kit last wrote into exercises/ (git-ignored). A stub that still
# has it, or that is the stub of the committed reference, holds nobody's work, so the next
# release replaces it without --overwrite: an author who changes a reference regenerates its
# stub with a plain `kit release ID`.
WRITTEN = PROJECT_ROOT / ".kit-stubs.json"


def make_stub(source: str) -> str:
    """The learner's stub for one reference module, using nbgrader's own ClearSolutions."""
    import nbformat
    from nbgrader.preprocessors import ClearSolutions

    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(source))
    clear = ClearSolutions(code_stub={"python": CODE_STUB}, enforce_metadata=False)
    notebook, _ = clear.preprocess(notebook, {})
    return notebook.cells[0].source


def planned(reference: Path = REFERENCE_DIR, exercises=None) -> dict[str, str]:
    """{module path: stub text} for the given exercises (default: every one in the manifest)."""
    return {ex.module: make_stub((reference / ex.module).read_text()) for ex in exercises or load()}


def drift(target: Path = EXERCISES_DIR, exercises=None) -> list[str]:
    """Module paths whose file in `target` differs from the generated stub (or is missing)."""
    stale = []
    for module, text in planned(exercises=exercises).items():
        path = target / module
        if not path.exists() or path.read_text() != text:
            stale.append(module)
    return stale


@dataclass
class Released:
    written: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # differs, kept: may hold a learner's work
    backups: dict[str, Path] = field(default_factory=dict)  # module -> copy of what was replaced


def release(
    target: Path = EXERCISES_DIR,
    overwrite: bool = False,
    exercises=None,
    backup_dir: Path = BACKUP_DIR,
) -> Released:
    """Writes missing or changed stubs.

    A file that exists and differs may hold a learner's work: it is replaced only with
    `overwrite`, and then only after a copy is kept under backup_dir/<UTC time>/.
    """
    done = Released()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S.%fZ")
    kits_own = target.resolve() == EXERCISES_DIR.resolve()
    for module, text in planned(exercises=exercises).items():
        path = target / module
        if path.exists() and path.read_text() == text:
            continue
        untouched = kits_own and generated_by_kit(module)
        if path.exists() and not overwrite and not untouched:
            done.refused.append(module)
            continue
        if path.exists() and not untouched:
            copy = backup_dir / stamp / module
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            done.backups[module] = copy
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        done.written.append(module)
        if kits_own:
            _remember(module, text)
    return done


def generated_by_kit(module: str) -> bool:
    """Whether exercises/<module> is, to the byte, a stub the kit generated: the one it last
    wrote there, or the one of the reference git has committed (a fresh clone's stubs)."""
    path = EXERCISES_DIR / module
    if not path.is_file():
        return False
    text = path.read_text()
    return _written().get(module) == _digest(text) or text == _committed_stub(module)


def _committed_stub(module: str) -> str | None:
    import subprocess

    try:
        shown = subprocess.run(
            ["git", "show", f"HEAD:reference/{module}"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):  # no git: only the record can tell
        return None
    return make_stub(shown.stdout) if shown.returncode == 0 else None


def _written() -> dict[str, str]:
    try:
        return json.loads(WRITTEN.read_text())
    except (OSError, ValueError):
        return {}


def _remember(module: str, text: str) -> None:
    written = _written()
    written[module] = _digest(text)
    WRITTEN.write_text(json.dumps(written, indent=1, sort_keys=True) + "\n")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()

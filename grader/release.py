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


def task_lines(exercise) -> list[str]:
    """What the stub asks, in its own words (`kit task ID` in English): the module docstring,
    then each function's or class's signature, docstring and the TODO and Note comments in it.
    Read from the reference outside its solution regions, which is the stub's text."""
    import ast

    source = (REFERENCE_DIR / exercise.module).read_text()
    lines = source.splitlines()
    hidden, inside = set(), False
    for number, line in enumerate(lines, 1):
        if "### BEGIN SOLUTION" in line:
            inside = True
        if inside:
            hidden.add(number)
        if "### END SOLUTION" in line:
            inside = False
    tree = ast.parse(source)
    out = [*(ast.get_docstring(tree) or "").splitlines()]

    def comments(first: int, last: int) -> list[str]:
        found = []
        for number in range(first, last + 1):
            text = lines[number - 1].strip()
            if number not in hidden and text.startswith("#") and "SOLUTION" not in text:
                found.append(text.lstrip("#").strip() if text.startswith("# ") else text[1:])
        return found

    def visit(node, depth: int) -> None:
        for child in node.body:
            if not isinstance(child, ast.FunctionDef | ast.ClassDef):
                continue
            if isinstance(child, ast.FunctionDef):
                head = f"{child.name}({', '.join(a.arg for a in child.args.args)})"
            else:
                head = f"class {child.name}"
            doc = ast.get_docstring(child) or ""
            notes = comments(child.lineno, child.end_lineno or child.lineno)
            if isinstance(child, ast.ClassDef):
                inner = {
                    n
                    for c in child.body
                    if isinstance(c, ast.FunctionDef)
                    for n in range(c.lineno, (c.end_lineno or c.lineno) + 1)
                }
                notes = [
                    text
                    for number in range(child.lineno, (child.end_lineno or child.lineno) + 1)
                    if number not in inner
                    for text in comments(number, number)
                ]
            if not doc and not notes and isinstance(child, ast.FunctionDef):
                continue
            out.append("")
            out.append("    " * depth + head)
            out.extend("    " * (depth + 1) + line if line else "" for line in doc.splitlines())
            if doc and notes:
                out.append("")
            out.extend("    " * (depth + 1) + line for line in notes)
            if isinstance(child, ast.ClassDef):
                visit(child, depth + 1)

    top = {
        n
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
        for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)
    }
    module_notes = [
        text for n in range(1, len(lines) + 1) if n not in top for text in comments(n, n)
    ]
    if module_notes:
        out.extend(["", *module_notes])
    visit(tree, 0)
    return out

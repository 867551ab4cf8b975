"""Generates exercises/ from reference/ by clearing the nbgrader solution regions."""

from __future__ import annotations

from pathlib import Path

from grader import EXERCISES_DIR, REFERENCE_DIR
from grader.manifest import load

# What replaces each `### BEGIN SOLUTION` … `### END SOLUTION` region; the TODO above it stays.
CODE_STUB = 'raise NotImplementedError("not started: see the TODO above")'


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


def drift(target: Path = EXERCISES_DIR) -> list[str]:
    """Module paths whose file in `target` differs from the generated stub (or is missing)."""
    stale = []
    for module, text in planned().items():
        path = target / module
        if not path.exists() or path.read_text() != text:
            stale.append(module)
    return stale


def release(
    target: Path = EXERCISES_DIR, overwrite: bool = False, exercises=None
) -> tuple[list[str], list[str]]:
    """Writes missing or changed stubs. Returns (written, refused).

    A file that exists and differs may hold a learner's work, so it is replaced only with
    `overwrite`.
    """
    written, refused = [], []
    for module, text in planned(exercises=exercises).items():
        path = target / module
        if path.exists() and path.read_text() == text:
            continue
        if path.exists() and not overwrite:
            refused.append(module)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(module)
    return written, refused

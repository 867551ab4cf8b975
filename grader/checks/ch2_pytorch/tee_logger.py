"""Checks for exercises/ch2_pytorch/tee_logger.py (manual P4)."""

import contextlib
import re
import sys

from grader.toolkit.expect import Slip, describe, fail
from grader.toolkit.learner_code import code_lines

# open(..., "w") or open(..., mode="w"), also "w+" and "wt": modes that empty the file.
WRITE_MODE = r"open\(.*(?:,\s*|mode\s*=\s*)[\"']w[t+]?[\"']"

NOT_FLUSHED_STEP = (
    "Python buffers file writes, and a run killed by a dead terminal loses the buffer. End "
    "write() with self.flush(), which flushes the terminal and the file."
)
NOT_SWAPPED_STEP = (
    "Inside the block sys.stdout is not your TeeStdout object, so print() never calls its "
    "write(). In __enter__, set sys.stdout = self (and restore the old one in __exit__)."
)
NEVER_WRITTEN_STEP = (
    "The text did not reach the file even after the block ended: write() must write each text "
    "it gets to the log file as well as to the terminal."
)
FIRST_RUN = "run 1: epoch 1  loss 0.250"
SECOND_RUN = "run 2: epoch 1  loss 0.125"


# Exceptions that typical slips raise inside TeeStdout; each is named only when the line that
# raised has the slip (the `code` pattern).
SLIPS = (
    Slip(
        error=RecursionError,
        says=r"maximum recursion depth",
        code=r"sys\.stdout\.write\(",
        explanation="While the block runs, sys.stdout is this TeeStdout object, so "
        "sys.stdout.write(text) inside write() calls write() again, endlessly (a recursion). "
        "Write to the stream saved in __enter__ instead: self.terminal.write(text).",
        topic="P4",
    ),
    Slip(
        error=RecursionError,
        says=r"maximum recursion depth",
        code=r"(?<![\w.])print\((?![^)]*file\s*=)",
        explanation="print() writes to sys.stdout, and while the block runs sys.stdout is this "
        "TeeStdout object, so print() inside write() calls write() again, endlessly (a "
        "recursion). Write to the stream saved in __enter__ instead: self.terminal.write(text).",
        topic="P4",
    ),
)


class SimulatedCrash(Exception):
    """Raised inside the with-block, standing in for a training run that fails."""


@contextlib.contextmanager
def stdout_restored():
    """Puts back the sys.stdout of the check (pytest's capture) whatever the learner's code did."""
    before = sys.stdout
    try:
        yield before
    finally:
        sys.stdout = before


def read_log(path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_print_reaches_terminal_and_file(learner, tmp_path, capsys):
    """Check that a line printed inside the block reaches the terminal and the file, once each."""
    log = tmp_path / "train.log"
    tee = learner.TeeStdout(log)
    with stdout_restored() as before, tee as entered:
        print(FIRST_RUN)
    terminal = capsys.readouterr().out
    in_file = read_log(log)
    printed = FIRST_RUN + "\n"  # print() adds the newline
    if FIRST_RUN not in terminal:
        saved = getattr(tee, "terminal", None)
        if saved is sys.__stdout__ and before is not sys.__stdout__:
            fail(
                f"print({FIRST_RUN!r}) inside the block to show on the terminal",
                "nothing on the sys.stdout that was active when the block started; your "
                "self.terminal is sys.__stdout__, the process's original stdout",
                "In __enter__, save the current sys.stdout (self.terminal = sys.stdout), not "
                "sys.__stdout__: under pytest, Jupyter or another tee the two differ, and the "
                "text must go where print() went before the block.",
                "P4",
            )
        fail(
            f"print({FIRST_RUN!r}) inside the block to show on the terminal",
            "nothing on the terminal" + (" (it reached only the log file)" if in_file else ""),
            "write() must send the text to self.terminal, the sys.stdout saved in __enter__, as "
            "well as to the file: the terminal is where you watch the run.",
            "P4",
        )
    if FIRST_RUN not in in_file:
        fail(
            f"print({FIRST_RUN!r}) inside the block to land in {log.name}",
            "no file at all" if not log.exists() else f"a file holding {in_file!r}",
            "In __enter__, open the file (mode 'a') and make this object sys.stdout; in "
            "write(), write the text to self.file too.",
            "P4",
        )
    for where, text in (("the terminal", terminal), (log.name, in_file)):
        if text != printed:
            fail(
                f"{where} to hold exactly what was printed, {printed!r}",
                repr(text),
                "write() receives each piece of text that print() produces (the line, then the "
                "newline) and must pass it on unchanged, once to self.terminal and once to "
                "self.file: self.terminal.write(text) and self.file.write(text).",
                "P4",
            )
    if entered is not tee:
        fail(
            "`with TeeStdout(path) as log:` to bind log to the TeeStdout object",
            describe(entered),
            "__enter__ must end with `return self`: the value it returns is what `as` binds.",
            "P4",
        )


def test_text_is_in_file_before_block_ends(learner, tmp_path, capsys):
    """Check that each line is flushed to the file at once, while the block is still running."""
    log = tmp_path / "train.log"
    tee = learner.TeeStdout(log)
    with stdout_restored(), tee:
        swapped = sys.stdout is tee
        print(FIRST_RUN)
        in_file = read_log(log)
    if FIRST_RUN not in in_file:
        # Buffering is the cause only where the text does reach the file once the block ends.
        if FIRST_RUN in read_log(log):
            step = NOT_FLUSHED_STEP
        elif not swapped:
            step = NOT_SWAPPED_STEP
        else:
            step = NEVER_WRITTEN_STEP
        fail(
            f"{FIRST_RUN!r} to be in {log.name} as soon as print() returns",
            f"a file holding {in_file!r} while the block was still running",
            step,
            "P4",
        )


def test_reusing_path_appends(learner, tmp_path, capsys):
    """Check that a second run with the same log path keeps the first run's text."""
    log = tmp_path / "train.log"
    for line in (FIRST_RUN, SECOND_RUN):
        with stdout_restored(), learner.TeeStdout(log):
            print(line)
    in_file = read_log(log)
    if in_file == f"{FIRST_RUN}\n{SECOND_RUN}\n":
        return
    if FIRST_RUN not in in_file and SECOND_RUN in in_file:
        opens_for_writing = any(
            re.search(WRITE_MODE, line) for line in code_lines(learner.TeeStdout)
        )
        fail(
            f"{log.name} to hold both runs, {FIRST_RUN!r} then {SECOND_RUN!r}",
            f"only the second run: {in_file!r}",
            (
                "Your code opens the log with mode 'w', which empties the file each time, so a "
                "rerun wipes the previous log."
                if opens_for_writing
                else "The first run's text was gone when the second run reopened the file."
            )
            + " Open it in append mode: open(path, 'a', encoding='utf-8').",
            "P4",
        )
    fail(
        f"{log.name} to hold exactly both runs' lines, {FIRST_RUN!r} then {SECOND_RUN!r}",
        f"a file holding {in_file!r}",
        "Open the file in append mode ('a') in __enter__, and write each text print() passes "
        "to write() into it once, unchanged.",
        "P4",
    )


def test_stdout_restored_even_when_block_raises(learner, tmp_path, capsys):
    """Check that sys.stdout is back and the file closed after the block, even when it raised."""
    log = tmp_path / "train.log"
    tee = learner.TeeStdout(log)
    with stdout_restored() as before:
        with tee:
            print(FIRST_RUN)
        after_normal_exit = sys.stdout
    crashed = False
    with stdout_restored():
        try:
            with learner.TeeStdout(log):
                print(SECOND_RUN)
                raise SimulatedCrash("the training run failed")
        except SimulatedCrash:
            crashed = True
        after_crash = sys.stdout
    for after, how in ((after_normal_exit, "the block ended"), (after_crash, "the block raised")):
        if after is before:
            continue
        if after is sys.__stdout__:
            got = "sys.__stdout__, the process's original stdout"
            step = (
                "Restore the stream saved in __enter__ (self.terminal), not sys.__stdout__: "
                "under pytest, Jupyter or another tee the two differ."
            )
        elif isinstance(after, learner.TeeStdout):
            got = "your TeeStdout object, still installed"
            step = "In __exit__, set sys.stdout = self.terminal."
        else:
            got = describe(after)
            step = "In __exit__, set sys.stdout back to the stream saved in __enter__."
        if how == "the block raised" and after_normal_exit is before:
            step = (
                "__exit__ runs when the block raises too (exc_type is then not None); restore "
                "sys.stdout whatever exc_type is."
            )
        fail(f"sys.stdout to be the previous stream again after {how}", got, step, "P4")
    if not crashed:
        fail(
            "the exception raised inside the block to reach the caller",
            "no exception: __exit__ swallowed it",
            "__exit__ returning True hides the exception, so a crashed run looks finished. "
            "Return None from __exit__.",
            "P4",
        )
    file = getattr(tee, "file", None)
    if getattr(file, "closed", True) is False:
        fail(
            "the log file to be closed after the block",
            "self.file still open",
            "Close self.file in __exit__; every run that leaves it open leaks a file handle.",
            "P4",
        )

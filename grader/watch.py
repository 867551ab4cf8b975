"""`kit watch`: regrade an exercise each time its file is saved, with one warm fork server.

watchfiles reports the save (inotify, no polling loop of ours); the exercise is graded in a
worker thread, so a new save cancels a grading still running (an endless loop need not wait
for its time limit). Each verdict replaces the previous one on the screen, with the next step.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

from rich.console import Console

from grader import grading, learner_progress, manifest, report, sandbox
from grader.i18n import _, ngettext
from grader.manifest import Exercise

# watchfiles groups the events of one save (editors write, rename and chmod): it yields once
# no new event came for STEP_MS, and at the latest after DEBOUNCE_MS.
STEP_MS, DEBOUNCE_MS = 20, 300


class Watcher:
    def __init__(
        self,
        console: Console,
        exercises: list[Exercise],
        options: grading.Options,
        remember: bool,
        server: sandbox.ForkServer | None = None,
    ):
        self.console = console
        self.exercises = exercises
        self.options = options
        self.remember = remember
        self.by_path = {(options.learner_root / ex.module).resolve(): ex for ex in exercises}
        self.server = server or grading.start_server(exercises)
        self._cancel = threading.Event()
        self._worker: threading.Thread | None = None

    def first(self) -> Exercise:
        """The exercise to show before any save: the first unfinished one of those watched."""
        state = learner_progress.load() if self.remember else {}
        for ex in self.exercises:
            if state.get(ex.id, {}).get("status") != "passed":
                return ex
        return self.exercises[0]

    def regrade(self, exercise: Exercise, saved_at: float | None) -> None:
        """Grades `exercise` in the background, cancelling a grading still in progress."""
        if self._worker and self._worker.is_alive():
            self._cancel.set()
            self._worker.join()
        self._cancel = threading.Event()
        cancel = self._cancel
        self._worker = threading.Thread(
            target=self._grade, args=(exercise, saved_at, cancel), daemon=True
        )
        self._worker.start()

    def _grade(self, exercise: Exercise, saved_at: float | None, cancel: threading.Event) -> None:
        self.console.clear()
        self.console.print(_("grading {id} …").format(id=exercise.id), style="dim")
        try:
            result = grading.grade_one(self.server, exercise, self.options, cancelled=cancel.is_set)
        except sandbox.Cancelled:
            return
        self.show(result, saved_at)

    def show(self, result: grading.ExerciseResult, saved_at: float | None) -> None:
        out = self.console
        out.clear()
        label, style = report.STYLE[result.status]
        when = f"{datetime.now():%H:%M:%S}"
        graded = (
            _("graded {time}, {seconds} s after the save").format(
                time=when, seconds=f"{time.monotonic() - saved_at:.2f}"
            )
            if saved_at
            else _("graded {time}").format(time=when)
        )
        out.print(
            f"[bold]{result.id}[/]: [{style}]{_(label)}[/] {result.score:g}/{result.max_score}"
            f"   ({graded})"
        )
        if result.status == "not_started":
            out.print(
                _("Open {path}, fill in its TODOs and save: it is graded again at once.").format(
                    path=f"{self.options.learner_root.name}/{result.chapter}/{result.id}.py"
                )
            )
        report.details(out, [result])
        for plot in result.plots:
            out.print(_("loss curves: {path}").format(path=plot), style="dim")
        if self.remember:
            view = learner_progress.overview(learner_progress.update([result]))
            out.print(learner_progress.progress_line(view))
            if result.status == "passed":
                for line in learner_progress.next_lines(view):
                    out.print(line)
        watching = ngettext(
            "Watching {n} exercise file: save it to grade it again. Ctrl-C stops.",
            "Watching {n} exercise files: save one to grade it again. Ctrl-C stops.",
            len(self.exercises),
        ).format(n=len(self.exercises))
        out.print(f"[dim]{watching}[/]")

    def run(self) -> None:
        import watchfiles

        self.regrade(self.first(), None)
        folders = sorted({path.parent for path in self.by_path})
        try:
            for changes in watchfiles.watch(
                *folders,
                watch_filter=lambda change, path: Path(path).resolve() in self.by_path,
                step=STEP_MS,
                debounce=DEBOUNCE_MS,
                recursive=False,
                raise_interrupt=True,
            ):
                saved_at = time.monotonic()
                touched = {self.by_path[Path(path).resolve()].id for _, path in changes}
                # One exercise at a time: of those saved together, the last in manifest order.
                exercise = [ex for ex in self.exercises if ex.id in touched][-1]
                self.regrade(exercise, saved_at)
        finally:
            self._cancel.set()
            if self._worker:
                self._worker.join()


def watch(
    console: Console,
    names: list[str],
    options: grading.Options,
    remember: bool,
    server: sandbox.ForkServer | None = None,
) -> None:
    exercises = manifest.select(names)
    Watcher(console, exercises, options, remember, server).run()

"""The loss-curve pictures: whose curve is whose, what is plotted, the epochs fit picked, and a
folder per graded code, so that grading the reference never replaces the learner's picture."""

import importlib.util
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from grader import CHECKS_DIR, EXERCISES_DIR, REFERENCE_DIR
from grader.toolkit import plots
from tests.conftest import kit_command, own_code


def fit_checks():
    spec = importlib.util.spec_from_file_location("fit_checks", CHECKS_DIR / "ch3_housing/fit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_picture_names_whose_curve_is_whose_what_it_shows_and_the_marked_epochs():
    marks = fit_checks().curve_marks([3.0, 2.0, 1.0, 1.5, 1.7], returned=1.7)
    assert [(m.epoch, m.label) for m in marks] == [
        (3, "lowest validation MSE (epoch 3)"),
        (5, "weights fit returned (epoch 5)"),
    ]
    drawn = plots.figure(
        "fit",
        [3.0, 2.0, 1.0, 1.5, 1.7],
        [3.1, 2.1, 1.1, 1.6],
        quantity="validation MSE",
        data="400 validation samples",
        marks=marks,
        learner_label=plots.whose(EXERCISES_DIR),
    )
    axes = drawn.axes[0]
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend == [
        "your code",
        "reference solution",
        "lowest validation MSE (epoch 3)",
        "weights fit returned (epoch 5)",
    ]
    title = axes.get_title().replace("\n", " ")
    assert title == "fit: validation MSE by epoch, on 400 validation samples"
    assert axes.get_ylabel() == "validation MSE"
    marked = {
        line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in axes.lines
    }
    assert marked["lowest validation MSE (epoch 3)"] == ([3], [1.0])
    assert marked["weights fit returned (epoch 5)"] == ([5], [1.7])


def test_a_mark_on_the_best_epoch_when_fit_returned_it():
    marks = fit_checks().curve_marks([3.0, 2.0, 1.0, 1.5], returned=1.0)
    assert [m.epoch for m in marks] == [3, 3]
    assert fit_checks().curve_marks([3.0, 2.0], returned=9.0)[1:] == []  # weights of no epoch


def test_each_graded_folder_has_its_own_pictures_and_legend(tmp_path):
    one, two = tmp_path / "a" / "exercises", tmp_path / "b" / "exercises"
    names = {plots.folder_name(p) for p in (EXERCISES_DIR, REFERENCE_DIR, one, two)}
    assert len(names) == 4 and {"exercises", "reference"} <= names
    assert plots.whose(EXERCISES_DIR) == "your code"
    assert plots.whose(REFERENCE_DIR) == "graded code (reference/)"
    assert plots.whose(one) == "your code (exercises/)"


def test_grading_the_reference_keeps_the_learners_pictures(project_copy):
    """The learner's fit and train_epoch, graded in their exercises/, then the reference: each
    run reports its own pictures, and the learner's stay as they were."""
    for module in ("ch3_housing/fit.py", "ch3_housing/train_epoch.py"):
        (project_copy / "exercises" / module).write_text(
            own_code((REFERENCE_DIR / module).read_text())
        )
    reports = {}
    for name, extra in (("learner", []), ("reference", ["--exercises", "reference"])):
        out = project_copy / f"{name}.json"
        run = kit_command(project_copy, "grade", "fit", "train_epoch", "--json", str(out), *extra)
        assert run.returncode == 0, run.stdout + run.stderr
        report = json.loads(out.read_text())
        reports[name] = {e["id"]: e["plots"] for e in report["exercises"]}
        if name == "learner":
            before = {
                path: (project_copy / path).read_bytes()
                for paths in reports[name].values()
                for path in paths
            }
    assert reports["learner"] == {
        "fit": [".kit-plots/exercises/fit.png"],
        "train_epoch": [".kit-plots/exercises/train_epoch-cpu.png"],
    }
    assert reports["reference"] == {
        "fit": [".kit-plots/reference/fit.png"],
        "train_epoch": [".kit-plots/reference/train_epoch-cpu.png"],
    }
    for path, content in before.items():
        assert (project_copy / path).read_bytes() == content, path
    assert all(Path(project_copy, p).is_file() for ps in reports["reference"].values() for p in ps)

"""Checks for exercises/ch4_cifar/predictions_csv.py (manual P18, P19)."""

import csv
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset

from grader.toolkit.expect import Mistake, describe, expect_close, fail
from grader.toolkit.loaders import synthetic_loader
from grader.toolkit.numbers import expect_pair
from grader.toolkit.references import reference_module

HEADER = ["prediction", "confidence", "answer"]
BATCH = 16  # not 10, so the batch axis and the class axis cannot be confused unnoticed
LOADER_BATCHES = (7, 5)  # a short second batch, like the last batch of a test set
LOGIT_SCALE = 4.0  # spreads the check model's logits: confidences range from about 0.3 to 0.9
# Confidences are float32 softmax values. A CSV written with str() keeps them to float32 precision,
# and one rounded to 4 decimals is off by at most 5e-5; a missing softmax or a softmax over the
# wrong axis is off by 0.01 or (much) more.
CONF_ATOL = 1e-4
CIFAR_ROWS = 200  # test images written by the real-data check


class ScaledLinear(nn.Module):
    """A small classifier whose logits are spread out, so confidences differ clearly."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(3 * 32 * 32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return LOGIT_SCALE * self.linear(torch.flatten(x, 1))


def read_predictions(
    path: Path, samples: int, batches: tuple[int, ...] = LOADER_BATCHES
) -> tuple[list[int], list[float], list[int]]:
    """The CSV's three columns, after checking its header and row count."""
    if not path.exists():
        fail(
            f"a CSV file at {path.name}",
            "no file",
            "Open the path you are given and write into it.",
            "P19",
        )
    with open(path, newline="") as f:
        rows = [row for row in csv.reader(f) if row]
    if not rows:
        fail(
            "a header row and one row per sample",
            "an empty file",
            "Write the rows with csv.writer(f).writerow(...) inside the `with open(...)` block.",
            "P19",
        )
    header = [cell.strip() for cell in rows[0]]
    if all(_is_number(cell) for cell in header):
        fail(
            f"a header row {HEADER}",
            f"a first row of numbers {rows[0]}",
            "Write the header "
            "first: writer.writerow(['prediction', 'confidence', 'answer']), before the loop.",
            "P19",
        )
    if header != HEADER:
        step = (
            "The columns are in another order. Write them as prediction, confidence, answer, in "
            "the header and in every row."
            if sorted(header) == sorted(HEADER)
            else "Name the columns exactly prediction, confidence and answer."
        )
        fail(f"the header row {HEADER}", f"{rows[0]}", step, "P19")
    body = rows[1:]
    repeats = sum(1 for row in body if [cell.strip() for cell in row] == HEADER)
    if repeats:
        fail(
            "the header row once, at the top",
            f"the header {1 + repeats} times, once per batch",
            "Write the header once, before the loop over the batches: "
            "writer.writerow(['prediction', 'confidence', 'answer']) belongs above "
            "`for images, labels in loader:`.",
            "P19",
        )
    if len(body) != samples:
        if len(body) == len(batches):
            step = (
                "That is one row per batch. Loop over the samples of each batch too, writing one "
                "row each."
            )
        elif len(body) == batches[-1]:
            step = (
                f"That is the last batch only ({batches[-1]} samples): the rows are written "
                "after the loop, from the last batch's variables. Write each batch's rows inside "
                "the loop over the batches."
            )
        else:
            step = "Write exactly one row per sample."
        fail(f"{samples} rows after the header, one per sample", f"{len(body)} rows", step, "P19")
    try:
        predictions = [int(row[0]) for row in body]
        confidences = [float(row[1]) for row in body]
        answers = [int(row[2]) for row in body]
    except (ValueError, IndexError) as exc:
        bad = next(row for row in body if not _is_row(row))
        if any(cell.strip().startswith("tensor(") for cell in bad):
            step = (
                "Write Python numbers: use .tolist() on the tensors (a tensor prints as "
                "'tensor(3)')."
            )
        elif len(bad) == 3 and _is_number(bad[0]) and _is_int(bad[1]):
            step = (
                "Your prediction column holds fractions and the confidence column whole numbers: "
                "predict's two results are the wrong way round. max(dim=1) returns (values, "
                "indices); predict returns (predictions, confidences)."
            )
        else:
            step = "Write each row as [prediction, confidence, answer]: an int, a float, an int."
        fail("rows of an int, a float and an int", f"{bad} ({exc})", step, "P19")
    return predictions, confidences, answers


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _is_row(row: list[str]) -> bool:
    return len(row) >= 3 and _is_int(row[0]) and _is_number(row[1]) and _is_int(row[2])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def per_batch_logits(model: nn.Module, loader, device) -> list[torch.Tensor]:
    with torch.no_grad():
        return [model.eval()(images.to(device)).cpu() for images, _ in loader]


def expect_same_rows(got: tuple, want: tuple, batches: list[torch.Tensor]) -> None:
    """Column by column, with the realistic slips named; `batches` holds each batch's logits."""
    predictions, confidences, answers = got
    want_predictions, want_confidences, want_answers = want
    if (
        predictions == want_answers
        and answers == want_predictions
        and predictions != want_predictions
    ):
        fail(
            "the prediction column first and the answer (true label) column last",
            "the two columns swapped",
            "Write each row as [prediction, confidence, answer].",
            "P19",
        )

    def each(confidence) -> torch.Tensor:
        return torch.cat([confidence(logits) for logits in batches])

    mistakes = (
        Mistake(
            each(lambda logits: logits.max(dim=1).values),
            "Those are the raw logits' maxima, not probabilities. "
            "Apply torch.softmax(logits, dim=1) outside the model and take the max of that.",
        ),
        Mistake(
            each(lambda logits: torch.log_softmax(logits, dim=1).max(dim=1).values),
            "Those are log-probabilities (log_softmax), which are <= 0, not probabilities "
            "in [0, 1]. The confidence is torch.softmax(logits, dim=1).max(dim=1).",
        ),
        Mistake(
            each(lambda logits: torch.softmax(logits, dim=0).max(dim=1).values),
            "You applied softmax over the batch axis (dim=0). Each image's 10 class "
            "probabilities must sum to 1: use dim=1.",
        ),
        Mistake(
            each(lambda logits: torch.sigmoid(logits).max(dim=1).values),
            "Those are sigmoids of the logits, which do not sum to 1 over the classes. The "
            "confidence is torch.softmax(logits, dim=1).max(dim=1).",
        ),
    )
    expect_close(
        confidences,
        want_confidences,
        what="the confidence column",
        topic="P18, P19",
        rtol=0,
        atol=CONF_ATOL,
        mistakes=mistakes,
    )
    expect_close(
        predictions,
        want_predictions,
        what="the prediction column",
        topic="P19",
        rtol=0,
        atol=0,
        next_step="The prediction is the class with the largest logit: argmax over dim=1.",
    )
    if answers == predictions and want_answers != want_predictions:
        fail(
            "the answer column to hold the true labels",
            "the predictions again",
            "Your answer column repeats the predictions. The answer is the true label the "
            "loader gives with each image (labels in `for images, labels in loader`).",
            "P19",
        )
    expect_close(
        answers,
        want_answers,
        what="the answer column",
        topic="P19",
        rtol=0,
        atol=0,
        next_step="The answer is the label the loader gives with each image, in the same order.",
    )


def test_predict_gives_argmax_and_softmax_confidence(learner, reference, device):
    """Check that predict returns each image's argmax class and its softmax probability."""
    model = ScaledLinear().to(device).eval()
    images = torch.randn(BATCH, 3, 32, 32, device=device)
    got = learner.predict(model, images)
    predictions, confidences = expect_pair(
        got,
        "predict to return (predictions, confidences)",
        "Return both tensors as a tuple: predictions first.",
        "P19",
        kinds=(tuple,),
    )
    want_predictions, want_confidences = reference.predict(model, images)
    with torch.no_grad():
        logits = model(images).cpu()
    if (
        getattr(predictions, "dtype", None) in (torch.float32, torch.float64)
        and getattr(confidences, "dtype", None) == torch.int64
    ):
        fail(
            "(predictions, confidences)",
            f"({describe(predictions)}, {describe(confidences)})",
            "max(dim=1) returns (values, indices): the values are the confidences and the indices "
            "the predictions. Return predictions, confidences in that order.",
            "P19",
        )
    if tuple(getattr(predictions, "shape", ())) == (10,):
        fail(
            f"predictions of shape ({BATCH},)",
            describe(predictions),
            "You took the max over the "
            "batch axis. The logits are (B, 10): take max/argmax over the classes, dim=1.",
            "T7, P19",
        )
    expect_close(
        confidences,
        want_confidences,
        what=f"the confidences for {BATCH} images",
        topic="P18, P19",
        rtol=1e-5,
        atol=1e-6,
        mistakes=(
            Mistake(
                logits.max(dim=1).values,
                "Those are the raw logits' maxima, not probabilities: the "
                "model has no softmax (P18). Apply torch.softmax(logits, dim=1) and take the max.",
            ),
            Mistake(
                torch.softmax(logits, dim=0).max(dim=1).values,
                "You applied softmax over the batch "
                "axis (dim=0). Each image's 10 class probabilities must sum to 1: use dim=1.",
            ),
            Mistake(
                torch.log_softmax(logits, dim=1).max(dim=1).values,
                "Those are log-probabilities (log_softmax), which are <= 0, not probabilities "
                "in [0, 1]. The confidence is the softmax probability: torch.softmax(logits, "
                "dim=1), then .max(dim=1).",
            ),
            Mistake(
                torch.sigmoid(logits).max(dim=1).values,
                "Those are sigmoids of the logits, one per class independently, so they do not "
                "sum to 1 over the classes. The confidence is the softmax probability: "
                "torch.softmax(logits, dim=1), then .max(dim=1).",
            ),
        ),
    )
    expect_close(
        predictions,
        want_predictions,
        what=f"the predictions for {BATCH} images",
        topic="P19",
        rtol=0,
        atol=0,
        next_step="The prediction is the argmax over the class axis (dim=1).",
    )
    if getattr(predictions, "dtype", None) != torch.int64:
        fail(
            "predictions of dtype torch.int64 (class indices)",
            describe(predictions),
            "Use the indices that argmax or max(dim=1) return.",
            "P19",
        )
    if getattr(confidences, "dtype", None) != torch.float32:
        fail(
            "confidences of dtype torch.float32",
            describe(confidences),
            "torch.softmax of float32 logits is float32 already: keep it as it comes.",
            "P19",
        )
    if any(getattr(t, "requires_grad", False) for t in (predictions, confidences)):
        fail(
            "plain tensors, without an autograd graph",
            "confidences with requires_grad=True",
            "Your confidences were computed outside torch.no_grad(), so they carry the "
            "autograd graph (requires_grad=True) and keep it in memory. Run the model and the "
            "softmax inside `with torch.no_grad():`.",
            "P19",
        )


def test_csv_has_header_and_one_row_per_sample(learner, reference, device, tmp_path):
    """Check that write_predictions writes a header and one row per sample."""
    model = ScaledLinear().to(device)
    loader = synthetic_loader(LOADER_BATCHES, learnable=False)
    learner.write_predictions(model, loader, device, tmp_path / "predictions.csv")
    reference.write_predictions(model, loader, device, tmp_path / "reference.csv")
    samples = sum(LOADER_BATCHES)
    expect_same_rows(
        read_predictions(tmp_path / "predictions.csv", samples),
        read_predictions(tmp_path / "reference.csv", samples),
        per_batch_logits(model, loader, device),
    )


def test_csv_matches_reference_on_cifar_test_images(
    learner, reference, seed, device, datasets, tmp_path
):
    """Check that, for 200 CIFAR-10 test images and the manual's CNN, the CSV is the reference's."""
    model = ScaledLinear().to(device)
    learner.write_predictions(
        model, synthetic_loader(LOADER_BATCHES, learnable=False), device, tmp_path / "synthetic.csv"
    )  # before data
    transform = reference_module("ch4_cifar/cifar_transforms.py").make_transform()
    test = datasets.cifar10(train=False, transform=transform)
    loader = DataLoader(Subset(test, range(CIFAR_ROWS)), batch_size=100)
    torch.manual_seed(seed)
    cnn = reference_module("ch4_cifar/cnn.py").CNN().to(device)
    learner.write_predictions(cnn, loader, device, tmp_path / "predictions.csv")
    reference.write_predictions(cnn, loader, device, tmp_path / "reference.csv")
    got = read_predictions(tmp_path / "predictions.csv", CIFAR_ROWS, (100, 100))
    want = read_predictions(tmp_path / "reference.csv", CIFAR_ROWS, (100, 100))
    if want[2] != test.targets[:CIFAR_ROWS]:
        raise AssertionError(
            "the reference CSV's answers are not the test labels"
        )  # kit bug, not learner
    expect_same_rows(got, want, per_batch_logits(cnn, loader, device))

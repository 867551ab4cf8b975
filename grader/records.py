"""The records an exercise's process sends the kit, and the channel they travel on.

The channel is the write end of a pipe that the kit made for this one exercise
(grader.sandbox), never a file in a folder that code can write. Each record is one of the
dataclasses below, sent as JSON with its `event` name and parsed back into its dataclass on
receipt (`parse`), so the kit's side works with typed records only.

Learner code runs in the same process, so it could find this end and send records of its own.
`parse` therefore refuses anything that is not exactly one of these records (a `Malformed`
stands in for it), and grader.grading.fold accepts only results for the checks collected
before any learner code was imported, and counts nothing from a process that did not end
cleanly.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass


@dataclass(frozen=True)
class Collected:
    """The checks of the exercise, listed before any learner code is imported."""

    checks: list[str]


@dataclass(frozen=True)
class CollectError:
    """The exercise's check module could not be loaded."""

    message: str


@dataclass(frozen=True)
class CollectSkipped:
    """The whole check module was skipped (a framework or device missing)."""

    message: str


@dataclass(frozen=True)
class Started:
    check: str


@dataclass(frozen=True)
class CheckDone:
    """One phase (setup or call) of one check, with its verdict."""

    check: str
    status: str
    message: str
    doc: str
    device: str | None = None
    where: dict | None = None
    fault: str = "learner"
    flag: str | None = None
    when: str = "call"


@dataclass(frozen=True)
class Interrupted:
    """KeyboardInterrupt or pytest.exit() raised inside the exercise's process."""

    kind: str
    where: str | None = None


@dataclass(frozen=True)
class Finished:
    """pytest's session finished: the handshake without which the process ended early."""

    exitstatus: int


@dataclass(frozen=True)
class DataUsed:
    """Where a dataset came from, said once in the report."""

    message: str


@dataclass(frozen=True)
class PlotSaved:
    path: str


@dataclass(frozen=True)
class Terminal:
    """A library is about to draw on the terminal ("begin") or has finished ("end")."""

    state: str


@dataclass(frozen=True)
class Progress:
    """One training epoch done, for the live display."""

    epoch: int | None = None
    epochs: int | None = None
    loss: float | None = None
    who: str = "your code"


@dataclass(frozen=True)
class SlipUnconfirmed:
    """Under `kit dev check`: a slip's exception came, but its code pattern missed the line."""

    check: str
    slip: int
    error: str
    says: str
    code: str | None = None
    line: str | None = None


@dataclass(frozen=True)
class DiagnosisAudit:
    """Under the silence tests and `kit dev check`: what a generic diagnoser did (its outcome:
    silent, fired_on_pass, crashed or shadowed) and what it said."""

    outcome: str
    diagnoser: str | None = None
    what: str | None = None
    said: str | None = None
    error: str | None = None
    mistake: str | None = None


@dataclass(frozen=True)
class Environment:
    """The exercise processes' versions and devices (grader.environment)."""

    values: dict


@dataclass(frozen=True)
class Malformed:
    """Something arrived that is not a record the kit sends; never sent, only parsed."""

    why: str


Record = (
    Collected
    | CollectError
    | CollectSkipped
    | Started
    | CheckDone
    | Interrupted
    | Finished
    | DataUsed
    | PlotSaved
    | Terminal
    | Progress
    | SlipUnconfirmed
    | DiagnosisAudit
    | Environment
)

# What the kit's side holds after parsing: a record, or what stood in for something else.
Received = Record | Malformed

EVENTS: dict[str, type] = {
    "collected": Collected,
    "collect_error": CollectError,
    "collect_skipped": CollectSkipped,
    "start": Started,
    "check": CheckDone,
    "interrupted": Interrupted,
    "finished": Finished,
    "data": DataUsed,
    "plot": PlotSaved,
    "terminal": Terminal,
    "progress": Progress,
    "slip_unconfirmed": SlipUnconfirmed,
    "diagnosis_audit": DiagnosisAudit,
    "environment": Environment,
}
_NAMES = {kind: name for name, kind in EVENTS.items()}

_channel = None


def open_channel(channel) -> None:
    """Called once, in the exercise's process, before its checks run."""
    global _channel
    _channel = channel


def send(record: Record) -> None:
    """Sends one record to the kit; a no-op outside an exercise's process (plain pytest)."""
    if _channel is not None:
        _channel.send_bytes(encode(record))


def active() -> bool:
    return _channel is not None


def encode(record: Record) -> bytes:
    return json.dumps({"event": _NAMES[type(record)], **dataclasses.asdict(record)}).encode()


def parse(data: bytes) -> Received:
    """The record in `data`, or a Malformed saying why it is none."""
    try:
        fields = json.loads(data)
    except ValueError:
        return Malformed("not JSON")
    if not isinstance(fields, dict):
        return Malformed("not a JSON object")
    kind = EVENTS.get(fields.pop("event", None))  # type: ignore[arg-type]
    if kind is None:
        return Malformed("an unknown event")
    hints = typing.get_type_hints(kind)
    names = {f.name for f in dataclasses.fields(kind)}
    if not set(fields) <= names:
        return Malformed(f"unknown fields in a {_NAMES[kind]} record")
    for name, value in fields.items():
        if not _fits(value, hints[name]):
            return Malformed(f"{name} of a {_NAMES[kind]} record has the wrong type")
    try:
        return kind(**fields)
    except TypeError:
        return Malformed(f"fields missing from a {_NAMES[kind]} record")


def _fits(value, hint) -> bool:
    """Whether a JSON value has the field's declared type (bool is not an int here)."""
    if isinstance(hint, types.UnionType):
        return any(_fits(value, arm) for arm in typing.get_args(hint))
    if hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_fits(v, item) for v in value)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)

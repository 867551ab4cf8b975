"""The channel an exercise's process sends its records on: the write end of a pipe that the kit
made for this one exercise (grader.sandbox), never a file in a folder that code can write.

Learner code runs in the same process, so it could find this end and send records of its own;
grader.grading.fold therefore accepts only records for the checks collected before any learner
code was imported, and counts nothing from a process that did not end cleanly.
"""

from __future__ import annotations

import json

_channel = None


def open_channel(channel) -> None:
    """Called once, in the exercise's process, before its checks run."""
    global _channel
    _channel = channel


def send(**fields) -> None:
    """Sends one record to the kit; a no-op outside an exercise's process (plain pytest)."""
    if _channel is not None:
        _channel.send_bytes(json.dumps(fields).encode())


def active() -> bool:
    return _channel is not None

"""CSV that a spreadsheet opens as data: every CSV the kit writes goes through here.

A cell that starts with =, +, - or @ is a formula to Excel, LibreOffice and Google Sheets, so a
learner named "=HYPERLINK(...)" would run in the supervisor's spreadsheet. As OWASP recommends
(CSV injection), such a cell is written with a single quote in front, which the spreadsheet
shows as text. A number stays a number: -1.5 is written as it is. Tabs and carriage returns
at the start of a cell are neutralised the same way.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and text.strip() == text


def cell(value: object) -> str:
    """One cell as written: numbers as numbers, formulas as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    if text.startswith(TRIGGERS) and not _is_number(text):
        return "'" + text
    return text


class Writer:
    """csv.writer whose every cell goes through cell()."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([cell(v) for v in row])

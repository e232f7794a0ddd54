"""CSV results: the ranking, UTF-8 with BOM so that Excel on Windows reads the Chinese."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from kaohe.errors import printable
from kaohe.numbers import Rational, approximate
from kaohe.report.atomic import atomic_path
from kaohe.report.tables import neutralise


def write_csv(target: str | Path, table: list[list[object]], inputs: list[str]) -> None:
    with atomic_path(target, inputs) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            for row in table:
                writer.writerow([_cell(v) for v in row])


def _cell(value: object) -> object:
    """A number as its digits (a Rational to ten places, as a spreadsheet holds it): `-300` stays
    the number -300. Only text is guarded: made inert where a spreadsheet would run it as a
    formula, and its control characters written as escapes (`\\x1b`), as on the terminal."""
    if isinstance(value, (Decimal, Rational)):
        return format(approximate(value), "f")
    if isinstance(value, str):
        return neutralise(printable(value, keep="\n\t"))
    return value

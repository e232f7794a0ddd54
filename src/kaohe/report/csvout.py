"""CSV results: the ranking, UTF-8 with BOM so that Excel on Windows reads the Chinese."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from kaohe.numbers import Rational, approximate
from kaohe.report.atomic import atomic_path
from kaohe.report.tables import neutralise


def write_csv(target: str | Path, table: list[list[object]], inputs: list[str]) -> None:
    with atomic_path(target, inputs) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            for row in table:
                writer.writerow([neutralise(_cell(v)) for v in row])


def _cell(value: object) -> object:
    if isinstance(value, (Decimal, Rational)):  # a Rational to ten places, as a spreadsheet holds it
        return format(approximate(value), "f")
    return value

"""CSV results: the ranking, UTF-8 with BOM so that Excel on Windows reads the Chinese; results
get a sidecar `NAME.manifest.json` with what the JSON results record of their making."""

from __future__ import annotations

import csv
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Callable

from kaohe.errors import printable
from kaohe.numbers import Rational, approximate, exact_text
from kaohe.report.atomic import atomic_path
from kaohe.report.tables import neutralise


def write_csv(target: str | Path, table: list[list[object]], inputs: list[str],
              manifest: Callable[[str, str], dict[str, object]] | None = None) -> None:
    """With `manifest` (results), `NAME.manifest.json` is written beside the csv, atomically too:
    the record `manifest(csv file name, csv SHA-256)` gives."""
    with atomic_path(target, inputs) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            for row in table:
                writer.writerow([_cell(v) for v in row])
        digest = hashlib.sha256(Path(tmp).read_bytes()).hexdigest()
    if manifest is not None:
        target = Path(target)
        with atomic_path(manifest_path(target), [*inputs, str(target)]) as tmp:
            text = json.dumps(manifest(target.name, digest), ensure_ascii=False, indent=2) + "\n"
            Path(tmp).write_text(text, encoding="utf-8", newline="\n")


def manifest_path(target: Path) -> Path:
    """`结果.csv` → `结果.manifest.json`, beside it."""
    return target.with_name(f"{target.stem}.manifest.json")


def _cell(value: object) -> object:
    """A number as its digits (a Rational to ten places, as a spreadsheet holds it): `-300` stays
    the number -300. Only text is guarded: made inert where a spreadsheet would run it as a
    formula, and its control characters written as escapes (`\\x1b`), as on the terminal."""
    if isinstance(value, Decimal):
        return exact_text(value)  # 2, not 2.0
    if isinstance(value, Rational):
        return format(approximate(value), "f")
    if isinstance(value, str):
        return neutralise(printable(value, keep="\n\t"))
    return value

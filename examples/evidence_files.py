"""What the examples' make_evidence.py scripts share: one table of values written as the three
evidence files a unit might send (wide CSV, long CSV, long XLSX)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable

from openpyxl import Workbook

SIMPLIFIED = ("单位", "指标", "值", "备注", "证据")
TRADITIONAL = ("單位", "指標", "值", "備註", "證據")


def write_evidence(folder: Path, data: dict[str, dict[str, str]], ids: list[str],
                   notes: dict[str, dict[str, str]], cell: Callable[[str, str], object],
                   headers: tuple[str, ...] = SIMPLIFIED) -> None:
    """evidence.csv (wide: unit + one column per id), evidence-long.csv (unit, id, value, note)
    and evidence.xlsx (the long form; `cell(id, text)` gives each value as the sheet holds it)."""
    unit, input_id, value, note, sheet = headers
    with open(folder / "evidence.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([unit, *ids])
        for name, row in data.items():
            w.writerow([name, *(row[k] for k in ids)])

    long_rows = [(name, k, row[k], notes.get(name, {}).get(k, "")) for name, row in data.items() for k in ids]
    with open(folder / "evidence-long.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([unit, input_id, value, note])
        w.writerows(long_rows)

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([unit, input_id, value, note])
    for name, k, v, remark in long_rows:
        ws.append([name, k, cell(k, v), remark or None])
    wb.save(folder / "evidence.xlsx")

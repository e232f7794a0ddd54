"""Hostile input (issue 13, area `evidence`): message floods and files given twice. A header of
many unknown columns, a wrong unit name in a wide row, a backup copy of the evidence sheet left in
the workbook (the same, and differing in one cell), the same file given twice and a copy of a file
given beside it. Run by tests/hostile/make_corpus.py (`main(folder)` writes the files); each is
listed in expected.yaml beside it with what it gets. Attacks that need a huge file (a 2 GiB CSV, a
million columns) are made at test time: tests/test_hostile_evidence.py."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

IDS = ["1.1.1", "1.2.1", "1.3.1", "2.1.1", "2.2.1", "2.2.2", "2.3.1", "2.4.1", "3.1.1", "3.1.2"]
"""Ten ids of schemes/changzhou-2018.yaml, with values each accepts."""
VALUES = [2, 4, 3, "是", "是", "否", 1, 8, "是", "是"]
UNITS = ["溧阳市", "金坛区", "武进区"]


def _book(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main(folder: Path) -> None:
    def text(name: str, body: str) -> None:
        (folder / name).write_text(body, encoding="utf-8")

    # 40 header cells that are no id of the scheme: one message with the count and the first five.
    text("unknown_columns.csv", "单位,1.1.1," + ",".join(f"列{i}" for i in range(40)) + "\n"
         + "溧阳市,2," + ",".join("1" for _ in range(40)) + "\n")
    # A wide row under a misspelt unit: one message for the row with the count of its values.
    text("wrong_unit_wide.csv", "单位," + ",".join(IDS) + "\n溧阳," + ",".join(map(str, VALUES)) + "\n")
    wide = [["单位", *IDS]] + [[unit, *VALUES] for unit in UNITS]
    # The evidence sheet and a backup copy of it (Excel's "移动或复制 → 建立副本"): scored once, warned.
    (folder / "backup_sheet.xlsx").write_bytes(_book({"证据": wide, "证据 (2)": wide}))
    # The copy differs in one cell: that pair is a conflict (an error); the rest is told once.
    changed = [list(row) for row in wide]
    changed[2][2] = 3
    (folder / "backup_differs.xlsx").write_bytes(_book({"证据": wide, "证据 (2)": changed}))
    # The same file given twice (args name it twice), and a copy of a file given beside it.
    text("given_twice.csv", "单位,1.1.1\n溧阳市,2\n")
    text("copy_a.csv", "单位,1.1.1\n金坛区,1\n")
    text("copy_b.csv", "单位,1.1.1\n金坛区,1\n")

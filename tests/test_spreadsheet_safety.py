"""Text that looks like a formula is written as text; numbers stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from kaohe.cli import build_app

SCHEME = """\
id: t
title: 测试
full_score: 10
units: [{name: "=1+1"}, {name: "@SUM(A1)"}, {name: 正常单位}]
sections:
  - id: "1"
    title: 基础
    points: 10
    items:
      - id: "1.1"
        title: 评定
        points: 10
        criteria: [{id: 1.1.1, text: 最高得10分, points: 10, rule: {kind: judged}}]
"""


def test_formula_looking_text_round_trips_as_text(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SCHEME, encoding="utf-8")
    (tmp_path / "e.csv").write_text(
        '单位,指标,值,备注\n=1+1,1.1.1,8,"=HYPERLINK(""http://x"",""点我"")"\n@SUM(A1),1.1.1,-0,+1\n正常单位,1.1.1,9.5,-\n',
        encoding="utf-8")
    out_xlsx, out_csv = tmp_path / "r.xlsx", tmp_path / "r.csv"
    for out in (out_xlsx, out_csv):
        result = CliRunner().invoke(build_app(), ["score", str(tmp_path / "s.yaml"), str(tmp_path / "e.csv"),
                                                  "-o", str(out)])
        assert result.exit_code == 0, result.output
    book = load_workbook(out_xlsx)
    ranking = book["排名"]
    names = {ranking.cell(row=r, column=2).value: ranking.cell(row=r, column=2) for r in range(4, 7)}  # below the title
    assert set(names) == {"=1+1", "@SUM(A1)", "正常单位"}
    assert all(cell.data_type == "s" for cell in names.values())  # stored as text, never a formula
    totals = [ranking.cell(row=r, column=ranking.max_column).value for r in range(4, 7)]
    assert sorted(float(v) for v in totals) == [0, 8, 9.5]  # numbers stay numbers
    notes = {row[0]: row[7] for row in book["明细"].iter_rows(min_row=4, values_only=True)}
    assert notes["=1+1"] == '=HYPERLINK("http://x","点我")' and notes["@SUM(A1)"] == "+1"
    rows = list(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    cells = [row[1] for row in rows[1:]]
    # In CSV a leading apostrophe makes Excel show the text and never evaluate it.
    assert sorted(cells) == ["'=1+1", "'@SUM(A1)", "正常单位"]
    assert {row[-1] for row in rows[1:]} == {"8", "0", "9.5"}

"""Evidence with the unit's own value (自评) and the accepted one (核定): the accepted is scored,
and the differences are reported per unit and item."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import SCHEMES
from kaohe.cli import build_app

SCHEME = str(SCHEMES / "changzhou-2018.yaml")
ROWS = "单位,指标,自评,核定,备注\n溧阳市,1.1.1,3,2,\n溧阳市,4.1.1,4,3.5,\n溧阳市,2.1.1,是,,\n"


def test_accepted_values_are_scored_and_differences_reported(tmp_path: Path) -> None:
    evidence = tmp_path / "e.csv"
    evidence.write_text(ROWS, encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["score", SCHEME, str(evidence), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    liyang = next(u for u in doc["units"] if u["unit"] == "溧阳市")
    # Accepted: 1.1.1 2 meetings → 2; 4.1.1 judged 3.5; 2.1.1 not yet accepted → its 自评 是 → 2.
    # Total 2 + 3.5 + 2 = 7.5. Self: 1.1.1 3 meetings, capped at 2 → also 2 (no difference);
    # 4.1.1 4 → item 4.1 4 vs 3.5: −0.5; total 8 vs 7.5.
    assert liyang["total"] == "7.5"
    assert doc["differences"] == [{"unit": "溧阳市", "item": "4.1", "self": "4", "accepted": "3.5"},
                                  {"unit": "溧阳市", "item": None, "self": "8", "accepted": "7.5"}]
    assert f"{evidence}:4:4: 警告: 未核定,暂按自评值计分" in result.stderr


def test_differences_sheet_in_the_results_workbook(tmp_path: Path) -> None:
    evidence = tmp_path / "e.csv"
    evidence.write_text(ROWS, encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert CliRunner().invoke(build_app(), ["score", SCHEME, str(evidence), "-o", str(out)]).exit_code == 0
    rows = list(load_workbook(out)["差异"].iter_rows(values_only=True))
    assert rows[0] == ("单位", "评价内容", "自评", "核定", "差异")
    assert rows[1][:2] == ("溧阳市", "4.1") and float(rows[1][4]) == -0.5

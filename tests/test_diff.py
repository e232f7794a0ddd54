"""`kaohe diff`: what an appeal changed, per unit and item, and how rank and grade moved."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import EXAMPLES, SCHEMES
from kaohe.cli import build_app

SCHEME = str(SCHEMES / "changzhou-2018.yaml")
LONG = EXAMPLES / "changzhou-2018" / "evidence-long.csv"


def test_an_appeal_moves_an_item_the_total_and_the_rank(tmp_path: Path) -> None:
    # 武进区 appeals 2.3.2: none of its 3 管理职能 was counted 健全, but 办公用房 was. 3 − 3 → 0
    # becomes 3 − 2 = 1, so item 2.3 goes from 1 to 2 and the total from 97.5 to 98.5: it no
    # longer ties 新北区 (97.5) for 3rd but is 3rd alone, and 新北区 becomes 4th.
    text = LONG.read_text(encoding="utf-8-sig")
    assert "\n武进区,办公用房管理职能,否,三项管理职能均不健全" in text
    appealed = tmp_path / "appealed.csv"
    appealed.write_text(text.replace("\n武进区,办公用房管理职能,否,三项管理职能均不健全", "\n武进区,办公用房管理职能,是,申诉: 办公用房健全"), encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["diff", SCHEME, str(LONG), str(appealed), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["changes"] == [{"unit": "武进区", "item": "2.3", "before": "1", "after": "2"},
                              {"unit": "武进区", "item": None, "before": "97.5", "after": "98.5"}]
    ranks = {u["unit"]: u["rank"] for u in doc["units"]}
    assert ranks["武进区"] == [3, 3] and ranks["新北区"] == [3, 4]
    table = CliRunner().invoke(build_app(), ["diff", SCHEME, str(LONG), str(appealed)])
    assert "新北区: 名次 3 → 4" in table.stdout


def test_identical_evidence_has_no_differences() -> None:
    result = CliRunner().invoke(build_app(), ["diff", SCHEME, str(LONG), str(EXAMPLES / "changzhou-2018" /
                                                                           "evidence.xlsx")])
    assert result.exit_code == 0 and "两次计分没有差异" in result.stdout

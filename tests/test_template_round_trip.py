"""For every bundled scheme: the template, filled with the example's values as a user would type
them, scores exactly the hand-worked totals."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import EXAMPLES, SCHEMES
from kaohe.commands.test import run_case_file
from kaohe.evidence import input_index
from kaohe.report.template import write_template
from kaohe.rules.base import ValueType
from kaohe.scheme.load import load_scheme

BUNDLED = sorted(SCHEMES.glob("*.yaml"))


ALIASES = {"單位": "单位", "指標": "指标", "備註": "备注"}


def _long_rows(example: Path) -> list[dict[str, str]]:
    text = (example / "evidence-long.csv").read_text(encoding="utf-8-sig")
    return [{ALIASES.get(k, k): v for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


@pytest.mark.parametrize("scheme_path", BUNDLED, ids=lambda p: p.stem)
def test_filled_template_scores_the_hand_worked_totals(scheme_path: Path, tmp_path: Path) -> None:
    loaded = load_scheme(scheme_path)
    scheme = loaded.scheme
    example = EXAMPLES / scheme.id
    template = tmp_path / "template.xlsx"
    write_template(scheme, template)
    index = input_index(scheme)
    book = load_workbook(template)
    wide = book["证据"]
    # Row 1 is the form's title, row 2 the header (ids), row 3 the criteria's text, then the units.
    columns = {str(c.value).split(" ")[0]: c.column for c in wide[2] if c.value}
    unit_rows = {wide.cell(row=r, column=1).value: r for r in range(4, wide.max_row + 1)}
    events = book["逐项填报"] if "逐项填报" in book.sheetnames else None
    event_columns = {c.value: c.column for c in events[1]} if events is not None else {}
    for row in _long_rows(example):
        spec = index[row["指标"]]
        if spec.type is ValueType.EVENTS:
            assert events is not None
            line = events.max_row + 1
            events.cell(row=line, column=1).value = row["单位"]
            events.cell(row=line, column=2).value = spec.id
            for name, value in row.items():
                if name in event_columns and name not in ("单位", "指标", "备注") and value:
                    events.cell(row=line, column=event_columns[name]).value = value
        else:
            cell = wide.cell(row=unit_rows[row["单位"]], column=columns[spec.id])
            assert cell.protection.locked is False, f"{row['单位']} {spec.id}: the form closed a cell the example fills"
            cell.value = row["值"]
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    case = tmp_path / "case.yaml"
    expected = (example / "expected.yaml").read_text(encoding="utf-8")
    case.write_text(re.sub(r"(?m)^evidence: .*$", "evidence: [filled.xlsx]", expected, count=1), encoding="utf-8")
    reports = run_case_file(loaded, case)
    assert [str(p) for r in reports for p in r.problems] == []
    assert [str(m) for r in reports for m in r.mismatches] == []


def test_a_cell_for_another_units_task_is_closed_and_refused(tmp_path: Path) -> None:
    # 绍兴: 1.办公室.1.1 is on 办公室's own task list (责任清单), not on 机关党委's. The form greys and
    # locks 机关党委's cell for it; a figure typed there anyway is refused, naming its cell.
    loaded = load_scheme(SCHEMES / "shaoxing-2022.yaml")
    template = tmp_path / "template.xlsx"
    write_template(loaded.scheme, template)
    book = load_workbook(template)
    wide = book["证据"]
    columns = {str(c.value).split(" ")[0]: c.column for c in wide[2] if c.value}  # below the title row
    rows = {wide.cell(row=r, column=1).value: r for r in range(4, wide.max_row + 1)}
    own = wide.cell(row=rows["办公室"], column=columns["1.办公室.1.1"])
    other = wide.cell(row=rows["机关党委(机关纪委)"], column=columns["1.办公室.1.1"])
    assert own.protection.locked is False and own.fill.fgColor.rgb != "00D9D9D9"
    assert other.protection.locked is True and other.fill.fgColor.rgb == "00D9D9D9"
    assert wide.protection.sheet is True
    other.value = "是"
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    from kaohe.evidence import read_evidence

    problems = [str(p) for p in read_evidence([filled], loaded.scheme).problems]
    assert problems == [f"{filled}!证据!{other.coordinate}: 错误: 1.办公室.1.1 是 办公室 的责任清单项目,"
                        "不属于 机关党委(机关纪委),未计分;请删去或改正"]

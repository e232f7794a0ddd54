"""A workbook's numbers are written as their exact decimal text, as the JSON results carry them:
openpyxl prints a number with "%.16g", through a binary float, so that a Decimal 97.9 came out
as <v>97.90000000000001</v>. Checked in the sheets' XML, where the text is, not through a reader
that would turn it into a float again."""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, SCHEMES
from kaohe.cli import build_app
from kaohe.report import xlsxout
from kaohe.report.xlsxout import SheetSpec, write_xlsx

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
EXACT_TEXT = re.compile(r"-?(0|[1-9]\d*)(\.\d*[1-9])?")
"""A value's own digits: no exponent, no trailing zero, no leading zero."""
FLOAT_DIGITS = 16
"""The significant digits of "%.16g": a binary float's text that is not its decimal has this many
(97.90000000000001, 9.800000000000001); no value of the bundled examples needs as many."""

CASES = [(scheme, next(e for e in (EXAMPLES / scheme.stem / "evidence.xlsx", EXAMPLES / scheme.stem / "evidence.csv")
                       if e.exists()))
         for scheme in sorted(SCHEMES.glob("*.yaml"))]


def _run(*args: str) -> str:
    result = CliRunner().invoke(build_app(), list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _sheets(path: Path) -> dict[str, list[list[tuple[str, str, str]]]]:
    """Each sheet's rows by its name: each cell's type (t, "n" where absent), reference and text."""
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        names = [s.get("name") for s in book.iter(f"{MAIN}sheet")]
        sheets = {}
        for number, name in enumerate(names, start=1):
            xml = ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{number}.xml"))
            sheets[str(name)] = [[(c.get("t", "n"), str(c.get("r")), "".join(c.itertext())) for c in row]
                                 for row in xml.iter(f"{MAIN}row")]
    return sheets


def _numbers(rows: list[list[tuple[str, str, str]]]) -> list[tuple[str, str]]:
    return [(ref, text) for row in rows for kind, ref, text in row if kind == "n" and text]


def _totals(rows: list[list[tuple[str, str, str]]]) -> dict[str, str]:
    """The 排名 sheet's 总分 (or 合计) by 单位, as the cells' text: the columns found by the header."""
    for at, row in enumerate(rows):
        header = [text for _, _, text in row]
        names = [i for i, text in enumerate(header) if text == "单位"]
        totals = [i for i, text in enumerate(header) if text.startswith(("总分", "合计"))]  # 合计(元): money
        if names and totals:
            return {body[names[0]][2]: body[totals[0]][2] for body in rows[at + 1:] if len(body) > totals[0]}
    raise AssertionError("no 单位 and 总分 header in the sheet")


def _assert_exact(path: Path) -> None:
    for name, rows in _sheets(path).items():
        for ref, text in _numbers(rows):
            assert EXACT_TEXT.fullmatch(text), f"{path.name}!{name}!{ref}: {text}"
            assert len(Decimal(text).as_tuple().digits) < FLOAT_DIGITS, f"{path.name}!{name}!{ref}: {text}"


def test_every_example_has_evidence_to_score() -> None:
    assert len(CASES) == len(list(SCHEMES.glob("*.yaml"))) >= 15


@pytest.mark.parametrize(("scheme", "evidence"), CASES, ids=[s.stem for s, _ in CASES])
def test_every_number_of_the_example_workbooks_is_its_exact_decimal_text(scheme: Path, evidence: Path,
                                                                         tmp_path: Path) -> None:
    # the totals as the JSON results carry them: a Decimal's digits, or an exact fraction ("193/6")
    results = json.loads(_run("score", str(scheme), str(evidence), "--format", "json"))
    expected = {u["unit"]: u["total"] for u in results["units"]}
    for command in ("score", "rank"):
        out = tmp_path / f"{command}.xlsx"
        _run(command, str(scheme), str(evidence), "-o", str(out), "--no-timestamp")
        _assert_exact(out)
        totals = _totals(_sheets(out)["排名"])
        assert totals.keys() == expected.keys(), command
        for unit, total in expected.items():
            if "/" in total:  # a cell holds a fraction to ten places: 193/6 = 32.1666666667
                assert -Decimal(totals[unit]).as_tuple().exponent <= 10, (command, unit, totals[unit])  # type: ignore[operator]
                assert abs(Fraction(totals[unit]) - Fraction(total)) <= Fraction(1, 2 * 10**10), (command, unit)
            else:
                assert totals[unit] == total, (command, unit)


@pytest.mark.parametrize("streamed", [False, True], ids=["held", "streamed"])
def test_a_total_of_nine_point_eight_is_written_9_8(streamed: bool, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # 甲: 4.9 + 4.9 = 9.8; 乙: 5 + 4.7 = 9.7. Each a Decimal with one decimal; "%.16g" of the
    # floats nearest them gives 9.800000000000001 and 9.699999999999999. Streamed, these short
    # sheets are written whole by openpyxl's write-only mode, through the same cells.
    if streamed:
        monkeypatch.setattr(xlsxout, "STREAM_ROWS", 1)
    (tmp_path / "s.yaml").write_text(TWO_CRITERIA, encoding="utf-8")
    (tmp_path / "e.csv").write_text("单位,1.1.1,1.1.2\n甲,4.9,4.9\n乙,5,4.7\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    _run("score", str(tmp_path / "s.yaml"), str(tmp_path / "e.csv"), "-o", str(out), "--no-timestamp")
    sheets = _sheets(out)
    # 排名, under a title line: 名次 (A), then 工作 (the section), 基本分 and 总分 (C-E), all 9.8 or 9.7
    assert dict(_numbers(sheets["排名"])) == {"A3": "1", "C3": "9.8", "D3": "9.8", "E3": "9.8",
                                              "A4": "2", "C4": "9.7", "D4": "9.7", "E4": "9.7"}
    # 评价表-甲, under two title lines: each criterion's 分值 5 (C) and 得分 4.9 (E), the item's
    # 项目得分 9.8 (G) beside its first; then 小计 and 总分, of 10 full with 9.8 scored and counted
    assert dict(_numbers(sheets["评价表-甲"])) == {"C4": "5", "E4": "4.9", "G4": "9.8", "C5": "5", "E5": "4.9",
                                                   "C6": "10", "E6": "9.8", "G6": "9.8",
                                                   "C7": "10", "E7": "9.8", "G7": "9.8"}
    _assert_exact(out)


TWO_CRITERIA = """\
id: f
title: 两项
full_score: 10
units: [{name: 甲}, {name: 乙}]
sections:
  - id: "1"
    title: 工作
    points: 10
    items:
      - id: "1.1"
        title: 一
        points: 10
        criteria:
          - {id: 1.1.1, text: 视情况得0-5分, points: 5, rule: {kind: judged, min: 0, max: 5}}
          - {id: 1.1.2, text: 视情况得0-5分, points: 5, rule: {kind: judged, min: 0, max: 5}}
"""


@pytest.mark.parametrize("streamed", [False, True], ids=["held", "streamed"])
def test_a_number_keeps_its_digits_whatever_its_size(streamed: bool, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # "%.16g" gives 1.234567890123457e+16 for the 17-digit whole number (a digit lost, and an
    # exponent) and 1e-07 for a ten-millionth; the cell is to hold the digits as written.
    if streamed:
        monkeypatch.setattr(xlsxout, "STREAM_ROWS", 1)
    rows: list[list[object]] = [["分"], [Decimal("12345678901234567")], [Decimal("0.0000001")], [Decimal("97.90")]]
    write_xlsx(tmp_path / "o.xlsx", [SheetSpec("汇总", rows)], [], timestamp=False)
    numbers = _numbers(_sheets(tmp_path / "o.xlsx")["汇总"])
    assert numbers == [("A2", "12345678901234567"), ("A3", "0.0000001"), ("A4", "97.9")]

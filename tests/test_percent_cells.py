"""A number in a cell formatted as a percentage is read as the percentage the sheet shows: typed
"5.85%" into Excel or WPS, or a CSV re-saved as a workbook by LibreOffice, the cell holds
0.0585 with the format 0.00%, and 0.0585 alone would be either 5.85% or 0.0585%."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from conftest import EXAMPLES, ROOT, SCHEMES
from kaohe.evidence import xlsxread
from kaohe.evidence.xlsxcells import percent_cells, percent_styles

ENERGY = EXAMPLES / "energy-target-counties"


def _as_excel_saves_it(source: Path, target: Path) -> None:
    """The example's CSV as a workbook the way a spreadsheet saves it: "5.85%" as the number
    0.0585 formatted 0.00%, other numbers as numbers, the rest as text."""
    book = Workbook()
    sheet = book.active
    sheet.title = "证据"
    with open(source, encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append([float(Decimal(v[:-1]) / 100) if v.endswith("%") else
                          float(v) if v.replace(".", "", 1).isdigit() else v for v in row])
            for col, v in enumerate(row, start=1):
                if v.endswith("%"):
                    sheet.cell(sheet.max_row, col).number_format = "0.00%"
    book.save(target)


def test_rates_typed_as_percentages_in_a_workbook_score_as_in_the_csv(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    _as_excel_saves_it(ENERGY / "evidence.csv", path)
    run = subprocess.run([sys.executable, "-m", "kaohe", "score", str(SCHEMES / "energy-target-counties.yaml"),
                          str(path), "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    totals = {u["unit"]: u["total"] for u in json.loads(run.stdout)["units"]}
    # expected.yaml's hand working: 甲县 90, 丁区 89, 乙区 78, 戊县 76, 庚区 72, 丙县 69, 己县 61, 壬县 29, 辛县 22
    assert totals == {"甲县": "90", "丁区": "89", "乙区": "78", "戊县": "76", "庚区": "72", "丙县": "69",
                      "己县": "61", "壬县": "29", "辛县": "22"}


def _styles(body: str) -> zipfile.ZipFile:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("xl/styles.xml", '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         f"{body}</styleSheet>")
    return zipfile.ZipFile(data)


def test_the_styles_that_show_a_percentage() -> None:
    archive = _styles(
        '<numFmts count="3"><numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="0&quot;%&quot;"/>'
        '<numFmt numFmtId="166" formatCode="0\\%"/></numFmts>'
        '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="9"/><xf numFmtId="10"/><xf numFmtId="164"/>'
        '<xf numFmtId="165"/><xf numFmtId="166"/></cellXfs>')
    # 9 (0%) and 10 (0.00%) are Excel's own; 164 shows 0.0%; 165 writes a % sign as quoted text and
    # 166 as an escaped one: 5 shows as "5%" there, a number that is no percentage
    assert percent_styles(archive) == frozenset({1, 2, 3})
    assert percent_styles(_styles("")) == frozenset()


def _sheet(xml: str) -> zipfile.ZipFile:
    """An archive holding one sheet part, s.xml."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("s.xml", xml)
    return zipfile.ZipFile(data)


def test_percent_cells_are_placed_as_calamine_places_them() -> None:
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cols><col min="1" max="3"/>'
             '</cols><sheetData><row r="2"><c r="A2" s="1"><v>0.5</v></c><c r="C2"><v>1</v></c><c s="1"><v>0.25</v></c>'
             '</row><row><c s="0"><v>3</v></c><c s="1"/></row></sheetData></worksheet>')
    # A2 has its reference; the cell after C2 is D2; the next row (no r) is row 3, its second cell B3
    assert percent_cells(_sheet(sheet), "s.xml", frozenset({1})) == {2: [0, 3], 3: [1]}


def test_a_number_is_shown_as_its_percentage_and_text_stays_text() -> None:
    cells: list[object] = [0.0585, 1, "85%", True, 0.1 + 0.2, None, 2 / 3]
    xlsxread._as_percent(cells, [0, 1, 2, 3, 4, 5, 6, 9])
    # 0.0585 × 100 = 5.85; 1 is 100%; text, a logical value and an empty cell are left as they are;
    # a float's shortest text is what was typed: 0.30000000000000004 and 2/3 are what a formula
    # gave, more than 6 decimals, left as numbers to be refused as float noise as without a format
    assert cells == ["5.85%", "100%", "85%", True, 0.1 + 0.2, None, 2 / 3]


def test_a_conditional_format_s_number_format_is_not_a_cell_s() -> None:
    # openpyxl numbers a conditional format's 0.0% (in <dxfs>) 164, as the cells' own 0.0: the
    # cells show 8.0, not 800.0%
    archive = _styles(
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0"/></numFmts>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>'
        '<dxfs count="1"><dxf><numFmt numFmtId="164" formatCode="0.0%"/></dxf></dxfs>')
    assert percent_styles(archive) == frozenset()


def test_attributes_in_single_quotes_and_cells_without_r_in_their_row_element() -> None:
    # XML allows s='1' as s="1". A cell without r is in the row of its <row> element, after the
    # cell before it, whatever row that cell named (calamine places it so): here B2, not B9
    sheet = ("<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
             "<row r='2'><c r='A9' s='1'><v>0.5</v></c><c s='1'><v>0.25</v></c></row>"
             "<row><c s='1'><v>0.1</v></c></row></sheetData></worksheet>")
    # A9; then B2 (row 2's element, after column A); the next <row> without r is row 3: A3
    assert percent_cells(_sheet(sheet), "s.xml", frozenset({1})) == {9: [0], 2: [1], 3: [0]}


def test_a_percent_sign_that_does_not_scale_is_no_percentage() -> None:
    # 0_% leaves a space as wide as %, 0*% fills with %, 0;0% shows % only for negative numbers:
    # each shows 0.95 as 1; 0.0%;-0.0% shows it as 95.0%
    archive = _styles(
        '<numFmts count="4"><numFmt numFmtId="164" formatCode="0_%"/><numFmt numFmtId="165" formatCode="0*%"/>'
        '<numFmt numFmtId="166" formatCode="0;0%"/><numFmt numFmtId="167" formatCode="0.0%;-0.0%"/></numFmts>'
        '<cellXfs count="4"><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="167"/></cellXfs>')
    assert percent_styles(archive) == frozenset({3})

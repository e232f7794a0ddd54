"""Merged ranges of the results workbook (kaohe.report.xlsxout._MergedStyles): openpyxl's
merge_cells is run once for each shape and styles of range in a workbook, and repeated after by
giving the cells the styles it left. The workbooks come out byte for byte as when openpyxl merges
every range itself, for every bundled example."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, SCHEMES
from kaohe.cli import build_app
from kaohe.report import xlsxout

CASES = sorted((scheme, evidence) for scheme in SCHEMES.glob("*.yaml")
               for evidence in [EXAMPLES / scheme.stem / "evidence.xlsx", EXAMPLES / scheme.stem / "evidence.csv"][:1]
               if evidence.exists())


def _book(scheme: Path, evidence: Path, out: Path) -> bytes:
    result = CliRunner().invoke(build_app(), ["score", str(scheme), str(evidence), "-o", str(out), "--no-timestamp"])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_the_examples_cover_repeated_merges() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize(("scheme", "evidence"), CASES, ids=[s.stem for s, _ in CASES])
def test_a_workbook_merged_by_repeating_styles_is_the_one_openpyxl_merges(
        scheme: Path, evidence: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    replayed: list[int] = []
    merge = xlsxout._MergedStyles.merge

    def counted(self, sheet, *where: int) -> None:  # type: ignore[no-untyped-def]
        known = len(self.left)
        merge(self, sheet, *where)
        replayed.append(len(self.left) == known)

    monkeypatch.setattr(xlsxout._MergedStyles, "merge", counted)
    ours = _book(scheme, evidence, tmp_path / "ours.xlsx")

    def openpyxl_merges(self, sheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:  # type: ignore[no-untyped-def]
        sheet.merge_cells(start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col)

    monkeypatch.setattr(xlsxout._MergedStyles, "merge", openpyxl_merges)
    assert ours == _book(scheme, evidence, tmp_path / "openpyxl.xlsx")
    assert replayed and any(replayed)  # ranges were merged, and some by repeating what openpyxl left


def test_a_repeated_merge_gives_every_cell_the_style_openpyxl_gave_it() -> None:
    # a range whose last cell is bordered otherwise than its first, and a protected first cell:
    # openpyxl gives the first cell the last one's right and bottom edges, the edge cells the
    # first one's sides, and every cell its protection; the repeat on a second sheet does the same
    from openpyxl import Workbook
    from openpyxl.styles import Border, Protection, Side

    book = Workbook()
    sheets = [book.active, book.create_sheet("二")]
    for sheet in sheets:
        sheet.cell(row=2, column=2).border = Border(left=Side(style="thin"), top=Side(style="thin"))
        sheet.cell(row=2, column=2).protection = Protection(locked=False)
        sheet.cell(row=4, column=5).border = Border(right=Side(style="thick"), bottom=Side(style="double"))
        sheet.cell(row=3, column=3, value="inside")
    styles = xlsxout._MergedStyles()
    styles.merge(sheets[0], 2, 2, 4, 5)
    assert len(styles.left) == 1
    styles.merge(sheets[1], 2, 2, 4, 5)  # repeated, not merged by openpyxl
    assert len(styles.left) == 1
    cells = [(r, c) for r in range(2, 5) for c in range(2, 6)]
    first, second = ([(type(s._cells[at]).__name__, tuple(s._cells[at]._style)) for at in cells] for s in sheets)
    assert first == second
    assert sheets[1]._cells[2, 2].border.right.style == "thick"  # the last cell's edge, on the first
    assert [str(r) for r in sheets[1].merged_cells.ranges] == ["B2:E4"]

"""Streamed workbooks (data rows written straight into the sheet XML) hold exactly what the
ordinary workbook holds: the same sheets, values, types and number formats."""

from __future__ import annotations

import sys
import threading
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import EXAMPLES, SCHEMES
from kaohe.cli import build_app
from kaohe.report import sheetxml, xlsxout
from kaohe.report.sheetxml import SharedRow
from kaohe.report.xlsxout import SheetSpec, write_xlsx

SCHEME = str(SCHEMES / "changzhou-2018.yaml")
EVIDENCE = str(EXAMPLES / "changzhou-2018" / "evidence.csv")


def _cells(path: Path) -> dict[str, list[list[tuple[object, str, str]]]]:
    book = load_workbook(path)
    return {sheet.title: [[(c.value, c.data_type, c.number_format if c.data_type == "n" else "")
                           for c in row if c.value is not None] for row in sheet.iter_rows()]
            for sheet in book.worksheets}


def _score(out: Path) -> None:
    result = CliRunner().invoke(build_app(), ["score", SCHEME, EVIDENCE, "-o", str(out), "--no-timestamp"])
    assert result.exit_code == 0, result.output


def test_streamed_results_hold_the_same_cells_as_the_ordinary_workbook(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ordinary = tmp_path / "ordinary.xlsx"
    _score(ordinary)
    monkeypatch.setattr(xlsxout, "STREAM_ROWS", 10)
    streamed = tmp_path / "streamed.xlsx"
    _score(streamed)
    expected, got = _cells(ordinary), _cells(streamed)
    assert list(got) == list(expected)
    for title in expected:
        assert got[title] == expected[title], title
    with zipfile.ZipFile(streamed) as archive:  # 明细's rows really went through the XML writer (说明 follows it)
        detail = archive.read(f"xl/worksheets/sheet{list(expected).index('明细') + 1}.xml").decode("utf-8")
    assert 'xml:space="preserve"' in detail


def test_streamed_text_is_escaped_and_never_a_formula(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsxout, "STREAM_ROWS", 1)
    out = tmp_path / "t.xlsx"
    rows: list[list[object]] = [["名称", "值"], ["=SUM(A1:A2)", Decimal("1.5")], ["a < b & c > d", 2],
                                ["是", True], [" 前后空格 ", Decimal("10")], ["bad\x01char", None]]
    write_xlsx(out, [SheetSpec("表", rows[:1], more=iter(rows[1:]), more_count=len(rows) - 1)], [], decimals=2)
    sheet = load_workbook(out)["表"]
    got = [[c.value for c in row] for row in sheet.iter_rows()]
    assert got == [["名称", "值"], ["=SUM(A1:A2)", 1.5], ["a < b & c > d", 2], ["是", True],
                   [" 前后空格 ", 10], ["bad\ufffdchar", None]]
    assert sheet["A2"].data_type == "s"  # text, not a live formula
    assert sheet["B2"].number_format == "0.00" and sheet["B5"].number_format == "0.00"
    assert sheet["A1"].font.b  # the header row keeps its style


def test_a_sheet_past_excels_last_row_continues_on_further_sheets(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsxout, "STREAM_ROWS", 1)
    monkeypatch.setattr(xlsxout, "MAX_SHEET_ROWS", 4)  # a header and 3 rows per sheet
    out = tmp_path / "long.xlsx"
    body = [[f"单位{i}", i] for i in range(8)]
    write_xlsx(out, [SheetSpec("明细", [["单位", "得分"]], more=iter(body), more_count=8)], [])
    book = load_workbook(out)
    # 8 rows at 3 per sheet: 3 + 3 + 2, each sheet under its own header.
    assert book.sheetnames == ["明细", "明细(2)", "明细(3)"]
    sheets = [[[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames]
    assert [len(s) for s in sheets] == [4, 4, 3]
    assert all(s[0] == ["单位", "得分"] for s in sheets)
    assert [row for s in sheets for row in s[1:]] == body


def test_continuation_sheets_keep_the_rows_in_order_past_the_width_sample(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Each sheet measures its widths on its first rows. A continuation sheet took its sample from the
    # shared rows before the sheet before it was written, so rows 3-4 of 明细 went to 明细(2): with a
    # sample of 2 rows and 3 rows a sheet, the 8 rows must still come out 0..7, 3 + 3 + 2.
    monkeypatch.setattr(xlsxout, "STREAM_ROWS", 1)
    monkeypatch.setattr(xlsxout, "MAX_SHEET_ROWS", 4)
    monkeypatch.setattr(xlsxout, "WIDTH_SAMPLE", 2)
    out = tmp_path / "long.xlsx"
    body = [[f"单位{i}", i] for i in range(8)]
    write_xlsx(out, [SheetSpec("明细", [["单位", "得分"]], more=iter(body), more_count=8)], [])
    book = load_workbook(out)
    sheets = [[[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames]
    assert [[row[1] for row in s[1:]] for s in sheets] == [[0, 1, 2], [3, 4, 5], [6, 7]]


def test_a_continued_sheet_counts_its_title_lines_within_excels_last_row(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Title lines above the header are rows of the sheet: with 2 title lines, a header and a limit
    # of 6 rows a sheet, each sheet holds 6 - 2 - 1 = 3 rows, so 7 rows come out 3 + 3 + 1 and no
    # sheet passes the limit (at Excel's 1,048,576 rows the titled 明细 went 2 rows past it, and
    # openpyxl refused the sheet: exit 70 for -o xlsx at 100,000 units).
    monkeypatch.setattr(xlsxout, "STREAM_ROWS", 1)
    monkeypatch.setattr(xlsxout, "MAX_SHEET_ROWS", 6)
    out = tmp_path / "titled.xlsx"
    body = [[f"单位{i}", i] for i in range(7)]
    write_xlsx(out, [SheetSpec("明细", [["单位", "得分"]], more=iter(body), more_count=7, titles=["考核结果", "2018年度"])],
               [])
    book = load_workbook(out)
    assert book.sheetnames == ["明细", "明细(2)", "明细(3)"]
    sheets = [[[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames]
    assert [len(s) for s in sheets] == [6, 6, 4]  # 2 title lines + header + 3, 3, then 1
    assert [[row[1] for row in s[3:]] for s in sheets] == [[0, 1, 2], [3, 4, 5], [6]]


def test_the_chart_shows_the_first_places_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsxout, "MAX_CHART_ROWS", 3)
    out = tmp_path / "c.xlsx"
    rows: list[list[object]] = [["名次", "单位", "总分"]] + [[i, f"单位{i}", Decimal(100 - i)] for i in range(1, 8)]
    write_xlsx(out, [SheetSpec("排名", rows, chart=(3, "总分"))], [])
    with zipfile.ZipFile(out) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode("utf-8")
    assert "$C$2:$C$4" in chart and "$B$2:$B$4" in chart  # rows 2–4: the first 3 places
    assert "前 3 名" in chart


def test_every_cell_carries_the_style_of_its_kind(tmp_path: Path) -> None:
    # Styles are set once per kind of cell and copied: every cell must still end up with its own.
    out = tmp_path / "s.xlsx"
    rows: list[list[object]] = [["单位", "说明很长很长很长很长很长很长很长很长很长", "得分"],
                                ["甲", "短", Decimal("1.5")], ["乙", "这是一段超过二十个字符的说明文字,应当自动换行显示", Decimal("2")]]
    write_xlsx(out, [SheetSpec("表", rows)], [], decimals=1)
    sheet = load_workbook(out)["表"]
    for row in sheet.iter_rows():
        for cell in row:
            header = cell.row == 1
            assert cell.border.left.style == "thin", cell.coordinate
            assert bool(cell.font.b) is header and (cell.fill.fgColor.rgb == "00DDEBF7") is header, cell.coordinate
            if header:
                assert cell.alignment.horizontal == "center" and cell.alignment.wrap_text
            elif isinstance(cell.value, str) and len(cell.value) > 20:
                assert cell.alignment.wrap_text and cell.alignment.vertical == "top", cell.coordinate
            else:
                assert not cell.alignment.wrap_text, cell.coordinate
            if isinstance(cell.value, (int, float)) and not header:
                assert cell.number_format == "0.0", cell.coordinate


_CELL = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["", "a < b & c", "备注\x01", "=1+1", "{r}", "\x00"]),
                  st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-1000, max_value=1000),
                  st.integers(-10, 10), st.booleans())
_OWN_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["", "单位&<甲>", "甲&乙", "a>b", "行\x02", "e.csv:12:3", "\x00"]))


@settings(max_examples=150, deadline=None)
@given(shared=st.lists(st.lists(_CELL, min_size=4, max_size=4), min_size=1, max_size=3),
       own=st.lists(st.tuples(st.integers(0, 2), st.lists(_OWN_TEXT, min_size=2, max_size=2)), max_size=12),
       other=st.one_of(st.none(), st.integers(-3, 3)), own_style=st.booleans())
def test_a_shared_row_is_written_as_the_same_row_as_a_list(shared: list[list[object]], own: list[tuple[int, list[str]]],
                                                          other: int | None, own_style: bool) -> None:
    # A SharedRow's XML is made once per shared object and filled with its own cells (here the
    # first and fourth of six): whatever the cells, the bytes must be those of the plain rows.
    # An own cell that is not text (`other`, put in the last row) makes it a row like any other.
    rows: list[list[object]] = []
    plain: list[list[object]] = []
    for which, (first, fourth) in own:
        cells = shared[which % len(shared)]
        line = SharedRow([first, *cells[:2], fourth, *cells[2:]])
        line.shared, line.own = cells, (0, 3)
        rows.append(line)
        plain.append(list(line))
    if other is not None and rows:
        rows[-1][3] = plain[-1][3] = other
    style: sheetxml.NumberStyle = (lambda value: 7) if own_style else 5
    assert b"".join(sheetxml.row_chunks(rows, 3, style)) == b"".join(sheetxml.row_chunks(plain, 3, style))


def test_a_number_is_written_as_its_value_alone_whatever_its_trailing_zeros(tmp_path: Path) -> None:
    # 45, 45.0 and 45.00 are one value: a section's sum has trailing zeros from how it was added
    # up, so the cell's text must be the value's, as in the sheets openpyxl writes (xlsxout.put).
    # Zero of any exponent is "0"; a large whole number keeps its digits, never an exponent.
    rows: list[list[object]] = [[Decimal("45.00"), Decimal("45.0"), Decimal("45")],
                                [Decimal("0.00"), Decimal("-0"), Decimal("1E+3")], [Decimal("8.50")]]
    for style in (5, lambda value: 5):
        xml = b"".join(sheetxml.row_chunks(rows, 1, style)).decode()  # type: ignore[arg-type]
        texts = [part.split("</v>")[0] for part in xml.split("<v>")[1:]]
        assert texts == ["45", "45", "45", "0", "0", "1000", "8.5"]
    # The workbook openpyxl writes: the text, and the column's width, are those of the value.
    xml = []
    for value in ("45.00000000", "45"):
        sheet = SheetSpec("汇总", [["分"], [Decimal(value)]])
        write_xlsx(tmp_path / "o.xlsx", [sheet], [], timestamp=False)
        with zipfile.ZipFile(tmp_path / "o.xlsx") as archive:
            xml.append(archive.read("xl/worksheets/sheet1.xml").decode())
    assert "<v>45</v>" in xml[0] and xml[0] == xml[1]


def test_chunks_are_written_behind_in_order_and_a_failure_on_either_side_is_raised() -> None:
    # the writer thread gets every chunk in order; the switch interval is put back
    interval = sys.getswitchinterval()
    written: list[bytes] = []
    sheetxml.write_behind(written.append, (str(i).encode() for i in range(100)))
    assert written == [str(i).encode() for i in range(100)]
    assert sys.getswitchinterval() == interval

    # a write that fails (a full disk): raised here, and the chunks stop being made
    made: list[int] = []

    def chunks() -> Iterator[bytes]:
        for i in range(1000):
            made.append(i)
            yield b"x"

    def full(chunk: bytes) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        sheetxml.write_behind(full, chunks())
    assert len(made) < 1000
    assert sys.getswitchinterval() == interval

    # the rows failing while they are made: what came before is written, the failure raised
    def broken() -> Iterator[bytes]:
        yield b"a"
        yield b"b"
        raise ValueError("a row that cannot be written")

    written.clear()
    with pytest.raises(ValueError, match="cannot be written"):
        sheetxml.write_behind(written.append, broken())
    assert written == [b"a", b"b"]
    assert sys.getswitchinterval() == interval


def test_workbooks_written_at_once_share_the_switch_interval_and_the_last_puts_it_back() -> None:
    # a program writing four workbooks in four threads: each sees the short interval while it
    # writes, and once all are done the process's own is back
    before = sys.getswitchinterval()
    seen: list[float] = []

    def rows() -> Iterator[bytes]:
        for _ in range(5):
            time.sleep(0.005)
            seen.append(sys.getswitchinterval())
            yield b"x"

    threads = [threading.Thread(target=sheetxml.write_behind, args=(lambda chunk: None, rows())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(seen) == {sheetxml.SWITCH_INTERVAL} and len(seen) == 20
    assert sys.getswitchinterval() == before

"""The quick scan of a sheet's XML (kaohe.evidence.xlsxread._SheetScan.quick) vouches for a sheet
only where it finds what the full scan finds: the cells that hold anything, how far they reach
and the farthest one. Anything it cannot read as the full scan does (a formula, an error value, a
CDATA section or a comment that looks like cells, a prefixed cell, a cell written otherwise)
leaves the sheet to the full scan."""

from __future__ import annotations

import io
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from kaohe.evidence import xlsxread
from kaohe.evidence.xlsxread import _Places, _SheetScan

HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b"<sheetData>")
TAIL = b'</sheetData><headerFooter><oddFooter>&amp;P / &amp;N</oddFooter></headerFooter></worksheet>'


def _facts(scan: _SheetScan) -> tuple[object, ...]:
    return (scan.cells, scan.rows, scan.cols, scan.far, scan.blank_formulas, scan.errors, scan.error_counts,
            [str(p) for p in scan.problems])


def _both(xml: bytes) -> tuple[bool, tuple[object, ...], tuple[object, ...] | str]:
    """(whether the quick scan took the sheet, its facts, the full scan's facts or its error), each
    finished as _scan_sheets finishes it (the problems found once the whole sheet is scanned)."""
    quick = _SheetScan("f.xlsx", "表", False)
    taken = quick.quick(io.BytesIO(xml))
    quick.finish()
    full = _SheetScan("f.xlsx", "表", False)
    try:
        full.run(io.BytesIO(xml))
    except Exception as e:  # noqa: BLE001 - compared, not raised
        return taken, _facts(quick), type(e).__name__
    full.finish()
    return taken, _facts(quick), _facts(full)


# A cell as the writers write it, or written otherwise; with a reference in or past Excel's limits.
COLUMNS = st.sampled_from(["A", "B", "Z", "AA", "XFD", "XFE", "ZZZ"])
ROWS = st.sampled_from([1, 2, 9, 10, 1_048_576, 1_048_577])
CONTENTS = st.sampled_from(["<v>1</v>", "<v></v>", "", None, '<is><t xml:space="preserve">甲 &lt;c r="XFD9"&gt;</t></is>',
                            "<f>A1+1</f><v>2</v>", "<f>A1</f>", "<v>#DIV/0!</v>", '<f t="shared" si="0"/><v>3</v>',
                            '<f t="shared" ref="A1:A3" si="0">B1*2</f><v>4</v>', "<f>B1</f><v></v>", "<f>B1</f><v> </v>",
                            "<f>B1</f><v>\u3000</v>", "<f>B1</f><v/>", "<f>B1</f><v />", "<v />", "<v>1</v><f>A1</f>", "<f>B1</f><v>&#32;</v>",
                            "<f>B1&amp;C1</f><v>甲乙</v>", "<f>B1</f><f>C1</f>", '<f t="array" ref="A1">B1</f>'])
ATTRIBUTES = st.sampled_from(['', ' s="1"', ' t="s"', ' s="2" t="n"', ' t="e"', " t='s'", ' t="inlineStr"'])
IN_ORDER = ["A", "B", "C", "Z", "AA", "AB", "XFD"]
"""Columns left to right, for cells placed as the writers place them."""


@st.composite
def _cell(draw: st.DrawFn, placed: str) -> bytes:
    """A cell at `placed` (its row's, in order), or, now and then, at a reference drawn anywhere
    (in or past the limits, before or on another cell's)."""
    content, attributes = draw(CONTENTS), draw(ATTRIBUTES)
    shape = draw(st.sampled_from(["plain", "plain", "plain", "s-first", "no-r", "prefixed", "spaced", "lower"]))
    ref = placed if draw(st.integers(0, 3)) else f"{draw(COLUMNS)}{draw(ROWS)}"
    ref = ref.lower() if shape == "lower" else ref
    if shape == "s-first":
        start = f'<c s="1" r="{ref}"{attributes}'
    elif shape == "no-r":
        start = f"<c{attributes}"
    elif shape == "prefixed":
        start = f'<x:c r="{ref}"{attributes}'
    else:
        start = f'<c r="{ref}"{attributes}'
    close = "</x:c>" if shape == "prefixed" else "</c>"
    if content is None:  # empty: as Excel writes it, or as openpyxl does
        return f"{start}{draw(st.sampled_from(['', ' ']))}/>".encode()
    gap = "\n" if shape == "spaced" else ""
    return f"{start}>{gap}{content}{close}".encode()


EXTRAS = st.sampled_from([b"", b"", b"", b'<!-- <c r="XFD1048576"><v>1</v></c> -->', b'<?pi <c r="ZZ9"><v>1</v></c> ?>',
                          b"<x14:row/>", b'<x:row r="90"><x:c r="C90"><x:v>5</x:v></x:c></x:row>'])


@st.composite
def _rows(draw: st.DrawFn) -> bytes:
    """Rows numbered as the writers number them (each the one after the last), or given the last
    one's number again, the one before it, or none (the one after the last, implied), so that
    positions repeat or go back; their cells mostly placed left to right in their row."""
    xml, number = [], 0
    for _ in range(draw(st.integers(0, 8))):
        label = draw(st.sampled_from(["next", "next", "next", "again", "back", "none"]))
        number = max(1, number + {"next": 1, "again": 0, "back": -1, "none": 1}[label])
        columns = sorted(draw(st.sets(st.sampled_from(IN_ORDER), max_size=4)), key=IN_ORDER.index)
        cells = b"".join(draw(_cell(f"{column}{number}")) for column in columns)
        start = b"<row>" if label == "none" else b'<row r="%d">' % number
        xml.append(start + cells + b"</row>" + draw(EXTRAS))
    return b"".join(xml)


@settings(max_examples=400, deadline=None)
@given(rows=_rows(), chunk=st.sampled_from([7, 64, 4096]))
def test_the_quick_scan_finds_what_the_full_scan_finds_or_leaves_the_sheet(rows: bytes, chunk: int) -> None:
    xml = HEAD + rows + TAIL
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsxread, "SCAN_CHUNK", chunk)  # rows and cells cut across the chunks read
        taken, quick, full = _both(xml)
    if taken:
        assert quick == full


@settings(max_examples=300, deadline=None)
@given(places=st.lists(st.tuples(st.integers(1, 4), st.integers(0, len(IN_ORDER) - 1), st.booleans()), max_size=12),
       ordered=st.booleans(), chunk=st.sampled_from([7, 64, 4096]))
def test_cells_as_the_writers_write_them_in_any_order_are_taken_quickly_only_in_order(
        places: list[tuple[int, int, bool]], ordered: bool, chunk: int) -> None:
    # cells at a few rows and columns, each with a value or empty, in a row element of its row
    # (given again where the row comes back): the quick scan takes them exactly where every cell
    # comes after the last, row by row and left to right; the full scan refuses them exactly where
    # a position repeats, at its first repeat, with the count of positions repeated (worked out
    # here with a set)
    if ordered:
        places = sorted({(row, col): (row, col, empty) for row, col, empty in places}.values())
    xml, open_row = [], 0
    for row, col, empty in places:
        if row != open_row:
            xml.append((b"</row>" if open_row else b"") + b'<row r="%d">' % row)
            open_row = row
        ref = f"{IN_ORDER[col]}{row}".encode()
        xml.append(b'<c r="%s"/>' % ref if empty else b'<c r="%s"><v>1</v></c>' % ref)
    sheet = HEAD + b"".join(xml) + (b"</row>" if open_row else b"") + TAIL
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsxread, "SCAN_CHUNK", chunk)
        taken, quick, full = _both(sheet)
    positions = [(row, col) for row, col, _ in places]
    seen: set[tuple[int, int]] = set()
    repeats = []
    for position in positions:
        if position in seen:
            repeats.append(position)
        seen.add(position)
    assert taken == all(a < b for a, b in pairwise(positions))
    assert not isinstance(full, str)
    if taken:
        assert quick == full
    if repeats:
        row, col = repeats[0]
        assert full[7] == [f"f.xlsx!表!{IN_ORDER[col]}{row}: 错误: 此单元格在工作表中写了不止一次(写了不止一次的单元格共 "
                           f"{len(set(repeats))} 个,这是第一个):每个单元格只能写一次,否则不同的程序会读到不同的值;"
                           "工作簿已损坏或被改动过,拒绝读取"]
    else:
        assert full[7] == []


def test_sheets_as_the_writers_write_them_are_taken_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    # values, inline text, empty and styled cells, a page footer with its & codes: taken, and equal
    monkeypatch.setattr(xlsxread, "SCAN_CHUNK", 50)
    xml = (HEAD + b'<row r="1" spans="1:3"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>x</t></is></c>'
           b'<c r="C1" s="2"/></row><row r="3"><c r="B3"><v>2.5</v></c><c r="D3" s="1"></c><c r="E3" s="5" t="n" />'
           b'</row><row r="4"><c r="A4"><f>SUM(B1:B3)</f><v>2.5</v></c><c r="B4"><f>A4*2</f></c></row>' + TAIL)
    taken, quick, full = _both(xml)
    assert taken
    # A1, B1, B3, A4 and B4 (a formula never worked out, told) hold something; B4 is farthest
    assert quick == full == (5, 4, 2, (4, 2), {(4, 1)}, {}, {}, [])


@pytest.mark.parametrize("inside", [b'<![CDATA[<c r="XFD1048576"><v>1</v></c>]]>', b'<!-- <c r="XFD1048576"><v>1</v></c> -->',
                                    b'<?pi <c r="XFD1048576"><v>1</v></c>?>'])
def test_cells_that_are_not_cells_leave_the_sheet_to_the_full_scan(inside: bytes) -> None:
    # counted from the bytes, they would stretch the sheet to XFD1048576 and have it refused
    xml = HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + inside + b"</t></is></c></row>" + TAIL
    taken, _, full = _both(xml)
    assert not taken
    assert not isinstance(full, str) and full[:4] == (1, 1, 1, (1, 1))


def test_every_bundled_and_corpus_workbook_scans_the_same_quickly() -> None:
    # the workbooks the tests hold (examples, the hostile corpus, templates' fixtures): each sheet
    # the quick scan takes has the full scan's facts, and most of them are taken
    taken = checked = 0
    for path in sorted(p for p in ROOT.rglob("*.xlsx") if ".venv" not in p.parts and "out" not in p.parts):
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            continue
        with archive:
            for name, (member, _) in xlsxread._sheet_parts(archive).items():
                if member not in archive.namelist():
                    continue
                xml = archive.read(member)
                ok, quick, full = _both(xml)
                checked += 1
                if ok:
                    taken += 1
                    assert quick == full, (path, name)
    assert checked > 20 and taken > checked // 2


def test_a_workbook_read_quickly_reads_as_before(tmp_path: Path) -> None:
    # through read_xlsx: the facts the quick scan found let calamine read the same rows
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["单位", "指标", "值"])
    for n in range(50):
        sheet.append([f"单位{n}", "1.1.1", n])
    path = tmp_path / "e.xlsx"
    book.save(path)
    tables = xlsxread.read_xlsx(str(path), str(path))
    rows = [cells for table in tables for _, cells in table.rows]
    assert rows[0] == ["单位", "指标", "值"] and len(rows) == 51


@pytest.mark.parametrize(("value", "blank"), [(b"<v>&#32;</v>", True), (b"<v>&#x3000;</v>", True), (b"<v>\xe3\x80\x80</v>", True),
                                              (b"<v>&#49;</v>", False), (b"<v />", True), (b"<v>7</v>", False)])
def test_a_formula_s_value_is_blank_as_the_full_scan_reads_it(value: bytes, blank: bool) -> None:
    # the full scan reads the value decoded (a character reference is its character) and stripped
    # of any white space: a value of spaces is a formula never worked out, told at its cell
    xml = HEAD + b'<row r="2"><c r="C2"><f>A2*2</f>' + value + b"</c></row>" + TAIL
    taken, quick, full = _both(xml)
    assert not isinstance(full, str) and full[4] == ({(2, 2)} if blank else set())
    if taken:
        assert quick == full


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "latin-1"])
def test_a_sheet_not_in_utf8_is_left_to_the_full_scan(encoding: str) -> None:
    # expat reads UTF-16 (and Latin-1) as it says; the patterns read bytes: a far cell written in
    # UTF-16 would not be seen, and the sheet would be stretched past what was scanned
    name = encoding.split("-le")[0].split("-be")[0]
    xml = (f'<?xml version="1.0" encoding="{name.upper()}"?><worksheet xmlns="http://schemas.openxmlformats.org/'
           'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576"><v>2</v></c></row>'
           "</sheetData></worksheet>")
    data = xml.encode(encoding) if encoding != "utf-16" else xml.encode("utf-16")
    taken, _, full = _both(data)
    assert not taken
    if encoding in ("utf-16", "latin-1"):  # as declared (with its BOM): the full scan sees the far cell
        assert not isinstance(full, str) and full[1:4] == (1_048_576, 16_384, (1_048_576, 16_384))


def _sources() -> list[bytes]:
    """Sheets as writers write them: the repository's workbooks that the quick scan takes."""
    found = []
    for path in (ROOT / "examples" / "changzhou-2018" / "evidence.xlsx", ROOT / "tests" / "hostile" / "formula_without_value.xlsx"):
        with zipfile.ZipFile(path) as archive:
            for member, _ in xlsxread._sheet_parts(archive).values():
                found.append(archive.read(member))
    return found


SOURCES = _sources()
SNIPPETS = [b'<c r="XFD1048576"><v>1</v></c>', b'<c r="A1048577"/>', b"<!--x-->", b"<?p?>", b'<x:c r="B2"><v>1</v></x:c>',
            b'<c r="ZZ9" t="e"><v>#N/A</v></c>', b"<f>1</f>", b"<v>", b"</c>", b"<c>", b' r="A1"', b"text",
            b'<c r="B7"><f>A1</f><v> </v></c>', b"&#32;", b"<is><t>x</t></is>", b'<row r="9">', b"</row>", b"\x00",
            b'<c r="C3" ><v>1</v></c>', b'<c r="a1"><v>1</v></c>', b"<v/>", b'<c r="D4"><f>A1</f><v/></c>']


@settings(max_examples=300, deadline=None)
@given(source=st.sampled_from(range(len(SOURCES))), chunk=st.sampled_from([7, 100, 65536]),
       edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["insert", "delete", "byte"]),
                                st.sampled_from(SNIPPETS), st.integers(1, 20), st.integers(0, 255)), min_size=1, max_size=4))
def test_a_damaged_sheet_is_scanned_quickly_only_as_the_full_scan_scans_it(
        source: int, chunk: int, edits: list[tuple[float, str, bytes, int, int]]) -> None:
    # sheets as writers write them, damaged: a snippet put in, bytes taken out, a byte changed
    xml = bytearray(SOURCES[source])
    for where, kind, snippet, length, byte in edits:
        at = int(where * len(xml))
        if kind == "insert":
            xml[at:at] = snippet
        elif kind == "delete":
            del xml[at:at + length]
        elif at < len(xml):
            xml[at] = byte
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xlsxread, "SCAN_CHUNK", chunk)
        taken, quick, full = _both(bytes(xml))
    if taken:
        assert quick == full


@pytest.mark.parametrize("after", [b"</row>tail", b"</row> tail ", b"tail</row>", b"tail"])
def test_text_after_a_formula_s_blank_value_is_read_as_the_full_scan_reads_it(after: bytes) -> None:
    # the full scan reads all text from a formula's value up to the next element as that value:
    # "tail" after the cell makes the formula's value not blank (found by fuzzing the quick scan)
    xml = HEAD + b'<row r="2"><c r="B2"><f>1+1</f><v /></c>' + after + b'<row r="3"><c r="A3"><v>1</v></c></row>' + TAIL
    if b"</row>" not in after:
        xml = xml.replace(b'<row r="3">', b'</row><row r="3">', 1)
    taken, quick, full = _both(xml)
    assert not isinstance(full, str) and full[4] == set()  # not a formula without a value, to the full scan
    if taken:
        assert quick == full


@pytest.mark.parametrize("stray", [b"<is><t>x</t></is>", b"<v>1</v>", b"<f>A1</f>"])
def test_a_value_after_an_empty_cell_is_the_cell_s_as_the_full_scan_reads_it(stray: bytes) -> None:
    # the full scan ends a cell where the next element that is not its own starts: a value, text
    # or formula after an empty cell's end is taken as that cell's (found by fuzzing)
    xml = HEAD + b'<row r="2"><c r="A2"><v>1</v></c><c r="B2"></c></row>' + stray + TAIL
    taken, quick, full = _both(xml)
    assert not isinstance(full, str) and full[0] == 2  # A2 and B2
    if taken:
        assert quick == full


@pytest.mark.parametrize("chunk", [7, 65536])
@pytest.mark.parametrize(("rows", "first", "count"), [
    # B2 holds 3, then 40: which one a reader takes is its own choice (calamine took 40)
    (b'<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>3</v></c><c r="B2"><v>40</v></c></row>', "B2", 1),
    # row 2 given twice, with its A2 and B2 again: two positions, A2 met again first
    (b'<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>3</v></c></row>'
     b'<row r="2"><c r="A2"><v>5</v></c><c r="B2"><v>6</v></c></row>', "A2", 2),
    # no references: each cell is the one after the last, from A in each row: A2, B2, then A2
    (b'<row r="2"><c><v>1</v></c><c><v>2</v></c></row><row r="2"><c><v>3</v></c></row>', "A2", 1),
    # a row without `r` is the one after the last cell's row: A3, A4, then A4 again in row 4
    (b'<row r="3"><c r="A3"><v>1</v></c></row><row><c><v>2</v></c></row><row r="4"><c><v>3</v></c></row>', "A4", 1),
    # a cell without `r` lands on one written with it: B2, then A2 and B2 in row 2 again
    (b'<row r="2"><c r="B2"><v>1</v></c></row><row r="2"><c><v>1</v></c><c><v>2</v></c></row>', "B2", 1),
    # an empty cell takes its position too (Excel reads the file as corrupt all the same)
    (b'<row r="2"><c r="B2"/><c r="B2"><v>1</v></c></row>', "B2", 1),
    # B2 three times and D5 twice: two positions repeat; B2's second is met first
    (b'<row r="2"><c r="B2"><v>1</v></c><c r="B2"><v>2</v></c><c r="B2"><v>3</v></c></row>'
     b'<row r="5"><c r="D5"><v>1</v></c><c r="D5"><v>1</v></c></row>', "B2", 2),
    # back into a run of cells in order: A1, B1, C1 and A2 come in order, then B1 again
    (b'<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>1</v></c><c r="C1"><v>1</v></c></row>'
     b'<row r="2"><c r="A2"><v>1</v></c><c r="B1"><v>1</v></c></row>', "B1", 1),
])
def test_a_position_written_twice_is_refused_at_its_first_repeat_with_the_count(
        rows: bytes, first: str, count: int, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsxread, "SCAN_CHUNK", chunk)
    taken, _, full = _both(HEAD + rows + TAIL)
    assert not taken  # the quick scan vouches only for cells in order, each after the last
    assert not isinstance(full, str)
    assert full[7] == [f"f.xlsx!表!{first}: 错误: 此单元格在工作表中写了不止一次(写了不止一次的单元格共 {count} 个,这是第一个):"
                       "每个单元格只能写一次,否则不同的程序会读到不同的值;工作簿已损坏或被改动过,拒绝读取"]


@pytest.mark.parametrize(("rows", "facts"), [
    # row 3 before row 2: A2, B2, A3 and B3 hold values, reaching row 3 and column B, B3 farthest
    (b'<row r="3"><c r="A3"><v>3</v></c><c r="B3"><v>4</v></c></row><row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>',
     (4, 3, 2, (3, 2))),
    # each row's cells right to left: the same four cells
    (b'<row r="2"><c r="B2"><v>2</v></c><c r="A2"><v>1</v></c></row><row r="3"><c r="B3"><v>4</v></c><c r="A3"><v>3</v></c></row>',
     (4, 3, 2, (3, 2))),
    # B2 after A2 and C2, in the gap between them: three cells to C2 (2 × 3, the farthest)
    (b'<row r="2"><c r="A2"><v>1</v></c><c r="C2"><v>1</v></c><c r="B2"><v>1</v></c></row>', (3, 2, 3, (2, 3))),
    # an empty cell out of order (C2 before A2 and B2) repeats nothing either
    (b'<row r="2"><c r="C2"/><c r="A2"><v>1</v></c><c r="B2"><v>1</v></c></row>', (2, 2, 2, (2, 2))),
])
def test_cells_out_of_order_each_written_once_are_not_refused(rows: bytes, facts: tuple[object, ...]) -> None:
    taken, _, full = _both(HEAD + rows + TAIL)
    assert not taken  # left to the full scan, which places them by reference as calamine does
    assert full == (*facts, set(), {}, {}, [])


@settings(max_examples=300, deadline=None)
@given(ordered=st.lists(st.integers(1, 40), max_size=20), after=st.lists(st.integers(1, 40), max_size=10))
def test_the_places_taken_twice_are_those_a_set_of_every_place_finds(ordered: list[int], after: list[int]) -> None:
    # places in order first (runs, repeats among them too), then any: _Places keeps runs, not a set
    sequence = sorted(ordered) + after
    places = _Places()
    for place in sequence:
        places.add(place)
    seen: set[int] = set()
    repeated: list[int] = []
    for place in sequence:
        if place in seen:
            repeated.append(place)
        seen.add(place)
    assert places.repeated == set(repeated)
    if repeated:
        assert places.first == repeated[0]

"""Hostile workbooks (issue 13, area `xlsx`): a stray cell far out (the reader would build the whole
rectangle up to it), references beyond Excel's limits or not references at all, Excel error values
(#DIV/0!, #N/A…) that would read as blank, overlapping merged ranges, two parts of one name, a
cell or a row written twice, and data kept on hidden sheets. Run by tests/hostile/make_corpus.py (`main(folder)` writes the files);
each is listed in expected.yaml beside it with the refusal (or warning) it gets. Each file is a few
KB: the sheet XML is edited after openpyxl writes the workbook."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import Callable

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

SHEET = "xl/worksheets/sheet1.xml"
ROWS: list[list[object]] = [["单位", "1.1.1"], ["溧阳市", 2]]


def workbook(rows: list[list[object]] = ROWS, hidden: dict[str, tuple[str, list[list[object]]]] | None = None) -> bytes:
    """A workbook whose first sheet, 证据, holds `rows`; `hidden` adds sheets by name: (state, rows)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "证据"
    for row in rows:
        sheet.append(row)
    for name, (state, more) in (hidden or {}).items():
        extra = book.create_sheet(name)
        for row in more:
            extra.append(row)
        extra.sheet_state = state
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite(data: bytes, change: Callable[[bytes], bytes], member: str = SHEET) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


def with_rows(xml: bytes, data: bytes | None = None) -> bytes:
    """The base workbook with `xml` (whole <row> elements) added at the end of 证据's sheetData."""
    return rewrite(data or workbook(), lambda body: body.replace(b"</sheetData>", xml + b"</sheetData>", 1))


def error_cell(ref: str, error: str, formula: str = "") -> bytes:
    """A cell as Excel stores a formula whose result is an error: t="e", the error as its value."""
    f = f"<f>{formula}</f>" if formula else ""
    return f'<c r="{ref}" t="e">{f}<v>{error}</v></c>'.encode()


def merged(refs: list[str], data: bytes) -> bytes:
    """`data` with 证据's merged ranges set to `refs`."""
    cells = b"".join(b'<mergeCell ref="%s"/>' % ref.encode() for ref in refs)
    return rewrite(data, lambda body: body.replace(
        b"</sheetData>", b'</sheetData><mergeCells count="%d">%s</mergeCells>' % (len(refs), cells), 1))


def duplicate_part(first: bytes, second: bytes) -> bytes:
    """`second`, with `first`'s sheet XML stored before its own under the same name."""
    with zipfile.ZipFile(io.BytesIO(first)) as src:
        sheet = src.read(SHEET)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(second)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == SHEET:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: that is the point
                    dst.writestr(info.filename, sheet)
                    dst.writestr(info.filename, src.read(info.filename))
            else:
                dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def main(folder: Path) -> None:
    # One value typed far out: calamine would build XFD × 1048576 cells (512 GiB) and abort.
    (folder / "stray_far_cell.xlsx").write_bytes(with_rows(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    # At XFD2000 it is "only" 32 million cells: about 1 GB read, for 5 filled cells.
    (folder / "stray_xfd2000.xlsx").write_bytes(with_rows(b'<row r="2000"><c r="XFD2000"><v>1</v></c></row>'))
    # A reference no workbook can hold (Excel ends at XFD1048576).
    (folder / "beyond_limits.xlsx").write_bytes(with_rows(b'<row r="9"><c r="ZZZZ99999999"><v>1</v></c></row>'))
    # Cells without references follow one another: the 16385th of a row is past column XFD.
    (folder / "row_overflow.xlsx").write_bytes(with_rows(b'<row r="3">' + b"<c><v>1</v></c>" * 16385 + b"</row>"))
    # Not a reference at all.
    (folder / "bad_reference.xlsx").write_bytes(with_rows(b'<row r="3"><c r="$B$3"><v>1</v></c></row>'))
    # =1/0 as Excel saves it: calamine reads the cell as blank, which would score as not provided.
    (folder / "error_value.xlsx").write_bytes(rewrite(workbook(), lambda body: body.replace(
        b'<c r="B2" t="n"><v>2</v></c>', error_cell("B2", "#DIV/0!", "1/0"), 1)))
    # A VLOOKUP that found nothing, copied down a column: one message with the count.
    lookups = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c>' % (r, r)
                       + error_cell(f"B{r}", "#N/A", f"VLOOKUP(A{r},X:Y,2,0)") + b"</row>" for r in range(3, 15))
    (folder / "error_repeated.xlsx").write_bytes(with_rows(lookups))
    # Merged ranges that overlap (Excel never saves them): A1:B60, A1:C60, … A1:BXX60, each spread
    # over the rows of a sheet reaching XFD60, kept the reader busy for minutes.
    wide = with_rows(b'<row r="60"><c r="XFD60"><v>1</v></c></row>')
    (folder / "merged_overlap.xlsx").write_bytes(merged([f"A1:{get_column_letter(c)}60" for c in range(2, 2002)], wide))
    # Two parts of one name: a stray cell far out in the one, a clean sheet in the other. Which one a
    # reader takes is its own choice, and the scan must see what calamine reads.
    (folder / "duplicate_part.xlsx").write_bytes(duplicate_part(with_rows(
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), workbook()))
    # B2 written twice, 2 then 40: calamine took the last, another reader may take the first.
    (folder / "duplicate_cell.xlsx").write_bytes(rewrite(workbook(), lambda body: body.replace(
        b'<c r="B2" t="n"><v>2</v></c>', b'<c r="B2" t="n"><v>2</v></c><c r="B2" t="n"><v>40</v></c>', 1)))
    # Row 2 given again, with its A2 and B2: calamine kept only the later row's cells.
    (folder / "duplicate_row.xlsx").write_bytes(with_rows(
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2"><v>7</v></c></row>'))
    # A sheet whose part is not in the archive: it cannot be scanned, so it is not read.
    (folder / "missing_part.xlsx").write_bytes(rewrite(workbook(), lambda body: body.replace(
        b"worksheets/sheet1.xml", b"worksheets/gone.xml"), member="xl/_rels/workbook.xml.rels"))
    # The evidence on a hidden sheet, the visible sheet empty: nothing would be scored, silently.
    (folder / "hidden_only.xlsx").write_bytes(workbook([], {"隐藏表": ("hidden", ROWS)}))
    # A hidden sheet beside the evidence: it is not read, and it is named.
    (folder / "hidden_sheet.xlsx").write_bytes(workbook(ROWS, {"隐藏表": ("hidden", [["单位", "1.2.1"], ["溧阳市", 1]])}))


if __name__ == "__main__":
    main(Path(__file__).resolve().parent)

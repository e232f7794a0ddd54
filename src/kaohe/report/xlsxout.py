"""XLSX writing shared by results, rankings and templates: sheets laid out for print and for Excel."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kaohe.report.atomic import atomic_path

STREAM_ROWS = 20_000
"""Workbooks with more rows than this are written in openpyxl's write-only (streaming) mode:
the same sheets, numbers and chart, without cell borders, in linear time and memory."""
BORDERED_ROWS = 2000
"""Sheets longer than this are written without cell borders (styling every cell is slow)."""
WIDTH_SAMPLE = 500
"""Column widths are fitted to the first rows only."""


@dataclass
class SheetSpec:
    title: str
    rows: list[list[object]]
    freeze: str = "A2"
    chart: tuple[int, str] | None = None
    """(value column, chart title): a native bar chart of that column against column B."""
    header_rows: int = 1


def write_xlsx(target: str | Path, sheets: list[tuple[str, list[list[object]]]] | list[SheetSpec],
               inputs: list[str], timestamp: bool = True, decimals: int | None = None) -> None:
    """Write sheets as an office would: bold frozen headers, widths for Chinese text, numbers as
    numbers with a stated number of decimals, A4 print setup with the header repeated."""
    from openpyxl import Workbook

    specs = [s if isinstance(s, SheetSpec) else SheetSpec(s[0], s[1], "C2") for s in sheets]
    streaming = sum(len(spec.rows) for spec in specs) > STREAM_ROWS
    workbook = Workbook(write_only=streaming)
    if not streaming:
        workbook.remove(workbook.active)
    used: set[str] = set()
    places = decimals if decimals is not None else _decimals(specs)
    for spec in specs:
        sheet = workbook.create_sheet(sheet_title(spec.title, used))
        (_stream if streaming else _fill)(sheet, spec, places)
    with atomic_path(target, inputs) as tmp:
        workbook.save(tmp)
        if not timestamp:
            _drop_timestamps(tmp)


def sheet_title(title: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = re.sub(r"[\[\]:*?/\\]", "_", title)[:31] or "Sheet"
    name, n = clean, 2
    while name.lower() in used:
        suffix = f"({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _decimals(specs: list[SheetSpec]) -> int:
    """As many decimals as the most precise point value needs (at most 4)."""
    most = 0
    for spec in specs:
        for row in spec.rows[spec.header_rows:]:
            for v in row:
                if isinstance(v, Decimal) and v.is_finite():
                    most = max(most, -min(v.normalize().as_tuple().exponent, 0))  # type: ignore[operator]
    return min(most, 4)


def _fill(sheet, spec: SheetSpec, places: int) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    number_format = "0" if places == 0 else "0." + "0" * places
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin) if len(spec.rows) <= BORDERED_ROWS else None
    for r, row in enumerate(spec.rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            put(cell, value)
            if border is not None:
                cell.border = border
            if isinstance(value, Decimal):
                cell.number_format = number_format
            elif isinstance(value, str) and len(value) > 20:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in range(1, spec.header_rows + 1):
        for cell in sheet[r]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    _layout(sheet, spec)
    if spec.chart is not None and len(spec.rows) > 1:
        _bar_chart(sheet, spec, *spec.chart)


def _stream(sheet, spec: SheetSpec, places: int) -> None:  # type: ignore[no-untyped-def]
    """Write-only: rows are appended once; layout is set before the first row."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    _layout(sheet, spec)
    number_format = "0" if places == 0 else "0." + "0" * places
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for r, row in enumerate(spec.rows, start=1):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            elif isinstance(value, Decimal):
                cell.number_format = number_format
            if r <= spec.header_rows:
                cell.font, cell.fill = bold, fill
            cells.append(cell)
        sheet.append(cells)
    if spec.chart is not None and len(spec.rows) > 1:
        _bar_chart(sheet, spec, *spec.chart)


def _layout(sheet, spec: SheetSpec) -> None:  # type: ignore[no-untyped-def]
    sheet.freeze_panes = spec.freeze
    _widths(sheet, spec.rows)
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{spec.header_rows}"


def _bar_chart(sheet, spec: SheetSpec, column: int, title: str) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.legend = None
    last = len(spec.rows)
    chart.add_data(Reference(sheet, min_col=column, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=last))
    chart.y_axis.title = title
    chart.x_axis.scaling.orientation = "maxMin"  # first place at the top, as in the table
    chart.height = max(7.5, 0.6 * last)
    chart.width = 16
    sheet.add_chart(chart, f"{_letter(len(spec.rows[0]) + 2)}2")


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


_EPOCH = "1980-01-01T00:00:00Z"


def _drop_timestamps(path: Path) -> None:
    """Rewrite the archive with fixed entry times and document dates, so equal inputs give equal bytes."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = [(info.filename, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rf"\g<1>{_EPOCH}\g<2>", text)
                data = text.encode("utf-8")
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)


def put(cell, value: object) -> None:  # type: ignore[no-untyped-def]
    """Text is always stored as text, even when it starts with '=' (never a live formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _widths(sheet, table: list[list[object]]) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils import get_column_letter

    sample = table[:WIDTH_SAMPLE]
    for col in range(max((len(row) for row in sample), default=0)):
        longest = max((_display_width("" if row[col] is None else str(row[col])) for row in sample
                       if col < len(row)), default=4)
        sheet.column_dimensions[get_column_letter(col + 1)].width = min(max(longest + 2, 6), 60)


def _display_width(text: str) -> int:
    """CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


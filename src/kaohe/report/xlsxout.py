"""XLSX writing shared by results, rankings and templates: sheets laid out for print and for Excel."""

from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Iterable, Iterator

from kaohe.errors import printable
from kaohe.i18n import t
from kaohe.numbers import EXACT, Rational, approximate, display_places
from kaohe.report.atomic import atomic_path

STREAM_ROWS = 20_000
"""Workbooks with more rows than this are streamed: openpyxl's write-only mode lays out each
sheet (widths, frozen header, print setup, styles, chart) and writes the header rows; the data
rows are then written straight into the sheet's XML as the archive is finished. The same
sheets, numbers and chart, without cell borders, in linear time and memory."""
MAX_SHEET_ROWS = 1_048_576
"""Excel's last row: a longer sheet continues on further sheets (明细, 明细(2)…), header repeated."""
MAX_CHART_ROWS = 200
"""The most units a chart shows (the first places); the table holds them all."""
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
    more: Iterable[list[object]] | None = None
    """Rows made only as the sheet is written, after `rows` (a detail too long to hold)."""
    more_count: int = 0
    """How many rows `more` gives."""
    heading: str | None = None
    """The title printed at the top of every page; each page's foot then has lines to sign."""

    @property
    def size(self) -> int:
        return len(self.rows) + self.more_count


def write_xlsx(target: str | Path, sheets: list[tuple[str, list[list[object]]]] | list[SheetSpec],
               inputs: list[str], timestamp: bool = True, decimals: int | None = None) -> None:
    """Write sheets as an office would: bold frozen headers, widths for Chinese text, numbers as
    numbers with a stated number of decimals, A4 print setup with the header repeated."""
    from openpyxl import Workbook

    specs = [s if isinstance(s, SheetSpec) else SheetSpec(s[0], s[1], "C2") for s in sheets]
    streaming = sum(spec.size for spec in specs) > STREAM_ROWS
    if not streaming:  # small: every row is held and styled
        specs = [SheetSpec(s.title, s.rows + list(s.more or ()), s.freeze, s.chart, s.header_rows,
                           heading=s.heading) for s in specs]
    specs = [part for spec in specs for part in _split(spec)]
    workbook = Workbook(write_only=streaming)
    if not streaming:
        workbook.remove(workbook.active)
    used: set[str] = set()
    places = decimals if decimals is not None else decimals_of(specs)
    pending = []
    for spec in specs:
        sheet = workbook.create_sheet(sheet_title(spec.title, used))
        if streaming:
            pending.append((sheet, *_stream(sheet, spec, places)))
        else:
            _fill(sheet, spec, places)
    with atomic_path(target, inputs) as tmp:
        workbook.save(tmp)
        if pending or not timestamp:
            from kaohe.report.sheetxml import finish_archive

            finish_archive(tmp, {sheet.path.lstrip("/"): data for sheet, *data in pending}, fixed_times=not timestamp)


def _split(spec: SheetSpec) -> Iterator[SheetSpec]:
    """The sheet, or (past Excel's last row) the sheet and its continuations, header repeated."""
    if spec.size <= MAX_SHEET_ROWS:
        yield spec
        return
    header = spec.rows[:spec.header_rows]
    body = chain(spec.rows[spec.header_rows:], spec.more or ())
    left = spec.size - spec.header_rows
    per_sheet = MAX_SHEET_ROWS - spec.header_rows
    while left > 0:
        count = min(left, per_sheet)
        yield SheetSpec(spec.title, list(header), spec.freeze, None, spec.header_rows, islice(body, count), count,
                        spec.heading)
        left -= count


def sheet_title(title: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ (nor a control character: a unit's
    name from a results file may hold one), unique in the workbook."""
    clean = re.sub(r"[\[\]:*?/\\]", "_", printable(title))[:31] or "Sheet"
    name, n = clean, 2
    while name.lower() in used:
        suffix = f"({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def decimals_of(specs: list[SheetSpec], more: Iterable[Decimal] = ()) -> int:
    """As many decimals as the most precise point value needs (at most 4): the values of the
    sheets' held rows, and `more` (the values of rows made only as they are written)."""
    values = {v for spec in specs for row in spec.rows[spec.header_rows:] for v in row
              if isinstance(v, (Decimal, Rational))}
    values.update(more)
    return min(max((_places(v) for v in values), default=0), 4)


def _places(value: Decimal | Rational) -> int:
    """The decimals a value needs: its own, or the display places for one with no finite form."""
    if isinstance(value, Rational):
        return display_places()
    return -min(value.normalize(EXACT).as_tuple().exponent, 0)  # type: ignore[operator]


def _fill(sheet, spec: SheetSpec, places: int) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    number_format = "0" if places == 0 else "0." + "0" * places
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin) if len(spec.rows) <= BORDERED_ROWS else None
    # Setting a style on a cell makes openpyxl hash and look up the style objects, which is slow;
    # cells are of a few kinds, so each kind is styled once and its style indices copied after.
    styled: dict[tuple[bool, bool], object] = {}
    for r, row in enumerate(spec.rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            put(cell, value)
            kind = (isinstance(value, (Decimal, Rational)), isinstance(value, str) and len(value) > 20)
            known = styled.get(kind)
            if known is not None:
                cell._style = copy(known)
                continue
            if border is not None:
                cell.border = border
            if kind[0]:
                cell.number_format = number_format
            elif kind[1]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            styled[kind] = copy(cell._style)
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header_alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    headed: dict[tuple[int, ...], object] = {}  # a cell's style before -> after the header's
    for r in range(1, spec.header_rows + 1):
        for cell in sheet[r]:
            before = tuple(cell._style)
            known = headed.get(before)
            if known is not None:
                cell._style = copy(known)
                continue
            cell.font, cell.fill, cell.alignment = header_font, header_fill, header_alignment
            headed[before] = copy(cell._style)
    _layout(sheet, spec)
    if spec.chart is not None and len(spec.rows) > 1:
        _bar_chart(sheet, spec, *spec.chart)


def _stream(sheet, spec: SheetSpec, places: int) -> tuple[Iterable[list[object]], int, int]:  # type: ignore[no-untyped-def]
    """Write-only: the layout and the header rows; returns the data rows (written later, straight
    into the sheet's XML), the row number they start at, and the style of their numbers."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    rows = chain(spec.rows, spec.more or ())
    sample = list(islice(rows, WIDTH_SAMPLE))
    _layout(sheet, spec, sample)
    number_format = "0" if places == 0 else "0." + "0" * places
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for row in sample[:spec.header_rows]:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, shown(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            cell.font, cell.fill = bold, fill
            cells.append(cell)
        sheet.append(cells)
    probe = WriteOnlyCell(sheet, 0)
    probe.number_format = number_format
    number_style = probe.style_id  # registers the number format with the workbook's styles
    if spec.chart is not None and spec.size > 1:
        _bar_chart(sheet, spec, *spec.chart)
    return chain(sample[spec.header_rows:], rows), spec.header_rows + 1, number_style


def _layout(sheet, spec: SheetSpec, sample: list[list[object]] | None = None) -> None:  # type: ignore[no-untyped-def]
    sheet.freeze_panes = spec.freeze
    _widths(sheet, spec.rows if sample is None else sample)
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{spec.header_rows}"
    if spec.heading:
        sheet.oddHeader.center.text = printable(spec.heading).replace("&", "&&")  # & starts a header code
        sheet.oddHeader.center.size = 14
        sheet.oddHeader.center.font = "-,Bold"
        sheet.oddFooter.left.text = t("print.signatures")
        sheet.oddFooter.right.text = t("print.page")
        sheet.page_margins.top = 0.9
        sheet.page_margins.bottom = 0.9


def _bar_chart(sheet, spec: SheetSpec, column: int, title: str) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.legend = None
    last = min(spec.size, MAX_CHART_ROWS + 1)
    chart.add_data(Reference(sheet, min_col=column, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=last))
    chart.y_axis.title = title
    chart.x_axis.scaling.orientation = "maxMin"  # first place at the top, as in the table
    chart.height = max(7.5, 0.6 * last)
    chart.width = 16
    sheet.add_chart(chart, f"{_letter(len(spec.rows[0]) + 2)}2")
    if spec.size > MAX_CHART_ROWS + 1:
        from kaohe.i18n import t

        chart.title = t("chart.first_places", title=title, count=MAX_CHART_ROWS)


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def put(cell, value: object) -> None:  # type: ignore[no-untyped-def]
    """Text is always stored as text, even when it starts with '=' (never a live formula)."""
    cell.value = approximate(value) if isinstance(value, Rational) else shown(value)
    if isinstance(value, str):
        cell.data_type = "s"


def shown(value: object) -> object:
    """Text as a cell holds it: control characters written as escapes (`\\x1b`), as in CSV and
    on the terminal. XLSX cannot hold most of them at all (openpyxl refuses the workbook), and
    text from a results file or an evidence header is not checked as a scheme's is."""
    if isinstance(value, str) and not value.isprintable():
        return printable(value, keep="\n\t")
    return value


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


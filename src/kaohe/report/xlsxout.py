"""XLSX writing shared by results, rankings and templates: sheets laid out for print and for Excel."""

from __future__ import annotations

import math
import re
from copy import copy
from dataclasses import dataclass, field, replace
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
LINE_PT = 16.0
"""The height of one line of 11-pt text with CJK glyphs (Noto Sans CJK, SimSun and Microsoft
YaHei set about 1.45 em per line): a row of wrapped text is this times its lines, and more."""
TITLE_PT = 24.0
"""The height of a title row (16-pt bold)."""
PORTRAIT_WIDTH = 95
"""The column widths (in Excel's character units) that fit across A4 portrait; wider sheets
print landscape (about 140 fit), and every sheet is scaled to one page wide."""
MAX_OWN_PLACES = 4
"""The most decimals a number is shown with when each number is shown with its own."""


@dataclass
class ChartSpec:
    """A bar chart of one column of the sheet against its unit names (column B)."""

    column: int
    title: str
    full: Decimal | None = None
    """The axis runs from 0 to this (the full score), in whole steps."""
    marked: list[int] = field(default_factory=list)
    """The data rows (0 for the first unit) whose bars are shown in red (vetoed units)."""


@dataclass
class SheetSpec:
    title: str
    rows: list[list[object]]
    freeze: str = "A2"
    chart: ChartSpec | tuple[int, str] | None = None
    """A native bar chart of a column against column B; (value column, chart title) for short."""
    header_rows: int = 1
    more: Iterable[list[object]] | None = None
    """Rows made only as the sheet is written, after `rows` (a detail too long to hold)."""
    more_count: int = 0
    """How many rows `more` gives."""
    heading: str | None = None
    """The title printed at the top of every page; each page's foot then has lines to sign."""
    titles: list[str] = field(default_factory=list)
    """Lines printed above the header (title, 文号, period…), each merged across the table."""
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Cells merged like the document's table: (first row, first column, last row, last column),
    numbered within `rows` from 1."""
    widths: dict[int, float] | None = None
    """Column widths by column number, instead of widths fitted to the text."""
    wrap: set[int] = field(default_factory=set)
    """Columns whose text wraps whatever its length."""
    bold_rows: set[int] = field(default_factory=set)
    """Rows (numbered within `rows`) shown bold: subtotals and totals."""
    plain_rows: int = 0
    """The last this many rows are printed without borders (a signature block)."""
    footer: bool = False
    """Page numbers in the foot of every page ("第 x 页 共 y 页")."""

    @property
    def size(self) -> int:
        return len(self.rows) + self.more_count


def write_xlsx(target: str | Path, sheets: list[tuple[str, list[list[object]]]] | list[SheetSpec],
               inputs: list[str], timestamp: bool = True, decimals: int | None = None,
               own_places: int | None = None) -> None:
    """Write sheets as an office would: bold frozen headers, widths for Chinese text, numbers as
    numbers with a stated number of decimals, A4 print setup with the header repeated.

    With `own_places`, each number is shown with the decimals it has (2, 0.5, 2.25: never "2.0"
    for 2), and a value with no finite decimal form with `own_places` (the scheme's)."""
    from openpyxl import Workbook

    specs = [s if isinstance(s, SheetSpec) else SheetSpec(s[0], s[1], "C2") for s in sheets]
    streaming = sum(spec.size for spec in specs) > STREAM_ROWS
    if not streaming:  # small: every row is held and styled
        specs = [replace(s, rows=s.rows + list(s.more or ()), more=None, more_count=0) for s in specs]
    specs = [part for spec in specs for part in _split(spec)]
    workbook = Workbook(write_only=streaming)
    if not streaming:
        workbook.remove(workbook.active)
    used: set[str] = set()
    places: Places = (own_places, None) if own_places is not None else (
        None, decimals if decimals is not None else decimals_of(specs))
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
        yield replace(spec, rows=list(header), chart=None, more=islice(body, count), more_count=count, merges=[],
                      bold_rows=set(), plain_rows=0)
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


Places = tuple[int | None, int | None]
"""(own places, fixed places): numbers shown with their own decimals (and a value with no finite
form with the first), or every number with the second."""


def number_format(places: int) -> str:
    return "0" if places <= 0 else "0." + "0" * places


def format_of(value: Decimal | Rational, places: Places) -> str:
    """The number format a point value is shown with."""
    own, fixed = places
    if own is None:
        return number_format(fixed or 0)
    if isinstance(value, Rational):
        return number_format(own)
    return number_format(min(_places(value), MAX_OWN_PLACES))


def _fill(sheet, spec: SheetSpec, places: Places) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    offset = len(spec.titles)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin) if len(spec.rows) <= BORDERED_ROWS else None
    last_bordered = len(spec.rows) - spec.plain_rows
    # Setting a style on a cell makes openpyxl hash and look up the style objects, which is slow;
    # cells are of a few kinds, so each kind is styled once and its style indices copied after.
    styled: dict[tuple[object, ...], object] = {}
    for r, row in enumerate(spec.rows, start=1):
        bold, boxed = r in spec.bold_rows, r <= last_bordered
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r + offset, column=c)
            put(cell, value)
            number = isinstance(value, (Decimal, Rational))
            wrapped = isinstance(value, str) and (len(value) > 20 or c in spec.wrap)
            kind = (format_of(value, places) if number else None, wrapped, bold, boxed)  # type: ignore[arg-type]
            known = styled.get(kind)
            if known is not None:
                cell._style = copy(known)
                continue
            if border is not None and boxed:
                cell.border = border
            if number:
                cell.number_format = kind[0]
            if wrapped:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif c in spec.wrap or number:
                cell.alignment = Alignment(vertical="top")
            if bold:
                cell.font = Font(bold=True)
            styled[kind] = copy(cell._style)
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header_alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    headed: dict[tuple[int, ...], object] = {}  # a cell's style before -> after the header's
    for r in range(offset + 1, offset + spec.header_rows + 1):
        for cell in sheet[r]:
            before = tuple(cell._style)
            known = headed.get(before)
            if known is not None:
                cell._style = copy(known)
                continue
            cell.font, cell.fill, cell.alignment = header_font, header_fill, header_alignment
            headed[before] = copy(cell._style)
    for first_row, first_col, last_row, last_col in spec.merges:
        sheet.merge_cells(start_row=first_row + offset, start_column=first_col,
                          end_row=last_row + offset, end_column=last_col)
    _titles(sheet, spec)
    _layout(sheet, spec)
    if len(spec.rows) <= BORDERED_ROWS:
        _heights(sheet, spec)
    if _chart(spec) is not None and len(spec.rows) > 1:
        _bar_chart(sheet, spec, _chart(spec))  # type: ignore[arg-type]


def _titles(sheet, spec: SheetSpec) -> None:  # type: ignore[no-untyped-def]
    """The lines above the header: the first large and bold, each merged across the table."""
    from openpyxl.styles import Alignment, Font

    width = max(len(spec.rows[0]) if spec.rows else 1, 1)
    for r, line in enumerate(spec.titles, start=1):
        cell = sheet.cell(row=r, column=1)
        put(cell, line)
        cell.font = Font(bold=True, size=16) if r == 1 else Font(size=11)
        cell.alignment = Alignment(horizontal="center" if r == 1 else "left", vertical="center")
        if width > 1:
            sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        sheet.row_dimensions[r].height = TITLE_PT if r == 1 else LINE_PT + 2


def _chart(spec: SheetSpec) -> ChartSpec | None:
    if spec.chart is None or isinstance(spec.chart, ChartSpec):
        return spec.chart
    return ChartSpec(*spec.chart)


def _stream(sheet, spec: SheetSpec, places: Places) -> tuple[Iterable[list[object]], int, object]:  # type: ignore[no-untyped-def]
    """Write-only: the layout, the title and header rows; returns the data rows (written later,
    straight into the sheet's XML), the row number they start at, and the styles of their numbers."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    rows = chain(spec.rows, spec.more or ())
    sample = list(islice(rows, WIDTH_SAMPLE))
    _layout(sheet, spec, sample)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for r, line in enumerate(spec.titles, start=1):
        cell = WriteOnlyCell(sheet, shown(line))
        cell.data_type = "s"
        cell.font = Font(bold=True, size=16) if r == 1 else Font(size=11)
        sheet.append([cell])
    for row in sample[:spec.header_rows]:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, shown(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            cell.font, cell.fill = bold, fill
            cells.append(cell)
        sheet.append(cells)
    styles: dict[str, int] = {}
    for shown_places in range(MAX_OWN_PLACES + 1) if places[0] is not None else [places[1] or 0]:
        probe = WriteOnlyCell(sheet, 0)
        probe.number_format = number_format(shown_places)
        styles[probe.number_format] = probe.style_id  # registers the number format with the workbook's styles
    if places[0] is not None:
        probe = WriteOnlyCell(sheet, 0)
        probe.number_format = number_format(places[0])
        styles[probe.number_format] = probe.style_id
    chart = _chart(spec)
    if chart is not None and spec.size > 1:
        _bar_chart(sheet, spec, chart)
    style_of = (lambda value: styles[format_of(value, places)]) if places[0] is not None else styles[
        number_format(places[1] or 0)]
    return chain(sample[spec.header_rows:], rows), len(spec.titles) + spec.header_rows + 1, style_of


def _shifted(cell: str, rows: int) -> str:
    """A cell reference `rows` further down ("C2" → "C5")."""
    match = re.fullmatch(r"([A-Z]*)(\d+)", cell)
    if match is None or not rows:
        return cell
    return f"{match.group(1)}{int(match.group(2)) + rows}"


def _layout(sheet, spec: SheetSpec, sample: list[list[object]] | None = None) -> None:  # type: ignore[no-untyped-def]
    offset = len(spec.titles)
    sheet.freeze_panes = _shifted(spec.freeze, offset)
    if spec.widths is not None:
        from openpyxl.utils import get_column_letter

        for col, width in spec.widths.items():
            sheet.column_dimensions[get_column_letter(col)].width = width
    else:
        _widths(sheet, spec.rows if sample is None else sample)
    total = sum(sheet.column_dimensions[_letter(c + 1)].width or 8.43 for c in range(len(spec.rows[0]) if spec.rows else 0))
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.orientation = "portrait" if total <= PORTRAIT_WIDTH else "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{offset + 1}:{offset + spec.header_rows}"
    if spec.heading:
        sheet.oddHeader.center.text = printable(spec.heading).replace("&", "&&")  # & starts a header code
        sheet.oddHeader.center.size = 14
        sheet.oddHeader.center.font = "-,Bold"
        sheet.oddFooter.left.text = t("print.signatures")
        sheet.oddFooter.right.text = t("print.page")
        sheet.page_margins.top = 0.9
        sheet.page_margins.bottom = 0.9
    elif spec.footer:
        sheet.oddFooter.center.text = t("print.page")


def lines_needed(text: str, width: float) -> int:
    """The lines a wrapped text takes in a column `width` characters wide: its display width
    (CJK characters two columns, a little more as they are set), line by line, over what the
    column holds inside its padding."""
    capacity = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(_display_width(part) * 1.1 / capacity)) for part in text.split("\n"))


def height_needed(text: str, width: float) -> float:
    return lines_needed(text, width) * LINE_PT + 4


def _heights(sheet, spec: SheetSpec) -> None:  # type: ignore[no-untyped-def]
    """Row heights that show every wrapped text whole; a merged cell's text spread over its rows."""
    offset = len(spec.titles)
    widths = [sheet.column_dimensions[_letter(c + 1)].width or 8.43 for c in range(max(map(len, spec.rows)))]
    spans = {(r, c): (last_r, sum(widths[c - 1:last_c])) for r, c, last_r, last_c in spec.merges}
    inside = {(r, c) for r0, c0, r1, c1 in spec.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
              if (r, c) != (r0, c0)}
    heights = [0.0] * (len(spec.rows) + 1)
    tall: list[tuple[int, int, float]] = []
    for r, row in enumerate(spec.rows, start=1):
        for c, value in enumerate(row, start=1):
            if not isinstance(value, str) or not value or (r, c) in inside:
                continue
            wraps = r <= spec.header_rows or len(value) > 20 or c in spec.wrap
            last, width = spans.get((r, c), (r, widths[c - 1]))
            need = height_needed(value, width) if wraps else LINE_PT + 4
            if last == r:
                heights[r] = max(heights[r], need)
            else:
                tall.append((r, last, need))
    heights = [max(h, LINE_PT + 4) for h in heights]
    for first, last, need in tall:  # a merged cell's text: its rows grow at the last one if short
        short = need - sum(heights[first:last + 1])
        if short > 0:
            heights[last] += short
    for r in range(1, len(spec.rows) + 1):
        sheet.row_dimensions[r + offset].height = round(heights[r], 1)


def _bar_chart(sheet, spec: SheetSpec, chart_spec: ChartSpec) -> None:  # type: ignore[no-untyped-def]
    """Bars of one column by unit: every unit named, its value on its bar, the axis in whole
    points up to the full score, vetoed units in red."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.chart.marker import DataPoint

    offset = len(spec.titles)
    chart = BarChart()
    chart.type = "bar"
    chart.title = chart_spec.title
    chart.legend = None
    last = min(spec.size, MAX_CHART_ROWS + 1)
    chart.add_data(Reference(sheet, min_col=chart_spec.column, min_row=offset + 1, max_row=offset + last),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=2, min_row=offset + 2, max_row=offset + last))
    series = chart.series[0]
    series.graphicalProperties.solidFill = "5B9BD5"
    series.dLbls = DataLabelList()
    series.dLbls.showVal = True
    for flag in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
        setattr(series.dLbls, flag, False)
    for index in chart_spec.marked:
        if index < last - 1:
            point = DataPoint(idx=index)
            point.graphicalProperties.solidFill = "C00000"
            series.dPt.append(point)
    chart.x_axis.scaling.orientation = "maxMin"  # first place at the top, as in the table
    chart.x_axis.tickLblSkip = 1  # every unit named
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.scaling.min = 0
    if chart_spec.full is not None and chart_spec.full > 0:
        chart.y_axis.scaling.max = float(chart_spec.full)
        chart.y_axis.majorUnit = float(_step(chart_spec.full))
    chart.y_axis.number_format = "0"
    chart.y_axis.majorGridlines = None
    chart.gapWidth = 60
    chart.height = max(7.5, 0.8 * last + 2)
    chart.width = 18
    sheet.add_chart(chart, f"{_letter(len(spec.rows[0]) + 2)}{offset + 2}")
    if spec.size > MAX_CHART_ROWS + 1:
        chart.title = t("chart.first_places", title=chart_spec.title, count=MAX_CHART_ROWS)


def _step(full: Decimal) -> int:
    """A whole step that divides the axis into 4 to 10 parts."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if full / step <= 10:
            return step
    return int(full / 10) or 1


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


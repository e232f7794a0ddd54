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
from kaohe.numbers import EXACT, Rational, approximate, display_places, exact_text
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
    """A bar chart of one column of the sheet against its unit names (column B unless `names`)."""

    column: int
    title: str
    full: Decimal | None = None
    """The axis runs from 0 to this (the full score), in whole steps."""
    marked: list[int] = field(default_factory=list)
    """The data rows (0 for the first unit) whose bars are shown in red (vetoed units)."""
    names: int = 2
    """The column of the unit names (C where 类内名次 comes first)."""
    lowest: Decimal | None = None
    """The lowest value where it is below 0 (a money scheme's net loss): the axis starts below it."""


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
    width_sample: list[list[object]] | None = None
    """The rows to measure column widths by where the sheet's own cannot be read ahead: a
    continuation (明细(2)…), whose rows come from the same stream as the sheet before it and must
    not be taken from it before that sheet is written."""

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
    with atomic_path(target, inputs) as tmp:  # streamed sheets are written (to temporary files) as they are made
        for spec in specs:
            sheet = workbook.create_sheet(sheet_title(spec.title, used))
            if streaming:
                pending.append((sheet, *_stream(sheet, spec, places)))
            else:
                _fill(sheet, spec, places)
        workbook.save(tmp)
        if pending or not timestamp:
            from kaohe.report.sheetxml import finish_archive

            finish_archive(tmp, {sheet.path.lstrip("/"): data for sheet, *data in pending}, fixed_times=not timestamp)


def _split(spec: SheetSpec) -> Iterator[SheetSpec]:
    """The sheet, or (past Excel's last row) the sheet and its continuations, header repeated."""
    if len(spec.titles) + spec.size <= MAX_SHEET_ROWS:  # the title lines are rows of the sheet too
        yield spec
        return
    header = spec.rows[:spec.header_rows]
    body: Iterator[list[object]] = chain(spec.rows[spec.header_rows:], spec.more or ())
    first = list(islice(body, WIDTH_SAMPLE))  # every part is as wide as the first part's rows need
    body = chain(first, body)
    left = spec.size - spec.header_rows
    per_sheet = MAX_SHEET_ROWS - len(spec.titles) - spec.header_rows
    part = 0
    while left > 0:
        count = min(left, per_sheet)
        yield replace(spec, rows=list(header), chart=None, more=islice(body, count), more_count=count, merges=[],
                      bold_rows=set(), plain_rows=0, width_sample=list(header) + first if part else None)
        left -= count
        part += 1


def sheet_title(title: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ (nor a control character: a unit's
    name from a results file may hold one), unique in the workbook."""
    return unique_name(re.sub(r"[\[\]:*?/\\]", "_", printable(title))[:31] or "Sheet", used, 31)


def unique_name(name: str, used: set[str], width: int | None = None) -> str:
    """`name`, or where it is in `used` the first free of `name(2)`, `name(3)`… (cut to `width`
    characters with the number), and added to `used`. Case aside: Excel holds 甲a and 甲A as one
    sheet, Windows and macOS as one file. A workbook's sheets and `template --by`'s files."""
    candidate, n = name, 2
    while candidate.lower() in used:
        suffix = f"({n})"
        candidate, n = (name if width is None else name[: width - len(suffix)]) + suffix, n + 1
    used.add(candidate.lower())
    return candidate


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
    offset = len(spec.titles)
    styles = _Styles(sheet, len(spec.rows) <= BORDERED_ROWS)
    inside = _inside_merges(spec)
    for r, cells in _kinds(spec, places):
        for c, (value, kind) in enumerate(cells, start=1):
            cell = sheet.cell(row=r + offset, column=c)
            if (r, c) not in inside:
                put(cell, value)
            cell._style = copy(styles(kind))
    for first_row, first_col, last_row, last_col in spec.merges:
        _merge(sheet, (first_row + offset, first_col, last_row + offset, last_col), False)
    _titles(sheet, spec)
    _layout(sheet, spec)
    if len(spec.rows) <= BORDERED_ROWS:
        _heights(sheet, spec)
    if _chart(spec) is not None and len(spec.rows) > 1:
        _bar_chart(sheet, spec, _chart(spec))  # type: ignore[arg-type]


Kind = tuple[object, ...]
"""What a cell's style depends on: (number format, wraps, bold, boxed, header)."""


def _kinds(spec: SheetSpec, places: Places, rows: Iterable[list[object]] | None = None,
           ) -> Iterator[tuple[int, list[tuple[object, Kind]]]]:
    """Each row (numbered within `rows` from 1) with each cell's value and kind of style: the
    ordinary and the streamed workbook style their cells alike from this."""
    last_bordered = len(spec.rows) - spec.plain_rows
    for r, row in enumerate(spec.rows if rows is None else rows, start=1):
        header, bold, boxed = r <= spec.header_rows, r in spec.bold_rows, r <= last_bordered
        cells = []
        for c, value in enumerate(row, start=1):
            number = isinstance(value, (Decimal, Rational))
            wrapped = isinstance(value, str) and (len(value) > 20 or c in spec.wrap)
            shown_as = format_of(value, places) if number else None  # type: ignore[arg-type]
            cells.append((value, (shown_as, wrapped, bold, boxed, header)))
        yield r, cells


class _Styles:
    """The style of each kind of cell, made once on a probe cell and copied after: setting a
    style on a cell makes openpyxl hash and look up the style objects, which is slow. A style
    is an index into the workbook's tables, so the kinds made for one sheet serve every sheet of
    the workbook (a hundred 评价表 made them a hundred times)."""

    def __init__(self, sheet, bordered: bool) -> None:  # type: ignore[no-untyped-def]
        self.sheet, self.bordered = sheet, bordered
        made: dict[bool, dict[Kind, object]] = sheet.parent.__dict__.setdefault("_kaohe_styles", {})
        self.known = made.setdefault(bordered, {})

    def __call__(self, kind: Kind) -> object:
        known = self.known.get(kind)
        if known is None:
            known = self.known[kind] = self._make(kind)
        return known

    def _make(self, kind: Kind) -> object:
        from openpyxl.cell import Cell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        shown_as, wrapped, bold, boxed, header = kind
        probe = Cell(self.sheet, row=1, column=1)
        if self.bordered and boxed:
            thin = Side(style="thin", color="999999")
            probe.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        if shown_as is not None:
            probe.number_format = shown_as
        if header:
            probe.font, probe.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
            probe.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            return copy(probe._style)
        # every cell of a row at its top: a short cell beside a wrapped one (a number beside a
        # 评分标准, a unit beside its 说明) is then read on the same line, not at the row's foot
        probe.alignment = Alignment(wrap_text=True, vertical="top") if wrapped else Alignment(vertical="top")
        if bold:
            probe.font = Font(bold=True)
        return copy(probe._style)


def _inside_merges(spec: SheetSpec) -> set[tuple[int, int]]:
    """The cells a merge covers but its first: they hold nothing (the first shows for all)."""
    return {(r, c) for r0, c0, r1, c1 in spec.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)}


def _title_style(sheet, first: bool) -> object:  # type: ignore[no-untyped-def]
    """A title line's style: the first large and bold and centred, the others plain."""
    from openpyxl.cell import Cell
    from openpyxl.styles import Alignment, Font

    probe = Cell(sheet, row=1, column=1)
    probe.font = Font(bold=True, size=16) if first else Font(size=11)
    probe.alignment = Alignment(horizontal="center" if first else "left", vertical="center")
    return copy(probe._style)


def _titles(sheet, spec: SheetSpec, streamed: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The lines above the header: the first large and bold, each merged across the table."""
    from openpyxl.cell import WriteOnlyCell

    width = max(len(spec.rows[0]) if spec.rows else 1, 1)
    for r, line in enumerate(spec.titles, start=1):
        cell = WriteOnlyCell(sheet) if streamed else sheet.cell(row=r, column=1)
        put(cell, line)
        cell._style = _title_style(sheet, r == 1)
        if width > 1:
            _merge(sheet, (r, 1, r, width), streamed)
        sheet.row_dimensions[r].height = TITLE_PT if r == 1 else LINE_PT + 2
        if streamed:
            sheet.append([cell])


def _merge(sheet, where: tuple[int, int, int, int], streamed: bool) -> None:  # type: ignore[no-untyped-def]
    """Merge cells (first row, first column, last row, last column); a streamed sheet only
    records the range (its cells are written already empty).

    openpyxl's merge_cells styles each cell of the range anew (the borders of its edges from
    the first cell's, its protection), setting a style object per cell, which openpyxl hashes
    and compares against the workbook's: most of a 评价表's making. What it leaves is a function
    of the range's shape and its cells' styles before, so it is done once for each such range
    of a workbook, and repeated after by giving the cells the styles it left (`_MergedStyles`)."""
    first_row, first_col, last_row, last_col = where
    if streamed:
        sheet.merged_cells.add(f"{_letter(first_col)}{first_row}:{_letter(last_col)}{last_row}")
        return
    styles: _MergedStyles = sheet.parent.__dict__.setdefault("_kaohe_merged", _MergedStyles())
    styles.merge(sheet, first_row, first_col, last_row, last_col)


class _MergedStyles:
    """The styles openpyxl's merge_cells leaves on a range's cells, by the range's shape and the
    styles (or absence) of its cells before (style indexes are the workbook's: one per workbook)."""

    def __init__(self) -> None:
        self.left: dict[tuple[object, ...], list[object]] = {}

    def merge(self, sheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:  # type: ignore[no-untyped-def]
        from openpyxl.cell.cell import MergedCell
        from openpyxl.worksheet.cell_range import CellRange
        from openpyxl.worksheet.merge import MergedCellRange

        cells = sheet._cells
        coords = [(r, c) for r in range(first_row, last_row + 1) for c in range(first_col, last_col + 1)]
        before = tuple(_style_key(cells[at]) if at in cells else None for at in coords)
        key = (last_row - first_row, last_col - first_col, before)
        left = self.left.get(key)
        if left is None:
            sheet.merge_cells(start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col)
            self.left[key] = [copy(cells[at]._style) for at in coords]
            return
        start = cells.get(coords[0])
        if start is None:
            start = sheet.cell(row=first_row, column=first_col)
        merged = MergedCellRange.__new__(MergedCellRange)  # as its __init__ makes it, but for the styles
        merged.ws = sheet
        CellRange.__init__(merged, min_col=first_col, min_row=first_row, max_col=last_col, max_row=last_row)
        merged.start_cell = start
        sheet.merged_cells.add(merged)
        start._style = copy(left[0])
        for (row, col), style in zip(coords[1:], left[1:], strict=True):
            cell = cells[row, col] = MergedCell(sheet, row, col)
            cell._style = copy(style)


def _style_key(cell) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    """A cell's style indexes (none for a cell never styled)."""
    style = cell._style
    return tuple(style) if style is not None else ()


def _chart(spec: SheetSpec) -> ChartSpec | None:
    if spec.chart is None or isinstance(spec.chart, ChartSpec):
        return spec.chart
    return ChartSpec(*spec.chart)


def _stream(sheet, spec: SheetSpec, places: Places) -> tuple[Iterable[list[object]], int, object]:  # type: ignore[no-untyped-def]
    """Write-only: the layout, the title and header rows; returns the data rows (written later,
    straight into the sheet's XML), the row number they start at, and the styles of their numbers.
    A held sheet short enough to be bordered (a 评价表, a 汇总) is written here whole, styled, merged
    and with its row heights, as the ordinary workbook has it; nothing is left for the XML."""
    from openpyxl.cell import WriteOnlyCell

    rows = chain(spec.rows, spec.more or ())
    short = spec.size <= BORDERED_ROWS and spec.more is None
    if short:
        spec = replace(spec, rows=list(rows), more=None, more_count=0)
        rows = iter(())
        sample = spec.rows
    elif spec.width_sample is not None:  # a continuation: its rows are read only as it is written
        sample = list(islice(rows, spec.header_rows))
    else:
        sample = list(islice(rows, WIDTH_SAMPLE))
    _layout(sheet, spec, spec.width_sample if spec.width_sample is not None else sample)
    if short:
        _heights(sheet, spec)
    _titles(sheet, spec, streamed=True)
    offset = len(spec.titles)
    for where in spec.merges:
        _merge(sheet, (where[0] + offset, where[1], where[2] + offset, where[3]), streamed=True)
    styles = _Styles(sheet, short)
    inside = _inside_merges(spec)
    for r, kinds in _kinds(spec, places, spec.rows if short else sample[:spec.header_rows]):
        cells = []
        for c, (value, kind) in enumerate(kinds, start=1):
            cell = WriteOnlyCell(sheet)
            if (r, c) not in inside:
                put(cell, value)
            cell._style = copy(styles(kind))
            cells.append(cell)
        sheet.append(cells)
    style_of = _number_styles(sheet, places)
    chart = _chart(spec)
    if chart is not None and spec.size > 1:
        _bar_chart(sheet, spec, chart)
    rest = rows if short else chain(sample[spec.header_rows:], rows)
    return rest, offset + (len(spec.rows) if short else spec.header_rows) + 1, style_of


def _number_styles(sheet, places: Places) -> object:  # type: ignore[no-untyped-def]
    """The style ids of the numbers written straight into the XML: one for all (fixed places),
    or a function of the value (its own places)."""
    from openpyxl.cell import WriteOnlyCell

    styles: dict[str, int] = {}
    formats = list(range(MAX_OWN_PLACES + 1)) + [places[0]] if places[0] is not None else [places[1] or 0]
    for shown_places in formats:
        probe = WriteOnlyCell(sheet, 0)
        probe.number_format = number_format(shown_places)  # type: ignore[arg-type]
        styles[probe.number_format] = probe.style_id  # registers the number format with the workbook's styles
    if places[0] is not None:
        return lambda value: styles[format_of(value, places)]
    return styles[number_format(places[1] or 0)]


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
        _widths(sheet, spec.rows if sample is None else sample, spec.header_rows)
    total = sum(sheet.column_dimensions[_letter(c + 1)].width or 8.43 for c in range(len(spec.rows[0]) if spec.rows else 0))
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.orientation = "portrait" if total <= PORTRAIT_WIDTH else "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{offset + 1}:{offset + spec.header_rows}"
    if spec.rows and _chart(spec) is None:  # a chart lies outside the cells: the used range holds it
        sheet.print_area = f"A1:{_letter(len(spec.rows[0]))}{offset + spec.size}"
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
    points up to the full score, vetoed units in red. It sits under the table (beside it when
    the table is too long to print above it), as wide as the table, so that the page keeps the
    table's width."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef
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
    series = chart.series[0]
    names = Reference(sheet, min_col=chart_spec.names, min_row=offset + 2, max_row=offset + last)
    series.cat = AxDataSource(strRef=StrRef(f=str(names)))  # unit names are text, not numbers
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
    chart.x_axis.tickLblPos = "low"  # at the axis's far end: clear of a bar below 0
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    below_zero = -chart_spec.lowest if chart_spec.lowest is not None and chart_spec.lowest < 0 else Decimal(0)
    top = chart_spec.full if chart_spec.full is not None and chart_spec.full > 0 else None
    step = _step((top or Decimal(0)) + below_zero) if top is not None or below_zero else None
    chart.y_axis.scaling.min = -step * math.ceil(below_zero / step) if step and below_zero else 0
    if step is not None and top is not None:
        chart.y_axis.scaling.max = step * math.ceil(top / step)
    if step is not None:
        chart.y_axis.majorUnit = step
    chart.y_axis.number_format = "0"
    chart.y_axis.majorGridlines = None
    chart.gapWidth = 60
    chart.height = max(7.5, 0.8 * last + 2)
    columns = len(spec.rows[0])
    table = sum(sheet.column_dimensions[_letter(c + 1)].width or 8.43 for c in range(columns))
    chart.width = min(max(table * CM_PER_WIDTH, 16), 26)
    below = spec.size <= MAX_CHART_ROWS + 1
    sheet.add_chart(chart, f"A{offset + spec.size + 2}" if below else f"{_letter(columns + 2)}{offset + 2}")
    across = PORTRAIT_WIDTH if sheet.page_setup.orientation == "portrait" else LANDSCAPE_WIDTH
    scale = min(1.0, across / max(table, 1))  # fitted to the page's width, the page holds more rows
    if below and (_table_height(sheet, offset + spec.size) + chart.height * PT_PER_CM) * scale > PAGE_PT[
            sheet.page_setup.orientation]:
        from openpyxl.worksheet.pagebreak import Break

        sheet.row_breaks.append(Break(id=offset + spec.size + 1))  # the chart on a page of its own, whole
    if spec.size > MAX_CHART_ROWS + 1:
        chart.title = t("chart.first_places", title=chart_spec.title, count=MAX_CHART_ROWS)


CM_PER_WIDTH = 0.2
"""Centimetres per unit of Excel's column width (8.43 units ≈ 64 px ≈ 1.7 cm)."""
PT_PER_CM = 28.35
PAGE_PT = {"portrait": 740.0, "landscape": 500.0}
"""The height an A4 page prints, inside its margins and foot, at full size."""
LANDSCAPE_WIDTH = 140
"""The column widths that fit across A4 landscape."""


def _table_height(sheet, rows: int) -> float:  # type: ignore[no-untyped-def]
    """The printed height of the sheet's first `rows` rows, in points."""
    return sum(sheet.row_dimensions[r].height or LINE_PT + 4 for r in range(1, rows + 1))


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
    """Text is always stored as text, even when it starts with '=' (never a live formula). A
    number is given to openpyxl as its exact text, in a cell typed as a number: openpyxl writes a
    number it holds with "%.16g", through a binary float (Decimal 97.9 as 97.90000000000001,
    12345678901234567 as 1.234567890123457e+16), and writes text in a number's cell as it is."""
    if isinstance(value, Rational):
        value = approximate(value)
    if isinstance(value, Decimal) and value.is_finite():
        cell.value = exact_text(value)  # held as text, written as it is: as sheetxml writes the streamed rows
        cell.data_type = "n"
        return
    cell.value = shown(value)
    if isinstance(value, str):
        cell.data_type = "s"


def shown(value: object) -> object:
    """Text as a cell holds it: control characters written as escapes (`\\x1b`), as in CSV and
    on the terminal. XLSX cannot hold most of them at all (openpyxl refuses the workbook), and
    text from a results file or an evidence header is not checked as a scheme's is."""
    if isinstance(value, str) and not value.isprintable():
        return printable(value, keep="\n\t")
    return value


def _widths(sheet, table: list[list[object]], header_rows: int = 1) -> None:  # type: ignore[no-untyped-def]
    """Each column as wide as its longest text; a header wraps, so it widens its column only to
    HEADER_WIDTH (a 汇总 of eight "4.1 服务品牌建设(4)" would otherwise print in a tiny font)."""
    from openpyxl.utils import get_column_letter

    sample = table[:WIDTH_SAMPLE]
    for col in range(max((len(row) for row in sample), default=0)):
        longest = max((_display_width(_width_text(row[col])) for row in sample[header_rows:]
                       if col < len(row)), default=4)
        heading = max((_display_width(str(row[col])) for row in sample[:header_rows]
                       if col < len(row) and row[col] is not None), default=0)
        longest = max(longest, min(heading, HEADER_WIDTH))
        sheet.column_dimensions[get_column_letter(col + 1)].width = min(max(longest + 2, 6), 60)


HEADER_WIDTH = 16
"""The most a header's text widens its column (two lines of eight CJK characters)."""


def _width_text(value: object) -> str:
    """What a cell is measured by: a number by its value alone (45.00 is shown as 45), not by
    the trailing zeros of how it was added up."""
    if value is None:
        return ""
    return exact_text(value) if value.__class__ is Decimal else str(value)  # type: ignore[arg-type]


def _display_width(text: str) -> int:
    """CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


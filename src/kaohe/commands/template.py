"""`template -o`: whether an existing file may be replaced by a blank template.

A blank template must never replace a form someone has filled in (or any other file): the file
is read as evidence is, its header found as the evidence reader finds it (below a title row),
and every input cell checked.
"""

from __future__ import annotations

from pathlib import Path

from kaohe.errors import Location, Problem
from kaohe.i18n import t

TEMPLATE_CHECK_BYTES = 20 * 1024 * 1024
"""An existing file larger than this (20 MiB) is not read to see whether it is a blank template:
a template of thousands of units is far smaller, so it is refused as not one (unless --force)."""
OWNED_COLUMNS = ("col.unit", "col.period", "col.id", "col.item", "col.points", "col.text")
"""The columns a template fills itself: everything else below the header is an input cell."""


def blank_template_problems(target: Path) -> list[Problem]:
    """Why the existing `target` must not be replaced by a blank template: the first input cell
    that holds something (located, its value shown), or that the file is no kaohe template at
    all. Nothing for an empty file or a blank template, which may be written over. "Input cells"
    are all but the columns a template fills itself (单位, 期间, 指标, 评价内容, 分值, 评分标准),
    below the header, in rows that are not the 评分标准 row."""
    from kaohe.errors import EvidenceError

    size = target.stat().st_size
    if size == 0:
        return []
    refused = [Problem(Location(str(target)), t("template.not_template"))]
    suffix = target.suffix.lower()
    if size > TEMPLATE_CHECK_BYTES or suffix not in (".csv", ".xlsx", ".xlsm"):
        return refused
    import csv

    from kaohe.evidence.xlsxread import read_xlsx

    try:
        tables = [csv_table(target)] if suffix == ".csv" else read_xlsx(str(target), str(target))
        found = first_filled(tables)
    except (EvidenceError, OSError, ValueError, csv.Error):  # unreadable: not a template kaohe wrote
        return refused
    if found is None:
        return refused
    if found is True:
        return []
    where, value = found
    if isinstance(value, float) and value.is_integer():  # calamine reads 3 as 3.0
        value = int(value)
    return [Problem(where, t("template.holds_evidence", value=repr(value) if isinstance(value, str) else value))]


def csv_table(path: Path):  # type: ignore[no-untyped-def]
    """A CSV (UTF-8 as kaohe writes it, or GB18030 as Excel saves it in China) as a table whose
    records know the line they start on."""
    import csv
    import io

    from kaohe.evidence.tables import RawTable, csv_locator, nonblank_rows

    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")

    def records():  # type: ignore[no-untyped-def]
        reader = csv.reader(io.StringIO(text, newline=""))
        start = 1
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1

    return RawTable(str(path), None, nonblank_rows(records()), csv_locator(str(path)))


def _key(cell: object) -> str:
    from kaohe.evidence.tables import is_blank
    from kaohe.numbers import normalize_text

    return normalize_text(str(cell)).lower().replace(" ", "") if not is_blank(cell) else ""


def first_filled(tables):  # type: ignore[no-untyped-def]
    """(where, value) of the first filled input cell; True when every table is a blank template
    (or the 说明 sheet); None when one is not a template."""
    from kaohe.evidence.layout import ID_HEADERS, IGNORED_HEADERS, PERIOD_HEADERS, UNIT_HEADERS
    from kaohe.messages import CATALOGUE

    owned = UNIT_HEADERS | ID_HEADERS | PERIOD_HEADERS | IGNORED_HEADERS | {
        _key(text) for k in OWNED_COLUMNS for text in CATALOGUE[k]}
    units = UNIT_HEADERS | {_key(u) for u in CATALOGUE["col.unit"]}
    notes = {_key(text) for k in ("sheet.instructions", "sheet.notes") for text in CATALOGUE[k]}
    templates = 0
    for table in tables:
        rows = iter(table.rows)
        header = _header(rows, units)
        if header is None:
            if table.sheet is not None and _key(table.sheet) in notes:
                continue
            return None
        if header == []:
            continue  # an empty sheet
        templates += 1
        found = _filled_cell(table, rows, header, owned)
        if found is not None:
            return found
    return True if templates else None


def _header(rows, units: set[str]) -> list[str] | None:  # type: ignore[no-untyped-def]
    """The header's keys: the first row, among the first rows the evidence reader searches, whose
    first cell is 单位 (the rows above it are a title). [] for an empty table; None when none is
    a template's header."""
    from kaohe.evidence.layout import HEADER_SEARCH_ROWS

    seen = 0
    for _, cells in rows:
        seen += 1
        header = [_key(c) for c in cells[:1]]
        if header and header[0] in units:
            return [_key(c) for c in cells]
        if seen == HEADER_SEARCH_ROWS:
            return None
    return [] if seen == 0 else None


def _filled_cell(table, rows, header: list[str], owned: set[str]):  # type: ignore[no-untyped-def]
    from kaohe.evidence.layout import TEXT_ROW_MARKERS
    from kaohe.evidence.tables import is_blank

    inputs = [c for c, k in enumerate(header) if k not in owned]
    for row_no, cells in rows:
        if cells and _key(cells[0]) in TEXT_ROW_MARKERS:
            continue
        for c in inputs:
            if c < len(cells) and not is_blank(cells[c]):
                return table.locate(row_no, c), cells[c]
        if len(cells) > len(header) and any(not is_blank(v) for v in cells[len(header):]):
            col = next(c for c in range(len(header), len(cells)) if not is_blank(cells[c]))
            return table.locate(row_no, col), cells[col]
    return None

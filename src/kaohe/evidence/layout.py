"""Find the header of a table and turn its rows into (unit, id, value) entries.

Long form: 单位 | 指标 | 值 | 备注, one row per value. Wide form: 单位 then one column per id
(header `2.3.1` or `2.3.1 标题`), one row per unit. Which one is decided by the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kaohe.errors import Location, Problem, Severity
from kaohe.evidence.tables import RawTable, is_blank
from kaohe.i18n import t
from kaohe.numbers import normalize_text
from kaohe.rules.base import InputSpec

UNIT_HEADERS = {"单位", "單位", "unit", "被考核单位", "被考核單位", "单位名称", "單位名稱", "考核对象", "考核對象"}
ID_HEADERS = {"指标", "指標", "item", "id", "指标编号", "指標編號", "criterion"}
VALUE_HEADERS = {"值", "value", "数值", "數值", "考核值"}
ACCEPTED_HEADERS = {"核定", "核定值", "核准", "核準", "accepted"}
"""The assessors' accepted value: scored in preference to the unit's own (自评)."""
SELF_HEADERS = {"自评", "自评值", "自評", "自評值", "self"}
NOTE_HEADERS = {"备注", "備註", "备考", "note", "notes", "说明", "說明", "情况说明", "情況說明"}
IGNORED_HEADERS = {"序号", "序號", "no", "no."}
PERIOD_HEADERS = {"期间", "期間", "period", "季度", "考核期", "考评期", "考評期"}
TEXT_ROW_MARKERS = {"评分标准", "評分標準", "criterion text"}
"""A row whose unit cell says this repeats the criteria's text under the header (templates)."""
HEADER_SEARCH_ROWS = 10
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters (Unicode Cc) other than tab, line feed and carriage return."""
MAX_CELL_TEXT = 1000
"""The longest text a cell may hold; evidence cells are values, names and short notes."""


@dataclass(frozen=True, slots=True)
class Entry:
    unit: str
    unit_location: Location
    input_id: str
    raw: object
    location: Location
    note: str = ""
    attributes: dict[str, str] | None = None
    """Long form only: the row's other columns (级别, 类型, 评分人…), for event inputs."""
    period: str | None = None
    """The row's 期间 (一季度…), for schemes scored period by period."""
    self_raw: object = None
    """The unit's own value (自评) when the row also has the accepted one (核定)."""
    self_location: Location | None = None


def _key(cell: object) -> str:
    return normalize_text(str(cell)).lower().replace(" ", "") if not is_blank(cell) else ""


def entries_from_table(table: RawTable, index: dict[str, InputSpec]) -> tuple[list[Entry], list[Problem]] | None:
    """Entries and problems, or None when the table has no recognisable header."""
    for position, (row_no, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        keys = [_key(c) for c in cells]
        if any(k in UNIT_HEADERS for k in keys):
            body = table.rows[position + 1:]
            width = max((i + 1 for i, k in enumerate(keys) if k), default=0)
            problems: list[Problem] = []
            _ragged(table, width, body, problems)
            if any(k in ID_HEADERS for k in keys):
                if not any(k in VALUE_HEADERS | ACCEPTED_HEADERS | SELF_HEADERS for k in keys):
                    return [], problems + [Problem(table.locate(row_no, keys.index(next(
                        k for k in keys if k in ID_HEADERS))), t("evidence.no_value_column"))]
                entries, found = _long(table, cells, keys, body)
                return entries, problems + found
            entries, found = _wide(table, row_no, cells, keys, body, index)
            return entries, problems + found
    return None


def _cell(table: RawTable, cells: list[object], row_no: int, col: int, problems: list[Problem]) -> object:
    value = cells[col] if col < len(cells) else None
    if is_blank(value) and (row_no, col) in table.blank_formulas:
        problems.append(Problem(table.locate(row_no, col), t("xlsx.formula_no_value")))
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT:
            problems.append(Problem(table.locate(row_no, col), t("evidence.too_long", length=len(value),
                                                                  limit=MAX_CELL_TEXT)))
            return None
        bad = _CONTROL.search(value)
        if bad is not None:
            problems.append(Problem(table.locate(row_no, col), t("evidence.control_char",
                                                                  code=f"U+{ord(bad.group()):04X}")))
            return None
    return None if is_blank(value) else value


def _ragged(table: RawTable, width: int, body: list[tuple[int, list[object]]], problems: list[Problem]) -> None:
    """Cells to the right of the header's last column belong to no column: report the row."""
    for row_no, cells in body:
        extra = [c for c in range(width, len(cells)) if not is_blank(cells[c])]
        if extra:
            problems.append(Problem(table.locate(row_no, extra[0]), t("evidence.ragged", width=width)))


def _unit(table: RawTable, cells: list[object], row_no: int, col: int, problems: list[Problem]) -> str | None:
    raw = _cell(table, cells, row_no, col, problems)
    if raw is None:
        return None
    return normalize_text(str(raw))


def _long(table: RawTable, header: list[object], keys: list[str],
          body: list[tuple[int, list[object]]]) -> tuple[list[Entry], list[Problem]]:
    unit_col = next(i for i, k in enumerate(keys) if k in UNIT_HEADERS)
    id_col = next(i for i, k in enumerate(keys) if k in ID_HEADERS)
    value_col = next((i for headers in (ACCEPTED_HEADERS, VALUE_HEADERS, SELF_HEADERS)
                      for i, k in enumerate(keys) if k in headers))
    self_col = next((i for i, k in enumerate(keys) if k in SELF_HEADERS and i != value_col), None)
    note_col = next((i for i, k in enumerate(keys) if k in NOTE_HEADERS), None)
    period_col = next((i for i, k in enumerate(keys) if k in PERIOD_HEADERS), None)
    used = {unit_col, id_col, value_col, note_col, period_col, self_col}
    attribute_cols = {i: normalize_text(str(header[i])) for i, k in enumerate(keys)
                      if k and i not in used and k not in IGNORED_HEADERS}
    entries: list[Entry] = []
    problems: list[Problem] = []
    for row_no, cells in body:
        unit = _unit(table, cells, row_no, unit_col, problems)
        if unit is not None and _key(unit) in TEXT_ROW_MARKERS:
            continue
        input_id = _cell(table, cells, row_no, id_col, problems)
        raw = _cell(table, cells, row_no, value_col, problems)
        self_raw = _cell(table, cells, row_no, self_col, problems) if self_col is not None else None
        where = value_col
        if raw is None and self_raw is not None:  # not yet accepted: the unit's own value, and said so
            raw, where, self_raw = self_raw, self_col, None
            problems.append(Problem(table.locate(row_no, value_col), t("evidence.not_accepted"), Severity.WARNING))
        note = _cell(table, cells, row_no, note_col, problems) if note_col is not None else None
        if unit is None:
            problems.append(Problem(table.locate(row_no, unit_col), t("evidence.no_unit")))
            continue
        if input_id is None:
            problems.append(Problem(table.locate(row_no, id_col), t("evidence.no_id")))
            continue
        attributes = {name: normalize_text(str(value)) for col, name in attribute_cols.items()
                      if (value := _cell(table, cells, row_no, col, problems)) is not None}
        if raw is None and not attributes:
            continue  # no value: reported as missing when scoring
        entries.append(Entry(unit, table.locate(row_no, unit_col), _id_text(input_id), raw,
                             table.locate(row_no, where), "" if note is None else str(note), attributes,
                             _period(table, cells, row_no, period_col, problems), self_raw,
                             table.locate(row_no, self_col) if self_col is not None else None))
    return entries, problems


def _id_text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return normalize_text(str(raw)).split(" ")[0] if str(raw).strip() else ""


def _wide(table: RawTable, header_row: int, header: list[object], keys: list[str],
          body: list[tuple[int, list[object]]], index: dict[str, InputSpec]) -> tuple[list[Entry], list[Problem]]:
    unit_col = next(i for i, k in enumerate(keys) if k in UNIT_HEADERS)
    problems: list[Problem] = []
    columns: dict[int, str] = {}
    note_col = None
    period_col = next((i for i, k in enumerate(keys) if k in PERIOD_HEADERS), None)
    for col, cell in enumerate(header):
        if col in (unit_col, period_col) or keys[col] in IGNORED_HEADERS:
            continue
        if keys[col] in NOTE_HEADERS:
            note_col = col
            continue
        if is_blank(cell):
            if any(not is_blank(cells[col]) for _, cells in body if col < len(cells)):
                problems.append(Problem(table.locate(header_row, col), t("evidence.no_header_cell")))
            continue
        token = _id_text(cell)
        if token in index:
            columns[col] = token
        else:
            problems.append(Problem(table.locate(header_row, col), t("evidence.unknown_column", header=str(cell))))
    if not columns and not problems:
        problems.append(Problem(table.locate(header_row, unit_col), t("evidence.no_id_columns")))
    seen: dict[str, int] = {}
    for col, input_id in columns.items():
        if input_id in seen:
            problems.append(Problem(table.locate(header_row, col), t("evidence.duplicate_column", id=input_id,
                                                                   first=str(table.locate(header_row, seen[input_id])))))
        seen.setdefault(input_id, col)
    entries: list[Entry] = []
    for row_no, cells in body:
        unit = _unit(table, cells, row_no, unit_col, problems)
        if unit is not None and _key(unit) in TEXT_ROW_MARKERS:
            continue
        note_raw = _cell(table, cells, row_no, note_col, problems) if note_col is not None else None
        note = "" if note_raw is None else str(note_raw)
        row_entries = []
        for col, input_id in columns.items():
            raw = _cell(table, cells, row_no, col, problems)
            if raw is not None:
                row_entries.append(Entry(unit or "", table.locate(row_no, unit_col), input_id, raw,
                                         table.locate(row_no, col), note,
                                         period=_period(table, cells, row_no, period_col, problems)))
        if unit is None:
            if row_entries:
                problems.append(Problem(table.locate(row_no, unit_col), t("evidence.no_unit")))
            continue
        entries.extend(row_entries)
    return entries, problems


def _period(table: RawTable, cells: list[object], row_no: int, col: int | None, problems: list[Problem]) -> str | None:
    if col is None:
        return None
    raw = _cell(table, cells, row_no, col, problems)
    return None if raw is None else normalize_text(str(raw))

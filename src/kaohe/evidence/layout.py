"""Find the header of a table and turn its rows into (unit, id, value) entries.

Long form: 单位 | 指标 | 值 | 备注, one row per value. Wide form: 单位 then one column per id
(header `2.3.1` or `2.3.1 标题`), one row per unit. Which one is decided by the header.
"""

from __future__ import annotations

import re
import unicodedata
from functools import partial
from itertools import chain, compress, islice
from operator import itemgetter, methodcaller
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Sequence

from kaohe.errors import EvidenceError, Location, Nearest, Problem, Severity
from kaohe.evidence.tables import Fixed, Locator, RawTable, is_blank
from kaohe.i18n import join_list, t
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
EXTRA_HEADERS = {"联系人", "聯繫人", "联系电话", "聯繫電話", "电话", "電話", "手机", "手機", "联系方式", "聯繫方式",
                 "填报人", "填報人", "填表人", "填报日期", "填報日期", "填表日期", "日期", "审核人", "審核人", "负责人",
                 "負責人", "经办人", "經辦人", "制表人", "製表人", "邮箱", "郵箱", "contact", "phone", "date"}
"""Columns an office adds to a wide table (who filled it in, when): not ids, their values not read."""
_EXTRA_ENDINGS = ("人", "电话", "電話", "日期", "时间", "時間", "签字", "簽字", "签名", "簽名", "盖章", "蓋章")
_ID_LIKE = re.compile(r"[0-9]+(?:\.[0-9]+)+|[0-9]+")
"""The id at the start of a header or cell (1.1.9, 2.10): an unknown one is a mistyped id."""
PERIOD_HEADERS = {"期间", "期間", "period", "季度", "考核期", "考评期", "考評期"}
TEXT_ROW_MARKERS = {"评分标准", "評分標準", "criteriontext"}
"""A row whose unit cell says this repeats the criteria's text under the header (templates)."""
HEADER_SEARCH_ROWS = 10
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters (Unicode Cc) other than tab, line feed and carriage return."""
MAX_CELL_TEXT = 1000
"""The longest text a cell may hold; evidence cells are values, names and short notes."""
UNKNOWN_COLUMNS_EACH = 5
"""Up to this many header cells that are not ids of the scheme are told one by one, each at its
cell with the nearest id; more are told in one message, with their count and the first few
(a header of a million unknown columns printed a million lines, taking 26 s and 846 MiB)."""
_VALUE_KEYS = frozenset(VALUE_HEADERS | ACCEPTED_HEADERS | SELF_HEADERS)
_LONGEST_UNIT_HEADER = max(len(h) for h in UNIT_HEADERS) + 4
"""Longer text is no unit header (a few characters of blanks allowed): cells of a row searched
for the header are normalised only when they could be one."""


class Entry(NamedTuple):
    """One (unit, id, value) read from a row, with where it was (located only when reported)."""

    unit: str
    input_id: str
    raw: object
    locate: Locator
    row: int
    col: int
    """The value's column (0-based)."""
    unit_col: int = 0
    note: str = ""
    attributes: dict[str, str] | None = None
    """Long form only: the row's other columns (级别, 类型, 评分人…), for event inputs."""
    period: str | None = None
    """The row's 期间 (一季度…), for schemes scored period by period."""
    self_raw: object = None
    """The unit's own value (自评) when the row also has the accepted one (核定)."""
    self_col: int | None = None
    attribute_cols: dict[str, int] | None = None
    """Long form: each attribute's column (0-based), to name the cell of a bad attribute."""
    id_col: int | None = None
    """Long form: the id's column (0-based), to name the cell of an id that is refused."""

    @classmethod
    def at(cls, unit: str, where: Location, input_id: str, raw: object, note: str = "",
           attributes: dict[str, str] | None = None) -> Entry:
        """An entry with one known place (a results file, a test case's line)."""
        return cls(unit, input_id, raw, Fixed(where), 0, 0, 0, note, attributes)

    @property
    def location(self) -> Location:
        return self.locate(self.row, self.col)

    @property
    def unit_location(self) -> Location:
        return self.locate(self.row, self.unit_col)

    @property
    def id_location(self) -> Location:
        """The id's cell (long form), else the value's: where a refused id is told."""
        return self.locate(self.row, self.id_col if self.id_col is not None else self.col)

    @property
    def self_location(self) -> Location | None:
        return self.locate(self.row, self.self_col) if self.self_col is not None else None


Accept = Callable[[Entry], None]


class Rows(NamedTuple):
    """A run of long-form rows whose cells all passed the checks, as columns: each row one value."""

    locate: Locator
    col: int
    """The values' column (0-based)."""
    rows: list[int]
    units: list[str]
    ids: list[str]
    raws: list[object]
    notes: list[str]


class CodedRows(NamedTuple):
    """Long-form rows read as columns (`_Records.chunks`) whose cells all passed the checks, each
    row one value, given by codes: row k is of unit `names[units[k]]` and id `ids[id_at[k]]`, with
    the raw cell `pairs[pair_at[k]][1]` (pairs are (index into ids, raw cell), distinct), read
    at line `rows[k]`; `notes` holds the rows' 备注 that are not blank, by k. The codes are held
    as polars Series: `lists` makes them Python lists, `slices` a list per id where the rows
    are `period`ic (each unit's ids in one order, unit after unit), as long-form files are."""

    locate: Locator
    col: int
    names: list[str]
    ids: list[str]
    pairs: list[tuple[int, object]]
    notes: dict[int, str]
    period: int | None
    codes: tuple[Any, Any, Any]
    """(units, id_at, pair_at) as polars Series."""
    rows: Sequence[int] | Any
    """The rows' lines: a range, or a polars Series where rows were left out."""

    def lists(self) -> tuple[list[int], list[int], list[int], Sequence[int]]:
        units, id_at, pair_at = (codes.to_list() for codes in self.codes)
        return units, id_at, pair_at, self.rows if isinstance(self.rows, range) else self.rows.to_list()

    def slices(self) -> Iterator[tuple[int, int, list[int], Sequence[int]]]:
        """Per place in the period: (its id's index, the index of its first row's unit, the pair
        codes of its rows, their lines); its rows' units are one after another."""
        units, id_at, pair_at = self.codes
        period, count = self.period, len(units)
        assert period is not None
        for first in range(min(period, count)):
            rows = self.rows
            lines = rows[first::period] if isinstance(rows, range) else rows.gather_every(period, first).to_list()
            yield id_at[first], units[first], pair_at.gather_every(period, first).to_list(), lines


Bulk = Callable[[Rows | CodedRows], bool]
"""Takes a run of rows whole and returns True, or takes none of them and returns False: then they
are read one by one, each told as it is (an unknown unit, a bad value, a duplicate)."""

CHUNK_ROWS = 16384
"""Long-form rows are read in runs of this many; a run with anything to tell is read row by row."""


def _key(cell: object) -> str:
    """The cell as a header is matched: normalised, lower case, without spaces (the cell's own
    text object when it already is so: a header of a million cells is not held twice)."""
    if is_blank(cell):
        return ""
    text = normalize_text(str(cell))
    lower = text.lower()
    return (text if lower == text else lower).replace(" ", "")


def entries_from_table(table: RawTable, index: dict[str, InputSpec], accept: Accept,
                       bulk: Bulk | None = None) -> list[Problem] | None:
    """Hand every entry to `accept` as its row is read (or, where `bulk` takes them, whole runs
    of long-form rows as columns); the table's problems, or None when it has no recognisable header."""
    rows = iter(table.rows)
    head = list(islice(rows, HEADER_SEARCH_ROWS))
    for position, (row_no, cells) in enumerate(head):
        if not any(c.__class__ is str and len(c) <= _LONGEST_UNIT_HEADER and _key(c) in UNIT_HEADERS  # type: ignore[arg-type]
                   for c in cells):
            continue
        keys = [_key(c) for c in cells]  # once, for the header row only
        body = chain(head[position + 1:], rows)
        width = max((i + 1 for i, k in enumerate(keys) if k), default=0)
        cells_of = _Cells(table, width)
        if any(k in ID_HEADERS for k in keys):
            if not any(k in _VALUE_KEYS for k in keys):
                return [Problem(table.locate(row_no, keys.index(next(k for k in keys if k in ID_HEADERS))),
                                t("evidence.no_value_column"))]
            _long(cells_of, cells, keys, body, index, accept, bulk, (head[position + 1:], rows))
        else:
            _wide(cells_of, row_no, cells, keys, body, index, accept)
        return cells_of.problems
    return None


class _Cells:
    """Reads a row's cells with the checks every cell gets: too long, control characters, a
    formula without a value, and cells to the right of the header (ragged rows)."""

    def __init__(self, table: RawTable, width: int):
        self.table = table
        self.width = width
        self.problems: list[Problem] = []
        self.blanks = table.blank_formulas
        self.markers: dict[str, bool] = {}

    def ragged(self, row_no: int, cells: list[object]) -> None:
        extra = [c for c in range(self.width, len(cells)) if not is_blank(cells[c])]
        if extra:
            self.problems.append(Problem(self.table.locate(row_no, extra[0]), t("evidence.ragged", width=self.width)))

    def get(self, cells: list[object], row_no: int, col: int) -> object:
        """The cell's value, or None for a blank or refused cell (refusals are recorded)."""
        value = cells[col] if col < len(cells) else None
        if isinstance(value, str):
            if len(value) > MAX_CELL_TEXT:
                self.problems.append(Problem(self.table.locate(row_no, col), t(
                    "evidence.too_long", length=len(value), limit=MAX_CELL_TEXT)))
                return None
            if not value.isprintable():  # a fast screen: most text is; the pattern decides
                bad = _CONTROL.search(value)
                if bad is not None:
                    self.problems.append(Problem(self.table.locate(row_no, col), t(
                        "evidence.control_char", code=f"U+{ord(bad.group()):04X}")))
                    return None
            if value and not value.isspace():
                return value
        elif value is not None:
            return value
        if self.blanks and (row_no, col) in self.blanks:
            self.problems.append(Problem(self.table.locate(row_no, col), t("xlsx.formula_no_value")))
        return None

    def is_marker(self, unit: str) -> bool:
        """Whether a unit cell says 评分标准: the row repeats the criteria's text (templates)."""
        marker = self.markers.get(unit)
        if marker is None:
            marker = self.markers[unit] = _key(unit) in TEXT_ROW_MARKERS
        return marker

    def unit(self, cells: list[object], row_no: int, col: int, names: dict[str, str]) -> str | None:
        raw = self.get(cells, row_no, col)
        return None if raw is None else _unit_name(raw, names)


_NFKC = partial(unicodedata.normalize, "NFKC")
"""normalize_text's first step, without its call (see _Runs.units_of)."""
_NO_SPACES = methodcaller("replace", " ", "")


def _unit_name(raw: object, names: dict[str, str]) -> str:
    """A unit cell's name, normalised once per distinct text (`names` keeps them)."""
    if raw.__class__ is str:
        name = names.get(raw)  # type: ignore[call-overload]
        if name is None:
            name = names[raw] = normalize_text(raw)  # type: ignore[index]
        return name
    return normalize_text(str(raw))


def _long(cells_of: _Cells, header: list[object], keys: list[str], body: Iterable[tuple[int, list[object]]],
          index: dict[str, InputSpec], accept: Accept, bulk: Bulk | None = None,
          parts: tuple[list[tuple[int, list[object]]], Iterator[tuple[int, list[object]]]] | None = None) -> None:
    """Long-form rows, one value each. `body` is the rows after the header; `parts`, where given,
    is the same as (the rows the header search read after it, the table's rows iterator): one
    that reads `by_runs` is read with its `take`, a run of records at a time."""
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
    attribute_at = {name: col for col, name in attribute_cols.items()} or None
    names: dict[str, str] = {}
    ids: dict[object, str] = {}
    numbers: dict[object, str] = {}
    """Each id cell's text, or number -> the id it stands for."""

    def by_rows(rows: Iterable[tuple[int, list[object]]]) -> None:
        _long_rows(cells_of, rows, unit_col, id_col, value_col, self_col, note_col, period_col,
                   attribute_cols, attribute_at, names, ids, numbers, index, accept)

    if bulk is not None and self_col is None and period_col is None and not attribute_cols and not cells_of.blanks:
        runs = _Runs(cells_of, unit_col, id_col, value_col, note_col, names, ids)
        if parts is not None and getattr(parts[1], "by_runs", False):  # runs of records, taken whole
            before, records = parts
            _take_runs(runs, before, records, bulk, by_rows)
            return
        body = iter(body)
        while True:
            chunk: list[tuple[int, list[object]]] = []
            try:
                chunk.extend(islice(body, CHUNK_ROWS))  # on an error, the rows before it stay in the list
            except EvidenceError:  # the table broke off: the rows before are told as they would be
                by_rows(chunk)
                raise
            columns = runs.columns(chunk)
            if columns is None or not bulk(columns):
                by_rows(chunk)
            if len(chunk) < CHUNK_ROWS:
                return
    by_rows(body)


def _take_runs(runs: _Runs, before: list[tuple[int, list[object]]], records: Any, bulk: Bulk,
               by_rows: Callable[[Iterable[tuple[int, list[object]]]], None]) -> None:
    """The rows after the header as _long reads them in runs, the table's own taken a chunk at a
    time as polars columns where they can be (`records.chunks`), else a run at a time as lines
    and cells (no row made a pair): a run with anything to tell is read row by row."""
    for at in range(0, len(before), CHUNK_ROWS):
        chunk = before[at:at + CHUNK_ROWS]
        columns = runs.columns(chunk)
        if columns is None or not bulk(columns):
            by_rows(chunk)
    chunks = records.chunks(runs.cells_of.width)
    if chunks is not None:
        for chunk in chunks:
            series = chunk.columns()
            coded = runs.coded(chunk.first, series) if series is not None else None
            del series
            if coded is None or not bulk(coded):  # read as the csv module reads it, in runs
                lines, cells, error = chunk.records()
                for at in range(0, len(lines), CHUNK_ROWS):
                    _take_run(runs, lines[at:at + CHUNK_ROWS], cells[at:at + CHUNK_ROWS], bulk, by_rows)
                if error is not None:
                    records.close()
                    raise error
            del chunk, coded
        records.close()
        return
    finished = False
    while not finished:
        lines, cells, error, finished = records.take(CHUNK_ROWS)
        _take_run(runs, lines, cells, bulk, by_rows)
        del lines, cells  # the run is read: not held while the next one is
        if error is not None:
            raise error


def _take_run(runs: _Runs, lines: list[int], cells: list[list[object]], bulk: Bulk,
              by_rows: Callable[[Iterable[tuple[int, list[object]]]], None]) -> None:
    """A run of records taken whole as columns, or read row by row where it has anything to tell."""
    columns = runs.columns_of(lines, cells) if lines else None
    if lines and (columns is None or not bulk(columns)):
        by_rows(zip(lines, cells, strict=True))


def _long_rows(cells_of: _Cells, body: Iterable[tuple[int, list[object]]], unit_col: int, id_col: int,
               value_col: int, self_col: int | None, note_col: int | None, period_col: int | None,
               attribute_cols: dict[int, str], attribute_at: dict[str, int] | None, names: dict[str, str],
               ids: dict[object, str], numbers: dict[object, str], index: dict[str, InputSpec],
               accept: Accept) -> None:
    """Long-form rows one by one, each with every check and each problem told at its cell."""
    table, problems, get, width = cells_of.table, cells_of.problems, cells_of.get, cells_of.width
    locate = table.locate
    for row_no, cells in body:
        if len(cells) > width:
            cells_of.ragged(row_no, cells)
        unit = cells_of.unit(cells, row_no, unit_col, names)
        if unit is not None and cells_of.is_marker(unit):
            continue
        input_id = get(cells, row_no, id_col)
        raw = get(cells, row_no, value_col)
        self_raw = get(cells, row_no, self_col) if self_col is not None else None
        where = value_col
        if raw is None and self_raw is not None:  # not yet accepted: the unit's own value, and said so
            raw, where, self_raw = self_raw, self_col, None  # type: ignore[assignment]
            problems.append(Problem(locate(row_no, value_col), t("evidence.not_accepted"), Severity.WARNING))
        note = get(cells, row_no, note_col) if note_col is not None else None
        if unit is None:
            problems.append(Problem(locate(row_no, unit_col), t("evidence.no_unit")))
            continue
        if input_id is None:
            problems.append(Problem(locate(row_no, id_col), t("evidence.no_id")))
            continue
        attributes = {name: normalize_text(str(value)) for col, name in attribute_cols.items()
                      if (value := get(cells, row_no, col)) is not None} if attribute_cols else None
        if raw is None and not attributes:
            continue  # no value: reported as missing when scoring
        token = ids.get(input_id) if input_id.__class__ is str else None
        if token is None:
            if input_id.__class__ is str:
                token = ids[input_id] = _id_text(input_id)  # type: ignore[index]
            elif input_id.__class__ in (int, float):  # told once, at its first cell: the column needs fixing
                token = numbers.get(input_id)  # type: ignore[call-overload]
                if token is None:
                    token = numbers[input_id] = _number_id(input_id, index, locate(row_no, id_col), problems)
            else:
                token = _id_text(input_id)
        accept(Entry(unit, token, raw, locate, row_no, where, unit_col, "" if note is None else str(note),
                     attributes, _period(cells_of, cells, row_no, period_col), self_raw,
                     self_col if self_raw is not None else None, attribute_at, id_col))


_REFUSED = object()
_MARKER = object()


class _Runs:
    """Turns a run of long-form rows into columns when nothing in it is to be told: every cell
    passes _Cells.get's checks, every row names a unit and an id (text), and no row is ragged.
    Units and ids are normalised once per distinct cell, as _long_rows does."""

    def __init__(self, cells_of: _Cells, unit_col: int, id_col: int, value_col: int, note_col: int | None,
                 names: dict[str, str], ids: dict[object, str]):
        self.cells_of = cells_of
        self.cols = unit_col, id_col, value_col, note_col
        self.names = names
        self.ids = ids
        self.units: dict[object, object] = {}
        """Unit cell -> the unit's name, _MARKER (a 评分标准 row) or _REFUSED (blank, refused)."""

    def unit(self, cell: object) -> object:
        text = cell.__class__ is str  # other cells are not kept by value: 1, 1.0 and True are equal keys
        found = self.units.get(cell) if text else None
        if found is None:
            value = _screened(cell)
            if value is None or value is _REFUSED:
                found = _REFUSED
            else:
                name = _unit_name(value, self.names)
                found = _MARKER if self.cells_of.is_marker(name) else name
            if text:
                self.units[cell] = found
        return found

    def units_of(self, cells: list[object]) -> dict[object, object]:
        """`unit` of each of the distinct cells (None: a blank cell, _REFUSED). Texts not seen
        before that need no telling (printable, not blank, of a cell's length) are worked out
        together, each step a C pass over them: normalised as `_unit_name` does, and asked
        whether they say 评分标准 as `_Cells.is_marker` does."""
        units = self.units
        fresh = [cell for cell in cells if cell.__class__ is str and cell not in units]
        if fresh and all(map(str.isprintable, fresh)) and max(map(len, fresh)) <= MAX_CELL_TEXT \
                and not any(map(str.isspace, fresh)) and "" not in fresh:
            names = list(map(str.strip, map(_NFKC, fresh)))
            keys = map(_NO_SPACES, map(str.lower, map(str.strip, map(_NFKC, names))))
            if "" not in names and TEXT_ROW_MARKERS.isdisjoint(keys):
                self.names.update(zip(fresh, names, strict=True))
                units.update(zip(fresh, names, strict=True))
        found = dict(zip(cells, map(units.get, cells), strict=True))
        if None in found.values():
            for cell, name in found.items():
                if name is None:
                    found[cell] = self.unit(cell) if cell is not None else _REFUSED
        return found

    def token(self, cell: object) -> str | None:
        token = self.ids.get(cell) if cell.__class__ is str else None
        if token is None:
            value = _screened(cell)
            if value is None or value is _REFUSED or value.__class__ is not str:
                return None  # blank, refused, or a number (told where the scheme has 2.1 and 2.10)
            token = self.ids[value] = _id_text(value)
        return token

    def coded(self, first_line: int, series: list[Any]) -> CodedRows | None:
        """The rows of columns read whole (the first at `first_line`) as codes; None as columns_of."""
        return _coded(self, first_line, series)

    def columns(self, chunk: list[tuple[int, list[object]]]) -> Rows | None:
        """The run as columns, each distinct cell checked once; None when a row is to be read by
        itself (something in it is to be told, or a cell is of a kind the columns do not take)."""
        return self.columns_of(list(map(itemgetter(0), chunk)), list(map(itemgetter(1), chunk)))

    def columns_of(self, rows: list[int], cells: list[list[object]]) -> Rows | None:
        """`columns` of the run of rows numbered `rows` with `cells`."""
        unit_col, id_col, value_col, note_col = self.cols
        locate = self.cells_of.table.locate
        if not cells:
            return Rows(locate, value_col, [], [], [], [], [])
        lengths = set(map(len, cells))
        if max(lengths) > self.cells_of.width:
            return None  # ragged: told row by row
        wanted = (unit_col, id_col, value_col) if note_col is None else (unit_col, id_col, value_col, note_col)
        need = max(wanted) + 1
        if min(lengths) < need:  # short rows (a CSV line without its trailing 备注): blank cells
            cells = [c if len(c) >= need else [*c, *([None] * (need - len(c)))] for c in cells]
        columns = [list(map(itemgetter(col), cells)) for col in wanted]
        unit_cells, id_cells, raws = columns[0], columns[1], columns[2]
        try:
            distinct_units, distinct_ids, distinct_raws = set(unit_cells), set(id_cells), set(raws)
        except TypeError:  # a cell of a kind that cannot be a key
            return None
        if any(c.__class__ is not str for c in chain(distinct_units, distinct_ids)):
            return None  # a number as a unit or id: equal numbers of two kinds read differently
        name_of = {cell: self.unit(cell) for cell in distinct_units}
        token_of = {cell: self.token(cell) for cell in distinct_ids}
        if _REFUSED in name_of.values() or None in token_of.values():
            return None
        blank = False
        for raw in distinct_raws:
            value = _screened(raw)
            if value is _REFUSED:
                return None
            blank = blank or value is None
        if note_col is None:
            notes: list[str] | tuple[str, ...] = [""] * len(rows)
        else:
            note_cells = columns[3]
            try:
                distinct_notes = set(note_cells)
            except TypeError:
                return None
            if all(c is None or c.__class__ is str for c in distinct_notes):
                note_of = {cell: _note(cell) for cell in distinct_notes}
                if _REFUSED in note_of.values():
                    return None
                notes = list(map(note_of.__getitem__, note_cells))
            else:  # numbers among the notes: 1 and True are one key, yet read "1" and "True"
                notes = [_note(cell) for cell in note_cells]
                if _REFUSED in notes:
                    return None
        units = list(map(name_of.__getitem__, unit_cells))
        ids = list(map(token_of.__getitem__, id_cells))
        raws_out: list[object] | tuple[object, ...] = raws
        if blank or _MARKER in name_of.values():  # rows without a value, or repeating the criteria's text
            keep = [u is not _MARKER and _screened(r) is not None for u, r in zip(units, raws, strict=True)]
            rows, units, ids, raws_out, notes = (list(compress(column, keep))
                                                 for column in (rows, units, ids, raws, notes))
        return Rows(locate, value_col, rows, units, ids, list(raws_out), list(notes))


def _coded(runs: _Runs, first_line: int, series: list[Any]) -> CodedRows | None:
    """`_Runs.coded`: the columns' rows as codes, each distinct cell checked once, as columns_of
    checks a run's (None where it would give None), and blank records left out."""
    import polars as pl

    unit_col, id_col, value_col, note_col = runs.cols
    count = len(series[0])
    frame = pl.DataFrame(series).with_row_index("line", offset=first_line)
    del series
    names = frame.columns
    unit, input_id, raw = names[unit_col + 1], names[id_col + 1], names[value_col + 1]
    note = names[note_col + 1] if note_col is not None else None

    def distinct(column: str, where: Any = None) -> list[Any]:
        chosen = frame if where is None else frame.filter(where)
        return chosen.get_column(column).unique(maintain_order=True).to_list()

    seen = {column: distinct(column) for column in (unit, input_id, raw)}  # each column's cells, kept while
    unit_of = runs.units_of(seen[unit])  # no row is left out (then taken again from what is left)
    if _REFUSED in unit_of.values():  # a blank unit: a blank record (left out), else told row by row
        blank_units = [cell for cell, name in unit_of.items() if name is _REFUSED]
        if not all(cell is None or _screened(cell) is None for cell in blank_units):
            return None
        unblank = pl.col(unit).is_null() | pl.col(unit).is_in([c for c in blank_units if c is not None])
        for column in names[1:]:
            if not all(c is None or _screened(c) is None for c in distinct(column, unblank)):
                return None  # a row with something in it but its unit
        frame = frame.filter(~unblank)
        seen.clear()
        unit_of = {cell: name for cell, name in unit_of.items() if name is not _REFUSED}
    token_of = {cell: runs.token(cell) if cell is not None else None for cell in seen.get(input_id) or distinct(input_id)}
    if None in token_of.values():
        return None
    value_of = {cell: _screened(cell) if cell is not None else None for cell in seen.get(raw) or distinct(raw)}
    if _REFUSED in value_of.values():
        return None
    note_of: dict[object, object] = {}
    if note is not None:
        note_of = {cell: _note(cell) for cell in distinct(note) if cell is not None}
        if _REFUSED in note_of.values():
            return None
    dropped = [cell for cell, name in unit_of.items() if name is _MARKER]
    blank_raws = [cell for cell, value in value_of.items() if value is None and cell is not None]
    if dropped or blank_raws or None in value_of:  # rows that repeat the criteria's text, or have no value
        frame = frame.filter(~pl.col(unit).is_in(dropped) & pl.col(raw).is_not_null() & ~pl.col(raw).is_in(blank_raws))
        seen.clear()
    cells = seen.get(unit) or distinct(unit)
    order = list(dict.fromkeys(unit_of[cell] for cell in cells))  # the units' names in the order first given
    position = {name: at for at, name in enumerate(order)}
    id_cells = seen.get(input_id) or distinct(input_id)
    tokens = list(dict.fromkeys(token_of[cell] for cell in id_cells))
    token_at = {token: at for at, token in enumerate(tokens)}
    units = _codes(frame.get_column(unit), cells, [position[unit_of[c]] for c in cells])
    id_at = _codes(frame.get_column(input_id), id_cells, [token_at[token_of[c]] for c in id_cells])
    raw_cells = seen.get(raw) or distinct(raw)
    raw_at = _codes(frame.get_column(raw), raw_cells, list(range(len(raw_cells))))
    width = len(raw_cells)
    if len(tokens) * width <= max(4 * len(raw_at), 1 << 16):  # the key (id, cell) itself is the pair's code
        pair_at = id_at * width + raw_at
        keys = pair_at.unique().sort().to_list()
        codes_of = dict(zip(keys, range(len(keys)), strict=True))
        pairs = [(key // width, raw_cells[key % width]) for key in keys]
        pair_at = _codes(pair_at, keys, [codes_of[key] for key in keys])
    else:
        keys_series = id_at.cast(pl.UInt64) * width + raw_at
        keys = keys_series.unique().sort().to_list()
        pairs = [(key // width, raw_cells[key % width]) for key in keys]
        pair_at = (keys_series.rank("dense") - 1).cast(pl.UInt32)  # the key's place among the distinct keys
    notes: dict[int, str] = {}
    if note is not None and any(note_of.values()):
        written = frame.with_row_index("at").filter(pl.col(note).is_not_null()).select("at", note).rows()
        notes = {at: text for at, cell in written if (text := note_of[cell])}  # type: ignore[misc]
    lines = frame.get_column("line")
    rows: Any = range(first_line, first_line + count) if len(lines) == count else lines
    return CodedRows(runs.cells_of.table.locate, value_col, order, tokens, pairs, notes,
                     _periodic(units, id_at), (units, id_at, pair_at), rows)


def _codes(column: Any, cells: list[Any], codes: list[int]) -> Any:
    """Per row of a polars Series, the code of its cell (cells[k] has codes[k]; every cell is
    one of them), as a UInt32 Series."""
    import polars as pl

    if column.dtype == pl.String:
        at = column.cast(pl.Enum(cells)).to_physical().cast(pl.UInt32)  # cells[k] -> k (of any width)
        if codes == list(range(len(cells))):
            return at
        return at.replace_strict(list(range(len(cells))), codes, return_dtype=pl.UInt32)
    return column.replace_strict(cells, codes, return_dtype=pl.UInt32)


def _periodic(units: Any, id_at: Any) -> int | None:
    """The rows a unit takes, where each unit gives the same ids in one order, none twice, and
    the rows of each unit follow the one before (Series of codes); else None."""
    count = len(id_at)
    if not count:
        return None
    again = (id_at == id_at[0]).arg_true()
    period = int(again[1]) if len(again) > 1 else count
    if id_at.head(period).n_unique() != period:
        return None
    if period < count and not ((id_at.slice(period) == id_at.slice(0, count - period)).all()
                               and (units.slice(period) - units.slice(0, count - period) == 1).all()):
        return None
    return period


def _note(cell: object) -> object:
    """A 备注 cell as _long_rows reads it: its text, "" when blank, or _REFUSED."""
    value = _screened(cell)
    if value is _REFUSED:
        return value
    return "" if value is None else str(value)


def _screened(value: object) -> object:
    """_Cells.get's reading of a cell without telling: the value, None (blank) or _REFUSED."""
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT or (not value.isprintable() and _CONTROL.search(value) is not None):
            return _REFUSED
        return value if value and not value.isspace() else None
    return value


def _id_text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return normalize_text(str(raw)).split(" ")[0] if str(raw).strip() else ""


def _number_id(raw: object, index: dict[str, InputSpec], where: Location, problems: list[Problem]) -> str:
    """The id a number cell stands for. A spreadsheet keeps 2.10 typed as a number as 2.1 (its
    trailing zero lost): where the scheme has both, the cell reads 2.1 and a warning names the
    cell; where it has only 2.10, the cell is read as 2.10, and said so."""
    token = _id_text(raw)
    if not isinstance(raw, (int, float)) or isinstance(raw, bool) or not _ID_LIKE.fullmatch(token):
        return token
    others = [i for i in _zero_padded(token) if i in index]
    if not others:
        return token
    if token in index:
        problems.append(Problem(where, t("evidence.number_id_both", id=token, other="、".join(others)),
                                Severity.WARNING))
        return token
    problems.append(Problem(where, t("evidence.number_id_read", id=token, other=others[0]), Severity.WARNING))
    return others[0]


def _zero_padded(token: str) -> list[str]:
    """2.1 -> 2.10, 2.100: the ids a number cell reading `token` could have been typed as."""
    stem = token if "." in token else token + "."
    return [stem + "0" * n for n in range(1, 4)]


def _wide(cells_of: _Cells, header_row: int, header: list[object], keys: list[str],
          body: Iterable[tuple[int, list[object]]], index: dict[str, InputSpec], accept: Accept) -> None:
    table, problems, get = cells_of.table, cells_of.problems, cells_of.get
    unit_col = next(i for i, k in enumerate(keys) if k in UNIT_HEADERS)
    columns: dict[int, str] = {}
    note_col = None
    period_col = next((i for i, k in enumerate(keys) if k in PERIOD_HEADERS), None)
    unknown: list[int] = []
    unheaded: list[int] = []
    extra: list[int] = []
    for col, cell in enumerate(header):
        if col in (unit_col, period_col):
            continue
        if keys[col] in NOTE_HEADERS:
            note_col = col
            continue
        if is_blank(cell):
            unheaded.append(col)
            continue
        token = _id_text(cell) if cell.__class__ is str else _number_id(cell, index, table.locate(header_row, col),
                                                                        problems)
        if token in index:
            columns[col] = token
        elif _is_extra(keys[col]):
            extra.append(col)
        else:
            unknown.append(col)
    if unknown:
        _unknown_columns(table, header_row, header, unknown, index, problems)
    if not columns and not unknown:
        problems.append(Problem(table.locate(header_row, unit_col), t("evidence.no_id_columns")))
    if extra:
        more = t("problem.and_more", count=len(extra)) if len(extra) > UNKNOWN_COLUMNS_EACH else ""
        problems.append(Problem(table.locate(header_row, extra[0]), t(
            "evidence.extra_columns", headers="、".join(_short(header[c]) for c in extra[:UNKNOWN_COLUMNS_EACH]) + more),
            Severity.WARNING))
    seen: dict[str, int] = {}
    for col, input_id in columns.items():
        if input_id in seen:
            problems.append(Problem(table.locate(header_row, col), t("evidence.duplicate_column", id=input_id,
                                                                   first=str(table.locate(header_row, seen[input_id])))))
        seen.setdefault(input_id, col)
    header_problems = len(problems)
    filled: set[int] = set()  # columns without a header found to hold data
    names: dict[str, str] = {}
    for row_no, cells in body:
        if len(cells) > cells_of.width:
            cells_of.ragged(row_no, cells)
        if unheaded:
            found = [col for col in unheaded if col < len(cells) and not is_blank(cells[col])]
            if found:
                filled.update(found)
                unheaded = [col for col in unheaded if col not in filled]
        unit = cells_of.unit(cells, row_no, unit_col, names)
        if unit is not None and cells_of.is_marker(unit):
            continue
        note_raw = get(cells, row_no, note_col) if note_col is not None else None
        note = "" if note_raw is None else str(note_raw)
        period = _period(cells_of, cells, row_no, period_col)
        row_entries = [Entry(unit or "", input_id, raw, table.locate, row_no, col, unit_col, note, period=period)
                       for col, input_id in columns.items() if (raw := get(cells, row_no, col)) is not None]
        if unit is None:
            if row_entries:
                problems.append(Problem(table.locate(row_no, unit_col), t("evidence.no_unit")))
            continue
        for entry in row_entries:
            accept(entry)
    if filled:  # told with the header's problems, before the rows'
        problems[header_problems:header_problems] = [Problem(table.locate(header_row, col), t("evidence.no_header_cell"))
                                                     for col in sorted(filled)]


def _is_extra(key: str) -> bool:
    """A column an office adds (序号, 联系人, 填报日期…): no id, no digit in it."""
    if key in IGNORED_HEADERS or key in EXTRA_HEADERS:
        return True
    return key.endswith(_EXTRA_ENDINGS) and not any(ch.isdigit() for ch in key)


def _unknown_columns(table: RawTable, header_row: int, header: list[object], unknown: list[int],
                     index: dict[str, InputSpec], problems: list[Problem]) -> None:
    """Header cells that are not ids of the scheme: one message each (with the nearest id) when
    they are few; one for all of them, with their count and the first few, when they are many.
    Only the cells shown are matched against the ids (difflib is slow; a million are not)."""
    near = Nearest(list(index))
    if len(unknown) <= UNKNOWN_COLUMNS_EACH:
        for col in unknown:
            problems.append(Problem(table.locate(header_row, col), t(
                "evidence.unknown_column", header=str(header[col]), hint=near.hint(_id_part(header[col])))))
        return
    shown = [f"\"{_short(header[col])}\"{near.hint(_id_part(header[col]))}" for col in unknown[:UNKNOWN_COLUMNS_EACH]]
    problems.append(Problem(table.locate(header_row, unknown[0]), t(
        "evidence.unknown_columns", count=len(unknown), headers=join_list(shown) + "…")))


def _id_part(cell: object) -> str:
    """What a header is matched against the ids by: the id it starts with ("1.1.1领导重视",
    "1.3.11、会议" -> 1.1.1, 1.3.11), else its first word."""
    token = _id_text(cell)
    found = _ID_LIKE.match(token)
    return found.group() if found is not None else token


def _short(cell: object) -> str:
    text = str(cell)
    return text if len(text) <= 40 else text[:39] + "…"


def _period(cells_of: _Cells, cells: list[object], row_no: int, col: int | None) -> str | None:
    if col is None:
        return None
    raw = cells_of.get(cells, row_no, col)
    return None if raw is None else normalize_text(str(raw))

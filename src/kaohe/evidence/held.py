"""The values evidence holds: a `Value` per (unit, input id), kept as columns.

A large run holds millions of values, and most of them share their typed value and raw cell
with many others ("是", "3", "85%"). So the table keeps, for each input id, a column over the
units it has numbered: a code into the column's distinct (value, raw) pairs, the row the value
was read from, and a code into the table's distinct (locator, column) places; 备注 only where
one was written. That is 16 bytes a value, where a Value and its row number are 132. A `Value`
is made when one is asked for (a message, `explain`, the 明细), equal to the one held, its
typed value and raw cell the very objects read.
"""

from __future__ import annotations

from array import array
from itertools import repeat
from operator import sub
from typing import Any, Hashable, Iterable, Iterator, Mapping, MutableMapping, NamedTuple, Sequence

from kaohe.errors import Location
from kaohe.evidence.tables import Fixed, Locator


class Value(NamedTuple):
    """A value read for one unit and input: typed, as written, and where (located on demand)."""

    value: object
    raw: object
    locate: Locator
    row: int
    col: int
    note: str = ""

    @classmethod
    def at(cls, value: object, raw: object, where: Location, note: str = "") -> Value:
        """A value with one known place (a test, a results file)."""
        return cls(value, raw, Fixed(where), 0, 0, note)

    @property
    def location(self) -> Location:
        return self.locate(self.row, self.col)


NONE_CODE = -1
"""A unit's code in a column where it has no value."""
_WHOLE = -2
"""A unit's code where its Value is held whole (its row is no machine integer: see `ValueTable.__setitem__`)."""
_ROW_LIMIT = 1 << 62
_PAIRS_SHARED = 4096
"""Distinct (value, raw) pairs a column looks up to share; past this many (a column of free
text or numbers) each value is given a pair of its own, so the lookup cannot grow without end."""
_NOTES_BY_SLICES = 4096
"""Notes past which a periodic run is held through lists (each note is found by its row's codes)."""
_new_tuple = tuple.__new__


class HeldColumn:
    """One input id's values over the table's units, by unit number: a code into `values` and
    `raws` (or NONE_CODE), the row, and a code into the table's places; notes and whole Values
    (code _WHOLE) in dicts, where there are any."""

    __slots__ = ("codes", "rows", "places", "values", "raws", "shared", "notes", "whole", "table_places")

    def __init__(self, size: int, table_places: list[tuple[Locator, int]]):
        self.codes = array("i", repeat(NONE_CODE, size))
        self.rows = array("q", bytes(8 * size))
        self.places = array("i", bytes(4 * size))
        self.values: list[object] = []
        self.raws: list[object] = []
        self.shared: dict[tuple[int, int], int] = {}
        """(id of value, id of raw) -> code, while fewer than _PAIRS_SHARED are known."""
        self.notes: dict[int, object] = {}
        self.whole: dict[int, Value] = {}
        self.table_places = table_places

    def grow(self, size: int) -> None:
        more = size - len(self.codes)
        if more > 0:
            self.codes.extend(repeat(NONE_CODE, more))
            self.rows.frombytes(bytes(8 * more))
            self.places.frombytes(bytes(4 * more))

    def code(self, value: object, raw: object) -> int:
        """The code of the pair (value, raw): the pair's own, shared by equal objects."""
        key = (id(value), id(raw))
        code = self.shared.get(key)
        if code is None:
            code = len(self.values)
            self.values.append(value)
            self.raws.append(raw)
            if len(self.shared) < _PAIRS_SHARED:
                self.shared[key] = code  # the objects are held in the lists: their ids stay theirs
        return code

    def get(self, number: int) -> Value | None:
        code = self.codes[number]
        if code < 0:
            return None if code == NONE_CODE else self.whole[number]
        locate, col = self.table_places[self.places[number]]
        return _new_tuple(Value, (self.values[code], self.raws[code], locate, self.rows[number], col,
                                  self.notes.get(number, "") if self.notes else ""))

    def has(self, number: int) -> bool:
        return self.codes[number] != NONE_CODE

    def given(self, absent: object) -> list[object] | None:
        """Each code's typed value, and `absent` last (at NONE_CODE); None when a Value is held
        whole (its typed value is not among the codes)."""
        return None if self.whole else [*self.values, absent]

    def drop(self, number: int) -> None:
        self.codes[number] = NONE_CODE
        self.notes.pop(number, None)
        self.whole.pop(number, None)


class ValueTable(MutableMapping[tuple[str, str], Value]):
    """(unit, input id) -> Value, held as a column per input id over numbered units (see the
    module's docstring). Unit number 0 stands for a unit that has no value at all."""

    __slots__ = ("_numbers", "_names", "_columns", "_places", "_place_codes", "_count")

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._names: list[str | None] = [None]
        self._columns: dict[str, HeldColumn] = {}
        self._places: list[tuple[Locator, int]] = []
        self._place_codes: dict[tuple[int, object], int] = {}
        self._count = 0

    # -- held as columns: for reading in runs and scoring a criterion at a time

    def numbers(self, units: list[str]) -> list[int]:
        """Each unit's number in the columns (0 for a unit without values)."""
        return list(map(self._numbers.get, units, repeat(0)))

    def column(self, input_id: str) -> HeldColumn | None:
        return self._columns.get(input_id)

    def add_run(self, units: list[str], ids: list[str], keys: list[Hashable],
                typed: Mapping[Hashable, tuple[str, object, object]], locate: Locator, col: int, rows: list[int],
                notes: list[str]) -> bool:
        """Hold a run of values, row k's under (units[k], ids[k]): typed[keys[k]] is its (input
        id, typed value, raw cell), read at (rows[k], col) of `locate`, with the note notes[k]. All
        or none: False, with the values held as they were, when any (unit, id) has a value
        already or comes twice."""
        if rows and not (0 <= min(rows) and max(rows) < _ROW_LIMIT):
            return False
        self._number(dict.fromkeys(units))
        columns = self._columns_of(ids)
        held = list(map(columns.__getitem__, ids))
        code_of = {key: columns[input_id].code(value, raw) for key, (input_id, value, raw) in typed.items()}
        return self._hold(held, list(map(self._numbers.__getitem__, units)),
                          list(map(code_of.__getitem__, keys)), rows, self._place(locate, col),
                          ((at, note) for at, note in enumerate(notes) if note) if any(notes) else ())

    def add_coded(self, names: list[str], ids: list[str], pair_ids: list[int], pairs: list[tuple[object, object]],
                  locate: Locator, col: int, coded: Any) -> bool:
        """`add_run` of rows given by codes (kaohe.evidence.layout.CodedRows): `names` its units,
        `ids` the input id of each of its ids, and pairs[p] the (typed value, raw cell) of its
        pair p, of the id ids[pair_ids[p]]. Where the rows are periodic, each input's values go
        into its column a slice at a time, with no list made per row."""
        self._number(names)  # (the rows' lines are a file's: machine integers)
        columns = self._columns_of(ids)
        by_id = [columns[input_id] for input_id in ids]
        code_of = [by_id[at].code(value, raw) for at, (value, raw) in zip(pair_ids, pairs, strict=True)]
        numbers = [self._numbers[name] for name in names]
        place = self._place(locate, col)
        dense = not numbers or numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        if coded.period is not None and dense and len(set(ids)) == len(ids) and len(coded.notes) <= _NOTES_BY_SLICES:
            added = self._add_slices(list(coded.slices()), by_id, numbers, code_of, place)
            if added is None:
                return False
            units, id_at = coded.codes[0], coded.codes[1]
            for at, note in coded.notes.items():
                by_id[id_at[at]].notes[numbers[units[at]]] = note
            self._count += added
            return True
        units, id_at, pair_at, rows = coded.lists()
        return self._hold(list(map(by_id.__getitem__, id_at)), list(map(numbers.__getitem__, units)),
                          list(map(code_of.__getitem__, pair_at)), rows, place, coded.notes.items())

    @staticmethod
    def _add_slices(slices: list[tuple[int, int, list[int], Sequence[int]]], by_id: list[HeldColumn],
                    numbers: list[int], code_of: list[int], place: int) -> int | None:
        """Each (id, first unit, pair codes, lines) into a slice of its id's column, its units
        numbered one after another; None, with nothing held, when a unit has a value there already."""
        return _put_slices([(by_id[at], numbers[unit], array("i", map(code_of.__getitem__, codes)), lines)
                            for at, unit, codes, lines in slices], place)

    def _columns_of(self, ids: Iterable[str]) -> dict[str, HeldColumn]:
        """The columns, with one made for each of `ids` that has none, in the order first given."""
        columns = self._columns
        for input_id in dict.fromkeys(ids):
            if input_id not in columns:
                columns[input_id] = HeldColumn(len(self._names), self._places)
        return columns

    def _number(self, units: Iterable[str]) -> None:
        """A number for each unit not numbered yet, in order; every column grown to hold them."""
        numbers, names = self._numbers, self._names
        before = len(names)
        for unit in units:
            if unit not in numbers:
                numbers[unit] = len(names)
                names.append(unit)
        if len(names) > before:
            for column in self._columns.values():
                column.grow(len(names))

    def _hold(self, held: list[HeldColumn], nums: list[int], codes: list[int], rows: Sequence[int], place: int,
              notes: Iterable[tuple[int, object]]) -> bool:
        """Row k's value into column held[k] at unit number nums[k]: all, or none when a (unit,
        column) has a value already or comes twice (two ids may name one input: 1.1 and 1.1.1)."""
        period = _period(held, nums)
        if period is not None:
            added = self._add_periodic(period, held, nums, codes, rows, place)
        else:
            added = self._add_rows(held, nums, codes, rows, place)
        if added is None:
            return False
        for at, note in notes:
            held[at].notes[nums[at]] = note
        self._count += added
        return True

    @staticmethod
    def _add_periodic(period: int, held: list[HeldColumn], nums: list[int], codes: list[int], rows: Sequence[int],
                      place: int) -> int | None:
        """A run whose units give their ids in one order, each unit numbered one past the one
        before (as long-form evidence is written): each id's values go into a slice of its column.
        None, with nothing held, when a unit has a value of an id already."""
        return _put_slices([(held[first], nums[first], codes[first::period], rows[first::period])
                            for first in range(period)], place)

    @staticmethod
    def _add_rows(held: list[HeldColumn], nums: list[int], codes: list[int], rows: Sequence[int],
                  place: int) -> int | None:
        """A run row by row; None, with nothing held, when a (unit, id) has a value already or
        comes twice."""
        added = 0
        for column, number, code, row in zip(held, nums, codes, rows, strict=True):
            column_codes = column.codes
            if column_codes[number] != NONE_CODE:
                break
            column_codes[number] = code
            column.rows[number] = row
            column.places[number] = place
            added += 1
        else:
            return added
        for column, number in zip(held[:added], nums[:added], strict=True):
            column.codes[number] = NONE_CODE
        return None

    def _place(self, locate: Locator, col: object) -> int:
        key = (id(locate), col)
        code = self._place_codes.get(key)
        if code is None:
            code = self._place_codes[key] = len(self._places)
            self._places.append((locate, col))  # type: ignore[arg-type]  # held: its id stays its own
        return code

    # -- the mapping

    def unit(self, unit: str) -> Mapping[str, Value]:
        """The unit's own values by input id (empty when it has none)."""
        number = self._numbers.get(unit)
        return _NONE if number is None else _UnitValues(self, number)

    def __getitem__(self, key: tuple[str, str]) -> Value:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: tuple[str, str], default: Value | None = None) -> Value | None:  # type: ignore[override]
        number = self._numbers.get(key[0])
        column = self._columns.get(key[1])
        if number is None or column is None:
            return default
        found = column.get(number)
        return default if found is None else found

    def __contains__(self, key: object) -> bool:
        if not (isinstance(key, tuple) and len(key) == 2):
            return False
        number = self._numbers.get(key[0])
        column = self._columns.get(key[1])
        return number is not None and column is not None and column.has(number)

    def add(self, key: tuple[str, str], value: Value) -> Value:
        """Hold `value` unless the key has one already: `value` itself when it is now held, else
        the value held before (one lookup for both)."""
        held = self.get(key)
        if held is not None:
            return held
        self[key] = value
        return value

    def __setitem__(self, key: tuple[str, str], value: Value) -> None:
        unit, input_id = key
        number = self._numbers.get(unit)
        if number is None:
            number = self._numbers[unit] = len(self._names)
            self._names.append(unit)
            for other in self._columns.values():
                other.grow(len(self._names))
        column = self._columns.get(input_id)
        if column is None:
            column = self._columns[input_id] = HeldColumn(len(self._names), self._places)
        if not column.has(number):
            self._count += 1
        column.drop(number)
        row = value.row
        if row.__class__ is not int or not 0 <= row < _ROW_LIMIT:
            column.whole[number] = value
            column.codes[number] = _WHOLE
            return
        column.codes[number] = column.code(value.value, value.raw)
        column.rows[number] = row
        column.places[number] = self._place(value.locate, value.col)
        if value.note != "":
            column.notes[number] = value.note

    def __delitem__(self, key: tuple[str, str]) -> None:
        if key not in self:
            raise KeyError(key)
        self._columns[key[1]].drop(self._numbers[key[0]])
        self._count -= 1

    def __iter__(self) -> Iterator[tuple[str, str]]:
        columns = list(self._columns.items())
        for number, unit in enumerate(self._names):
            if unit is not None:
                for input_id, column in columns:
                    if column.has(number):
                        yield unit, input_id

    def __len__(self) -> int:
        return self._count


def _put_slices(slices: list[tuple[HeldColumn, int, Sequence[int], Sequence[int]]], place: int) -> int | None:
    """Each (column, first unit number, codes, lines) into the column from that unit on, one
    unit after another, all read at `place`: the count held, or None, with nothing held, when
    a unit there has a value already."""
    for column, start, codes, _ in slices:
        if column.codes[start:start + len(codes)].count(NONE_CODE) != len(codes):
            return None
    for column, start, codes, lines in slices:
        stop = start + len(codes)
        column.codes[start:stop] = codes if isinstance(codes, array) else array("i", codes)
        column.rows[start:stop] = array("q", lines)
        column.places[start:stop] = array("i", (place,)) * len(codes)
    return sum(len(codes) for _, _, codes, _ in slices)


def _period(ids: list[HeldColumn], nums: list[int]) -> int | None:
    """The number of rows a unit takes, where every unit in the run gives the same inputs (by
    their columns) in the same order, none twice, and is numbered one past the unit before; else None."""
    count = len(ids)
    if not count:
        return None
    try:
        period = ids.index(ids[0], 1)
    except ValueError:
        period = count
    if len(set(ids[:period])) != period or ids[period:] != ids[:count - period]:
        return None
    if period < count and list(map(sub, nums[period:], nums[:count - period])) != [1] * (count - period):
        return None
    return period


class _UnitValues(Mapping[str, Value]):
    """One unit's values by input id, as the table holds them."""

    __slots__ = ("_table", "_number")

    def __init__(self, table: ValueTable, number: int):
        self._table = table
        self._number = number

    def get(self, input_id: str, default: Value | None = None) -> Value | None:  # type: ignore[override]
        column = self._table._columns.get(input_id)
        if column is None:
            return default
        found = column.get(self._number)
        return default if found is None else found

    def __getitem__(self, input_id: str) -> Value:
        found = self.get(input_id)
        if found is None:
            raise KeyError(input_id)
        return found

    def __contains__(self, input_id: object) -> bool:
        column = self._table._columns.get(input_id)  # type: ignore[call-overload]
        return column is not None and column.has(self._number)

    def __iter__(self) -> Iterator[str]:
        number = self._number
        return (input_id for input_id, column in list(self._table._columns.items()) if column.has(number))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"{{{', '.join(f'{k!r}: {v!r}' for k, v in self.items())}}}"


_NONE: Mapping[str, Value] = {}

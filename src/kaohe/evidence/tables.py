"""Raw tables from evidence files: rows of cells, each cell knowing where it came from.

Rows are streamed: a table's rows are read once, front to back, so that a large file is never
held as Python objects all at once. Locations are made only when something is reported or
shown: a value keeps its locator and its row and column, not a Location.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from kaohe.errors import Location, Problem

Locator = Callable[[int, int], Location]
"""(row number, 0-based column) -> where that cell is."""


@dataclass(frozen=True, slots=True)
class RawTable:
    """One sheet (XLSX) or one file (CSV): rows as lists of raw values, located on demand."""

    file: str
    sheet: str | None
    rows: Iterable[tuple[int, list[object]]]
    """(1-based row number, cells), blank rows left out; may be read only once."""
    locate: Locator
    blank_formulas: frozenset[tuple[int, int]] = frozenset()
    """Cells holding a formula whose result was never stored (row number, 0-based column)."""
    notes: tuple[Problem, ...] = ()
    """What was found about the sheet without reading its rows (a hidden sheet, left unread):
    reported with the file's other problems."""

    def where(self) -> Location:
        return Location(self.file, sheet=self.sheet) if self.sheet is not None else Location(self.file)


class Fixed:
    """The locator of values that have one known place (a results file, a test case's line)."""

    __slots__ = ("where",)

    def __init__(self, where: Location):
        self.where = where

    def __call__(self, row: int, col: int) -> Location:
        return self.where


def column_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27 (1-based, as in a sheet's references)."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + (ord(ch) - 64)
    return col


class CsvLocator:
    """A CSV file's cells: `file:line:column`. The text of a place is `prefix` + `suffix(row, col)`
    (digits and letters), so that a writer of millions of them can prepare the prefix once."""

    __slots__ = ("file", "prefix")

    def __init__(self, file: str):
        self.file = file
        self.prefix = f"{file}:"

    def __call__(self, row: int, col: int) -> Location:
        return Location(self.file, row, col + 1)

    def suffix(self, row: int, col: int) -> str:
        return f"{row}:{col + 1}"

    def around_row(self, col: int) -> tuple[str, str]:
        """The texts before and after the row's digits in `suffix(row, col)` (a writer of a
        column's places joins them in C)."""
        return "", f":{col + 1}"


class SheetLocator:
    """A sheet's cells: `file!sheet!B12`, as `prefix` + `suffix(row, col)` (see CsvLocator)."""

    __slots__ = ("file", "sheet", "prefix")

    def __init__(self, file: str, sheet: str):
        self.file = file
        self.sheet = sheet
        self.prefix = f"{file}!{sheet}!"

    def __call__(self, row: int, col: int) -> Location:
        return Location(self.file, sheet=self.sheet, cell=f"{column_letter(col)}{row}")

    def suffix(self, row: int, col: int) -> str:
        return f"{column_letter(col)}{row}"

    def around_row(self, col: int) -> tuple[str, str]:
        """The texts before and after the row's digits in `suffix(row, col)` (see CsvLocator)."""
        return column_letter(col), ""


def csv_locator(file: str) -> Locator:
    return CsvLocator(file)


def sheet_locator(file: str, sheet: str) -> Locator:
    return SheetLocator(file, sheet)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def nonblank_rows(rows: Iterable[tuple[int, list[object]]]) -> Iterator[tuple[int, list[object]]]:
    for n, cells in rows:
        for c in cells:
            if c is not None and (c.__class__ is not str or (c and not c.isspace())):
                yield n, cells
                break

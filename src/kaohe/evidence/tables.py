"""Raw tables from evidence files: rows of cells, each cell knowing where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from kaohe.errors import Location


@dataclass(frozen=True, slots=True)
class RawTable:
    """One sheet (XLSX) or one file (CSV): rows as lists of raw values, located on demand."""

    file: str
    sheet: str | None
    rows: list[tuple[int, list[object]]]
    """(1-based row number, cells); blank rows may be absent."""
    locate: Callable[[int, int], Location]
    """(row number, 0-based column) -> where that cell is."""
    blank_formulas: frozenset[tuple[int, int]] = frozenset()
    """Cells holding a formula whose result was never stored (row number, 0-based column)."""

    def where(self) -> Location:
        return Location(self.file, sheet=self.sheet) if self.sheet is not None else Location(self.file)


def column_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def csv_locator(file: str) -> Callable[[int, int], Location]:
    return lambda row, col: Location(file, row, col + 1)


def sheet_locator(file: str, sheet: str) -> Callable[[int, int], Location]:
    return lambda row, col: Location(file, sheet=sheet, cell=f"{column_letter(col)}{row}")


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def nonblank_rows(rows: Iterator[tuple[int, list[object]]]) -> list[tuple[int, list[object]]]:
    return [(n, cells) for n, cells in rows if any(not is_blank(c) for c in cells)]

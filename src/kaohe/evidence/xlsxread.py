"""XLSX evidence: cell values read with python-calamine (fast, no formula evaluation).

A formula cell whose result was never stored (written by a program, never opened in Excel)
reads as empty; such cells are found in the sheet XML so that they are reported, not zeroed.
"""

from __future__ import annotations

import posixpath
import zipfile
from typing import TYPE_CHECKING, Iterator

from defusedxml import ElementTree as SafeET

from kaohe.errors import EvidenceError, Location, Problem
from kaohe.evidence.tables import RawTable, nonblank_rows, sheet_locator
from kaohe.i18n import t

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


MAX_UNCOMPRESSED = 2 * 1024**3
"""The most an evidence workbook may expand to (2 GiB), as its archive declares."""
MAX_RATIO = 200
"""The most any part may expand relative to its compressed size (ordinary sheets: 5–30)."""
RATIO_FLOOR = 10 * 1024**2
"""Parts smaller than this (10 MiB expanded) are not held to the ratio."""
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_xlsx(path: str, file: str) -> list[RawTable]:
    from python_calamine import CalamineWorkbook

    _check_archive(path, file)
    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception as e:  # calamine raises its own error types for every kind of damage
        raise EvidenceError([Problem(Location(file), t("xlsx.unreadable", detail=e))]) from e
    try:
        blanks = _formulas_without_values(path)
    except Exception as e:  # defusedxml refusals (entities, DTDs) and malformed XML
        raise EvidenceError([Problem(Location(file), t("xlsx.unsafe_xml", detail=type(e).__name__))]) from e
    return [RawTable(file, name, nonblank_rows(_sheet_rows(workbook, name, file)), sheet_locator(file, name),
                     frozenset(blanks.get(name, ()))) for name in workbook.sheet_names]


def _sheet_rows(workbook: CalamineWorkbook, name: str, file: str) -> Iterator[tuple[int, list[object]]]:
    """(1-based row number, cells from column A), streamed from calamine with merged ranges spread."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        merged = sheet.merged_cell_ranges or []
        pad: list[object] = [""] * (sheet.start[1] if sheet.start else 0)  # iter_rows starts at the first used column
        spread = _MergedSpread(merged)
        for i, row in enumerate(sheet.iter_rows()):
            cells = pad + row if pad else list(row)
            if merged:
                spread.apply(i, cells)
            yield i + 1, cells
    except EvidenceError:
        raise
    except Exception as e:
        raise EvidenceError([Problem(Location(file, sheet=name), t("xlsx.unreadable", detail=e))]) from e


def _check_archive(path: str, file: str) -> None:
    """Refuse what is not an XLSX, and zip bombs, before anything is expanded."""
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic == _OLE2:
        raise EvidenceError([Problem(Location(file), t("xlsx.ole2"))])
    try:
        if not zipfile.is_zipfile(path):
            raise EvidenceError([Problem(Location(file), t("xlsx.not_xlsx"))])
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError, EOFError) as e:
        raise EvidenceError([Problem(Location(file), t("xlsx.not_xlsx"))]) from e
    total = sum(p.file_size for p in parts)
    if total > MAX_UNCOMPRESSED:
        raise EvidenceError([Problem(Location(file), t("xlsx.too_big", size=total, limit=MAX_UNCOMPRESSED))])
    for part in parts:
        if part.file_size > RATIO_FLOOR and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise EvidenceError([Problem(Location(file), t("xlsx.bomb", part=part.filename,
                                                            ratio=part.file_size // max(part.compress_size, 1),
                                                            limit=MAX_RATIO))])


class _MergedSpread:
    """A merged range's value stands in every cell of the range (a unit name merged down its rows,
    a header merged across columns): Excel shows it there, so the reader does too. Ranges are
    ((first row, first col), (last row, last col)), 0-based; rows arrive in order."""

    def __init__(self, merged: list[tuple[tuple[int, int], tuple[int, int]]]):
        self.starting: dict[int, list[tuple[int, int, int]]] = {}
        for (r1, c1), (r2, c2) in merged:
            self.starting.setdefault(r1, []).append((c1, r2, c2))
        self.open: list[tuple[int, int, int, int, object]] = []  # (first row, first col, last row, last col, value)

    def apply(self, row: int, cells: list[object]) -> None:
        for c1, r2, c2 in self.starting.pop(row, ()):
            if c1 < len(cells):
                self.open.append((row, c1, r2, c2, cells[c1]))
        if not self.open:
            return
        self.open = [span for span in self.open if span[2] >= row]
        for r1, c1, _, c2, value in self.open:
            for c in range(c1, min(c2 + 1, len(cells))):
                if (row, c) != (r1, c1):
                    cells[c] = value


def _formulas_without_values(path: str) -> dict[str, set[tuple[int, int]]]:
    """Sheet name -> cells (row, 0-based column) with a formula and no stored value."""
    found: dict[str, set[tuple[int, int]]] = {}
    with zipfile.ZipFile(path) as archive:
        for name, member in _sheet_members(archive).items():
            try:
                data = archive.read(member)
            except KeyError:
                continue
            if b"<f" not in data and b":f" not in data:
                continue
            for cell in SafeET.fromstring(data).iter(f"{_NS}c"):
                formula = cell.find(f"{_NS}f")
                value = cell.find(f"{_NS}v")
                inline = cell.find(f"{_NS}is")
                if formula is not None and (value is None or not (value.text or "")) and inline is None:
                    found.setdefault(name, set()).add(_cell_index(cell.get("r", "")))
    return found


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part inside the archive."""
    try:
        book = SafeET.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    members = {}
    for sheet in book.iter(f"{_NS}sheet"):
        target = targets.get(sheet.get(_REL), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        members[sheet.get("name", "")] = member
    return members


def _cell_index(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters.upper():
        col = col * 26 + (ord(ch) - 64)
    return int(digits or 0), col - 1

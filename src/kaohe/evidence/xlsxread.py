"""XLSX evidence: cell values read with python-calamine (fast, no formula evaluation).

A formula cell whose result was never stored (written by a program, never opened in Excel)
reads as empty; such cells are found in the sheet XML so that they are reported, not zeroed.
"""

from __future__ import annotations

import posixpath
import zipfile

from defusedxml import ElementTree as SafeET

from kaohe.errors import EvidenceError, Location, Problem
from kaohe.evidence.tables import RawTable, nonblank_rows, sheet_locator
from kaohe.i18n import t

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
    tables = []
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            rows = [list(r) for r in sheet.to_python(skip_empty_area=False)]
            merged = sheet.merged_cell_ranges or []
        except Exception as e:
            raise EvidenceError([Problem(Location(file, sheet=name), t("xlsx.unreadable", detail=e))]) from e
        _spread_merged(rows, merged)
        numbered = ((i + 1, r) for i, r in enumerate(rows))
        tables.append(RawTable(file, name, nonblank_rows(numbered), sheet_locator(file, name),
                               frozenset(blanks.get(name, ()))))
    return tables


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


def _spread_merged(rows: list[list[object]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """A merged range's value stands in every cell of the range (a unit name merged down its rows,
    a header merged across columns): Excel shows it there, so the reader does too."""
    for (r1, c1), (r2, c2) in merged:
        if r1 >= len(rows) or c1 >= len(rows[r1]):
            continue
        value = rows[r1][c1]
        for r in range(r1, min(r2, len(rows) - 1) + 1):
            for c in range(c1, c2 + 1):
                if c < len(rows[r]) and (r, c) != (r1, c1):
                    rows[r][c] = value


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

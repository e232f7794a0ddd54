"""Why calamine could not read a sheet, told at the cell: a workbook written by hand or by a
program that got a cell's type wrong (a number cell holding "abc", a logical cell holding 7, a
shared string that is not in the table). Run only once calamine has refused the sheet, so the
reading of sound workbooks pays nothing for it.

Positions follow calamine as the pre-read scan does (kaohe.evidence.xlsxread): a cell's `r`, or
the one after the previous cell (and row) when it has none.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import NamedTuple
from xml.parsers import expat

from defusedxml import ElementTree as SafeET

from kaohe.evidence.tables import column_letter, column_number

_NUMBER = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)", re.IGNORECASE)
"""The numbers a number cell's <v> may hold, as calamine parses them (Rust's f64: no spaces, no
digit separators)."""
_BOOLEANS = frozenset(("0", "1", "true", "false"))
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_SHARED_STRINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


class BadCell(NamedTuple):
    """A cell whose value is not of its type: its reference (B2), the value as written, and what
    its type wants ("number", "boolean" or "shared": an index into `strings` shared strings)."""

    cell: str
    value: str
    wants: str
    strings: int


def first_bad_cell(path: str, member: str) -> BadCell | None:
    """The first cell of the sheet part `member` whose value its type cannot hold, or None (the
    sheet is damaged some other way, or cannot be read here at all)."""
    try:
        with zipfile.ZipFile(path) as archive:
            strings = _shared_strings(archive)
            with archive.open(member) as stream:
                return _Cells(strings).scan(stream)
    except Exception:  # noqa: BLE001 - a diagnosis only: the refusal stands without it
        return None


def _shared_strings(archive: zipfile.ZipFile) -> int | None:
    """How many strings the workbook shares (0 without a table; None where it cannot be counted)."""
    member = "xl/sharedStrings.xml"
    try:
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for rel in rels:
            if rel.get("Type") == _SHARED_STRINGS:
                target = rel.get("Target", "")
                member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    except (KeyError, SafeET.ParseError):
        pass
    if member not in archive.namelist():
        return 0
    count = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal count
        if name.rpartition(":")[2] == "si":
            count += 1

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    with archive.open(member) as stream:
        parser.ParseFile(stream)
    return count


class _Found(Exception):
    pass


class _Position:
    """Where calamine places each cell: at its `r`, or, without one, after the cell before it in
    the row of its <row> element (a row's `r`, or the one after the row before)."""

    def __init__(self) -> None:
        self.row = self.col = self.row_element = 0

    def row_start(self, r: str) -> None:
        self.row_element = int(r) if r.isascii() and r.isdigit() else self.row_element + 1
        self.row, self.col = self.row_element, 0

    def cell(self, r: str) -> None:
        found = _REF.fullmatch(r)
        if found is not None:
            self.row, self.col = int(found.group(2)), column_number(found.group(1))
        else:
            self.row, self.col = self.row_element, self.col + 1


class _Cells:
    def __init__(self, strings: int | None):
        self.strings = strings
        self.at = _Position()
        self.kind: str | None = None
        self.cell = ""
        self.text: list[str] | None = None
        self.found: BadCell | None = None

    def scan(self, stream) -> BadCell | None:  # type: ignore[no-untyped-def]
        parser = self.parser = expat.ParserCreate()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        try:
            parser.ParseFile(stream)
        except _Found:
            pass
        return self.found

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            self.at.row_start(attrs.get("r", ""))
        elif local == "c":
            self.at.cell(attrs.get("r", ""))
            self.cell = f"{column_letter(self.at.col - 1)}{self.at.row}"
            self.kind = attrs.get("t")  # a cell of no type is read as a number, else as text
        elif local == "v" and self.kind is not None:
            self.text = []
            self.parser.CharacterDataHandler = self.text.append

    def end(self, name: str) -> None:
        if self.text is None or name.rpartition(":")[2] != "v":
            return
        value, self.text = "".join(self.text), None
        self.parser.CharacterDataHandler = None
        wants = None
        if self.kind == "n" and value and _NUMBER.fullmatch(value) is None:
            wants = "number"
        elif self.kind == "b" and value.strip().lower() not in _BOOLEANS:
            wants = "boolean"
        elif self.kind == "s" and self.strings is not None and not (value.isascii() and value.isdigit()
                                                                    and int(value) < self.strings):
            wants = "shared"
        if wants is not None:
            self.found = BadCell(self.cell, value, wants, self.strings or 0)
            raise _Found


# ---- cells shown as percentages ---------------------------------------------------------------------

_PERCENT_BUILTIN = frozenset((9, 10))
"""Excel's built-in number formats 0% and 0.00%."""
_QUOTED_OR_ESCAPED = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')
"""What in a format code is shown as it is, not a placeholder: quoted text, an escaped character,
a space as wide as a character (_%), a fill (*%) and a [colour] or [locale]."""
_TAGS = re.compile(rb"<(?:[\w.-]+:)?(row|c)(\s[^>]*)?/?>")
"""A row's or a cell's start tag (not <cols>, <col>, <rowBreaks>: the name ends there)."""
_ATTR = re.compile(rb"""\s(r|s)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
"""A row's or cell's `r` or `s`, its value in double or single quotes (both are XML)."""


def percent_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The cell styles (indexes into cellXfs, a cell's `s`) whose number format shows a
    percentage: 0%, 0.00%, or a format of the workbook's own with % outside quotes ("0.0%")."""
    try:
        root = SafeET.fromstring(archive.read("xl/styles.xml"))
    except Exception:  # noqa: BLE001 - no styles (or none readable): no cell is a percentage
        return frozenset()
    own: set[int] = set()
    xfs: list[int] = []
    for part in root:  # the workbook's own formats and the cells' styles (not the formats of
        local = part.tag.rpartition("}")[2]  # conditional formatting, <dxfs>, which share ids)
        if local == "numFmts":
            for element in part:
                code = _QUOTED_OR_ESCAPED.sub("", element.get("formatCode", "")).split(";")[0]  # positive numbers' section
                if "%" in code and element.get("numFmtId", "").isdigit():
                    own.add(int(element.get("numFmtId", "")))
        elif local == "cellXfs":
            xfs = [int(x.get("numFmtId", "0")) if x.get("numFmtId", "0").isdigit() else 0
                   for x in part if x.tag.rpartition("}")[2] == "xf"]
    percent = _PERCENT_BUILTIN | own
    return frozenset(at for at, number_format in enumerate(xfs) if number_format in percent)


def percent_cells(archive: zipfile.ZipFile, member: str, styles: frozenset[int]) -> dict[int, list[int]]:
    """Row number -> the 0-based columns of the sheet's cells styled as percentages (`styles`),
    read off the row and cell start tags a chunk at a time (no attribute of theirs holds a ">").
    Positions follow calamine (see the module's docstring)."""
    if not styles:
        return {}
    wanted = {str(s).encode() for s in styles}
    found: dict[int, list[int]] = {}
    at = _Position()
    rest = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(1 << 20)
            text = rest + chunk
            cut = text.rfind(b">") + 1 if chunk else len(text)
            part, rest = text[:cut], text[cut:]
            for match in _TAGS.finditer(part):
                attrs = {name: double or single for name, double, single in _ATTR.findall(match.group(2) or b"")}
                r = attrs.get(b"r", b"").decode("ascii", "replace")
                if match.group(1) == b"row":
                    at.row_start(r)
                    continue
                at.cell(r)
                if attrs.get(b"s") in wanted:
                    found.setdefault(at.row, []).append(at.col - 1)
            if not chunk:
                return found

"""XLSX evidence: cell values read with python-calamine (fast, no formula evaluation).

Before calamine reads a sheet, its XML is scanned, streamed (never held whole), with the
protections of defusedxml: in C where the sheet is written as Excel, WPS, LibreOffice and openpyxl
write one (`_SheetScan.quick`), else element by element (`_SheetScan.run`), which the quick scan
must agree with. The scan finds what calamine would hide or could not survive:

- a formula cell whose result was never stored (written by a program, never opened in Excel)
  reads as empty; such cells are reported, not zeroed;
- an Excel error value (#DIV/0!, #N/A, #VALUE!…) reads as empty too: it is refused, shown;
- calamine builds a sheet as one dense rectangle up to its farthest cell, so one stray cell at
  XFD1048576 asks for 17 billion cells and aborts the process: the sheet's real extent is known
  from its cell references first, and a rectangle far larger than the cells in it is refused;
- hidden sheets are not read (what is not shown in Excel is not scored): each that holds data
  is named in a warning, and a workbook whose data is all on hidden sheets is refused;
- a cell written twice (two `<c r="B2">`, or a row's number given twice) reads as whichever the
  reader takes, and Excel calls the file corrupt: a sheet in which any position repeats is refused.

Merged ranges are spread over the cells they cover as the rows are read; ranges that overlap
(which Excel never saves) are refused, as spreading them could cost far more than the sheet.
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
import sys
import threading
import zipfile
from bisect import bisect_right
from itertools import compress, islice
from operator import itemgetter, lt, methodcaller, mul, not_
from typing import IO, TYPE_CHECKING, Callable, Iterator
from xml.parsers import expat

from defusedxml import ElementTree as SafeET
from defusedxml.common import EntitiesForbidden, ExternalReferenceForbidden

from kaohe.errors import SHOWN_PLACES, EvidenceError, Location, Problem, Severity
from kaohe.evidence import wellformed
from kaohe.evidence.tables import RawTable, column_letter, column_number, sheet_locator
from kaohe.evidence.xlsxcells import BadCell, first_bad_cell, percent_cells, percent_styles
from kaohe.i18n import join_list, t
from kaohe.numbers import from_float
from kaohe.rules.base import MAX_FLOAT_PLACES

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

MAX_COLUMNS = 16384
"""Excel's last column (XFD): a reference beyond it is not from a workbook Excel or WPS wrote."""
MAX_ROWS = 1048576
"""Excel's last row: a reference beyond it is not from a workbook Excel or WPS wrote."""
DENSE_FLOOR = 2**20
"""A sheet whose rectangle from A1 to its farthest filled row and column holds at most this many
cells (1,048,576, one full Excel column; about 32 MiB as calamine holds it) is read whatever it
holds. calamine builds its used range as one dense rectangle, 32 bytes a cell, and its rows reach
Python from row 1, each padded from column A: the rectangle, not the cells in it, is what reading
costs."""
DENSE_RATIO = 16
"""Past DENSE_FLOOR, the rectangle may be at most this many times the cells that hold anything
(at least 1/16 of it filled): reading then costs at most about 512 bytes per filled cell. An
evidence sheet is a table, nearly full; one stray cell far out makes it almost all empty."""
MAX_ERROR_KINDS = 16
"""Error values told apart on one sheet (Excel has about 16: #DIV/0!, #N/A…); a made-up file's
further kinds are counted together as "#…", so that a sheet gives a bounded number of messages."""
MAX_ERROR_TEXT = 20
"""The longest error value shown (#GETTING_DATA, the longest Excel writes, has 13 characters)."""
SCAN_CHUNK = 1 << 16
"""Bytes of sheet XML handed to the parser at a time: the scan holds no more of a sheet's XML."""

_REF = re.compile(r"([A-Za-z]+)([0-9]+)")
_QUICK_CELL = re.compile(rb'<c(?: r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: (?!t="e")[A-Za-z]+="[^"<>]*")*'
                         rb"( ?/>|></c>|><v>|><v ?/>|><is>|>(?:<f(?: [^<>]*)?/>|<f(?: [^<>]*)?>[^<]*</f>)"
                         rb"(?:<v>([^<]*)</v>|<v ?/>)?</c>)|[\s/>])|<(?:v|f|is)[\s/>]"
                         rb"|<[!?]|<[\w.-]+:(?:c|v|is|row|f)[\s/>]")
"""Each cell element's start: as Excel, WPS, LibreOffice and openpyxl write a cell (its reference
first, no error value): empty, a value, inline text (whose parts the scan does not look at), or
a formula with or without its value (the last group); or, with its groups empty, any other
cell, or a value, formula or inline text that is no part of a quick cell (the full scan takes it
as the last cell's own), or what only the full scan reads as it must: a DTD, comment or CDATA
section, a processing instruction (after the XML declaration), a prefixed cell, value, row or
formula element. The quick scan leaves such a sheet to the full one. Nothing a match takes in
holds a `<` but the starts and ends of a quick cell's own elements, so every other element's
start is looked at: text cannot hold a `<`, nor can an attribute value."""
_NEXT_START = re.compile(rb"(?:\s|</[^<>]*>)*<[^/]")
"""From the end of a formula's cell to the next element's start, no text but white space: the
full scan reads all text from a formula's value up to the next element as that value."""
_OTHER_CELL = (b"", b"", b"", b"")
_EMPTY_ENDS = frozenset((b"/>", b" />", b"></c>"))
"""The ends of a quick cell that holds nothing."""
_FORMULA = methodcaller("startswith", b"><f")
_DECLARATION = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml(?:[^<>]*?\sencoding\s*=\s*["']([^"']*)["'])?[^<>]*\?>""")
"""The XML declaration (with a UTF-8 BOM), and the encoding it names."""
_STATES = {"hidden": "xlsx.hidden_sheet", "veryHidden": "xlsx.very_hidden_sheet"}
"""A sheet's state in workbook.xml, when not visible -> the warning that names it."""


def read_xlsx(path: str, file: str) -> list[RawTable]:
    """The visible sheets, scanned then read; a hidden sheet that holds data is a table with no
    rows and a warning in its notes. Raises EvidenceError, before any sheet is read, when the
    scan finds what must be refused (every such problem of every sheet at once)."""
    from python_calamine import CalamineWorkbook

    _check_archive(path, file)
    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception as e:  # calamine raises its own error types for every kind of damage
        raise EvidenceError([Problem(Location(file), t("xlsx.unreadable", detail=e))]) from e
    ahead: list[_Preload] = []
    visible: list[str] = []

    def scanned(scan: _SheetScan) -> None:
        """The first sheet to be read, once its scan finds nothing to refuse, is read by calamine
        while the sheets after it are scanned (its extent known, the rectangle is safe to build).
        One sheet only: each copy calamine holds costs about 190 MiB a million rows."""
        if scan.hidden:
            return
        visible.append(scan.sheet)
        if len(visible) == 1 and not scan.problems:
            ahead.append(_Preload(workbook, scan.sheet))

    try:
        try:
            scans, states = _scan_sheets(path, file, [s.name for s in workbook.sheets_metadata], scanned)
        except Exception as e:  # defusedxml refusals (entities, DTDs), malformed XML, a damaged part
            raise EvidenceError([Problem(Location(file), t("xlsx.unsafe_xml", detail=type(e).__name__))]) from e
        problems = [p for scan in scans.values() for p in scan.problems]
        hidden = [name for name, state in states.items() if state in _STATES and scans[name].cells]
        if not problems and hidden and not any(scans[n].cells for n, s in states.items() if s not in _STATES):
            problems.append(Problem(Location(file), t("xlsx.only_hidden", sheets=join_list(hidden))))
        if problems:
            raise EvidenceError(problems)
    except Exception:
        for preload in ahead:  # refused: no reading left behind, and the sheet's copy let go
            preload.drop()
        raise  # (an interrupt is not kept waiting for calamine: the thread ends with the process)
    members, styles = _members_and_percent_styles(path)
    tables = []
    for name, state in states.items():
        if state in _STATES:
            if scans[name].cells:
                warning = Problem(Location(file, sheet=name), t(_STATES[state]), Severity.WARNING)
                tables.append(RawTable(file, name, (), sheet_locator(file, name), notes=(warning,)))
            continue
        preload = next((p for p in ahead if p.name == name), None)
        rows = _SheetRows(workbook, name, file, path, preload, members.get(name, ""), styles)
        tables.append(RawTable(file, name, rows, sheet_locator(file, name), frozenset(scans[name].blank_formulas)))
    return tables


def _members_and_percent_styles(path: str) -> tuple[dict[str, str], frozenset[int]]:
    """Each sheet's XML part, and the workbook's styles that show a percentage (once a workbook,
    for every sheet's reading); none where the archive cannot be opened again."""
    try:
        with zipfile.ZipFile(path) as archive:
            return {name: member for name, (member, _) in _sheet_parts(archive).items()}, percent_styles(archive)
    except Exception:  # noqa: BLE001 - read as before, as calamine reads it (and tells what it cannot)
        return {}, frozenset()


class _SheetRows:
    """A sheet's rows that are not blank, as (1-based row number, cells from column A), read from
    calamine when the first is asked for, with merged ranges spread: one at a time, or (`take`)
    a run at once where no row is padded or spread (`by_runs`). The sheet is let go once read."""

    def __init__(self, workbook: CalamineWorkbook, name: str, file: str, path: str | None = None,
                 preload: _Preload | None = None, member: str = "", styles: frozenset[int] = frozenset()):
        self.workbook, self.name, self.file, self.path = workbook, name, file, path
        self.member, self.styles = member, styles
        """The sheet's XML part in the archive at `path`, and the workbook's percent styles."""
        self.preload = preload
        """calamine's copy of the sheet, being read ahead (read_xlsx), where there is one."""
        self.rows: Iterator[list[object]] | None = None
        self.pad: list[object] = []
        self.spread: _MergedSpread | None = None
        self.next_row = 1
        self.done = False
        self.percent: dict[int, list[int]] = {}
        """Row number -> the columns of its cells formatted as percentages: a number there is read
        as the percentage Excel shows (0.0585 as "5.85%"), as it was typed."""
        self.error: EvidenceError | None = None
        """Why calamine could not give the sheet, when found by `by_runs`: told once, to what asks
        for the rows next."""

    def _open(self) -> Iterator[list[object]]:
        try:
            preload, self.preload = self.preload, None
            sheet = (preload or _Preload(self.workbook, self.name)).take()  # see _Preload on memory
            merged = sheet.merged_cell_ranges or []
            self.pad = [""] * (sheet.start[1] if sheet.start else 0)  # iter_rows starts at the first used column
            rows, cols = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
            spread = _MergedSpread(merged, rows, cols)
            if spread.covered > rows * cols:
                raise EvidenceError([Problem(Location(self.file, sheet=self.name), t(
                    "xlsx.merged_overlap", count=len(spread.ranges), covered=spread.covered, area=rows * cols))])
            self.spread = spread if merged else None
            self.percent = self._percent_cells()
            self.rows = sheet.iter_rows()
        except Exception as e:
            self.close()
            raise self._unreadable(e) from e
        return self.rows

    def _unreadable(self, e: Exception) -> EvidenceError:
        if isinstance(e, EvidenceError):
            return e
        bad = self._bad_cell()
        if bad is not None:  # the cell that calamine could not take, told there
            where = Location(self.file, sheet=self.name, cell=bad.cell)
            key = "xlsx.bad_shared_none" if bad.wants == "shared" and not bad.strings else f"xlsx.bad_{bad.wants}"
            return EvidenceError([Problem(where, t(key, value=bad.value if bad.wants == "shared" else repr(bad.value[:40]),
                                                   strings=bad.strings, last=bad.strings - 1))])
        return EvidenceError([Problem(Location(self.file, sheet=self.name), t("xlsx.unreadable", detail=e))])

    def _percent_cells(self) -> dict[int, list[int]]:
        if self.path is None or not self.member or not self.styles:
            return {}
        with zipfile.ZipFile(self.path) as archive:
            return percent_cells(archive, self.member, self.styles)

    def _bad_cell(self) -> BadCell | None:
        return first_bad_cell(self.path, self.member) if self.path is not None and self.member else None

    def close(self) -> None:
        self.done = True
        self.rows = None  # calamine's copy of the sheet goes with its iterator

    def __iter__(self) -> _SheetRows:
        return self

    def __next__(self) -> tuple[int, list[object]]:
        if self.done:
            error, self.error = self.error, None  # told once, as a generator's error is
            if error is not None:
                raise error
            raise StopIteration
        rows = self.rows if self.rows is not None else self._open()
        pad, spread = self.pad, self.spread
        try:
            for row in rows:
                number = self.next_row
                self.next_row += 1
                cells = pad + row if pad else row
                if self.percent and number in self.percent:
                    _as_percent(cells, self.percent[number])
                if spread is not None:
                    if cells is row:
                        cells = list(row)
                    spread.apply(number - 1, cells)
                if not _blank(cells):
                    return number, cells
        except Exception as e:
            self.close()
            raise self._unreadable(e) from e
        self.close()
        raise StopIteration

    @property
    def by_runs(self) -> bool:
        """Whether `take` may be used: the sheet's rows need no padding nor spreading (asks
        calamine for the sheet, where it has not been read yet)."""
        if self.rows is None and not self.done:
            try:
                self._open()
            except EvidenceError as e:
                self.error = e  # told by what asks for the rows next
        return not self.pad and self.spread is None

    def chunks(self, width: int) -> None:
        """No chunks of columns (a CSV file's own): runs are taken with `take`."""
        return None

    def take(self, count: int) -> tuple[list[int], list[list[object]], EvidenceError | None, bool]:
        """The next `count` rows as (their numbers, their cells: blank ones left out), the error
        that stopped the reading, if any, after the rows before it, and whether the sheet is read
        to its end. Only where `by_runs`."""
        if self.done:
            error, self.error = self.error, None
            return [], [], error, True
        try:
            rows = self.rows if self.rows is not None else self._open()
            cells: list[list[object]] = list(islice(rows, count))
        except EvidenceError as e:
            self.error = None
            return [], [], e, True
        except Exception as e:  # noqa: BLE001 - calamine's own error types
            self.close()
            return [], [], self._unreadable(e), True
        first = self.next_row
        self.next_row += len(cells)
        finished = len(cells) < count
        if finished:
            self.close()
        lines = list(range(first, first + len(cells)))
        firsts = list(map(itemgetter(0), cells)) if all(cells) else None
        if firsts is None or set(map(type, firsts)) != {str} or not all(firsts) or any(map(str.isspace, firsts)):
            kept = list(compress(range(len(cells)), map(not_, map(_blank, cells))))  # a row may be blank
            if len(kept) != len(cells):
                lines, cells = [lines[i] for i in kept], [cells[i] for i in kept]
        if self.percent:
            percent = self.percent
            for at in [at for at, line in enumerate(lines) if line in percent]:
                _as_percent(cells[at], percent[lines[at]])
        return lines, cells, None, finished


def _as_percent(cells: list[object], cols: list[int]) -> None:
    """Each number among `cols` as the percentage its format shows: 0.0585 -> "5.85%" (the
    float's shortest text is the number as typed; × 100 exactly). A number of more decimals than
    anyone types (a formula's 2/3, 0.8999999999999999) is left as it is, to be refused as float
    noise, as it is in a cell of no format (MAX_FLOAT_PLACES)."""
    for col in cols:
        if col < len(cells):
            value = cells[col]
            typed = from_float(value) if value.__class__ in (float, int) else None  # type: ignore[arg-type]
            if typed is not None and -typed.as_tuple().exponent <= MAX_FLOAT_PLACES:  # type: ignore[operator]
                cells[col] = f"{(typed * 100).normalize():f}%"


def _blank(cells: list[object]) -> bool:
    """No cell holds anything but spaces (as tables.nonblank_rows has it)."""
    for c in cells:
        if c is not None and (c.__class__ is not str or (c and not c.isspace())):  # type: ignore[attr-defined]
            return False
    return True


class _Preload:
    """calamine's copy of one sheet, read in a thread of its own: calamine lets go of the GIL while
    it reads, so the reading goes on beside the scan of the sheets after it (in this process, and
    in the second one that checks their XML)."""

    def __init__(self, workbook: CalamineWorkbook, name: str):
        self.name = name
        self.sheet: object = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._read, args=(workbook,), name="kaohe-sheet", daemon=True)
        self.thread.start()

    def _read(self, workbook: CalamineWorkbook) -> None:
        try:
            self.sheet = workbook.get_sheet_by_name(self.name)
        except BaseException as e:  # noqa: BLE001 - told where the sheet is asked for (take)
            self.error = e

    def take(self):  # type: ignore[no-untyped-def]
        """The sheet once read, or calamine's error raised here, as get_sheet_by_name raises it."""
        self.thread.join()
        error, sheet = self.error, self.sheet
        self.error = self.sheet = None
        if error is not None:
            raise error
        return sheet

    def drop(self) -> None:
        """The reading waited for and its copy let go (the workbook is refused, or interrupted)."""
        self.thread.join()
        self.error = self.sheet = None


def _check_archive(path: str, file: str) -> None:
    """Refuse what is not an XLSX, zip bombs, and an archive holding two parts of one name (which
    of them a reader takes is the reader's choice), before anything is expanded."""
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
    names: set[str] = set()
    for part in parts:  # the scan must read the very part calamine reads: one of each name
        if part.filename in names:
            raise EvidenceError([Problem(Location(file), t("xlsx.duplicate_part", part=part.filename))])
        names.add(part.filename)
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
    ((first row, first col), (last row, last col)), 0-based; rows arrive in order.

    Ranges are taken within the sheet's rectangle (`rows` × `cols` from A1), each once: spreading
    them then costs at most the cells they cover, `covered`. Ranges that Excel saved cannot
    overlap, so they cover at most the rectangle; more means overlapping ranges (2000 copies of
    A1:XFD60 in a 5 KB file kept the reader busy for minutes), and the sheet is refused."""

    def __init__(self, merged: list[tuple[tuple[int, int], tuple[int, int]]], rows: int, cols: int):
        self.ranges: set[tuple[int, int, int, int]] = set()
        for (r1, c1), (r2, c2) in merged:
            r1, r2 = min(r1, r2), max(r1, r2)
            c1, c2 = min(c1, c2), max(c1, c2)
            if r1 < rows and c1 < cols:
                self.ranges.add((r1, c1, min(r2, rows - 1), min(c2, cols - 1)))
        self.covered = sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in self.ranges)
        self.starting: dict[int, list[tuple[int, int, int]]] = {}
        for r1, c1, r2, c2 in sorted(self.ranges):
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


def _scan_sheets(path: str, file: str, names: list[str], scanned: Callable[[_SheetScan], None] | None = None
                 ) -> tuple[dict[str, _SheetScan], dict[str, str]]:
    """Each sheet's scan and state (visible, hidden, veryHidden), in workbook order. A hidden
    sheet is scanned only until it is seen to hold data; a visible one whose part cannot be
    found is refused (it could not be scanned, so it is not read). `scanned` is told each scan
    as it finishes."""
    scans: dict[str, _SheetScan] = {}
    with zipfile.ZipFile(path) as archive:
        parts = _sheet_parts(archive)
        present = set(archive.namelist())
        states = {name: parts[name][1] if name in parts else "visible" for name in names}
        members = {name: parts[name][0] if name in parts else "" for name in names}
        quick = [members[name] for name in names if states[name] not in _STATES and members[name] in present]
        checks: _PartChecks | None = None
        try:
            checks = _PartChecks(path, quick, archive)
            for name in names:
                hidden = states[name] in _STATES
                scan = scans[name] = _SheetScan(file, name, hidden)
                member = members[name]
                if member not in present:
                    if not hidden:
                        scan.problems.append(Problem(Location(file, sheet=name),
                                                     t("xlsx.no_sheet_part", part=member or "?")))
                    continue
                with archive.open(member) as stream:
                    taken = not hidden and scan.quick(stream, checks.next_verdict())
                if not taken:  # a sheet the quick scan cannot vouch for: every element, in Python
                    scan = scans[name] = _SheetScan(file, name, hidden)
                    with archive.open(member) as stream:
                        scan.run(stream)
                scan.finish()
                if scanned is not None:
                    scanned(scan)
        finally:
            if checks is not None:
                checks.close()
    return scans, states


CHECK_ELSEWHERE = 8 * 1024**2
"""Sheet XML (as the archive declares it expanded) from which expat checks the sheets in a second
process while the quick scan reads their cells here: below it, starting the process (about 35 ms)
costs more than the check."""


class _PartChecks:
    """expat's verdict on each sheet part the quick scan reads, in the order it reads them: from a
    second process (`kaohe.evidence.wellformed`) where the parts are large and a second processor
    is there, which checks them while this one reads their cells; else None, and the quick scan
    runs expat itself. A verdict the second process does not give (it could not start, or ended)
    is found here, by reading the part again."""

    def __init__(self, path: str, members: list[str], archive: zipfile.ZipFile):
        self.members, self.archive = members, archive
        self.asked = 0
        self.verdicts: list[bool] = []
        self.child: subprocess.Popen[bytes] | None = None
        try:
            size = sum(archive.getinfo(member).file_size for member in members)
        except KeyError:
            return
        if size < CHECK_ELSEWHERE or _processors() < 2 or not sys.executable:
            return
        try:
            self.child = subprocess.Popen([sys.executable, "-I", "-S", wellformed.__file__, path, *members],
                                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL)
        except (OSError, ValueError, subprocess.SubprocessError):
            self.child = None

    def next_verdict(self) -> Callable[[], bool] | None:
        """The verdict on the next part, to be asked once its cells are read (None: no second
        process, the quick scan checks the part itself)."""
        at, self.asked = self.asked, self.asked + 1
        if self.child is None:
            return None
        return lambda: self.verdict(at)

    def verdict(self, at: int) -> bool:
        while self.child is not None and len(self.verdicts) <= at:
            line = self.child.stdout.readline() if self.child.stdout is not None else b""
            if line not in (b"1\n", b"0\n"):
                self.close()
                break
            self.verdicts.append(line == b"1\n")
        if at < len(self.verdicts):
            return self.verdicts[at]
        with self.archive.open(self.members[at]) as stream:
            return wellformed.well_formed(stream)

    def close(self) -> None:
        child, self.child = self.child, None
        if child is None:
            return
        if child.poll() is None:
            child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def _processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """Sheet name -> (its XML part inside the archive, its state: visible, hidden or veryHidden)."""
    try:
        book = SafeET.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    present = set(archive.namelist())
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = {}
    for sheet in book.iter(f"{_NS}sheet"):
        target = targets.get(sheet.get(_REL), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if member not in present and target in present:
            member = target
        parts[sheet.get("name", "")] = (member, sheet.get("state", "visible"))
    return parts


class _Found(Exception):
    """Ends the scan of a sheet early: a hidden sheet at its first filled cell (that is all there
    is to know), a damaged one at its first impossible reference."""


_NONE, _CELL, _INLINE = 0, 1, 2
"""Where the scan is: outside cells, in a cell, or in a cell's inline text (whose parts are not
the cell's own: <r> there is a run of text, not a row)."""


class _Places:
    """The positions a sheet's cells take, each as row × MAX_COLUMNS + column (in row-major
    order), to find one taken twice. Cells come in order as every writer writes them; while they
    do, they are kept as runs of consecutive positions (a row of a table is one), so that a large
    sheet costs a few numbers a row, not a set of its millions of cells. Those after the first
    out of order are kept in a set."""

    def __init__(self) -> None:
        self.starts: list[int] = [0]
        self.ends: list[int] = [0]
        """The runs of the positions in order, each from its start to its end, from an empty run
        at 0 (before any position): the last run ends at the last position in order."""
        self.later: set[int] | None = None
        self.repeated: set[int] = set()
        self.first = 0
        """The first position met a second time."""

    def add(self, place: int) -> None:
        ends = self.ends
        last = ends[-1]
        if self.later is None:
            if place == last + 1:  # the one after the last, as cells mostly come: the run goes on
                ends[-1] = place
                return
            if place > last:
                self.starts.append(place)
                ends.append(place)
                return
            self.later = set()
        if place in self.later or (place <= last and ends[bisect_right(self.starts, place) - 1] >= place):
            if not self.repeated:
                self.first = place
            self.repeated.add(place)
        else:
            self.later.add(place)


class _SheetScan:
    """One pass over a sheet's XML with expat, streamed: the cells that hold anything (a value,
    inline text or a formula), how far they reach, formulas without a stored result, error values,
    references no workbook can hold, and positions taken twice. Positions follow calamine: a
    cell's `r`, or the one after the previous cell (and row) when it has none. Elements are known
    by their local name (x:c is c), as calamine knows them.

    Only element starts are handled (a cell ends where the next element that is not its own
    starts): one call per element, not two, as the scan runs over every cell of every sheet."""

    def __init__(self, file: str, sheet: str, hidden: bool):
        self.file, self.sheet, self.hidden = file, sheet, hidden
        self.cells = 0
        self.rows = self.cols = 0
        """The farthest filled row and column (1-based)."""
        self.far = (0, 0)
        """The filled cell farthest from A1 (the largest rows × columns to it), as (row, column)."""
        self.blank_formulas: set[tuple[int, int]] = set()
        self.errors: dict[str, list[tuple[int, int]]] = {}
        """Error value -> its first cells (row, 0-based column); the count is kept apart."""
        self.error_counts: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.row = self.col = 0
        self.row_element = 0
        """The row the last <row> element is (its `r`, or the one after the last): a cell without
        `r` is in it, whatever row the cell before it named, as calamine places it."""
        self.state = _NONE
        self.error_kind = False
        self.filled = self.formula = self.inline = False
        self.text: list[str] | None = None
        self.names: dict[str, str] = {}
        self.columns: dict[str, int] = {}
        self.places = _Places()

    def run(self, stream: IO[bytes]) -> None:
        parser = self.parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.EntityDeclHandler = _entity_decl  # what defusedxml forbids is forbidden here too
        parser.UnparsedEntityDeclHandler = _unparsed_entity_decl
        parser.ExternalEntityRefHandler = _external_ref
        parser.StartElementHandler = self.start
        try:
            while True:
                chunk = stream.read(SCAN_CHUNK)
                if not chunk:
                    break
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
            if self.state:
                self.close_cell()
        except _Found:
            pass
        finally:
            del self.parser

    def quick(self, stream: IO[bytes], well_formed: Callable[[], bool] | None = None) -> bool:
        """The scan in C, where it finds what `run` would: expat checks the XML (and refuses what
        defusedxml refuses) with no Python call per element, and the cells are read off the
        bytes by _QUICK_CELL. True, with the sheet's cells and extent set, only where every cell
        is as Excel, WPS, LibreOffice and openpyxl write a cell (its `r` first, then `<v>`, inline
        text, a formula and its value, or nothing) and where they write it, each after the last,
        row by row and left to right (so that no position is taken twice), no error value,
        prefixed cell element, DTD, comment, CDATA section or processing instruction is in the
        sheet, and every reference, of an empty cell too, is within Excel's limits; else False,
        and `run` scans the sheet (and finds any position taken twice).

        `well_formed`, where given, says whether expat accepts the part, checked elsewhere (in a
        second process, while this reads the cells: `_PartChecks`); it is asked last, once the
        cells are read. Without it, expat reads each chunk here before the pattern does."""
        parser = wellformed.parser() if well_formed is None else None  # the second process's own parser
        rest = b""
        first = True
        cells = rows = cols = far_area = 0
        far = last = (0, 0)
        blank: set[tuple[int, int]] = set()
        columns = self.columns
        try:
            while True:
                chunk = stream.read(SCAN_CHUNK)
                if parser is not None:
                    parser.Parse(chunk, not chunk)
                text = rest + chunk
                if first and len(text) >= 256 or not chunk:
                    if first:  # the XML declaration is the one processing instruction allowed
                        declared = _DECLARATION.match(text)
                        if declared is not None and declared.group(1) is not None \
                                and declared.group(1).lower() not in (b"utf-8", b"us-ascii"):
                            return False  # bytes the patterns cannot read (UTF-16 has a NUL a character)
                        text = text[declared.end():] if declared is not None else text
                        if not text.lstrip().startswith(b"<") or b"\x00" in text:
                            return False
                    first = False
                elif first:
                    rest = text
                    continue
                cut = text.rfind(b"</row>") + 6 if chunk else len(text)  # a row is never cut in two
                if cut < 6 and chunk:
                    rest = text
                    continue
                part, rest = text[:cut], text[cut:]
                found = _QUICK_CELL.findall(part)
                if _OTHER_CELL in found:
                    return False  # a cell written otherwise, or what only the full scan reads
                if found:
                    named = list(map(itemgetter(0), found))
                    for letters in set(named) - columns.keys():
                        columns[letters] = column_number(letters.decode("ascii"))
                    at_rows = list(map(int, map(itemgetter(1), found)))
                    at_cols = list(map(columns.__getitem__, named))
                    places = list(zip(at_rows, at_cols, strict=True))  # (row, column): in row-major order
                    if places[0] <= last or not all(map(lt, places, islice(places, 1, None))):
                        return False  # cells out of row-major order, or one written twice: `run` finds which
                    last = places[-1]
                    widest = max(at_cols)
                    if at_rows[-1] > MAX_ROWS or widest > MAX_COLUMNS:  # in order, the last row is the farthest
                        return False  # a cell past Excel's limits, empty or not: `run` refuses it, named
                    ends = list(map(itemgetter(2), found))
                    if b"<f" in part and any(map(_FORMULA, ends)):  # formulas: one whose value is blank is told
                        for at in compress(range(len(found)), map(_FORMULA, ends)):
                            value = found[at][3]
                            if b"&" in value:
                                return False  # a reference in the value: `run` reads it decoded
                            if value.decode("utf-8").strip():
                                continue
                            if b"<v" in ends[at] and not _ends_bare(text, found[at]):
                                return False  # text after the cell, which `run` reads as part of the value
                            blank.add((at_rows[at], at_cols[at] - 1))
                    if not _EMPTY_ENDS.isdisjoint(ends):  # empty cells: not counted, and no part of the extent
                        filled = list(map(not_, map(_EMPTY_ENDS.__contains__, ends)))
                        at_rows, at_cols = list(compress(at_rows, filled)), list(compress(at_cols, filled))
                        widest = max(at_cols, default=0)
                    if at_rows:
                        areas = list(map(mul, at_rows, at_cols))
                        largest = max(areas)
                        if largest > far_area:
                            top = areas.index(largest)  # the first of the largest
                            far, far_area = (at_rows[top], at_cols[top]), largest
                        cells += len(at_rows)
                        rows, cols = at_rows[-1], max(cols, widest)
                if not chunk:
                    break
        except Exception:  # noqa: BLE001 - `run` meets it again, and tells it as it would
            return False
        if well_formed is not None and not well_formed():
            return False  # not XML as expat reads it: `run` meets the error and tells it
        self.cells, self.rows, self.cols, self.far, self.blank_formulas = cells, rows, cols, far, blank
        return True

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = self.names.get(name)
        if local is None:
            local = name.rpartition(":")[2]
            if len(self.names) < 1024:  # a sheet uses a dozen names; a made-up one, any number
                self.names[name] = local
        if local == "c":
            if self.state:
                self.close_cell()
            self.open_cell(attrs)
        elif self.state == _CELL:
            if local == "v":
                self.filled = True
                if self.error_kind or self.formula:
                    self.text = []
                    self.parser.CharacterDataHandler = self.text.append
            elif local == "f":
                self.formula = True
                if self.filled:  # a value before its formula (not as Excel writes): taken as given
                    self.inline = True
            elif local == "is":
                self.filled = self.inline = True
                self.state = _INLINE
            else:
                self.close_cell()
                self.row_start(local, attrs)
        elif local == "row":
            if self.state:
                self.close_cell()
            self.row_start(local, attrs)

    def row_start(self, local: str, attrs: dict[str, str]) -> None:
        if local == "row":
            r = attrs.get("r")
            self.row_element = int(r) if r and r.isascii() and r.isdigit() and len(r) <= 8 else self.row_element + 1
            self.row, self.col = self.row_element, 0

    def open_cell(self, attrs: dict[str, str]) -> None:
        self.state = _CELL
        self.error_kind = attrs.get("t") == "e"
        self.filled = self.formula = self.inline = False
        ref = attrs.get("r")
        if ref is None:  # after the cell before it, in the row of the <row> element (as calamine reads it)
            self.col += 1
            self.row = self.row_element
        else:
            match = _REF.fullmatch(ref)
            if match is None:
                return self.refuse(None, t("xlsx.bad_reference", ref=ref[:40]))
            letters, digits = match.groups()
            col = self.columns.get(letters)
            if col is None:
                col = column_number(letters) if len(letters) <= 3 else MAX_COLUMNS + 1
                if len(self.columns) < 1024:
                    self.columns[letters] = col
            self.col = col
            self.row = row = int(digits) if len(digits) <= 8 else MAX_ROWS + 1
            if row == 0:
                return self.refuse(None, t("xlsx.bad_reference", ref=ref[:40]))
        if self.col > MAX_COLUMNS or self.row > MAX_ROWS:
            shown = ref[:40] if ref is not None else f"{column_letter(self.col - 1)}{self.row}"
            self.refuse(shown, t("xlsx.beyond_limits", columns=MAX_COLUMNS, rows=MAX_ROWS))
        if not self.hidden:  # a hidden sheet is not read: what it repeats does not matter
            self.places.add(self.row * MAX_COLUMNS + self.col)

    def close_cell(self) -> None:
        self.state = _NONE
        text = self.text
        if text is not None:
            self.parser.CharacterDataHandler = None
            self.text = None
        if not (self.filled or self.formula):
            return
        if self.hidden:
            self.cells = 1
            raise _Found
        row, col = self.row, self.col
        self.cells += 1
        if row > self.rows:
            self.rows = row
        if col > self.cols:
            self.cols = col
        if row * col > self.far[0] * self.far[1]:
            self.far = (row, col)
        if self.error_kind:
            self.error("".join(text).strip() if text else "", row, col - 1)
        elif self.formula and not self.inline and not (text and "".join(text).strip()):
            self.blank_formulas.add((row, col - 1))  # calamine reads it as empty

    def error(self, value: str, row: int, col: int) -> None:
        value = value[:MAX_ERROR_TEXT] or "#?"
        if value not in self.errors and len(self.errors) >= MAX_ERROR_KINDS:
            value = "#…"
        cells = self.errors.setdefault(value, [])
        if len(cells) <= SHOWN_PLACES:
            cells.append((row, col))
        self.error_counts[value] = self.error_counts.get(value, 0) + 1

    def refuse(self, cell: str | None, message: str) -> None:
        """A reference no workbook can hold: the sheet is damaged and its scan ends here (a hidden
        sheet's is only left unread, as it would be anyway)."""
        if not self.hidden:
            self.problems.append(Problem(Location(self.file, sheet=self.sheet, cell=cell), message))
        raise _Found

    def finish(self) -> None:
        """The sheet's problems once it is scanned: a position taken twice (the sheet is damaged,
        and that is all that is told), else its extent, then its error values."""
        if self.problems or self.hidden:
            return
        if self.places.repeated:
            row, col = divmod(self.places.first - 1, MAX_COLUMNS)
            self.problems.append(Problem(Location(self.file, sheet=self.sheet, cell=f"{column_letter(col)}{row}"),
                                         t("xlsx.duplicate_cell", count=len(self.places.repeated))))
            return
        area = self.rows * self.cols
        if area > DENSE_FLOOR and area > DENSE_RATIO * self.cells:
            row, col = self.far
            self.problems.append(Problem(
                Location(self.file, sheet=self.sheet, cell=f"{column_letter(col - 1)}{row}"),
                t("xlsx.sparse_sheet", used=f"A1:{column_letter(self.cols - 1)}{self.rows}", area=area,
                  cells=self.cells, floor=DENSE_FLOOR, ratio=DENSE_RATIO)))
        for value, cells in self.errors.items():
            count = self.error_counts[value]
            message = t("xlsx.error_value", error=value)
            if count > 1:
                places = [f"{column_letter(c)}{r}" for r, c in cells[1:SHOWN_PLACES + 1]]
                more = "…" if count > len(cells) else ""
                message += t("problem.repeated", count=count, places="、".join(places) + more)
            row, col = cells[0]
            self.problems.append(Problem(Location(self.file, sheet=self.sheet, cell=f"{column_letter(col)}{row}"), message))


def _ends_bare(text: bytes, cell: tuple[bytes, bytes, bytes, bytes]) -> bool:
    """Whether the formula cell `cell` (a _QUICK_CELL of `text`, its reference once there) is
    followed by no text but white space up to the next element's start."""
    opening = b'<c r="' + cell[0] + cell[1] + b'"'
    at = text.find(opening)
    if at < 0 or text.find(opening, at + 1) >= 0:
        return False
    match = _QUICK_CELL.match(text, at)
    return match is not None and match.group(3) == cell[2] and _NEXT_START.match(text, match.end()) is not None


def _entity_decl(name, is_parameter_entity, value, base, sysid, pubid, notation_name):  # type: ignore[no-untyped-def]
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _unparsed_entity_decl(name, base, sysid, pubid, notation_name):  # type: ignore[no-untyped-def]
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _external_ref(context, base, sysid, pubid):  # type: ignore[no-untyped-def]
    raise ExternalReferenceForbidden(context, base, sysid, pubid)



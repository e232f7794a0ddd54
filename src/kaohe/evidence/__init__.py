"""Evidence: one entry point that reads CSV or XLSX files into located, typed values."""

from __future__ import annotations

import hashlib
import os
import stat
from array import array
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, MutableMapping

from kaohe.bulk import collector_paused
from kaohe.errors import EvidenceError, Location, Nearest, Problem, Severity
from kaohe.evidence.csvread import CHUNK, MAX_CSV_BYTES, Scan, read_csv, scan_csv
from kaohe.evidence.held import Value, ValueTable
from kaohe.evidence.layout import Accept, Bulk, CodedRows, Entry, Rows, entries_from_table
from kaohe.evidence.tables import Locator, RawTable
from kaohe.i18n import t
from kaohe.numbers import exact_arithmetic
from kaohe.rules.base import BadValue, Event, InputSpec, ValueType, parse_value
from kaohe.scheme.models import Scheme


@dataclass
class Evidence:
    values: MutableMapping[tuple[str, str], Value] = field(default_factory=ValueTable)
    """(unit, input id) -> the value read."""
    units: dict[str, None] = field(default_factory=dict)
    """Units in the order first seen (a dict for fast membership)."""
    files: list[tuple[str, str]] = field(default_factory=list)
    """(file, SHA-256) of every file read."""
    problems: list[Problem] = field(default_factory=list)
    self_values: dict[tuple[str, str], Value] = field(default_factory=dict)
    """(unit, input id) -> the unit's own value (自评), where the accepted one (核定) differs in place."""
    periods: dict[str, Evidence] = field(default_factory=dict)
    """For schemes scored period by period: each period's own values (problems stay here)."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


def input_index(scheme: Scheme) -> dict[str, InputSpec]:
    """Every id evidence may use: criteria's own inputs, an item id for an item with a single
    input, flag ids, and declared inputs. Ids the scheme computes or sets itself (computed values,
    per-unit data, inputs bound by `of`, flags set by a condition) map to a COMPUTED spec: evidence
    under them is refused, saying why."""
    from kaohe.scheme.names import catalogue, declared_specs, evidence_behind

    cat = catalogue(scheme)

    def computed(input_id: str, name: str) -> InputSpec:
        """Evidence under `input_id` is refused; the message names what to give instead."""
        behind = [n for n in evidence_behind(cat, name) if n != input_id]
        return InputSpec(input_id, ValueType.COMPUTED, choices=tuple(behind))

    index: dict[str, InputSpec] = {}
    item_ids = tuple(item.id for section in scheme.sections for item in section.all_items())
    for flag in scheme.flags:
        if flag.when is not None:
            index[flag.id] = computed(flag.id, f"flag:{flag.id}")
            continue
        kind = ValueType.ITEMS if flag.kind == "falsification" else ValueType.BOOL
        index[flag.id] = InputSpec(flag.id, kind, choices=item_ids if kind is ValueType.ITEMS else ())
    owners = {id(item): unit for section in scheme.sections for unit, items in (section.tasks or {}).items()
              for item in items}
    for section in scheme.sections:
        for item in section.all_items():
            specs = []
            for c in item.all_criteria():
                bound = c.bindings()
                where = _applies_to(section.categories, item.categories, c.categories)
                unit = owners.get(id(item))
                for spec in scheme.specs(c):
                    if spec.id in bound:
                        index.setdefault(spec.id, computed(spec.id, bound[spec.id]))
                    else:
                        specs.append(replace(spec, categories=where, units=(unit,) if unit is not None else None)
                                     if where is not None or unit is not None else spec)
            for spec in specs:
                index[spec.id] = spec
            if len(specs) == 1:
                index.setdefault(item.id, specs[0])
    for decl in scheme.inputs:
        if decl.per_unit is not None:
            index[decl.id] = InputSpec(decl.id, ValueType.COMPUTED)
        else:
            for spec in declared_specs(decl, scheme.rates):
                index[spec.id] = spec
    for value in scheme.values:
        index.setdefault(value.id, computed(value.id, value.id))
    return index


def _applies_to(*levels: list[str] | None) -> tuple[str, ...] | None:
    """The categories a criterion exists for: those every level of it (section, item, criterion) names."""
    found: set[str] | None = None
    for named in levels:
        if named is not None:
            found = set(named) if found is None else found & set(named)
    return None if found is None else tuple(sorted(found))


class _Reading:
    """What reading evidence shares between files and tables in memory: the scheme's inputs and
    units, the parse cache, where an entry goes (its period's evidence where rows carry a 期间),
    and the end (each period's problems and units gathered into the whole)."""

    def __init__(self, scheme: Scheme, columnar: bool = True) -> None:
        self.evidence = Evidence()
        self.scheme = scheme
        self.index = input_index(scheme)
        self.known_units = {u.name: u.category for u in scheme.units}  # ordered, with fast membership
        self.cache = _ParseCache()
        by_rows = scheme.periods is not None and scheme.periods.source != "files"
        self.accept: Accept = self._accept_by_period if by_rows else self._accept_one
        self.bulk: Bulk | None = None if by_rows or not columnar else self._accept_rows

    def _accept_by_period(self, entry: Entry) -> None:
        target = _period_of(self.evidence, entry, self.scheme)
        if target is not None:
            accept_entry(target, entry, self.index, self.known_units, self.cache)

    def _accept_one(self, entry: Entry) -> None:
        accept_entry(self.evidence, entry, self.index, self.known_units, self.cache)

    def _specs(self, tokens: Iterable[str]) -> dict[str, InputSpec] | None:
        """Each id's input, where every one is an input a run may take whole (else None)."""
        specs: dict[str, InputSpec] = {}
        for input_id in tokens:
            spec = self.index.get(input_id)
            if spec is None or spec.categories is not None or spec.units is not None \
                    or spec.type is ValueType.COMPUTED or spec.type is ValueType.EVENTS:
                return None
            specs[input_id] = spec
        return specs

    def _accept_coded(self, rows: CodedRows) -> bool:
        """Rows read as columns taken whole, as _accept_rows takes a run: each distinct unit, id
        and (id, cell) checked once; False, with nothing taken, when any row has something to tell."""
        evidence, known = self.evidence, self.known_units
        if known and not known.keys() >= set(rows.names):
            return False
        specs = self._specs(rows.ids)
        table = evidence.values
        if specs is None or not isinstance(table, ValueTable):
            return False
        parse = self.cache.parse
        try:
            typed = [parse(specs[rows.ids[at]], raw) for at, raw in rows.pairs]
        except BadValue:
            return False
        if not table.add_coded(rows.names, [specs[token].id for token in rows.ids], [at for at, _ in rows.pairs],
                               typed, rows.locate, rows.col, rows):
            return False
        evidence.units.update(dict.fromkeys(rows.names))
        return True

    def _accept_rows(self, rows: Rows | CodedRows) -> bool:
        """A run of rows taken whole, with accept_entry's checks made once per distinct unit, id
        and (id, cell); False, with nothing taken, when any row has something to tell."""
        if rows.__class__ is CodedRows:
            return self._accept_coded(rows)  # type: ignore[arg-type]
        evidence, known = self.evidence, self.known_units
        if not rows.rows:
            return True
        if known and not known.keys() >= set(rows.units):
            return False
        specs = self._specs(set(rows.ids))  # type: ignore[arg-type]
        if specs is None:
            return False
        parse = self.cache.parse
        # each distinct (id, cell) once; 3, 3.0 and True are kept apart, as the cache keeps them
        texts = set(map(type, rows.raws)) == {str}
        keys: Iterable[tuple[object, ...]] = zip(rows.ids, rows.raws, strict=True) if texts \
            else zip(rows.ids, map(type, rows.raws), rows.raws, strict=True)
        keyed = list(keys)
        typed: dict[tuple[object, ...], tuple[str, object, object]] = {}
        try:
            for key in set(keyed):
                spec = specs[key[0]]  # type: ignore[index]
                typed[key] = (spec.id, *parse(spec, key[-1]))
        except BadValue:
            return False
        table = evidence.values
        named = rows.ids if all(spec.id == token for token, spec in specs.items()) \
            else [specs[token].id for token in rows.ids]  # 1.1 names the item's one criterion, 1.1.1
        if not isinstance(table, ValueTable) \
                or not table.add_run(rows.units, named, keyed, typed, rows.locate, rows.col, rows.rows, rows.notes):
            return False
        evidence.units.update(dict.fromkeys(rows.units))
        return True

    def finish(self) -> Evidence:
        evidence = self.evidence
        self.cache.finish()
        for period in evidence.periods.values():
            evidence.problems.extend(period.problems)
            evidence.self_values.update({k: v for k, v in period.self_values.items()})
            period.problems = []
            for unit in period.units:
                evidence.units.setdefault(unit)
        return evidence


@exact_arithmetic
def read_evidence(paths: list[str | Path], scheme: Scheme,
                  on_file: Callable[[str], None] | None = None) -> Evidence:
    """Read and check every file; problems are collected, never raised one at a time.

    `on_file` is told each file's name before it is read (for a progress display).
    """
    reading = _Reading(scheme)
    evidence = reading.evidence
    seen = _Seen()
    for path in paths:
        name = str(path)
        if on_file is not None:
            on_file(name)
        try:
            with collector_paused():
                digest, warnings = _read_file(path, name, reading.index, scheme, reading.accept, seen, reading.bulk)
        except EvidenceError as e:
            evidence.problems.extend(e.problems)
            continue
        evidence.files.append((name, digest))
        evidence.problems.extend(warnings)
    return reading.finish()


@exact_arithmetic
def read_table(table: RawTable, digest: str, scheme: Scheme) -> Evidence:
    """One table that is no file (rows in memory, kaohe.api) read as a sheet of a file is: the same
    header names, value parsing and problems. `digest` stands for the file's SHA-256."""
    reading = _Reading(scheme)
    with collector_paused():
        found = entries_from_table(table, reading.index, reading.accept, reading.bulk)
    problems = found if found is not None else [Problem(Location(table.file), t("evidence.no_header"))]
    if not any(p.severity is Severity.ERROR for p in problems):
        reading.evidence.files.append((table.file, digest))
    reading.evidence.problems.extend(problems)
    return reading.finish()


def _results_entries(data: bytes, name: str, scheme: Scheme) -> tuple[list[Entry], list[Problem]]:
    """Another scheme's results (kaohe-results JSON) feed the criteria that take its totals; the
    entries, and the warnings reading the file gave (no digest to check)."""
    from kaohe.evidence.results import results_totals

    source, totals, warnings = results_totals(data, name)
    takers = [c for _, _, c in scheme.criteria() if getattr(c.rule, "from_scheme", None) == source]
    if not takers:
        raise EvidenceError([Problem(Location(name), t("evidence.results_unused", scheme=source))])
    entries = [Entry.at(unit, where, criterion.id, total) for where, unit, total in totals for criterion in takers]
    return entries, warnings


def _period_of(evidence: Evidence, entry: Entry, scheme: Scheme) -> Evidence | None:
    """Where an entry goes: the evidence itself, or its period's part (None: refused)."""
    if scheme.periods is None or scheme.periods.source == "files":
        return evidence
    names = scheme.periods.names
    if entry.period is None or entry.period not in names:
        key = "evidence.no_period" if entry.period is None else "evidence.unknown_period"
        evidence.problems.append(Problem(entry.location, t(key, period=entry.period or "", periods="、".join(names))))
        return None
    return evidence.periods.setdefault(entry.period, Evidence())


MAX_XLSX_BYTES = 256 * 1024**2
"""The largest XLSX evidence file read (256 MiB as stored, before the archive's own limits:
xlsxread.MAX_UNCOMPRESSED for what it expands to). An office's workbook is tens of kilobytes;
the benchmark's workbook of 1.9 million values about 30 MB. Refused before a byte is read; a
workbook within it is hashed a chunk at a time, never held whole."""
_LIMITS = {".csv": ("CSV", MAX_CSV_BYTES), ".xlsx": ("XLSX", MAX_XLSX_BYTES), ".xlsm": ("XLSX", MAX_XLSX_BYTES),
           ".json": ("JSON", None)}
"""Each readable kind of file: its name in messages and the most bytes read (None: the results
reader's own limit, results.MAX_WHOLE_BYTES)."""
_KINDS = ((stat.S_ISDIR, "evidence.kind_directory"), (stat.S_ISFIFO, "evidence.kind_fifo"),
          (stat.S_ISCHR, "evidence.kind_device"), (stat.S_ISBLK, "evidence.kind_device"),
          (stat.S_ISSOCK, "evidence.kind_socket"))


class _Seen:
    """The files read so far, by identity (device and inode: the same file by another path, a
    link) and by content (SHA-256: a copy): a file given twice is refused the second time, once,
    instead of every cell of it being reported as a duplicate of itself."""

    def __init__(self) -> None:
        self.files: dict[tuple[int, int], str] = {}
        self.digests: dict[str, str] = {}

    def same_file(self, status: os.stat_result, name: str) -> None:
        key = (status.st_dev, status.st_ino)
        if key in self.files:
            raise EvidenceError([Problem(Location(name), t("evidence.same_file", first=self.files[key]))])
        self.files[key] = name

    def same_content(self, digest: str, name: str) -> None:
        if digest in self.digests:
            raise EvidenceError([Problem(Location(name), t("evidence.same_content", first=self.digests[digest]))])
        self.digests[digest] = name


def _status(path: Path, name: str) -> os.stat_result:
    """The file's status, refusing what is not a regular file (reading a FIFO would wait forever,
    a device never end), named for what it is."""
    try:
        status = path.stat()
    except OSError as e:
        raise EvidenceError([Problem(Location(name), t("file.unreadable", reason=e.strerror or e))]) from e
    if not stat.S_ISREG(status.st_mode):
        kind = next((key for test, key in _KINDS if test(status.st_mode)), "evidence.kind_other")
        raise EvidenceError([Problem(Location(name), t("evidence.not_regular", kind=t(kind)))])
    return status


def _hashed(handle: BinaryIO, name: str, kind: str, limit: int) -> str:
    """The SHA-256 of the open file, read a chunk at a time (never held whole); more than `limit`
    bytes (a file that grew since its size was read) is refused."""
    sha = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise EvidenceError([Problem(Location(name), t("evidence.too_big", kind=kind, size=size, limit=limit))])
        sha.update(chunk)
    return sha.hexdigest()


def _read_file(path: str | Path, name: str, index: dict[str, InputSpec], scheme: Scheme,
               accept: Accept, seen: _Seen, bulk: Bulk | None = None) -> tuple[str, list[Problem]]:
    """Hand the file's entries to `accept` as they are read: the file's SHA-256 and warnings.

    The file's size is checked before it is opened, and it is hashed as it is streamed, never
    held whole (but a results file, which is small and decoded whole). Raises EvidenceError
    with every problem found when the file has errors (the entries accepted before then make
    no difference: with errors, nothing is scored).
    """
    from kaohe.evidence.xlsxread import read_xlsx

    p = Path(path)
    status = _status(p, name)
    seen.same_file(status, name)
    suffix = p.suffix.lower()
    if suffix in (".xls", ".et", ".ods"):
        raise EvidenceError([Problem(Location(name), t("evidence.old_format", suffix=suffix))])
    if suffix not in _LIMITS:
        raise EvidenceError([Problem(Location(name), t("evidence.unknown_format", suffix=suffix or "?"))])
    kind, limit = _LIMITS[suffix]
    if limit is None:
        from kaohe.evidence.results import MAX_WHOLE_BYTES as limit
    if status.st_size > limit:
        raise EvidenceError([Problem(Location(name), t("evidence.too_big", kind=kind, size=status.st_size,
                                                        limit=limit))])
    scan: Scan | None = None
    data = b""
    try:
        with open(p, "rb") as handle:
            if suffix == ".csv":
                scan = scan_csv(handle, name, limit)
                digest = scan.digest
            elif suffix == ".json":
                data = handle.read(limit + 1)
                if len(data) > limit:
                    raise EvidenceError([Problem(Location(name), t("evidence.too_big", kind=kind, size=len(data),
                                                                    limit=limit))])
                digest = hashlib.sha256(data).hexdigest()
            else:
                digest = _hashed(handle, name, kind, limit)
    except OSError as e:
        raise EvidenceError([Problem(Location(name), t("file.unreadable", reason=e.strerror or e))]) from e
    seen.same_content(digest, name)
    if suffix == ".json":
        entries, warnings = _results_entries(data, name, scheme)
        for entry in entries:
            accept(entry)
        return digest, warnings
    tables = [read_csv(p, name, scan)] if scan is not None else read_xlsx(str(p), name)
    problems: list[Problem] = []
    found_any = False
    copies = _SheetCopies() if len(tables) > 1 else None
    for position, table in enumerate(tables):
        problems.extend(table.notes)
        take, take_rows = accept, bulk
        if copies is not None:
            table, take, take_rows = copies.watch(table, accept, bulk, keep=position < len(tables) - 1)
        try:
            found = entries_from_table(table, index, take, take_rows)
        except EvidenceError as e:  # the table could not be read to its end
            if copies is not None:
                copies.end(False)
            problems.extend(e.problems)
            found_any = True
            continue
        if copies is not None:
            repeat = copies.end(found is not None)
            if repeat is not None:  # an exact copy of an earlier sheet: said once, not read again
                problems.append(repeat)
                found_any = True
                continue
        if found is None:
            continue
        found_any = True
        problems.extend(found)
    if not found_any:
        problems.append(Problem(Location(name), t("evidence.no_header")))
    if any(p.severity is Severity.ERROR for p in problems):
        raise EvidenceError(problems)
    return digest, problems


class _SheetCopies:
    """Finds a sheet that is an exact copy of an earlier sheet of the same workbook (a backup an
    office left beside the evidence, 证据 (2)): the same cells in the same rows. The copy is
    then not read, and one warning names it; without this, every value of it is a duplicate.

    Each sheet's rows are hashed as they stream past (one 64-bit hash a row is kept). While a
    sheet's rows so far are those of an earlier sheet, its entries are held back; at the first
    row that differs they are handed on, and the sheet is read as any other (its values that
    repeat another sheet's are then errors, told once per sheet, see accept_entry). A copy that
    differs anywhere is not taken for a backup: which of the two is right is not known."""

    def __init__(self) -> None:
        self.earlier: list[tuple[str, array[int], bool]] = []
        """(sheet, its rows' hashes, whether it had a header) of each sheet read so far."""
        self.file = self.sheet = ""
        self.keep = False
        self.hashes: array[int] = array("q")
        self.candidates: list[int] = []
        self.held: list[Entry] = []
        self.accept: Accept = _nothing

    def watch(self, table: RawTable, accept: Accept, bulk: Bulk | None,
              keep: bool) -> tuple[RawTable, Accept, Bulk | None]:
        """The table with its rows hashed as read, and the `accept` (and `bulk`) to read it with."""
        self.file, self.sheet = table.file, table.sheet or table.file
        self.hashes = array("q")
        self.candidates = [i for i, (_, _, header) in enumerate(self.earlier) if header]
        self.held = []
        self.accept = accept
        self.keep = keep

        def take(entry: Entry) -> None:
            if self.candidates:
                self.held.append(entry)
            else:
                accept(entry)

        def take_rows(run: Rows) -> bool:
            # the run's rows have been hashed: while they are still an earlier sheet's, they are
            # held entry by entry (read row by row); once they differ, what was held is handed on
            return not self.candidates and bulk is not None and bulk(run)

        return replace(table, rows=_Watched(self, table.rows)), take, take_rows

    def seen(self, lines: list[int], cells: list[list[object]]) -> None:
        """Rows read (their numbers and cells), hashed while they may be an earlier sheet's or
        are kept for a later one; the entries held are handed on at the first row that differs."""
        if not (self.candidates or self.keep) or not lines:
            return
        try:
            digests = array("q", map(hash, zip(lines, map(tuple, cells), strict=True)))  # hash((row_no, tuple(cells)))
        except TypeError:  # a cell of a kind that cannot be hashed: compare its text
            digests = array("q", (_row_hash(row_no, row) for row_no, row in zip(lines, cells, strict=True)))
        at = len(self.hashes)
        self.hashes.extend(digests)
        if self.candidates:
            self.candidates = [i for i in self.candidates if self.earlier[i][1][at:at + len(digests)] == digests]
            if not self.candidates:
                self.release()

    def release(self) -> None:
        held, self.held = self.held, []
        for entry in held:
            self.accept(entry)

    def end(self, header: bool) -> Problem | None:
        """The sheet is read: the warning when it was a copy (its entries dropped), else None."""
        same = next((i for i in self.candidates if len(self.earlier[i][1]) == len(self.hashes)), None)
        self.candidates = []
        copy = same is not None and header
        count = len(self.held)
        if not copy:
            self.release()
        self.held = []
        self.earlier.append((self.sheet, self.hashes if self.keep else array("q"), header and not copy))
        if same is None or not copy:
            return None
        return Problem(Location(self.file, sheet=self.sheet), t(
            "evidence.sheet_copy", copy=self.sheet, original=self.earlier[same][0], count=count), Severity.WARNING)


def _row_hash(row_no: int, cells: list[object]) -> int:
    try:
        return hash((row_no, tuple(cells)))
    except TypeError:
        return hash((row_no, repr(cells)))


class _Watched:
    """A table's rows, handed to `_SheetCopies.seen` as they are read: one at a time, or a run at
    once (`take`) where the rows are read so (`by_runs`)."""

    def __init__(self, copies: _SheetCopies, rows: Iterable[tuple[int, list[object]]]):
        self.copies, self.source = copies, iter(rows)

    def __iter__(self) -> _Watched:
        return self

    def __next__(self) -> tuple[int, list[object]]:
        row_no, cells = next(self.source)
        self.copies.seen([row_no], [cells])
        return row_no, cells

    @property
    def by_runs(self) -> bool:
        return getattr(self.source, "by_runs", False)

    def chunks(self, width: int) -> None:
        """No chunks of columns: each run's rows are seen (see `take`)."""
        return None

    def take(self, count: int) -> tuple[list[int], list[list[object]], EvidenceError | None, bool]:
        lines, cells, error, finished = self.source.take(count)  # type: ignore[attr-defined]
        self.copies.seen(lines, cells)
        return lines, cells, error, finished

    def close(self) -> None:
        close = getattr(self.source, "close", None)
        if close is not None:
            close()


def _nothing(entry: Entry) -> None:
    """An accept that takes nothing (before a sheet is watched)."""


class _ParseCache:
    """Typed values by (input, raw cell): the same few cells ("是", "3", "85%", 3.0) recur in every unit.

    Sharing the typed value (and the raw cell) also keeps memory per value small. Text, floats
    and ints are kept apart (3 == 3.0 in Python, yet "3.0" and "3" are written differently).
    Only values that parsed are kept; a bounded number per input and kind, so a column of free
    text cannot grow it.
    """

    LIMIT = 4096
    KINDS = frozenset({str, float, int})

    def __init__(self) -> None:
        self.by_input: dict[tuple[str, type], dict[object, tuple[object, object]]] = {}
        self._units: Nearest | None = None
        self._ids: Nearest | None = None
        self.unknown_row: _Told | None = None
        """The unit cell last told to be unknown: a wide row's further values are counted, not told."""
        self.repeats: dict[tuple[Locator, Locator, int], _Told] = {}
        """(this table, the other, the evidence's id) -> its values that repeat the other's, the
        same: told once (per period, where periods are read apart)."""

    def units(self, known: dict[str, str | None]) -> Nearest:
        """The hint for a unit name not in the scheme (made at the first such name)."""
        if self._units is None:
            self._units = Nearest(list(known), listing=True)
        return self._units

    def ids(self, index: dict[str, InputSpec]) -> Nearest:
        if self._ids is None:
            self._ids = Nearest(list(index))
        return self._ids

    def unknown_unit(self, evidence: Evidence, entry: Entry, hint: str) -> None:
        """Tell that the entry's unit is not the scheme's, once per row: a wide row's other values
        under the same unit cell are counted into its message."""
        told = self.unknown_row
        if told is not None and told.entry.locate is entry.locate and told.entry.row == entry.row \
                and told.entry.unit_col == entry.unit_col and told.evidence is evidence:
            told.count += 1
            return
        if told is not None:
            told.close()
        evidence.problems.append(Problem(entry.unit_location, t("evidence.unknown_unit", unit=entry.unit, hint=hint)))
        self.unknown_row = _Told(evidence, entry, hint)

    def repeat(self, evidence: Evidence, entry: Entry, first: Value, input_id: str) -> None:
        """A value given again in another sheet or file, the same as the first: told as the
        duplicate it is the first time, then counted into one message for the two tables."""
        key = (entry.locate, first.locate, id(evidence))
        told = self.repeats.get(key)
        if told is not None:
            told.count += 1
            return
        evidence.problems.append(_duplicate(entry, first, input_id))
        self.repeats[key] = _Told(evidence, entry, input_id, first)

    def finish(self) -> None:
        """Every message counted into is written with its count."""
        if self.unknown_row is not None:
            self.unknown_row.close()
        for told in self.repeats.values():
            told.close()
        self.unknown_row = None
        self.repeats = {}

    def parse(self, spec: InputSpec, raw: object) -> tuple[object, object]:
        """(typed value, raw as kept); raises BadValue."""
        kind = raw.__class__
        if kind not in self.KINDS:
            return parse_value(spec, raw), raw
        known = self.by_input.get((spec.id, kind))
        if known is None:
            known = self.by_input[(spec.id, kind)] = {}
        hit = known.get(raw)
        if hit is not None:
            return hit[1], hit[0]
        value = parse_value(spec, raw)
        if len(known) < self.LIMIT and not isinstance(value, list):  # lists (item ids) are not shared
            known[raw] = (raw, value)
        return value, raw


def accept_entry(evidence: Evidence, entry: Entry, index: dict[str, InputSpec], known: dict[str, str | None],
                 cache: _ParseCache | None = None) -> None:
    """Check one (unit, id, value) entry and add it to `evidence`, or record why not."""
    if known and entry.unit not in known:
        if cache is not None:
            cache.unknown_unit(evidence, entry, cache.units(known).hint(entry.unit))
        else:
            hint = Nearest(list(known), listing=True).hint(entry.unit)
            evidence.problems.append(Problem(entry.unit_location, t("evidence.unknown_unit", unit=entry.unit,
                                                                      hint=hint)))
        return
    if entry.input_id not in index:
        near = cache.ids(index) if cache is not None else Nearest(list(index))
        evidence.problems.append(Problem(entry.id_location, t("evidence.unknown_id", id=entry.input_id,
                                                             hint=near.hint(entry.input_id))))
        return
    evidence.units.setdefault(entry.unit)
    spec = index[entry.input_id]
    if spec.categories is not None and known and known.get(entry.unit) not in spec.categories:
        evidence.problems.append(Problem(entry.location, t("evidence.not_for_category", unit=entry.unit,
                                                             category=known.get(entry.unit) or "-", id=entry.input_id,
                                                             categories="、".join(spec.categories))))
        return
    if spec.units is not None and entry.unit not in spec.units:
        evidence.problems.append(Problem(entry.location, t("evidence.not_for_unit", unit=entry.unit,
                                                             id=entry.input_id, units="、".join(spec.units))))
        return
    if spec.type is ValueType.COMPUTED:
        key = "evidence.computed_id_give" if spec.choices else "evidence.computed_id"
        evidence.problems.append(Problem(entry.id_location, t(key, id=entry.input_id, inputs="、".join(spec.choices)),
                                         code="evidence.computed_id"))
        return
    if spec.type is ValueType.EVENTS:
        _accept_event(evidence, entry, spec)
        return
    if entry.raw is None:
        return
    try:
        value, raw = (parse_value(spec, entry.raw), entry.raw) if cache is None else cache.parse(spec, entry.raw)
    except BadValue as e:
        evidence.problems.append(Problem(entry.location, t("evidence.bad_value", id=entry.input_id,
                                                             value=_show(entry.raw), problem=t(e.key, **e.params)),
                                         code=e.key))
        return
    key = (entry.unit, spec.id)
    held = Value(value, raw, entry.locate, entry.row, entry.col, entry.note)
    values = evidence.values
    first = values.add(key, held) if isinstance(values, ValueTable) else values.setdefault(key, held)
    if first is not held:
        if cache is not None and first.locate is not entry.locate and first.value == value:
            cache.repeat(evidence, entry, first, spec.id)  # another sheet's or file's value again
        else:
            evidence.problems.append(_duplicate(entry, first, spec.id))
        return
    if entry.self_raw is not None and entry.self_col is not None:
        try:
            evidence.self_values[key] = Value(parse_value(spec, entry.self_raw), entry.self_raw, entry.locate,
                                              entry.row, entry.self_col)
        except BadValue as e:
            evidence.problems.append(Problem(entry.self_location, t("evidence.bad_value", id=entry.input_id,
                                                                      value=_show(entry.self_raw),
                                                                      problem=t(e.key, **e.params)), code=e.key))


def _duplicate(entry: Entry, first: Value, input_id: str) -> Problem:
    return Problem(entry.location, t("evidence.duplicate", unit=entry.unit, id=input_id, first=str(first.location)))


class _Told:
    """A problem already told, at `index` in its evidence's problems, and how many more places
    it stands for: rewritten with the count when the reading ends. `detail` is the unknown unit's
    hint, or the repeated value's input id (with `first`, the value it repeats)."""

    __slots__ = ("evidence", "index", "entry", "detail", "first", "count")

    def __init__(self, evidence: Evidence, entry: Entry, detail: str, first: Value | None = None):
        self.evidence, self.entry, self.detail, self.first = evidence, entry, detail, first
        self.index = len(evidence.problems) - 1
        self.count = 1

    def close(self) -> None:
        if self.count == 1:
            return
        entry = self.entry
        if self.first is None:
            message = t("evidence.unknown_unit_values", unit=entry.unit, count=self.count, hint=self.detail)
            where = entry.unit_location
        else:
            other = self.first.location
            message = t("evidence.repeated_values", count=self.count, unit=entry.unit, id=self.detail,
                        first=str(other), other=_table_name(other, entry.location.file))
            where = entry.location
        self.evidence.problems[self.index] = Problem(where, message)


def _table_name(where: Location, file: str) -> str:
    """The sheet or file `where` is in, as a message names it: the sheet alone within `file`."""
    if where.sheet is None:
        return where.file
    return where.sheet if where.file == file else f"{where.file}!{where.sheet}"


def _accept_event(evidence: Evidence, entry: Entry, spec: InputSpec) -> None:
    """Event rows accumulate: each row is one event (or a count of them) or one rater's score."""
    attributes = entry.attributes or {}
    row_spec = InputSpec(spec.id, spec.row_value or ValueType.COUNT, maximum=spec.maximum, bare=spec.bare)
    try:
        if entry.raw is None and row_spec.type is not ValueType.COUNT:
            raise BadValue("value.missing_score")
        value = 1 if entry.raw is None else parse_value(row_spec, entry.raw)
        missing = [name for name in spec.attributes if name not in attributes]
        if missing and spec.check_event is None:
            raise BadValue("value.missing_attributes", names="、".join(missing))
        if spec.check_event is not None:
            spec.check_event(attributes)
    except BadValue as e:
        where = entry.location
        column = (entry.attribute_cols or {}).get(str(e.params.get("attribute", "")))
        if column is not None:  # the attribute's own cell
            where = entry.locate(entry.row, column)
        evidence.problems.append(Problem(where, t("evidence.bad_event", id=entry.input_id,
                                                    problem=t(e.key, **e.params)), code=e.key))
        return
    key = (entry.unit, spec.id)
    held = evidence.values.get(key)
    events = held.value if held is not None else []
    assert isinstance(events, list)
    events.append(Event(attributes, value, entry.location))
    if held is None:
        evidence.values[key] = Value(events, None, entry.locate, entry.row, entry.col, entry.note)


def _show(raw: object) -> str:
    text = str(raw)
    return repr(text if len(text) <= 40 else text[:37] + "…")

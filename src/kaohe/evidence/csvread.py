"""CSV evidence: strict decoding (UTF-8 with or without BOM, else GB18030), located rows.

A file is read twice, a chunk at a time, and never held whole: the first pass hashes it and
finds the one encoding the whole file decodes in (and any NUL byte); the second decodes its
records as they are asked for.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from kaohe.errors import EvidenceError, Location, Problem
from kaohe.evidence.tables import RawTable, csv_locator
from kaohe.i18n import t

MAX_CSV_BYTES = 256 * 1024**2
"""The largest CSV evidence file read (256 MiB): an office's evidence is kilobytes, a province's
1,000 units by 500 ids in long form about 10 MB, the benchmark's 1.9 million rows about 45 MB.
Every value read is held until scored (about 350 bytes each), so a file far beyond this would
exhaust memory (a 2 GB file peaked at 4.1 GB, read whole); it is refused before a byte is read."""
CHUNK = 1024**2
"""Bytes read (and hashed, and decoded) at a time."""
_BOM = b"\xef\xbb\xbf"


COLUMNS_FROM = 1 << 20
"""Bytes of records from which they are read as columns (`_Records.chunks`): below, loading
polars costs more than it saves."""
COLUMN_CHUNK = 4 * 1024**2
"""Bytes of records read as columns at a time: what is held at once, whatever the file's size."""


def _line_at(handle: BinaryIO, at: int) -> int:
    """The line (from 1) that byte `at` of the file is on: its line ends before it, counted."""
    handle.seek(0)
    lines = 1
    while at > 0:
        chunk = handle.read(min(CHUNK, at))
        if not chunk:
            break
        lines += chunk.count(b"\n")
        at -= len(chunk)
    return lines


class Scan:
    """What the first pass learns of a CSV file: its SHA-256, encoding and size, and whether it
    has a quote character (without one, each record is one line)."""

    __slots__ = ("digest", "encoding", "size", "quoted")

    def __init__(self, digest: str, encoding: str, size: int, quoted: bool = True):
        self.digest = digest
        self.encoding = encoding
        self.size = size
        self.quoted = quoted


def scan_csv(handle: BinaryIO, file: str, limit: int = MAX_CSV_BYTES) -> Scan:
    """Hash the open file and decide its encoding, strictly: UTF-8 (with or without a BOM), else
    GB18030 (never the other way round: GB18030 accepts nearly any bytes). Refuses an undecodable
    file, a NUL byte (named by its line), and more than `limit` bytes, whatever its size said."""
    sha = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_error: int | None = None  # the byte offset UTF-8 fails at
    nul_at: int | None = None  # the byte offset of the first NUL
    offset = 0
    bom = False
    quoted = False  # b'"' is never part of a UTF-8 or GB18030 character
    while True:
        chunk = handle.read(CHUNK)
        if not chunk:
            break
        if offset + len(chunk) > limit:
            raise EvidenceError([Problem(Location(file), t("evidence.too_big", kind="CSV", size=offset + len(chunk),
                                                            limit=limit))])
        sha.update(chunk)
        quoted = quoted or b'"' in chunk
        text = chunk
        if offset == 0 and chunk.startswith(_BOM):
            bom, text = True, chunk[len(_BOM):]
        if nul_at is None and (at := chunk.find(b"\x00")) >= 0:
            nul_at = offset + at
        if utf8_error is None:
            utf8_error = _decode(utf8, text, offset + len(chunk) - len(text))
        offset += len(chunk)
    if utf8_error is None:
        utf8_error = _decode(utf8, b"", offset, final=True)
    if utf8_error is None:
        encoding = "utf-8-sig" if bom else "utf-8"
    elif bom:
        raise EvidenceError([Problem(Location(file), t("csv.bad_utf8", offset=utf8_error))])
    else:
        handle.seek(0)
        if _decodes_as(handle, "gb18030") is not None:
            raise EvidenceError([Problem(Location(file), t("csv.undecodable", offset=utf8_error))])
        encoding = "gb18030"
    if nul_at is not None:
        raise EvidenceError([Problem(Location(file, _line_at(handle, nul_at)), t("csv.nul"))])
    return Scan(sha.hexdigest(), encoding, offset, quoted)


def _decode(decoder: codecs.IncrementalDecoder, data: bytes, at: int, final: bool = False) -> int | None:
    """Feed `data` (starting at file offset `at`) to the decoder: the file offset it fails at, or None."""
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(data, final)
    except UnicodeDecodeError as e:
        return at - pending + e.start
    return None


def _decodes_as(handle: BinaryIO, encoding: str) -> int | None:
    """The file offset where the file stops decoding in `encoding`, or None when all of it does."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    while chunk := handle.read(CHUNK):
        failed = _decode(decoder, chunk, offset)
        if failed is not None:
            return failed
        offset += len(chunk)
    return _decode(decoder, b"", offset, final=True)


def read_csv(path: Path, file: str, scan: Scan) -> RawTable:
    """The file's records, decoded as they are read, in the encoding the scan found."""
    return RawTable(file, None, _Records(path, file, scan), csv_locator(file))


class _Records:
    """(line the record starts on, cells) of each record that is not blank (a cell holds more than
    spaces: as tables.nonblank_rows has it, one join a record), read as they are asked for: one
    at a time, or (`take`) a run of them at once where each record is one line."""

    def __init__(self, path: Path, file: str, scan: Scan):
        self.path, self.file, self.scan = path, file, scan
        self.raw: BinaryIO | None = None
        self.reader: Iterator[list[str]] | None = None
        self.end = 0  # a quoted cell may span lines: a record starts on the line after the last one ended
        self.done = False

    def _open(self) -> Iterator[list[str]]:
        raw = self.raw = open(self.path, "rb")  # noqa: SIM115 - closed at the end, or by close()
        size = os.fstat(raw.fileno()).st_size
        if size != self.scan.size:  # changed since the first pass: what was checked is not what would be read
            self.close()
            raise EvidenceError([Problem(Location(self.file), t("evidence.changed", before=self.scan.size,
                                                                   after=size))])
        stream = io.TextIOWrapper(raw, encoding=self.scan.encoding, newline="")
        self.reader = csv.reader(stream, strict=True)
        return self.reader

    def close(self) -> None:
        self.done = True
        if self.raw is not None:
            self.raw.close()
            self.raw = None

    def __del__(self) -> None:
        self.close()

    def __iter__(self) -> _Records:
        return self

    def __next__(self) -> tuple[int, list[object]]:
        if self.done:
            raise StopIteration
        reader = self.reader if self.reader is not None else self._open()
        try:
            for row in reader:
                start, self.end = self.end, reader.line_num  # type: ignore[attr-defined]
                first = row[0] if row else ""
                if (first and not first.isspace()) or ((text := "".join(row)) and not text.isspace()):
                    return start + 1, row  # type: ignore[return-value]
        except (csv.Error, UnicodeDecodeError) as e:
            raise self._broken(e) from e
        self.close()
        raise StopIteration

    @property
    def by_runs(self) -> bool:
        """Whether `take` may be used: each record is one line (the file has no quote character)."""
        return not self.scan.quoted

    def chunks(self, width: int) -> Iterator[Chunk] | None:
        """The records after those read so far, a chunk of about COLUMN_CHUNK bytes at a time,
        each as `width` columns of text where polars can read it so. None where `by_runs` does
        not hold, the file is smaller than COLUMNS_FROM, or the lines read so far end in a bare
        CR: the records are then taken as before. The bytes are read again (checked against the
        first pass's size) and decoded as it found."""
        if self.done or self.scan.quoted or self.scan.size < COLUMNS_FROM:
            return None
        raw = open(self.path, "rb")  # noqa: SIM115 - closed by the chunks, or here
        size = os.fstat(raw.fileno()).st_size
        if size != self.scan.size:
            raw.close()
            raise EvidenceError([Problem(Location(self.file), t("evidence.changed", before=self.scan.size,
                                                                   after=size))])
        pending, skipped = b"", 0
        while skipped < self.end:  # past the lines read so far (each record one line)
            block = raw.read(CHUNK)
            if not block:
                break
            pending += block
            at = 0
            while skipped < self.end and (found := pending.find(b"\n", at)) >= 0:
                at, skipped = found + 1, skipped + 1
            if b"\r" in pending and pending.count(b"\r", 0, at) != pending.count(b"\r\n", 0, at):
                raw.close()
                return None  # a bare CR is a line end to the csv module: the lines are not counted alike
            pending = pending[at:]
        return self._chunks(raw, pending, width)

    def _chunks(self, raw: BinaryIO, pending: bytes, width: int) -> Iterator[Chunk]:
        with raw:
            line = self.end + 1
            while True:
                data = raw.read(COLUMN_CHUNK)
                block = pending + data
                if not block:
                    return
                end = block.rfind(b"\n") + 1 if data else len(block)  # whole lines, and at the end the rest
                if not end:
                    pending = block  # no line end yet: read on
                    continue
                chunk = Chunk(self, block[:end], line, width)
                pending = block[end:]
                del block, data
                yield chunk
                line += chunk.lines

    def take(self, count: int) -> tuple[list[int], list[list[object]], EvidenceError | None, bool]:
        """The next `count` records as (their lines, their cells: blank ones left out), the error
        that stopped the reading, if any, after the records before it, and whether the file is
        read to its end. Only where `by_runs`."""
        if self.done:
            return [], [], None, True
        reader = self.reader if self.reader is not None else self._open()
        start = self.end
        cells: list[list[object]] = []
        error = None
        try:
            cells.extend(islice(reader, count))  # on an error, the records before it stay in the list
        except (csv.Error, UnicodeDecodeError) as e:
            error = self._broken(e)
        self.end = reader.line_num  # type: ignore[attr-defined]
        finished = error is not None or len(cells) < count
        if finished:
            self.close()
        lines = list(range(start + 1, start + 1 + len(cells)))  # one line a record
        firsts = [row[0] if row else "" for row in cells] if [] in cells else list(map(itemgetter(0), cells))
        if not all(firsts) or any(map(str.isspace, firsts)):  # a record may be blank: kept as __next__ keeps it
            kept = [i for i, row in enumerate(cells) if (row and row[0] and not row[0].isspace())
                    or ((text := "".join(row)) and not text.isspace())]  # type: ignore[arg-type]
            lines, cells = [lines[i] for i in kept], [cells[i] for i in kept]
        return lines, cells, error, finished

    def _broken(self, e: Exception) -> EvidenceError:
        self.close()
        if isinstance(e, csv.Error):
            line = self.reader.line_num if self.reader is not None else 0  # type: ignore[attr-defined]
            return EvidenceError([Problem(Location(self.file, line), syntax_message(e))])
        size = self.scan.size  # the bytes changed since the first pass
        return EvidenceError([Problem(Location(self.file), t("evidence.changed", before=size, after=size))])


_SYNTAX = ((re.compile(r"field larger than field limit \((\d+)\)"), "csv.field_too_long"),
           (re.compile(r"unexpected end of data"), "csv.open_quote"),
           (re.compile(r"'.' expected after '\"'"), "csv.text_after_quote"))
"""The csv module's refusals, by its (English) words -> what is said of them."""


def syntax_message(error: csv.Error) -> str:
    """What the csv module refused, in the interface language: its words for the common cases
    (a cell past its limit, a quote never closed, text after a closing quote), else as it says."""
    for pattern, key in _SYNTAX:
        found = pattern.search(str(error))
        if found is not None:
            return t(key, limit=found.group(1) if found.groups() else "")
    return t("csv.syntax", detail=error)


class Chunk:
    """Records of a CSV file (each one line) from line `first`: as polars columns (`columns`,
    None where polars cannot read them as the csv module does), or as the csv module reads them
    (`records`), and how many lines they take."""

    def __init__(self, records: _Records, body: bytes, first: int, width: int):
        self.source, self.body, self.first, self.width = records, body, first, width
        bare = body.count(b"\r") - body.count(b"\r\n") if b"\r" in body else 0
        self.lines = body.count(b"\n") + bare + (1 if body and not body.endswith((b"\n", b"\r")) else 0)
        self.bare = bare

    def columns(self) -> list[Any] | None:
        if self.bare:
            return None  # a bare CR ends a line for the csv module, not for polars
        import polars as pl

        body = self.body if self.source.scan.encoding != "gb18030" else self.body.decode("gb18030").encode("utf-8")
        try:
            frame = pl.read_csv(body, has_header=False, infer_schema=False, quote_char=None,
                                schema={f"c{i}": pl.String for i in range(self.width)}, raise_if_empty=False)
        except Exception:  # noqa: BLE001 - any refusal: the records are read as before, and told there
            return None
        if frame.height != self.lines:
            return None
        longest = frame.select(pl.all().str.len_bytes().max()).row(0) if frame.height else ()
        if any(length is not None and length > csv.field_size_limit() for length in longest):
            return None  # the csv module refuses such a cell: told as it tells it
        return frame.get_columns()

    def records(self) -> tuple[list[int], list[list[object]], EvidenceError | None]:
        """(lines, cells) of the records that are not blank, as `_Records.take` gives them, and
        the error that stopped the reading (after the records before it)."""
        text = self.body.decode(self.source.scan.encoding)
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        lines: list[int] = []
        cells: list[list[object]] = []
        end = 0
        try:
            for row in reader:
                start, end = end, reader.line_num
                first = row[0] if row else ""
                if (first and not first.isspace()) or ((joined := "".join(row)) and not joined.isspace()):
                    lines.append(self.first + start)
                    cells.append(row)  # type: ignore[arg-type]
        except csv.Error as e:
            where = Location(self.source.file, self.first - 1 + reader.line_num)
            return lines, cells, EvidenceError([Problem(where, syntax_message(e))])
        return lines, cells, None

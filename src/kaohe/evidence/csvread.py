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
from pathlib import Path
from typing import BinaryIO, Iterator

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


class Scan:
    """What the first pass learns of a CSV file: its SHA-256, encoding and size."""

    __slots__ = ("digest", "encoding", "size")

    def __init__(self, digest: str, encoding: str, size: int):
        self.digest = digest
        self.encoding = encoding
        self.size = size


def scan_csv(handle: BinaryIO, file: str, limit: int = MAX_CSV_BYTES) -> Scan:
    """Hash the open file and decide its encoding, strictly: UTF-8 (with or without a BOM), else
    GB18030 (never the other way round: GB18030 accepts nearly any bytes). Refuses an undecodable
    file, a NUL byte (named by its line), and more than `limit` bytes, whatever its size said."""
    sha = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_error: int | None = None  # the byte offset UTF-8 fails at
    nul_line: int | None = None
    lines = 0
    offset = 0
    bom = False
    while True:
        chunk = handle.read(CHUNK)
        if not chunk:
            break
        if offset + len(chunk) > limit:
            raise EvidenceError([Problem(Location(file), t("evidence.too_big", kind="CSV", size=offset + len(chunk),
                                                            limit=limit))])
        sha.update(chunk)
        text = chunk
        if offset == 0 and chunk.startswith(_BOM):
            bom, text = True, chunk[len(_BOM):]
        if nul_line is None:
            at = chunk.find(b"\x00")
            if at >= 0:
                nul_line = lines + chunk.count(b"\n", 0, at) + 1
            else:
                lines += chunk.count(b"\n")
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
    if nul_line is not None:
        raise EvidenceError([Problem(Location(file, nul_line), t("csv.nul"))])
    return Scan(sha.hexdigest(), encoding, offset)


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
    return RawTable(file, None, _records(path, file, scan), csv_locator(file))


def _records(path: Path, file: str, scan: Scan) -> Iterator[tuple[int, list[object]]]:
    """(line the record starts on, cells) of each record that is not blank (a cell holds more than
    spaces: as tables.nonblank_rows has it, one join a record), read as they are asked for."""
    with open(path, "rb") as raw:
        size = os.fstat(raw.fileno()).st_size
        if size != scan.size:  # changed since the first pass: what was checked is not what would be read
            raise EvidenceError([Problem(Location(file), t("evidence.changed", before=scan.size, after=size))])
        stream = io.TextIOWrapper(raw, encoding=scan.encoding, newline="")
        reader = csv.reader(stream, strict=True)
        end = 0  # a quoted cell may span lines: a record starts on the line after the last one ended
        try:
            for row in reader:
                first = row[0] if row else ""
                if (first and not first.isspace()) or ((text := "".join(row)) and not text.isspace()):
                    yield end + 1, row  # type: ignore[misc]
                end = reader.line_num
        except csv.Error as e:
            raise EvidenceError([Problem(Location(file, reader.line_num), t("csv.syntax", detail=e))]) from e
        except UnicodeDecodeError as e:  # the bytes changed since the first pass
            raise EvidenceError([Problem(Location(file), t("evidence.changed", before=scan.size, after=size))]) from e

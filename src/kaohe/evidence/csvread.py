"""CSV evidence: strict decoding (UTF-8 with or without BOM, else GB18030), located rows."""

from __future__ import annotations

import csv
import io
from typing import Iterator

from kaohe.errors import EvidenceError, Location, Problem
from kaohe.evidence.tables import RawTable, csv_locator, nonblank_rows
from kaohe.i18n import t


def encoding_of(data: bytes, file: str) -> str:
    """The encoding the whole file decodes in, strictly: UTF-8 (with or without a BOM), else
    GB18030 (never the other way round: GB18030 accepts nearly any bytes)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise EvidenceError([Problem(Location(file), t("csv.bad_utf8", offset=e.start + 3))]) from e
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            data.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError:
            raise EvidenceError(
                [Problem(Location(file), t("csv.undecodable", offset=utf8_error.start))]
            ) from utf8_error


def read_csv(data: bytes, file: str) -> RawTable:
    """The file's records, decoded as they are read (the whole file is checked to decode first)."""
    encoding = encoding_of(data, file)
    if b"\x00" in data:
        text = data.decode(encoding)
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise EvidenceError([Problem(Location(file, line), t("csv.nul"))])
    # A text stream over the bytes decodes a chunk at a time: the decoded file is never held whole.
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    return RawTable(file, None, nonblank_rows(_records(stream, file)), csv_locator(file))


def _records(buffer: io.TextIOBase, file: str) -> Iterator[tuple[int, list[object]]]:
    """(line the record starts on, cells), read as they are asked for."""
    reader = csv.reader(buffer, strict=True)
    end = 0  # a quoted cell may span lines: a record starts on the line after the last one ended
    try:
        for row in reader:
            yield end + 1, row  # type: ignore[misc]
            end = reader.line_num
    except csv.Error as e:
        raise EvidenceError([Problem(Location(file, reader.line_num), t("csv.syntax", detail=e))]) from e

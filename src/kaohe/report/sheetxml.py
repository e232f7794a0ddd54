"""Sheet rows written straight as SpreadsheetML, for sheets too long for openpyxl's per-cell objects.

openpyxl (write-only) lays out the workbook and writes each streamed sheet's header rows; this
module then rewrites the archive once, pouring each sheet's data rows into its `<sheetData>` as
they are made. Cells are what openpyxl would write: text inline (never a formula), numbers as
numbers in the workbook's number style, booleans as booleans.
"""

from __future__ import annotations

import queue
import re
import sys
import threading
import zipfile
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterable, Union

from kaohe.evidence.tables import column_letter
from kaohe.numbers import Rational, approximate, exact_text

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_EPOCH = "1980-01-01T00:00:00Z"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot hold (openpyxl refuses them); shown as U+FFFD."""
CHUNK_ROWS = 2000
NumberStyle = Union[int, Callable[[object], int]]
"""The style of the number cells: one for all, or each number's own (its decimals)."""


def finish_archive(path: Path, streamed: dict[str, tuple[Iterable[list[object]], int, NumberStyle]],
                   fixed_times: bool) -> None:
    """Rewrite the archive at `path`: each streamed part (by its name in the archive) gets its
    (rows, first row number, number style) written into it; with `fixed_times`, entry times and
    the document's dates are fixed so that equal inputs give equal bytes."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            name = info.filename
            if fixed_times and name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rf"\g<1>{_EPOCH}\g<2>", text)
                data = text.encode("utf-8")
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME if fixed_times else info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            if name not in streamed:
                archive.writestr(entry, data)
                continue
            rows, first, number_style = streamed[name]
            _compress_fast(entry)
            text = data.decode("utf-8")
            at = text.rindex("</sheetData>")
            with archive.open(entry, "w") as handle:  # a sheet (≤ 1,048,576 rows) stays far below 2 GiB
                handle.write(text[:at].encode("utf-8"))
                write_behind(handle.write, row_chunks(rows, first, number_style))
                handle.write(text[at:].encode("utf-8"))


WAITING_CHUNKS = 4
"""Chunks of rows made and not yet written (about a megabyte each) while the writer deflates."""


SWITCH_INTERVAL = 0.0005
"""Seconds the thread making rows holds the GIL before the writer may take it (Python's default
is 0.005: the writer would wait that long at each step of deflating a chunk)."""


class _OftenSwitching:
    """The process's switch interval at SWITCH_INTERVAL while any write_behind runs: threads of a
    program that writes several workbooks at once share it, and the last to finish puts back
    what it was."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.saved = sys.getswitchinterval()

    def __enter__(self) -> None:
        with self.lock:
            if not self.users:
                self.saved = sys.getswitchinterval()
                sys.setswitchinterval(SWITCH_INTERVAL)
            self.users += 1

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.users -= 1
            if not self.users:
                sys.setswitchinterval(self.saved)


_OFTEN_SWITCHING = _OftenSwitching()


def write_behind(write: Callable[[bytes], object], chunks: Iterable[bytes]) -> None:
    """Each chunk through `write`, in a thread of its own, while the next is made: deflating lets
    go of the GIL, so on a machine of two cores it overlaps making the XML. At most
    WAITING_CHUNKS wait. A failure on either side stops both and is raised here; what the
    writer was given before a failure of the chunks is written."""
    waiting: queue.Queue[bytes | None] = queue.Queue(maxsize=WAITING_CHUNKS)
    failed: list[BaseException] = []

    def drain() -> None:
        while True:
            chunk = waiting.get()
            if chunk is None:
                return
            if not failed:  # after a failure, what is left is taken off the queue, not written
                try:
                    write(chunk)
                except BaseException as e:  # noqa: BLE001 - handed to the thread that waits for it
                    failed.append(e)

    writer = threading.Thread(target=drain, name="kaohe-write-behind", daemon=True)
    with _OFTEN_SWITCHING:  # the writer waits for the GIL at most SWITCH_INTERVAL each time
        writer.start()
        try:
            for chunk in chunks:
                if failed:
                    break
                waiting.put(chunk)
        finally:
            waiting.put(None)
            writer.join()
    if failed:
        raise failed[0]


STREAMED_LEVEL = 1
"""The deflate level of a streamed sheet: a hundred thousand units' 明细 (about a gigabyte of XML)
compresses 2.5 times as fast as at zlib's default level 6, into a file about a fifth larger."""


def _compress_fast(entry: zipfile.ZipInfo) -> None:
    # ZipFile.open(ZipInfo, "w") takes the entry's own level: `compress_level` from Python 3.13,
    # `_compresslevel` before (ZipInfo has slots: only the one that exists can be set)
    setattr(entry, "compress_level" if hasattr(entry, "compress_level") else "_compresslevel", STREAMED_LEVEL)


class SharedRow(list):  # type: ignore[type-arg]
    """A row whose cells, but for its text cells at `own` ("" when empty; at most 8), are those of
    every row with the same `shared` object: a 明细 row of a criterion many units share, whose
    unit, place and 备注 alone are its own. A list to every reader; the XML writer makes the
    shared cells' XML once, and writes the row as any other where an own cell is not text. Set
    `shared` and `own` after making it (`row.shared = …`)."""

    __slots__ = ("shared", "own")


TEMPLATES_KEPT = 100_000
"""At most this many shared rows' XML is kept (then forgotten and made again)."""


def row_chunks(rows: Iterable[list[object]], first: int, number_style: NumberStyle) -> Iterable[bytes]:
    """`<row>` elements for rows numbered from `first`, in UTF-8, joined a few thousand at a time."""
    letters: list[str] = []
    style_of = None if isinstance(number_style, int) else number_style
    number = f' s="{number_style}" t="n"><v>'
    styled: dict[object, str] = {}  # a value's style attribute, for the few point values that recur
    texts: dict[str, str] = {}  # a text's escaped form, for the titles and explanations that recur
    numbers: dict[Decimal, str] = {}  # a number cell's XML after its reference (equal values write alike)
    templates: dict[tuple[int, tuple[bool, ...]], tuple[object, bytes]] = {}
    """(id(shared), which own cells have text) -> (shared, the row's XML: see _template)"""
    getters: dict[tuple[int, ...], Callable[[list[object]], tuple[object, ...]]] = {}
    done: list[bytes] = []  # rows made, in UTF-8
    out: list[str] = []  # the rows made since, as text
    append = out.append
    r = first
    last_own: object = None
    getter: Callable[[list[object]], tuple[object, ...]] = _getter(())
    for row in rows:
        mine: tuple[object, ...] | None = None
        if row.__class__ is SharedRow:
            own = row.own  # type: ignore[attr-defined]
            if own is not last_own:  # (the rows of one writer share one `own`)
                getter = getters.get(own)  # type: ignore[assignment]
                if getter is None:
                    getter = getters[own] = _getter(own)
                last_own = own
            mine = getter(row)
            try:
                joined = " ".join(mine)  # type: ignore[arg-type]
            except TypeError:  # an own cell that is not text: the row is written as any other
                mine = None
        if mine is not None:
            shared = row.shared  # type: ignore[attr-defined]
            key = id(shared), tuple(map(bool, mine))
            entry = templates.get(key)
            if entry is None or entry[0] is not shared:
                while len(letters) < len(row):
                    letters.append(column_letter(len(letters)))
                if len(templates) >= TEMPLATES_KEPT:
                    templates.clear()
                entry = templates[key] = (shared, _template(row, own, key[1], letters, number, style_of, styled,
                                                            texts))
            if "&" in joined or "<" in joined or ">" in joined or not joined.isprintable():
                mine = tuple(map(_text, mine))  # type: ignore[arg-type]
            if out:
                done.append("".join(out).encode("utf-8"))
                out.clear()
            xml = entry[1].replace(b"\x00", str(r).encode())
            i = 1
            for text in mine:
                if text:
                    xml = xml.replace(_MARKS[i], text.encode("utf-8"))  # type: ignore[union-attr]
                i += 1
            done.append(xml)
        else:
            while len(letters) < len(row):
                letters.append(column_letter(len(letters)))
            rs = str(r)
            append(f'<row r="{rs}">')
            for c, value in enumerate(row):
                cls = value.__class__
                if value is None or (cls is str and not value):
                    continue
                ref = letters[c] + rs
                if cls is str:
                    text = texts.get(value)
                    if text is None:
                        text = _text(value)
                        if len(texts) < 10_000:
                            texts[value] = text
                    append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
                elif cls is Decimal:  # the points of a 汇总 or 排名: as _cell writes them, without its call
                    tail = numbers.get(value)  # its style and text: the few point values recur
                    if tail is None:
                        tail = (f'{number if style_of is None else _styled(value, style_of, styled)}'
                                f'{_decimal(value)}</v></c>')
                        if len(numbers) < 10_000:
                            numbers[value] = tail
                    append(f'<c r="{ref}"{tail}')
                else:
                    append(_cell(value, ref, number, style_of, styled, texts))
            append("</row>")
        r += 1
        if r % CHUNK_ROWS == 0:
            if out:
                done.append("".join(out).encode("utf-8"))
                out.clear()
            yield b"".join(done)
            done.clear()
    if out:
        done.append("".join(out).encode("utf-8"))
    if done:
        yield b"".join(done)


def _getter(own: tuple[int, ...]) -> Callable[[list[object]], tuple[object, ...]]:
    """The cells at `own` of a row, as a tuple (one position too); more than _MARKS can stand
    for give a cell that is no text, and the row is written as any other."""
    if not own or len(own) >= len(_MARKS):
        return lambda row: (None,)
    if len(own) == 1:
        single = itemgetter(own[0])
        return lambda row: (single(row),)
    return itemgetter(*own)  # type: ignore[return-value]


_MARKS = [bytes([i]) for i in range(9)]
"""In a row's template: \\x00 where the row number goes, \\x01 … where each own cell's text goes
(characters XML cannot hold: never in a cell's text, which _text has made XML)."""


def _template(row: SharedRow, own: tuple[int, ...], filled: tuple[bool, ...], letters: list[str], number: str,
              style_of: Callable[[object], int] | None, styled: dict[object, str], texts: dict[str, str]) -> bytes:
    """The row's XML (UTF-8) with a mark (_MARKS) for its number and for each own cell's text; an
    own cell that is empty (not `filled`) is not written."""
    at = {c: i for i, c in enumerate(own)}
    xml = ['<row r="\x00">']
    for c, value in enumerate(row):
        i = at.get(c)
        if i is None:
            xml.append(_cell(value, letters[c] + "\x00", number, style_of, styled, texts))
        elif filled[i]:
            xml.append(f'<c r="{letters[c]}\x00" t="inlineStr"><is><t xml:space="preserve">{_MARKS[i + 1].decode()}'
                       '</t></is></c>')
    xml.append("</row>")
    return "".join(xml).encode("utf-8")


def _cell(value: object, ref: str, number: str, style_of: Callable[[object], int] | None,
          styled: dict[object, str], texts: dict[str, str]) -> str:
    """One cell's XML ("" for an empty cell, which is not written)."""
    cls = value.__class__
    if value is None or (cls is str and not value):
        return ""
    if cls is str:
        text = texts.get(value)  # type: ignore[call-overload]
        if text is None:
            text = _text(value)  # type: ignore[arg-type]
            if len(texts) < 10_000:
                texts[value] = text  # type: ignore[index]
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if cls is Decimal:
        return (f'<c r="{ref}"{number if style_of is None else _styled(value, style_of, styled)}'
                f'{_decimal(value)}</v></c>')  # type: ignore[arg-type]
    if cls is Rational:  # a cell holds a binary float: the value to ten places
        return (f'<c r="{ref}"{number if style_of is None else _styled(value, style_of, styled)}'
                f'{_decimal(approximate(value))}</v></c>')  # type: ignore[arg-type]
    if cls is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'  # type: ignore[call-overload]
    if cls is int:
        return f'<c r="{ref}" t="n"><v>{value}</v></c>'
    if cls is float:
        return f'<c r="{ref}" t="n"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'


def _styled(value: object, style_of: Callable[[object], int], known: dict[object, str]) -> str:
    attribute = known.get(value) if len(known) < 10_000 else None
    if attribute is None:
        attribute = f' s="{style_of(value)}" t="n"><v>'
        if len(known) < 10_000:
            known[value] = attribute
    return attribute


def _text(value: str) -> str:
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if not value.isprintable() and _NOT_XML.search(value):
        value = _NOT_XML.sub("\ufffd", value)
    return value


def _decimal(value: Decimal) -> str:
    """Plain decimal text, never an exponent (Excel reads `1E+1` but not every reader does), and
    of the value alone: 45, 45.0 and 45.00 are written "45", as the sheets openpyxl writes hold
    them (xlsxout.put; a sum's trailing zeros depend on how it was added up, never on the value)."""
    return exact_text(value)

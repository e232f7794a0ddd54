"""Sheet rows written straight as SpreadsheetML, for sheets too long for openpyxl's per-cell objects.

openpyxl (write-only) lays out the workbook and writes each streamed sheet's header rows; this
module then rewrites the archive once, pouring each sheet's data rows into its `<sheetData>` as
they are made. Cells are what openpyxl would write: text inline (never a formula), numbers as
numbers in the workbook's number style, booleans as booleans.
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Union

from kaohe.evidence.tables import column_letter
from kaohe.numbers import Rational, approximate

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
                for chunk in row_chunks(rows, first, number_style):
                    handle.write(chunk.encode("utf-8"))
                handle.write(text[at:].encode("utf-8"))


STREAMED_LEVEL = 1
"""The deflate level of a streamed sheet: a hundred thousand units' 明细 (about a gigabyte of XML)
compresses 2.5 times as fast as at zlib's default level 6, into a file about a fifth larger."""


def _compress_fast(entry: zipfile.ZipInfo) -> None:
    # ZipFile.open(ZipInfo, "w") takes the entry's own level: `compress_level` from Python 3.13,
    # `_compresslevel` before (ZipInfo has slots: only the one that exists can be set)
    setattr(entry, "compress_level" if hasattr(entry, "compress_level") else "_compresslevel", STREAMED_LEVEL)


def row_chunks(rows: Iterable[list[object]], first: int, number_style: NumberStyle) -> Iterable[str]:
    """`<row>` elements for rows numbered from `first`, joined a few thousand at a time."""
    letters: list[str] = []
    style_of = None if isinstance(number_style, int) else number_style
    number = f' s="{number_style}" t="n"><v>'
    styled: dict[object, str] = {}  # a value's style attribute, for the few point values that recur
    texts: dict[str, str] = {}  # a text's escaped form, for the titles and explanations that recur
    out: list[str] = []
    append = out.append
    r = first
    for row in rows:
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
            elif cls is Decimal:
                append(f'<c r="{ref}"{number if style_of is None else _styled(value, style_of, styled)}'
                       f'{_decimal(value)}</v></c>')
            elif cls is Rational:  # a cell holds a binary float: the value to ten places
                append(f'<c r="{ref}"{number if style_of is None else _styled(value, style_of, styled)}'
                       f'{_decimal(approximate(value))}</v></c>')
            elif cls is bool:
                append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif cls is int:
                append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
            elif cls is float:
                append(f'<c r="{ref}" t="n"><v>{value!r}</v></c>')
            else:
                append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>')
        append("</row>")
        r += 1
        if r % CHUNK_ROWS == 0:
            yield "".join(out)
            out.clear()
    if out:
        yield "".join(out)


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
    """Plain decimal text, never an exponent (Excel reads `1E+1` but not every reader does)."""
    return format(value, "f")

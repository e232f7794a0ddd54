"""Results as a JSON document (format `kaohe-results`, version 1; see docs/results-json.md)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from decimal import Decimal
from itertools import repeat
from operator import add, attrgetter, itemgetter
from typing import Any, Callable, Iterator, Mapping, Sequence

from pydantic import BaseModel

from kaohe import __version__
from kaohe.engine import (
    BlockColumn,
    CriteriaView,
    CriterionResult,
    InputResult,
    NodeMap,
    NodeResult,
    Results,
    SharedByOutcome,
    criteria_blocks,
    nones,
)
from kaohe.errors import json_escaped
from kaohe.evidence import Value
from kaohe.evidence.results import DIGEST_KEY, FORMAT_VERSION
from kaohe.numbers import Exact, Rational, exact_text
from kaohe.outcomes import RankedRow
from kaohe.report.text import explanation
from kaohe.rules.base import NOT_APPLICABLE, Event
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Criterion


def results_document(loaded: LoadedScheme, files: list[tuple[str, str]], rows: list[RankedRow],
                     results: Results, timestamp: bool = True) -> dict[str, Any]:
    scheme = loaded.scheme
    document = {
        "format": "kaohe-results",
        "version": FORMAT_VERSION,
        "tool": {"name": "kaohe", "version": __version__},
        "scheme": {
            "id": scheme.id,
            "title": scheme.title,
            "doc_number": scheme.doc_number,
            "file": loaded.path,
            "sha256": loaded.sha256,
            "full_score": num(scheme.full_score) if scheme.full_score is not None else None,
            "unit": scheme.unit,
            "ranking": rules_record(scheme.ranking),
            "outcomes": rules_record(scheme.outcomes, exclude_defaults=True),
        },
        "evidence": [{"file": f, "sha256": digest} for f, digest in files],
        "sections": [
            {"id": s.id, "title": s.title, "kind": s.kind, "counted": s.counted,
             "points": num(s.points) if s.points is not None else None} for s in scheme.sections
        ],
        "units": _units(rows),  # made a block at a time as the document is written
        "missing": [{"unit": m.unit, "id": m.input_id, "period": m.period} for m in results.missing],
    }
    if timestamp:
        document["generated"] = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
    return document


def rules_record(model: BaseModel, exclude_defaults: bool = False) -> Any:
    """The rules a result was decided by, as JSON: the model's fields without its `reading`
    marks (they explain the rules, they are not rules)."""
    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "reading"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(model.model_dump(mode="json", exclude_defaults=exclude_defaults))


_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def encoded(value: object) -> str:
    """`value` as JSON text, with what a terminal must not be handed raw escaped (see json_escaped)."""
    return json_escaped(_encode(value))


UNITS_PER_BLOCK = 1024
"""Units whose criteria's texts are made together, a criterion at a time (see _criteria_block)."""


def _units(rows: Sequence[RankedRow]) -> Iterator[bytes]:
    """Each unit's record as JSON text in UTF-8 (write_json writes bytes as they are), in order,
    made a block of units at a time. Bytes, because most of a record is ASCII: the text of
    millions of criteria is joined at a byte a character, and encoded once per distinct text."""
    for start in range(0, len(rows), UNITS_PER_BLOCK):
        block = rows[start:start + UNITS_PER_BLOCK]
        criteria: list[bytes | None] = [None] * len(block)
        for ats, columns in criteria_blocks([row.result.criteria for row in block]):
            for at, text in zip(ats, _criteria_block(columns), strict=True):
                criteria[at] = text
        sections = _points_block([row.result.sections for row in block])
        items = _points_block([row.result.items for row in block])
        yield from map(_unit, block, criteria, sections, items)


def _unit(row: RankedRow, criteria: bytes | None = None, sections: str | None = None,
          items: str | None = None) -> bytes:
    """A unit's record as JSON text in UTF-8: its sections', items' and criteria's texts (see
    _points and _criteria, or those given, made already) spliced after the rest."""
    r = row.result
    text = _head(row) if not (r.vetoed or r.falsified or r.unmet or r.conditions or r.periods) else encoded(_record(row))
    head = (f'{text[:-1]}, "sections": {_points(r.sections) if sections is None else sections}, '
            f'"items": {_points(r.items) if items is None else items}, "criteria": [')
    return b"".join((head.encode("utf-8"), _criteria(r.criteria).encode("utf-8") if criteria is None else criteria,
                     b"]}"))


def _record(row: RankedRow) -> dict[str, Any]:
    """A unit's record but its sections, items and criteria."""
    r = row.result
    return {
        "rank": row.rank,
        "rank_in_category": row.rank_in_category,
        "unit": r.unit,
        "base": num(r.base),
        "bonus": num(r.bonus),
        "deduction": num(r.deduction),
        "total": num(r.total),
        "category": r.category,
        "vetoed": list(r.vetoed),
        "falsified": list(r.falsified),
        "unmet": list(r.unmet),
        "barred": r.barred,
        "conditions": dict(r.conditions),
        "periods": {name: num(p.total) for name, p in r.periods},
    }


def _head(row: RankedRow) -> str:
    """`_record` of a unit with no flags, conditions or periods as JSON text, written without
    making the dict: the same text (a number's text is digits, point, sign and slash only)."""
    r = row.result
    category = r.category
    return (f'{{"rank": {row.rank}, "rank_in_category": '
            f'{"null" if row.rank_in_category is None else row.rank_in_category}, "unit": {encoded(r.unit)}, '
            f'"base": "{num(r.base)}", "bonus": "{num(r.bonus)}", "deduction": "{num(r.deduction)}", '
            f'"total": "{num(r.total)}", "category": {"null" if category is None else encoded(category)}, '
            f'"vetoed": [], "falsified": [], "unmet": [], "barred": {"true" if r.barred else "false"}, '
            f'"conditions": {{}}, "periods": {{}}}}')


def _points(nodes: Mapping[str, NodeResult]) -> str:
    """The JSON text of {id: points} of a unit's sections or items. Each result's text is made
    once (keyed by identity, the result held), where every result is under its own id."""
    if nodes.__class__ is not NodeMap:
        return encoded({k: num(v.points) for k, v in nodes.items()})
    ordered = nodes.ordered()  # type: ignore[attr-defined]
    if list(map(_NODE_ID, ordered)) != list(nodes):
        return encoded({k: num(v.points) for k, v in nodes.items()})
    entries = list(map(_NODE_TEXTS.get, map(id, ordered)))
    if None in entries:
        for at, entry in enumerate(entries):
            if entry is None:
                node = ordered[at]
                if len(_NODE_TEXTS) >= 100_000:
                    _NODE_TEXTS.clear()
                entries[at] = _NODE_TEXTS[id(node)] = (node, f"{encoded(node.id)}: {encoded(num(node.points))}")
    return "{" + ", ".join(map(_TEXT_OF, entries)) + "}"  # type: ignore[arg-type]


def _points_block(maps: list[Mapping[str, NodeResult]]) -> list[str | None]:
    """Per unit of a block, `_points` of its sections or items, made an id at a time where they
    are NodeMaps (of a category's index): each distinct result's text once per block. None for
    the others, and for a category with a result under another id than its own."""
    texts: list[str | None] = [None] * len(maps)
    for ats, ids, by_id in NodeMap.columns(maps):
        made = _points_texts(ids, by_id, len(ats))
        if made is not None:
            for at, text in zip(ats, made, strict=True):
                texts[at] = text
    return texts


def _points_texts(ids: list[str], by_id: list[list[NodeResult]], count: int) -> list[str] | None:
    columns = []
    for node_id, nodes in zip(ids, by_id, strict=True):
        distinct = dict(zip(map(id, nodes), nodes, strict=True))  # the distinct results, by identity
        known = {at: (f"{encoded(node.id)}: {encoded(num(node.points))}" if node.id == node_id else None)
                 for at, node in distinct.items()}
        if None in known.values():  # a result under another id than its own: as the dict has it
            return None
        columns.append(list(map(known.__getitem__, map(id, nodes))))
    return list(map("{{{}}}".format, map(", ".join, zip(*columns, strict=True)))) if columns else ["{}"] * count


_NODE_TEXTS: dict[int, tuple[NodeResult, str]] = {}
"""id(result) -> (the result, kept so that the id stays its, and its text `"1.1": "7"`)."""
_NODE_ID = attrgetter("id")
_TEXT_OF = itemgetter(1)


def _criteria(criteria: Sequence[CriterionResult]) -> str:
    """A unit's criteria as JSON text. From the columns a unit was scored in, a criterion of a
    given value is written from the text shared by every unit of the same outcome, value and
    cell, without making its result; only where it was read and its 备注 are per unit."""
    if not isinstance(criteria, CriteriaView):
        return ", ".join([_one(c) for c in criteria])
    return ", ".join([_cell(criterion, known, found) for criterion, known, found in criteria.cells()])


def _cell(criterion: Criterion, known: object, found: Value | None) -> str:
    """One criterion of a unit's CriteriaView.cells() as JSON text."""
    if found is None:
        return _one(known)  # type: ignore[arg-type]
    text = _SHARED.get(criterion, known, found)
    if text is None:
        return _one(CriterionResult(criterion, found, known[0], known[1]))  # type: ignore[index]
    note = found.note
    place = _PLACES.get(found.locate)  # a locator of prefix and suffix: _place without its call
    if place is None:
        return f'{text}{_place(found)}, "note": {encoded(note) if note else _EMPTY}}}]}}'
    return f'{text}{place[0]}{place[1](found.row, found.col)}", "note": {encoded(note) if note else _EMPTY}}}]}}'


def _criteria_block(columns: list[BlockColumn]) -> list[bytes]:
    """Per unit of the block, its criteria's JSON text in UTF-8 (as _criteria writes it), made a
    criterion at a time: where the values are held by code, each code's shared text is made
    and encoded once and each unit's place is joined in C; any other unit is written by `_cell`."""
    return list(map(b", ".join, zip(*map(_column_texts, columns), strict=True)))


def _column_texts(column: BlockColumn) -> list[bytes]:
    criterion, known, found, held = column.criterion, column.known, column.found, column.held
    if held is not None:
        texts = _held_texts(column)
    else:
        texts = [None] * len(known)
    for i in nones(texts):
        texts[i] = _cell(criterion, known[i], found[i] if known[i].__class__ is not CriterionResult else None
                         ).encode("utf-8")
    return texts  # type: ignore[return-value]


def _held_texts(column: BlockColumn) -> list[bytes | None]:
    """The texts (UTF-8) of a column's units whose value is shared by its code and whose place
    a locator formats, without a 备注; None for every other unit."""
    held, numbers, codes = column.held, column.numbers, column.codes
    prefixes = _SHARED.by_code(column)  # a code's shared text (the same for every unit of it)
    if len(held.table_places) == 1:  # type: ignore[union-attr]  # every value read from one place (file, column)
        places = [0]
    else:
        places = list(map(held.places.__getitem__, numbers))  # type: ignore[union-attr,arg-type]
    around = _around(*held.table_places[places[0]]) if len(set(places)) == 1 else None  # type: ignore[union-attr]
    texts: list[bytes | None]
    if around is None:  # places of more than one locator (or of one that cannot say it so)
        texts = []
        for code, number in zip(codes, numbers, strict=True):  # type: ignore[arg-type]
            prefix, parts = prefixes.get(code), _around(*held.table_places[held.places[number]])  # type: ignore[union-attr]
            texts.append(None if prefix is None or parts is None else
                         f"{prefix}{parts[0]}{held.rows[number]}{parts[1]}".encode())  # type: ignore[union-attr]
    else:
        before, after = around
        heads = {code: (prefix + before).encode("utf-8") for code, prefix in prefixes.items()}
        # the rows' digits: joined as text, encoded once and split again (each in C)
        digits = " ".join(map(str, map(held.rows.__getitem__, numbers))).encode().split(b" ")  # type: ignore[union-attr,arg-type]
        texts = list(map(add, map(add, map(heads.get, codes, repeat(b"")), digits), repeat(after.encode("utf-8"))))  # type: ignore[arg-type]
        if len(heads) < len(set(codes)):  # type: ignore[arg-type]  # a value not given, or a cell that cannot be a key
            for i, code in enumerate(codes):  # type: ignore[arg-type]
                if code not in heads:
                    texts[i] = None
    for i in column.apart():
        texts[i] = None
    return texts


def _around(locate: object, col: int) -> tuple[str, str] | None:
    """What `_cell` writes after the shared text of a value read at `col`, before and after its
    row's digits: where it was read and its empty 备注. None for a locator that cannot say it so."""
    around_row = getattr(locate, "around_row", None)
    if around_row is None:
        return None
    before, after = around_row(col)
    return _place_prefix(locate, locate.suffix)[0] + before, after + '", "note": ""}]}'


_EMPTY = '""'


def _one(c: CriterionResult) -> str:
    return _given(c) if c.sources.__class__ is Value else encoded(_criterion(c))


def _criterion(c: CriterionResult) -> dict[str, Any]:
    return {
        "id": c.criterion.id,
        "period": c.period,
        "points": num(c.points),
        "explanation": explanation(c),
        "inputs": [_input(i) for i in c.inputs],
    }


_OPEN_SOURCE = 'null, "note": null}]}'


def _given(c: CriterionResult) -> str:
    """A criterion of one value read from the evidence, as JSON text: what _criterion writes,
    with what is the same for every unit of the same outcome (its points, explanation and value)
    encoded once; only where the value was read and its 备注 are written per unit."""
    source: Value = c.sources  # type: ignore[assignment]
    value, raw = source.value, source.raw
    key = (id(c.steps), c.points, c.criterion.id, c.period, value.__class__, value, raw.__class__, raw)
    try:
        known = _GIVEN.get(key)
    except TypeError:  # a value that cannot be a key (a list of item ids)
        return encoded(_criterion(c))
    if known is None or known[0] is not c.steps:
        known = (c.steps, _given_text(c))
        if len(_GIVEN) >= 100_000:
            _GIVEN.clear()
        _GIVEN[key] = known  # the steps are kept with it, so that their id is not reused while cached
    note = encoded(source.note) if source.note else '""'
    return f'{known[1]}{_place(source)}, "note": {note}}}]}}'


_GIVEN: dict[tuple[object, ...], tuple[Any, ...]] = {}


def _given_text(c: CriterionResult) -> str:
    """The JSON text of a criterion of one given value up to where the value was read."""
    source: Value = c.sources  # type: ignore[assignment]
    text = encoded({"id": c.criterion.id, "period": c.period, "points": num(c.points), "explanation": explanation(c),
                    "inputs": [{"id": c.criterion.inputs()[0].id, "value": _value(source.value),
                                "raw": _value(source.raw), "status": "given", "source": None, "note": None}]})
    assert text.endswith(_OPEN_SOURCE)
    return text[:-len(_OPEN_SOURCE)]


_SHARED = SharedByOutcome(_given_text)


def _place(source: Value) -> str:
    """Where the value was read, as JSON text: a locator that writes its places as one prefix and
    a suffix of digits and letters has its prefix encoded once."""
    locate = source.locate
    if locate is None:
        return "null"
    suffix = getattr(locate, "suffix", None)
    if suffix is None:
        return encoded(str(locate(source.row, source.col)))
    return f'{_place_prefix(locate, suffix)[0]}{suffix(source.row, source.col)}"'


def _place_prefix(locate: object, suffix: Callable[[int, int], str]) -> tuple[str, Callable[[int, int], str]]:
    """A locator of prefix and suffix: (its prefix's JSON text without the closing quote, its
    suffix), made once (see _PLACES)."""
    place = _PLACES.get(locate)
    if place is None:
        place = (encoded(locate.prefix)[:-1], suffix)  # type: ignore[attr-defined]
        if len(_PLACES) < 10_000:
            _PLACES[locate] = place
    return place


_PLACES: dict[object, tuple[str, Callable[[int, int], str]]] = {}
"""A locator of prefix and suffix -> (its prefix's JSON text without the closing quote, its
suffix): the locator is held, so that it stays the key it was."""


def _input(i: InputResult) -> dict[str, Any]:
    where = i.location
    return {"id": i.id, "value": _value(i.value), "raw": _value(i.raw), "status": i.status,
            "source": str(where) if where is not None else None, "note": i.note}


def num(value: Exact) -> str:
    """Exact values travel as strings so that no reader turns them into binary floats: "93" (not
    "93.00"), "-2.5", and "28/3" for a value with no finite decimal form."""
    return exact_text(value)


def _value(value: object) -> object:
    if isinstance(value, (Decimal, Rational)):
        return num(value)
    if isinstance(value, float):
        return repr(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if value is NOT_APPLICABLE:
        return "不适用"
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, Event):
        return {"attributes": value.attributes, "value": _value(value.value),
                "source": str(value.location) if value.location else None}
    return str(value)


def dumps(document: dict[str, Any], digest: bool = False) -> str:
    chunks: list[str] = []
    write_json(document, chunks.append, digest)
    return "".join(chunks)


def write_json_file(document: dict[str, Any], handle: Any, digest: bool = False) -> None:
    """write_json to a file opened in binary mode, each piece encoded to UTF-8 once. The pieces
    are joined into chunks of about FILE_CHUNK bytes, which a second thread hashes and writes
    (sheetxml.write_behind) while the next are made: hashing and writing a chunk let go of the
    GIL, so on two processors they take no time of their own."""
    from kaohe.report.sheetxml import write_behind

    hasher = hashlib.sha256()

    def put(chunk: bytes) -> None:
        if digest:
            hasher.update(chunk)
        handle.write(chunk)

    write_behind(put, _chunks(_pieces(document, digest)))
    if digest:
        handle.write(_digest_line(hasher).encode("utf-8"))


FILE_CHUNK = 1 << 20
"""Bytes of JSON handed to the writing thread at a time."""


def _chunks(pieces: Iterator[str | bytes]) -> Iterator[bytes]:
    """The pieces in UTF-8, joined into chunks of at least FILE_CHUNK bytes (the last smaller)."""
    held: list[bytes] = []
    size = 0
    for piece in pieces:
        data = piece.encode("utf-8") if piece.__class__ is str else piece
        held.append(data)  # type: ignore[arg-type]
        size += len(data)
        if size >= FILE_CHUNK:
            yield b"".join(held)
            held.clear()
            size = 0
    if held:
        yield b"".join(held)


def write_json(document: dict[str, Any], write: Callable[[Any], object], digest: bool = False) -> None:
    """Write `document` in pieces: its fields one per line, and each element of a list of
    records (units, criteria of a ranking, changes) on its own line. A list given as a generator
    is written as it is produced, so a large result is never held whole as text or dicts.
    Compact pieces use the C encoder (an `indent` would force the pure-Python one). An element
    that is bytes is a record's JSON text in UTF-8 already (see _units): `write` is given it as
    text.

    With `digest` (results and rankings), a last field `content_sha256` holds the SHA-256 of the
    UTF-8 bytes written before its line, so that a reader going a line at a time can tell a file
    changed after it was written (see kaohe.evidence.results and docs/results-json.md)."""
    hasher = hashlib.sha256()
    for piece in _pieces(document, digest):
        if piece.__class__ is bytes:  # a record's JSON in UTF-8: hashed as it is
            if digest:
                hasher.update(piece)  # type: ignore[arg-type]
            write(piece.decode("utf-8"))  # type: ignore[union-attr]
        else:
            if digest:
                hasher.update(piece.encode("utf-8"))  # type: ignore[union-attr]
            write(piece)
    if digest:
        write(_digest_line(hasher))


def _pieces(document: dict[str, Any], digest: bool) -> Iterator[str | bytes]:
    """The document's JSON in pieces (text, or a record's JSON in UTF-8), up to the digest's
    line where there is one (see write_json)."""
    encode = encoded  # input (a file's or unit's name) must not act on a terminal
    yield "{"
    first = True
    for key, value in document.items():
        yield ("\n" if first else ",\n") + f"  {encode(key)}: "
        first = False
        if isinstance(value, Iterator) or (isinstance(value, list) and value and isinstance(value[0], dict)):
            yield "["
            empty = True
            for element in value:  # bytes: a record's JSON text in UTF-8 (see _units)
                separator = "\n    " if empty else ",\n    "
                yield separator.encode("utf-8") + element if element.__class__ is bytes else separator + encode(element)
                empty = False
            yield "]" if empty else "\n  ]"
        else:
            yield encode(value)
    if digest:
        yield ",\n" if not first else "\n"
        return
    yield "\n}\n"


def _digest_line(hasher: Any) -> str:
    """The last line of a file with a digest: its field, and the document's end."""
    return f"  {encoded(DIGEST_KEY)}: {encoded(hasher.hexdigest())}\n}}\n"


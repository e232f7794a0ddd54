"""Results as a JSON document (format `kaohe-results`, version 1; see docs/results-json.md)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from decimal import Decimal
from operator import attrgetter, itemgetter
from typing import Any, Callable, Iterator, Mapping, Sequence

from pydantic import BaseModel

from kaohe import __version__
from kaohe.engine import CriteriaView, CriterionResult, InputResult, NodeMap, NodeResult, Results, SharedByOutcome
from kaohe.errors import json_escaped
from kaohe.evidence import Value
from kaohe.evidence.results import DIGEST_KEY
from kaohe.numbers import Exact, Rational, exact_text
from kaohe.outcomes import RankedRow
from kaohe.report.text import explanation
from kaohe.rules.base import NOT_APPLICABLE, Event
from kaohe.scheme.load import LoadedScheme

FORMAT_VERSION = 1


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
        "units": (_unit(row) for row in rows),  # made one at a time as the document is written
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


class Encoded(str):
    """JSON text as write_json writes a value (compact, escaped): written as it is."""


_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def encoded(value: object) -> str:
    """`value` as JSON text, with what a terminal must not be handed raw escaped (see json_escaped)."""
    return json_escaped(_encode(value))


def _unit(row: RankedRow) -> Encoded:
    """A unit's record as JSON text: its sections', items' and criteria's texts (see _points and
    _criteria) spliced after the rest, encoded as a whole."""
    r = row.result
    text = encoded({
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
    })
    return Encoded(f'{text[:-1]}, "sections": {_points(r.sections)}, "items": {_points(r.items)}, '
                   f'"criteria": [{_criteria(r.criteria)}]}}')


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
    parts = []
    shared = _SHARED.get
    for criterion, known, found in criteria.cells():
        if found is None:
            parts.append(_one(known))  # type: ignore[arg-type]
            continue
        text = shared(criterion, known, found)
        if text is None:
            parts.append(_one(CriterionResult(criterion, found, known[0], known[1])))  # type: ignore[index]
            continue
        note = found.note
        place = _PLACES.get(found.locate)  # a locator of prefix and suffix: _place without its call
        if place is None:
            parts.append(f'{text}{_place(found)}, "note": {encoded(note) if note else _EMPTY}}}]}}')
        else:
            parts.append(f'{text}{place[0]}{place[1](found.row, found.col)}", "note": '
                         f'{encoded(note) if note else _EMPTY}}}]}}')
    return ", ".join(parts)


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
    place = _PLACES.get(locate)
    if place is None:
        place = (encoded(locate.prefix)[:-1], suffix)  # type: ignore[attr-defined]
        if len(_PLACES) < 10_000:
            _PLACES[locate] = place
    return f'{place[0]}{suffix(source.row, source.col)}"'


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


def write_json(document: dict[str, Any], write: Callable[[str], object], digest: bool = False) -> None:
    """Write `document` in pieces: its fields one per line, and each element of a list of
    records (units, criteria of a ranking, changes) on its own line. A list given as a generator
    is written as it is produced, so a large result is never held whole as text or dicts.
    Compact pieces use the C encoder (an `indent` would force the pure-Python one).

    With `digest` (results and rankings), a last field `content_sha256` holds the SHA-256 of the
    UTF-8 bytes written before its line, so that a reader going a line at a time can tell a file
    changed after it was written (see kaohe.evidence.results and docs/results-json.md)."""
    def encode(value: object) -> str:  # input (a file's or unit's name) must not act on a terminal
        return value if isinstance(value, Encoded) else encoded(value)

    hasher = hashlib.sha256()
    plain, write = write, _hashing(write, hasher) if digest else write
    write("{")
    first = True
    for key, value in document.items():
        write(("\n" if first else ",\n") + f"  {encode(key)}: ")
        first = False
        if isinstance(value, Iterator) or (isinstance(value, list) and value and isinstance(value[0], dict)):
            write("[")
            empty = True
            for element in value:
                write(("\n" if empty else ",\n") + "    " + encode(element))
                empty = False
            write("]" if empty else "\n  ]")
        else:
            write(encode(value))
    if digest:
        write(",\n" if not first else "\n")
        plain(f"  {encode(DIGEST_KEY)}: {encode(hasher.hexdigest())}\n}}\n")
        return
    write("\n}\n")


def _hashing(write: Callable[[str], object], hasher: Any) -> Callable[[str], object]:
    def hashed(piece: str) -> object:
        hasher.update(piece.encode("utf-8"))
        return write(piece)

    return hashed

"""Results as a JSON document (format `kaohe-results`, version 1; see docs/results-json.md)."""

from __future__ import annotations

import datetime as _dt
import json
from decimal import Decimal
from typing import Any

from kaohe import __version__
from kaohe.engine import Results
from kaohe.outcomes import RankedRow
from kaohe.report.text import explanation
from kaohe.rules.base import Event
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
            "ranking": scheme.ranking.model_dump(mode="json"),
            "outcomes": scheme.outcomes.model_dump(mode="json", exclude_defaults=True),
        },
        "evidence": [{"file": f, "sha256": digest} for f, digest in files],
        "sections": [
            {"id": s.id, "title": s.title, "kind": s.kind, "counted": s.counted,
             "points": num(s.points) if s.points is not None else None} for s in scheme.sections
        ],
        "units": [_unit(row) for row in rows],
        "missing": [{"unit": m.unit, "id": m.input_id, "period": m.period} for m in results.missing],
    }
    if timestamp:
        document["generated"] = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
    return document


def _unit(row: RankedRow) -> dict[str, Any]:
    r = row.result
    return {
        "rank": row.rank,
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
        "periods": {name: num(p.total) for name, p in r.periods},
        "sections": {k: num(v.points) for k, v in r.sections.items()},
        "items": {k: num(v.points) for k, v in r.items.items()},
        "criteria": [
            {
                "id": c.criterion.id,
                "period": c.period,
                "points": num(c.points),
                "explanation": explanation(c),
                "inputs": [
                    {"id": i.id, "value": _value(i.value), "raw": _value(i.raw), "status": i.status,
                     "source": str(i.location) if i.location else None, "note": i.note}
                    for i in c.inputs
                ],
            }
            for c in r.criteria
        ],
    }


def num(value: Decimal) -> str:
    """Decimals travel as strings so that no reader turns them into binary floats ("93", not "93.00")."""
    return format(value.normalize(), "f") if value else "0"


def _value(value: object) -> object:
    if isinstance(value, Decimal):
        return num(value)
    if isinstance(value, float):
        return repr(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, Event):
        return {"attributes": value.attributes, "value": _value(value.value),
                "source": str(value.location) if value.location else None}
    return str(value)


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

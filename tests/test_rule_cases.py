"""Rule kinds tested from data: tests/rule_cases/<kind>.yaml, each case worked out by hand.

A case gives a criterion (as a scheme would write it), the raw evidence values a user would
type, and the expected points (`expect`), the unit's expected total (`total`, for cases about how
nodes add up: groups, 缺项) or the message key of the expected refusal (`error`). Its `why` holds the working. An events or panel input takes a list of rows, each a
mapping of attribute columns plus `值` (the row's value; omitted for one event).

The criterion is scored inside a small scheme of one section and one item: `scheme:` (in the file,
for all its cases, and in a case) adds scheme keys such as `rates`, `inputs`, `values`, `flags` or
`units`; `others:` gives other units' values (unit → values) for rules that score a unit against
the others. The unit under test is 单位.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kaohe.engine import score
from kaohe.errors import Location
from kaohe.evidence import Evidence, accept_entry, input_index
from kaohe.evidence.layout import Entry
from kaohe.numbers import parse_exact
from kaohe.rules import REGISTRY
from kaohe.scheme.models import Scheme
from kaohe.scheme.names import catalogue
from kaohe.scheme.yamlload import load_yaml

CASES = Path(__file__).parent / "rule_cases"
UNIT = "单位"


def _cases() -> list[pytest.param]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
        shared = data.get("scheme") or {}
        for case in data["cases"]:
            params.append(pytest.param({**case, "scheme": {**shared, **(case.get("scheme") or {})}},
                                       id=f"{path.stem}:{case['name']}"))
    return params


def scheme_around(case: dict[str, Any]) -> Scheme:
    """A one-section, one-item scheme holding the case's criterion and its scheme keys."""
    criterion = case["criterion"]
    extra = dict(case.get("scheme") or {})
    units = extra.pop("units", None) or [{"name": UNIT}] + [{"name": u} for u in case.get("others") or {}]
    item_id = str(criterion["id"]).rsplit(".", 1)[0] if "." in str(criterion["id"]) else "1.1"
    points = criterion.get("points") or Decimal(1000)
    return Scheme.model_validate({
        "id": "case", "title": "case", "full_score": points, "units": units,
        "sections": [{"id": "1", "title": "case", "points": points,
                      "items": [{"id": item_id, "title": "case", "criteria": [criterion]}]}],
        **extra,
    })


def evidence_for(scheme: Scheme, by_unit: dict[str, dict[str, Any]]) -> Evidence:
    index = input_index(scheme)
    evidence = Evidence()
    here = Location("case")
    known = dict.fromkeys(scheme.unit_names())
    for unit, values in by_unit.items():
        for input_id, raw in (values or {}).items():
            rows = raw if isinstance(raw, list) else [{"值": raw}]
            for row in rows:
                attributes = {k: str(v) for k, v in row.items() if k != "值"}
                entry = Entry.at(unit, here, str(input_id), row.get("值"), "", attributes)
                if entry.input_id not in index:
                    raise AssertionError(f"unknown input {input_id}")
                accept_entry(evidence, entry, index, known)
    return evidence


def test_every_rule_kind_has_cases() -> None:
    assert {p.stem for p in CASES.glob("*.yaml")} >= set(REGISTRY)


@pytest.mark.parametrize("case", _cases())
def test_rule_case(case: dict) -> None:
    assert case.get("why"), "every case states its working"
    scheme = scheme_around(case)
    assert [(f.key, f.params) for f in catalogue(scheme).errors] == []
    evidence = evidence_for(scheme, {UNIT: case.get("values") or {}, **(case.get("others") or {})})
    if "error" in case and evidence.problems:
        assert [p.code for p in evidence.problems][:1] == [case["error"]]
        return
    assert [str(p) for p in evidence.problems] == []
    results = score(scheme, evidence)
    if "error" in case:
        assert [p.code for p in results.problems][:1] == [case["error"]]
        return
    assert [str(p) for p in results.problems] == []
    unit = next(u for u in results.units if u.unit == UNIT)
    if "expect" in case:
        result = next(c for c in unit.criteria if c.criterion.id == str(case["criterion"]["id"]))
        assert result.points == _exact(case["expect"]), [(s.key, s.params) for s in result.steps]
    if "total" in case:  # a case about how nodes add up (groups, 缺项): the unit's total
        assert unit.total == _exact(case["total"]), [(k, v.points) for k, v in unit.items.items()]
    assert "expect" in case or "total" in case


def _exact(value: object) -> object:
    return parse_exact(value) if isinstance(value, str) else value  # "10/3"

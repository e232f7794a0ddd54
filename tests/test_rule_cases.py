"""Rule kinds tested from data: tests/rule_cases/<kind>.yaml, each case worked out by hand.

A case gives a criterion (as a scheme would write it), the raw evidence values a user would
type, and either the expected points (`expect`) or the message key of the expected refusal
(`error`). Its `why` holds the working. An events or panel input takes a list of rows, each a
mapping of attribute columns plus `值` (the row's value; omitted for one event).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kaohe.engine import score_criterion
from kaohe.errors import Location
from kaohe.evidence import Evidence, accept_entry
from kaohe.evidence.layout import Entry
from kaohe.rules import REGISTRY
from kaohe.scheme.models import Criterion, Scheme
from kaohe.scheme.yamlload import load_yaml

CASES = Path(__file__).parent / "rule_cases"
SCHEME = Scheme.model_validate({
    "id": "t", "title": "t", "year": Decimal(2020), "full_score": Decimal(1),
    "sections": [{"id": "1", "title": "t", "points": Decimal(1), "items": [
        {"id": "1.1", "title": "t", "points": Decimal(1), "criteria": [
            {"id": "1.1.1", "text": "t", "points": Decimal(1), "rule": {"kind": "met"}}]}]}],
})


def _cases() -> list[pytest.param]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
        for case in data["cases"]:
            params.append(pytest.param(case, id=f"{path.stem}:{case['name']}"))
    return params


def test_every_rule_kind_has_cases() -> None:
    assert {p.stem for p in CASES.glob("*.yaml")} >= set(REGISTRY)


@pytest.mark.parametrize("case", _cases())
def test_rule_case(case: dict) -> None:
    assert case.get("why"), "every case states its working"
    criterion = Criterion.model_validate(case["criterion"])
    index = {spec.id: spec for spec in criterion.inputs()}
    evidence = Evidence()
    here = Location("case")
    for input_id, raw in (case.get("values") or {}).items():
        rows = raw if isinstance(raw, list) else [{"值": raw}]
        for row in rows:
            attributes = {k: str(v) for k, v in row.items() if k != "值"}
            entry = Entry.at("单位", here, input_id, row.get("值"), "", attributes)
            accept_entry(evidence, entry, index, {})
    if "error" in case:
        assert [p.code for p in evidence.problems][:1] == [case["error"]]
        return
    assert [str(p) for p in evidence.problems] == []
    result = score_criterion(criterion, "单位", evidence, SCHEME)
    assert result.points == case["expect"], [s.key for s in result.steps]

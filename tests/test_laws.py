"""Laws that hold for every bundled scheme and any valid evidence (hypothesis)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SCHEMES
from kaohe.engine import score
from kaohe.errors import Location
from kaohe.evidence import Evidence, Value
from kaohe.outcomes import rank_results
from kaohe.rules.base import Event, ValueType
from kaohe.rules.events import Compare
from kaohe.scheme.load import load_scheme
from kaohe.scheme.names import declared_specs

LOADED = {p.stem: load_scheme(p) for p in sorted(SCHEMES.glob("*.yaml"))}
HERE = Location("law")
LAWS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])


def _event_rows(rule, draw) -> list[Event]:  # type: ignore[no-untyped-def]
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        if rule.kind == "panel":
            group = {rule.group: draw(st.sampled_from(sorted(rule.weights)))} if rule.weights else {}
            high = Decimal(1) if rule.scale == "rate" else rule.scale
            rows.append(Event(group, draw(st.decimals(min_value=0, max_value=high, places=2)), HERE))
            continue
        row = draw(st.sampled_from(rule.table))
        attributes: dict[str, str] = {}
        for name, wanted in row.when.items():
            if isinstance(wanted, Compare):
                low = wanted.ge if wanted.ge is not None else (wanted.gt + 1 if wanted.gt is not None else Decimal(0))
                attributes[name] = str(low)
            else:
                attributes[name] = wanted
        if row.points_from is not None:
            attributes[row.points_from] = str(draw(st.decimals(min_value=row.min, max_value=row.max, places=1)))
        if rule.best_of is not None:
            attributes.setdefault(rule.best_of, draw(st.sampled_from(["甲", "乙"])))
        if _first_match(rule, attributes) is not row:
            continue  # an earlier table row catches these attributes; keep the case simple
        rows.append(Event(attributes, draw(st.integers(min_value=1, max_value=3)), HERE))
    return rows


def _first_match(rule, attributes):  # type: ignore[no-untyped-def]
    from kaohe.rules.events import matches

    return next((r for r in rule.table if matches(r.when, attributes)), None)


def _value(criterion, spec, draw):  # type: ignore[no-untyped-def]
    if spec.type is ValueType.EVENTS:
        return _event_rows(criterion.rule, draw)
    if spec.type is ValueType.BOOL:
        return draw(st.booleans())
    if spec.type is ValueType.COUNT:
        return draw(st.integers(min_value=0, max_value=40))
    if spec.type is ValueType.LEVEL:
        return draw(st.sampled_from(spec.choices))
    if spec.type is ValueType.RATE:
        return draw(st.decimals(min_value=0, max_value=1, places=3))
    if spec.type is ValueType.POINTS:
        values = st.decimals(min_value=spec.minimum or 0, max_value=spec.maximum, places=1)
        return draw(st.just(Decimal(0)) | values if spec.zero_ok else values)
    return draw(st.decimals(min_value=0, max_value=100, places=1))


def _evidence(loaded, draw) -> Evidence:  # type: ignore[no-untyped-def]
    """Random values for every input the evidence gives: criteria's own and the declared ones."""
    evidence = Evidence()
    scheme = loaded.scheme
    declared = [spec for decl in scheme.inputs if decl.per_unit is None for spec in declared_specs(decl, scheme.rates)]
    for unit in scheme.unit_names()[:4]:
        for criterion, spec in scheme.criterion_inputs():
            evidence.values[(unit, spec.id)] = Value.at(_value(criterion, spec, draw), None, HERE)
        for spec in declared:  # a figure of 0 may be a divisor: the run then reports it, the laws still hold
            evidence.values[(unit, spec.id)] = Value.at(_value(None, spec, draw), None, HERE)
    return evidence


def _may_go_negative(criterion) -> bool:  # type: ignore[no-untyped-def]
    """"可出现负分": a deduct rule without a floor, or a formula without a minimum."""
    rule = criterion.rule
    return (rule.kind == "deduct" and rule.floor is None) or (rule.kind == "formula" and rule.min is None)


@pytest.mark.parametrize("name", sorted(LOADED))
@LAWS
@given(data=st.data())
def test_scores_stay_within_bounds_and_totals_add_up(name: str, data) -> None:  # type: ignore[no-untyped-def]
    loaded = LOADED[name]
    scheme = loaded.scheme
    results = score(scheme, _evidence(loaded, data.draw))
    for unit in results.units[:4]:
        for c in unit.criteria:
            assert c.points >= 0 or _may_go_negative(c.criterion), c.criterion.id
            if c.criterion.points is not None:
                assert c.points <= c.criterion.points, c.criterion.id
        for section in scheme.sections:
            for item in section.all_items():
                node = unit.items.get(item.id)
                if node is not None and item.limit is not None:
                    assert (0 <= node.points - node.bonus or item.negative) and node.points - node.bonus <= item.limit
            node = unit.sections.get(section.id)
            if node is not None and section.limit is not None:
                assert (0 <= node.points - node.bonus or section.negative) and node.points - node.bonus <= section.limit
        # The total is its parts: base + bonus − deductions, each the sum of its counted sections;
        # 加分 inside a base section counts as bonus, not base.
        assert unit.total == unit.base + unit.bonus - unit.deduction
        counted = [s for s in scheme.sections if s.counted and s.id in unit.sections]
        assert unit.deduction == sum((unit.sections[s.id].points for s in counted if s.kind == "deduction"), Decimal(0))
        if not any(s.weight for s in scheme.sections) and scheme.normalise_to is None:
            inside = sum((unit.sections[s.id].bonus for s in counted if s.kind == "base"), Decimal(0))
            assert unit.bonus == inside + sum((unit.sections[s.id].points for s in counted if s.kind == "bonus"),
                                              Decimal(0))
            assert unit.base == sum((unit.sections[s.id].points - unit.sections[s.id].bonus for s in counted
                                     if s.kind == "base"), Decimal(0))


@pytest.mark.parametrize("name", ["changzhou-2018", "xuzhou-stats-2017", "shaoxing-2022"])
@LAWS
@given(data=st.data())
def test_ranking_is_a_permutation_with_ties_exactly_where_totals_are_equal(name: str, data) -> None:  # type: ignore[no-untyped-def]
    loaded = LOADED[name]
    results = score(loaded.scheme, _evidence(loaded, data.draw))
    rows = rank_results(loaded.scheme, results)
    assert sorted(r.result.unit for r in rows) == sorted(u.unit for u in results.units)
    for a in rows:
        for b in rows:
            assert (a.rank == b.rank) == (a.result.total == b.result.total)


@pytest.mark.parametrize("name", ["changzhou-2018", "xiangdong-publicity"])
@LAWS
@given(data=st.data())
def test_written_results_read_back_to_the_same_numbers(name: str, tmp_path: Path, data) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    from kaohe.commands.rank import standings_from
    from kaohe.commands.score import write_results
    from kaohe.report.jsonout import dumps, results_document

    loaded = LOADED[name]
    evidence = _evidence(loaded, data.draw)
    results = score(loaded.scheme, evidence)
    rows = rank_results(loaded.scheme, results)
    document = json.loads(dumps(results_document(loaded, [], rows, results)))
    back = {s.unit: s.total for s in standings_from(document, tmp_path / "r.json")}
    assert back == {r.result.unit: r.result.total for r in rows}
    out = tmp_path / "r.xlsx"
    write_results(out, loaded, evidence, rows, results, [])
    sheet = load_workbook(out)["排名"]
    table = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(table) if row[0] == "名次")  # below the title rows
    totals = {row[1]: row[-1] for row in table[header + 1:]}
    assert {u: Decimal(repr(v)) if isinstance(v, float) else Decimal(v) for u, v in totals.items()} == back

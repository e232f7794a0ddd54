"""Laws that hold for any input: ranks, bounds on scores, exact numbers."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SCHEMES
from kaohe.engine import score
from kaohe.errors import Location
from kaohe.evidence import Evidence, Value
from kaohe.numbers import from_float, round_half_up
from kaohe.outcomes import ranks
from kaohe.rules.base import ValueType
from kaohe.scheme.load import load_scheme

SCHEME = load_scheme(SCHEMES / "changzhou-2018.yaml").scheme
decimals = st.decimals(min_value=0, max_value=200, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(decimals, min_size=1, max_size=30))
def test_rank_eq_counts_the_totals_strictly_above(totals: list[Decimal]) -> None:
    for total, rank in zip(totals, ranks(totals, "rank_eq"), strict=True):
        assert rank == 1 + sum(1 for other in totals if other > total)


@given(st.lists(decimals, min_size=1, max_size=30))
def test_dense_rank_counts_the_distinct_totals_above(totals: list[Decimal]) -> None:
    for total, rank in zip(totals, ranks(totals, "dense"), strict=True):
        assert rank == 1 + len({other for other in totals if other > total})


@given(st.lists(st.tuples(st.sampled_from([Decimal(1), Decimal("1.0"), Decimal(2)]), decimals), min_size=1, max_size=30),
       st.sampled_from(["rank_eq", "dense"]))
def test_the_ranking_order_is_highest_first_and_equal_keys_keep_their_order(keys: list[tuple[Decimal, Decimal]],
                                                                         method: str) -> None:
    # A reversed sort is stable in Python: equal keys (1 and 1.0 too) keep the order they came in.
    from kaohe.outcomes import _placed

    places, order = _placed(keys, method)  # type: ignore[arg-type]
    assert order == sorted(range(len(keys)), key=keys.__getitem__, reverse=True)
    assert places == ranks(keys, method)  # type: ignore[arg-type]


def test_ties_are_exact() -> None:
    assert ranks([Decimal("0.1") + Decimal("0.2"), Decimal("0.3")]) == [1, 1]


def _value(spec, draw):  # type: ignore[no-untyped-def]
    if spec.type is ValueType.BOOL:
        return draw(st.booleans())
    if spec.type is ValueType.COUNT:
        return draw(st.integers(min_value=0, max_value=50))
    if spec.type is ValueType.LEVEL:
        return draw(st.sampled_from(spec.choices))
    if spec.type is ValueType.RATE:
        return draw(st.decimals(min_value=0, max_value=1, places=3))
    if spec.type is ValueType.POINTS:
        return draw(st.decimals(min_value=spec.minimum, max_value=spec.maximum, places=1))
    return draw(st.decimals(min_value=0, max_value=100, places=1))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_score_stays_within_its_bounds(data) -> None:  # type: ignore[no-untyped-def]
    evidence = Evidence()
    for _criterion, spec in SCHEME.criterion_inputs():
        evidence.values[("溧阳市", spec.id)] = Value.at(_value(spec, data.draw), None, Location("p"))
    [unit] = [u for u in score(SCHEME, evidence).units if u.unit == "溧阳市"]
    for section in SCHEME.sections:
        assert Decimal(0) <= unit.sections[section.id].points <= section.limit
        for item in section.items:
            assert Decimal(0) <= unit.items[item.id].points <= item.limit
    for result in unit.criteria:
        if result.criterion.points is not None:
            assert Decimal(0) <= result.points <= result.criterion.points
    assert unit.total == unit.base + unit.bonus <= Decimal(120)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_floats_are_read_through_their_shortest_text(x: float) -> None:
    value = from_float(x)
    assert value is not None and float(value) == x
    assert value == Decimal(repr(x))  # never Decimal(x), which would carry the binary error


def test_half_up_rounding() -> None:
    # 四舍五入: halves go away from zero, on exact decimals.
    assert round_half_up(Decimal("2.675"), 2) == Decimal("2.68")
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert round_half_up(Decimal("-0.125"), 2) == Decimal("-0.13")
    assert round_half_up(Decimal("2.665"), 2) == Decimal("2.67")
    assert from_float(float("nan")) is None and from_float(float("inf")) is None

"""Units are scored a criterion at a time over all of them (`engine._score_columns`): each rule
runs once per distinct value, each item, section and total is added up once per distinct tuple of
what it adds up, and what is left per unit is looking those up. `engine.score_unit` scores one unit
at a time, the way every scheme was scored before. Both must give the same results: the same
points (equal values), the same steps, sources, nodes, flags, missing values and problems, in the
same order. These tests score every bundled example both ways, and generated evidence made from
the examples' own values (moved between units, dropped, or written with more places)."""

from __future__ import annotations

import random
import tempfile
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kaohe.engine as engine
from conftest import EXAMPLES, SCHEMES
from kaohe.evidence import Evidence, Value, ValueTable, read_evidence
from kaohe.numbers import EXACT, div
from kaohe.scheme.load import load_scheme
from kaohe.values import Computed


def _source(source: object) -> object:
    if isinstance(source, Value):
        return ("value", source.value, source.raw, str(source.location) if source.locate is not None else None,
                source.note)
    if isinstance(source, Computed):
        return ("computed", source.name, source.value, source.kind, source.shown, source.status, source.missing,
                [(name, _source(operand)) for name, operand in source.operands])
    if isinstance(source, tuple):
        return tuple(_source(s) for s in source)
    return repr(source)


def _unit(u: engine.UnitResult) -> tuple[object, ...]:
    return (
        u.unit, u.total, u.base, u.bonus, u.deduction, u.category, u.vetoed, u.falsified, u.unmet, u.undecided,
        [(flag, _source(source)) for flag, source in u.flag_sources], u.earned, u.applicable, u.conditions,
        [(key, tuple(node)) for key, node in u.items.items()],
        [(key, tuple(node)) for key, node in u.sections.items()],
        [(c.criterion.id, _source(c.sources), c.points, c.steps, c.period, c.applicable, c.missing)
         for c in u.criteria],
        [(name, _unit(period)) for name, period in u.periods],
    )


def _snapshot(results: engine.Results) -> dict[str, object]:
    return {
        "units": [_unit(u) for u in results.units],
        "missing": list(results.missing),
        "problems": [(str(p.location), p.message, p.severity, p.code) for p in results.problems],
    }


def _both(monkeypatch: pytest.MonkeyPatch, scheme_path: Path, evidence: Evidence | list[Path]) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """(by columns, unit by unit), each on a scheme loaded afresh (the memos live on the scheme)."""
    def scored() -> dict[str, object]:
        scheme = load_scheme(scheme_path).scheme
        found = read_evidence(list(evidence), scheme) if isinstance(evidence, list) else evidence
        return _snapshot(engine.score(scheme, found))

    by_columns = scored()
    with monkeypatch.context() as patched:
        patched.setattr(engine, "_by_columns", lambda scheme: False)
        by_unit = scored()
    return by_columns, by_unit


def _examples() -> list[tuple[Path, Path]]:
    pairs = []
    for scheme_path in sorted(SCHEMES.glob("*.yaml")):
        folder = EXAMPLES / load_scheme(scheme_path).scheme.id
        pairs += [(scheme_path, e) for e in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.xlsx"))]
    return pairs


EXAMPLES_EVIDENCE = _examples()


def test_every_bundled_scheme_is_scored_by_columns() -> None:
    # the comparisons below are worth something only if the column path is the one that runs
    for path in sorted(SCHEMES.glob("*.yaml")):
        scheme = load_scheme(path).scheme
        results = engine.score(scheme, read_evidence(sorted((EXAMPLES / scheme.id).glob("evidence*.csv"))[:1], scheme))
        assert any(isinstance(u.criteria, engine.CriteriaView) for u in results.units), path.stem
    assert len(EXAMPLES_EVIDENCE) >= 30


@pytest.mark.parametrize(("scheme_path", "evidence"), EXAMPLES_EVIDENCE,
                         ids=[f"{s.stem}/{e.name}" for s, e in EXAMPLES_EVIDENCE])
def test_every_example_scores_the_same_both_ways(monkeypatch: pytest.MonkeyPatch, scheme_path: Path,
                                                 evidence: Path) -> None:
    by_columns, by_unit = _both(monkeypatch, scheme_path, [evidence])
    assert by_columns == by_unit


def test_the_memo_limits_hold_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    # past a memo's limit a value is worked out for each unit that gives it: both ways alike
    monkeypatch.setattr(engine, "MEMO_LIMIT", 2)
    for scheme_path, evidence in EXAMPLES_EVIDENCE[::3]:
        by_columns, by_unit = _both(monkeypatch, scheme_path, [evidence])
        assert by_columns == by_unit, (scheme_path.stem, evidence.name)


def _shuffled(evidence: Evidence, scheme_path: Path, seed: int, drop: float, more_places: float) -> Evidence:
    """The evidence with each unit's values drawn from any unit's values of the same input (so
    values repeat and combine anew), some dropped, and some numbers written with more places
    (8.5 as 8.50: equal values)."""
    chosen = random.Random(seed)
    units = list(evidence.units) or load_scheme(scheme_path).scheme.unit_names()

    def table(values: object) -> ValueTable:
        by_id: dict[str, list[Value]] = {}
        for (_, input_id), value in values.items():  # type: ignore[attr-defined]
            by_id.setdefault(input_id, []).append(value)
        out = ValueTable()
        for unit in units:
            for input_id, pool in by_id.items():
                if chosen.random() < drop:
                    continue
                value = chosen.choice(pool)
                if isinstance(value.value, Decimal) and chosen.random() < more_places:
                    value = value._replace(value=value.value + Decimal("0.00"))
                out[(unit, input_id)] = value
        return out

    return Evidence(table(evidence.values), dict.fromkeys(units), evidence.files, [], {},
                    {name: Evidence(table(p.values), p.units, p.files) for name, p in evidence.periods.items()})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example=st.sampled_from(EXAMPLES_EVIDENCE), seed=st.integers(0, 2**32), drop=st.sampled_from([0, 0.05, 0.3]),
       more_places=st.sampled_from([0, 0.5]))
def test_generated_evidence_scores_the_same_both_ways(monkeypatch: pytest.MonkeyPatch, example: tuple[Path, Path],
                                                      seed: int, drop: float, more_places: float) -> None:
    scheme_path, path = example
    evidence = _shuffled(read_evidence([path], load_scheme(scheme_path).scheme), scheme_path, seed, drop, more_places)
    by_columns, by_unit = _both(monkeypatch, scheme_path, evidence)
    assert by_columns == by_unit


# A scheme with every adding-up the engine does: categories, a capped item, deductions from full
# points with a limit, a group sharing a deduction limit, a capped group, bonuses with a cap, a
# bonus section, 不适用 with normalising, rounding at the item, a veto and a falsification flag.
WIDE = """\
id: columns
title: 列式计分
year: 2026
full_score: 20
rounding: {{stage: {stage}, places: 1}}
categories:
  - {{id: 甲类}}
  - {{id: 乙类}}
units:
{units}
flags:
  - {{id: 否决, kind: veto, text: 一票否决}}
  - {{id: 作假, kind: falsification, text: 弄虚作假的扣除该项目所有得分}}
sections:
  - id: "1"
    title: 基础
    points: 20
    items:
      - id: "1.1"
        title: 会议
        points: 4
        criteria:
          - {{id: 1.1.1, text: '每次得0.25分,最高得1分。', points: 1, rule: {{kind: per_count, per: 0.25, cap: 1}}}}
          - {{id: 1.1.2, text: 每项得1分。, points: 3, rule: {{kind: per_count, per: 1}}}}
      - id: "1.2"
        title: 资料
        points: 10
        base: full
        criteria:
          - {{id: 1.2.1, text: 台账缺1项扣1分, points: 5, effect: deduct, rule: {{kind: per_count, per: 1}}}}
          - id: 1.2.g
            title: 以下两项共扣不超过2.5分
            deduct_limit: 2.5
            criteria:
              - {{id: 1.2.2, text: 每次扣0.5分, effect: deduct, rule: {{kind: per_count, per: 0.5}}}}
              - {{id: 1.2.3, text: 每次扣0.75分, effect: deduct, rule: {{kind: per_count, per: 0.75}}}}
          - {{id: 1.2.4, text: 每次加0.5分, effect: bonus, rule: {{kind: per_count, per: 0.5}}}}
      - id: "1.3"
        title: 制度
        points: 6
        normalise: true
        criteria:
          - {{id: 1.3.1, text: 有得3分, points: 3, na: true, rule: {{kind: per_count, per: 1.5, cap: 3}}}}
          - {{id: 1.3.2, text: 每项得1分, points: 3, rule: {{kind: per_count, per: 1, cap: 3}}}}
        categories: [甲类]
  - id: "2"
    title: 加分
    kind: bonus
    points: 5
    cap: 3
    items:
      - id: "2.1"
        title: 表彰
        points: 5
        criteria:
          - {{id: 2.1.1, text: 每次加2分。, points: 5, rule: {{kind: per_count, per: 2}}}}
"""

COUNTS = st.sampled_from(["", "0", "1", "2", "3", "4", "5", "7", "12"])
"""A count as an office types it; blank is a value not given."""


@settings(max_examples=80, deadline=None)
@given(data=st.data(), stage=st.sampled_from(["criterion", "item", "section", "total"]), count=st.integers(1, 12))
def test_a_scheme_of_every_adding_up_scores_the_same_both_ways(data: st.DataObject, stage: str, count: int) -> None:
    categories = [data.draw(st.sampled_from(["甲类", "乙类"])) for _ in range(count)]
    units = "\n".join(f"  - {{name: 单位{i}, category: {c}}}" for i, c in enumerate(categories))
    header = "单位,1.1.1,1.1.2,1.2.1,1.2.2,1.2.3,1.2.4,1.3.1,1.3.2,2.1.1,否决,作假"
    rows = []
    for i, category in enumerate(categories):
        own = [data.draw(COUNTS) for _ in range(6)]
        only = ([data.draw(st.sampled_from(["", "0", "1", "2", "3", "不适用"])), data.draw(COUNTS)]
                if category == "甲类" else ["", ""])
        flags = [data.draw(st.sampled_from(["", "是", "否"])), data.draw(st.sampled_from(["", "", "1.1", "1.2"]))]
        rows.append(",".join([f"单位{i}", *own, *only, data.draw(COUNTS), *flags]))
    with tempfile.TemporaryDirectory() as folder:
        scheme_path, evidence = Path(folder) / "s.yaml", Path(folder) / "e.csv"
        scheme_path.write_text(WIDE.format(stage=stage, units=units), encoding="utf-8")
        evidence.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        assert read_evidence([evidence], load_scheme(scheme_path).scheme).errors == []
        by_columns, by_unit = _both(pytest.MonkeyPatch(), scheme_path, [evidence])
    assert by_columns == by_unit


_TERMS = st.one_of(st.sampled_from([Decimal(0), Decimal("0.00"), Decimal("-0")]),
                   st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False),
                   st.decimals(min_value=-10, max_value=10, places=0, allow_nan=False).map(lambda d: d * 1000),
                   st.fractions(max_denominator=9).map(lambda f: div(Decimal(f.numerator), Decimal(f.denominator))))
"""What a part may add: Decimals of up to three places or none (and 1E+3 …), zeros, and exact
quotients (a Rational where 1/3 has no finite form)."""


@settings(max_examples=200, deadline=None)
@given(data=st.data(), count=st.integers(1, 8))
def test_sums_held_as_scaled_integers_are_the_sums(data: st.DataObject, count: int) -> None:
    # _Sums holds a column as integers scaled by its most places so far, rescaled when a part
    # brings more, and as exact values from the first Rational on. Whatever the parts, each
    # unit's four sums must equal the plain exact sums, and two units share a key exactly when
    # their sums are equal.
    class Part:
        def __init__(self, terms: tuple[object, ...]) -> None:
            self.terms = terms

    sums = engine._Sums(count)
    plain = [[Decimal(0)] * 4 for _ in range(count)]
    with localcontext(EXACT):
        for _ in range(data.draw(st.integers(0, 5))):
            parts = data.draw(st.lists(st.tuples(*[_TERMS] * 4).map(Part), min_size=1, max_size=4))
            codes = data.draw(st.lists(st.integers(0, len(parts) - 1), min_size=count, max_size=count))
            sums.add(codes, parts)  # type: ignore[arg-type]
            for row, code in enumerate(codes):
                plain[row] = [s + t for s, t in zip(plain[row], parts[code].terms, strict=True)]  # type: ignore[operator]
        assert [list(sums.at(row)) for row in range(count)] == plain
        keys = sums.keys()
        for a in range(count):
            for b in range(count):
                assert (keys[a] == keys[b]) == (plain[a] == plain[b])


def test_units_whose_whole_number_sums_differ_have_different_keys() -> None:
    # A column added to only in whole numbers keeps scale 0: it is still part of the key (two
    # units differing only there are two sums), while a column never added to is left out.
    class Part:
        def __init__(self, *terms: Decimal) -> None:
            self.terms = terms

    sums = engine._Sums(3)
    with localcontext(EXACT):
        sums.add([0, 1, 0], [Part(Decimal(2), Decimal(0), Decimal(0), Decimal(0)),  # type: ignore[list-item]
                             Part(Decimal(3), Decimal(0), Decimal(0), Decimal(0))])
        assert sums.keys() == [2, 3, 2]
        assert [sums.at(row) for row in range(3)] == [(2, 0, 0, 0), (3, 0, 0, 0), (2, 0, 0, 0)]

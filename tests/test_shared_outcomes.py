"""Outputs that make what units of the same outcome share once (kaohe.report.jsonout._given)
must write the text the general path writes for every criterion: compared on every bundled example."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, SCHEMES
from kaohe.engine import CriteriaView, NodeMap, NodeResult, _by_columns, score
from kaohe.evidence import Value, read_evidence
from kaohe.evidence.tables import csv_locator, sheet_locator
from kaohe.outcomes import rank_results
from kaohe.report import jsonout
from kaohe.report.tables import detail_rows
from kaohe.scheme.load import load_scheme

CASES = [(scheme, evidence) for scheme in sorted(SCHEMES.glob("*.yaml"))
         for evidence in sorted((EXAMPLES / load_scheme(scheme).scheme.id).glob("evidence*"))
         if evidence.suffix in (".csv", ".xlsx")]


@pytest.mark.parametrize(("scheme_path", "evidence"), CASES, ids=[f"{s.stem}/{e.name}" for s, e in CASES])
def test_a_given_value_is_written_as_the_general_path_writes_it(scheme_path: Path, evidence: Path) -> None:
    scheme = load_scheme(scheme_path).scheme
    found = read_evidence([evidence], scheme)
    results = score(scheme, found)
    given = [c for unit in results.units for c in unit.criteria if c.sources.__class__ is Value]
    assert given, "the example has criteria of one given value"
    for c in given:
        # twice: the second time from what the first made
        assert jsonout._given(c) == jsonout.encoded(jsonout._criterion(c))
        assert jsonout._given(c) == jsonout.encoded(jsonout._criterion(c))


NAMES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(file=NAMES, sheet=NAMES, row=st.integers(1, 1_048_576), col=st.integers(0, 16_383))
def test_a_place_is_written_as_its_location_would_be(file: str, sheet: str, row: int, col: int) -> None:
    # the prefix of a file's (or sheet's) places is encoded once: the text must be the same as
    # encoding each place whole, whatever the file and sheet are called (quotes, controls, bidi)
    for locate in (csv_locator(file), sheet_locator(file, sheet)):
        value = Value(Decimal(1), "1", locate, row, col)
        assert jsonout._place(value) == jsonout.encoded(str(locate(row, col)))
        assert str(locate(row, col)) == locate.prefix + locate.suffix(row, col)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("scheme_path", "evidence"), CASES, ids=[f"{s.stem}/{e.name}" for s, e in CASES])
def test_detail_rows_from_the_columns_are_those_of_each_result(scheme_path: Path, evidence: Path) -> None:
    # the 明细 written from the columns a unit was scored in, sharing what units of the same outcome
    # share, against the rows written from each criterion's own result
    scheme = load_scheme(scheme_path).scheme
    ranked = rank_results(scheme, score(scheme, read_evidence([evidence], scheme)))
    assert any(isinstance(row.result.criteria, CriteriaView) for row in ranked) == _by_columns(scheme)
    each = [replace(row, result=replace(row.result, criteria=tuple(row.result.criteria))) for row in ranked]
    for folder in (None, str(evidence.parent), str(evidence.parent.parent)):
        assert list(detail_rows(ranked, folder)) == list(detail_rows(each, folder))


@pytest.mark.parametrize(("scheme_path", "evidence"), CASES, ids=[f"{s.stem}/{e.name}" for s, e in CASES])
def test_a_units_record_is_written_as_the_general_path_writes_it(scheme_path: Path, evidence: Path) -> None:
    # a unit's items and sections from each result's text made once, its criteria from the text its
    # outcome shares: against encoding the dict of each, and each criterion from its own result
    scheme = load_scheme(scheme_path).scheme
    results = score(scheme, read_evidence([evidence], scheme))
    for unit in results.units:
        for nodes in (unit.items, unit.sections):
            for _ in range(2):  # the second time from what the first made
                assert jsonout._points(nodes) == jsonout.encoded({k: jsonout.num(v.points) for k, v in nodes.items()})
        assert jsonout._criteria(unit.criteria) == ", ".join(jsonout._one(c) for c in unit.criteria)


@settings(max_examples=200, deadline=None)
@given(ids=st.lists(NAMES, min_size=0, max_size=6, unique=True), points=st.lists(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-100, max_value=100), min_size=6, max_size=6),
       moved=st.booleans())
def test_points_are_written_as_their_dict_would_be(ids: list[str], points: list[Decimal], moved: bool) -> None:
    # any ids (quotes, controls, bidi marks); a result under another id than its own (`moved`)
    # is written under the id it is under, as the dict has it
    nodes = [NodeResult(node_id, p, p) for node_id, p in zip(ids, points[:len(ids)], strict=True)]
    if moved and len(nodes) > 1:
        nodes[0], nodes[1] = nodes[1], nodes[0]
    mapping = NodeMap({k: i for i, k in enumerate(ids)}, tuple(nodes))
    for _ in range(2):
        assert jsonout._points(mapping) == jsonout.encoded({k: jsonout.num(v.points) for k, v in mapping.items()})

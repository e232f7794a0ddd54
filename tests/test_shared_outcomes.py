"""Outputs that make what units of the same outcome share once (kaohe.report.jsonout._given)
must write the text the general path writes for every criterion: compared on every bundled example."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, SCHEMES
from kaohe.engine import CriteriaView, NodeMap, NodeResult, _by_columns, criteria_blocks, score
from kaohe.evidence import Value, read_evidence
from kaohe.evidence.tables import csv_locator, sheet_locator
from kaohe.outcomes import rank_results
from kaohe.report import jsonout, tables
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
    each = [replace(row, result=row.result._replace(criteria=tuple(row.result.criteria))) for row in ranked]
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
    # a block of such maps: made an id at a time, or left to _points (None) where one is moved
    for text in jsonout._points_block([mapping, mapping]):
        assert text in (None, jsonout._points(mapping))
        assert (text is None) == any(k != v.id for k, v in mapping.items())


def _split(evidence: Path, folder: Path) -> list[Path]:
    """A long-form CSV's rows dealt between two files, so that one unit's values are read from
    two places (two locators in one column)."""
    lines = evidence.read_text(encoding="utf-8-sig").splitlines()
    parts = [folder / "一.csv", folder / "二.csv"]
    for at, part in enumerate(parts):
        part.write_text("\n".join([lines[0], *lines[1 + at::2]]) + "\n", encoding="utf-8")
    return parts


BLOCK_CASES = CASES + [(scheme, "split") for scheme, evidence in CASES if evidence.name == "evidence-long.csv"][:4]


@pytest.mark.parametrize(("scheme_path", "evidence"), BLOCK_CASES,
                         ids=[f"{s.stem}/{e if isinstance(e, str) else e.name}" for s, e in BLOCK_CASES])
def test_a_block_of_units_is_written_as_each_unit_is(scheme_path: Path, evidence: Path | str,
                                                      tmp_path: Path) -> None:
    # _units writes a block of units a criterion (and an item, a section) at a time, from the
    # columns they were scored in: against writing each unit alone (itself checked against the
    # general path above), in ranking order, in blocks of one, three and all. The examples have
    # 备注, values not given, XLSX sheets; "split" reads one unit's values from two files.
    scheme = load_scheme(scheme_path).scheme
    paths = _split(EXAMPLES / scheme.id / "evidence-long.csv", tmp_path) if evidence == "split" else [evidence]
    ranked = rank_results(scheme, score(scheme, read_evidence(paths, scheme)))  # type: ignore[arg-type]
    alone = [jsonout._unit(row) for row in ranked]
    assert all(isinstance(json.loads(text), dict) for text in alone)  # each is a JSON object
    made = 0
    for size in (1, 3, len(ranked)):
        blocks = [ranked[start:start + size] for start in range(0, len(ranked), size)]
        for block in blocks:
            groups = criteria_blocks([row.result.criteria for row in block])
            assert sorted(at for ats, _ in groups for at in ats) == list(range(len(block)))  # all by columns
            for ats, columns in groups:
                assert jsonout._criteria_block(columns) == [jsonout._criteria(block[at].result.criteria).encode()
                                                            for at in ats]
            for nodes in ("sections", "items"):
                maps = [getattr(row.result, nodes) for row in block]
                texts = jsonout._points_block(maps)
                made += sum(text is not None for text in texts)
                assert [jsonout._points(m) if text is None else text for m, text in zip(maps, texts, strict=True)
                        ] == [jsonout._points(m) for m in maps]
        monkeypatch = pytest.MonkeyPatch()
        monkeypatch.setattr(jsonout, "UNITS_PER_BLOCK", size)
        assert list(jsonout._units(ranked)) == alone
        # the 明细 too, against its rows written from each criterion's own result
        monkeypatch.setattr(tables, "DETAIL_BLOCK", size)
        each = [replace(row, result=row.result._replace(criteria=tuple(row.result.criteria))) for row in ranked]
        for folder in (None, str(tmp_path)):
            assert list(detail_rows(ranked, folder)) == list(detail_rows(each, folder))
        monkeypatch.undo()
    assert made  # the blocks' items and sections were made as blocks
    for row in ranked:
        r = row.result
        if not (r.vetoed or r.falsified or r.unmet or r.conditions or r.periods):
            assert jsonout._head(row) == jsonout.encoded(jsonout._record(row))


@settings(max_examples=200, deadline=None)
@given(unit=NAMES, category=st.one_of(st.none(), NAMES), rank=st.integers(1, 10**6),
       in_category=st.one_of(st.none(), st.integers(1, 10**6)), total=st.sampled_from(
           [Decimal("98.05"), Decimal("-2.50"), Decimal(0), Decimal("1E+3")]))
def test_a_units_head_is_written_as_its_record_would_be(unit: str, category: str | None, rank: int,
                                                        in_category: int | None, total: Decimal) -> None:
    # any unit and category name (quotes, controls, bidi marks): the text made without the dict
    # must be the dict's
    scheme = load_scheme(SCHEMES / "changzhou-2018.yaml").scheme
    results = score(scheme, read_evidence([EXAMPLES / "changzhou-2018" / "evidence.csv"], scheme))
    base = rank_results(scheme, results)[0]
    row = replace(base, rank=rank, rank_in_category=in_category,
                  result=base.result._replace(unit=unit, category=category, total=total, base=total))
    assert jsonout._head(row) == jsonout.encoded(jsonout._record(row))

"""Outputs that make what units of the same outcome share once (kaohe.report.jsonout._given)
must write what the general path writes for every criterion: compared on every bundled example."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, SCHEMES
from kaohe.engine import score
from kaohe.evidence import Value, read_evidence
from kaohe.report import jsonout
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
        assert jsonout._given(c) == jsonout._criterion(c)
        assert jsonout._given(c) == jsonout._criterion(c)

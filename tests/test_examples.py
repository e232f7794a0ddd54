"""Every bundled example scores to the totals worked out by hand beside it (expected.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, SCHEMES
from kaohe.engine import score
from kaohe.evidence import read_evidence
from kaohe.outcomes import rank_results
from kaohe.scheme.load import load_scheme
from kaohe.scheme.yamlload import load_yaml

CASES = [
    (folder, evidence)
    for folder in sorted(p for p in EXAMPLES.iterdir() if (p / "expected.yaml").is_file())
    for evidence in sorted(folder.glob("evidence*"))
]


def test_every_bundled_scheme_has_an_example() -> None:
    assert {p.stem for p in SCHEMES.glob("*.yaml")} <= {folder.name for folder, _ in CASES}


@pytest.mark.parametrize("folder,evidence", CASES, ids=lambda v: v.name)
def test_example_scores_as_worked_by_hand(folder: Path, evidence: Path) -> None:
    loaded = load_scheme(SCHEMES / f"{folder.name}.yaml")
    expected, _ = load_yaml((folder / "expected.yaml").read_text(encoding="utf-8"), "expected.yaml")
    found = read_evidence([evidence], loaded.scheme)
    assert [str(p) for p in found.problems] == []
    results = score(loaded.scheme, found)
    assert results.missing == ()
    got = {
        row.result.unit: {
            "sections": {k: v.points for k, v in row.result.sections.items()},
            "base": row.result.base,
            "bonus": row.result.bonus,
            "total": row.result.total,
            "rank": row.rank,
        }
        for row in rank_results(loaded.scheme, results)
    }
    want = {
        unit: {k: (int(v) if k == "rank" else v) for k, v in data.items() if k != "why"}
        for unit, data in expected["units"].items()
    }
    assert got == want

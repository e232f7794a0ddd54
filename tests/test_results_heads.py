"""A results file as kaohe wrote it (its digest matches) is read with each unit's record decoded
only up to its criteria and items, which no reader keeps: what is read must be what decoding each
record whole gives, and a file that was changed, or a record with fields after its criteria, is
decoded whole as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLES, SCHEMES
from kaohe.engine import score
from kaohe.errors import EvidenceError
from kaohe.evidence import read_evidence
from kaohe.evidence.results import _read_by_line, open_results
from kaohe.outcomes import rank_results
from kaohe.report.jsonout import dumps, results_document
from kaohe.scheme.load import load_scheme

CASES = [(scheme, evidence) for scheme in sorted(SCHEMES.glob("*.yaml"))
         for evidence in sorted((EXAMPLES / load_scheme(scheme).scheme.id).glob("evidence*"))
         if evidence.suffix in (".csv", ".xlsx")]


def _results(scheme_path: Path, evidence: Path, out: Path) -> Path:
    loaded = load_scheme(scheme_path)
    found = read_evidence([evidence], loaded.scheme)
    results = score(loaded.scheme, found)
    document = results_document(loaded, found.files, rank_results(loaded.scheme, results), results, timestamp=False)
    out.write_text(dumps(document, digest=True), encoding="utf-8")
    return out


def _whole(path: Path):  # type: ignore[no-untyped-def]
    with open(path, "rb") as handle:
        return _read_by_line(handle, str(path), heads=False)


@pytest.mark.parametrize(("scheme_path", "evidence"), CASES, ids=[f"{s.stem}/{e.name}" for s, e in CASES])
def test_a_file_as_written_reads_as_its_records_decoded_whole(scheme_path: Path, evidence: Path,
                                                              tmp_path: Path) -> None:
    path = _results(scheme_path, evidence, tmp_path / "r.json")
    found, whole = open_results(path), _whole(path)
    assert found is not None and whole is not None
    assert found.digest.matches
    assert found == whole
    assert all("criteria" not in unit and "items" not in unit for unit in found.document["units"])


def _unit_line(path: Path) -> int:
    """The line of the first unit's record (1-based)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines.index('  "units": [') + 2


def test_a_changed_criterion_is_refused_at_its_line_as_before(tmp_path: Path) -> None:
    # The digest no longer matches, so every record is decoded whole: the broken JSON in the
    # first unit's criteria (a colon taken out) is told at its line, as it was before heads.
    path = _results(SCHEMES / "changzhou-2018.yaml", EXAMPLES / "changzhou-2018" / "evidence.csv", tmp_path / "r.json")
    text = path.read_text(encoding="utf-8")
    assert text.count('"explanation": "') > 1
    path.write_text(text.replace('"explanation": "', '"explanation" "', 1), encoding="utf-8")
    with pytest.raises(EvidenceError) as refused:
        open_results(path)
    where = refused.value.problems[0].location
    assert (where.file, where.line) == (str(path), _unit_line(path))


def test_a_record_with_a_field_after_its_criteria_is_decoded_whole(tmp_path: Path) -> None:
    # kaohe writes criteria last; a record written otherwise (here by kaohe's own writer, so that
    # its digest matches) keeps every field, as decoding it whole gives. A field whose value is
    # text, a number, true, false or null, or a list of them, cannot end as criteria end.
    path = _results(SCHEMES / "changzhou-2018.yaml", EXAMPLES / "changzhou-2018" / "evidence.csv", tmp_path / "r.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("content_sha256")
    document["units"][0]["grade"] = "优秀"
    document["units"][1]["extra"] = [{"note": "x"}, "]}]"]
    path.write_text(dumps(document, digest=True), encoding="utf-8")
    found = open_results(path)
    assert found is not None and found.digest.matches
    assert found.document["units"][0]["grade"] == "优秀"
    assert found.document["units"][1]["extra"] == [{"note": "x"}, "]}]"]
    assert found == _whole(path)

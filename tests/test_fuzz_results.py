"""Fuzzing the results-JSON reader (issue 13), bounded like tests/test_fuzz.py: damaged bytes of
real results files, random documents laid out as kaohe writes them and as other tools do, and
random bytes, through every reader of results (`rank`'s, `--previous`'s, `from_scheme`'s). Every
failure is a located KaoheError naming the file, never another exception."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT
from kaohe.commands.rank import previous_from, run_rank, standings_from
from kaohe.errors import KaoheError
from kaohe.evidence.results import check_digest, open_results, results_totals
from kaohe.numbers import use_exact_arithmetic
from kaohe.report.jsonout import dumps
from kaohe.scheme.load import load_scheme

CORPUS = ROOT / "tests" / "hostile" / "results"
LOADED = load_scheme(CORPUS / "mini.yaml")
SEEDS = [(CORPUS / "base.json").read_bytes(), (EXAMPLES / "changzhou-2018" / "previous-year.json").read_bytes()]
FUZZ = settings(max_examples=int(os.environ.get("KAOHE_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _mutate(data: bytes, edits: list[tuple[int, bytes]]) -> bytes:
    out = bytearray(data)
    for position, chunk in edits:
        at = position % (len(out) + 1)
        out[at:at + len(chunk)] = chunk
    return bytes(out)


# what breaks JSON and what kaohe's checks are about, more often than random bytes would
TOKENS = [b"[", b"]", b"{", b"}", b",", b":", b'"', b"\\", b"\n", b"\r\n", b"\xef\xbb\xbf", b"\xff", b"NaN",
          b"-Infinity", b"1e400", b"9" * 30, b"null", b"true", b'"x"', b"[" * 40, b'"rank": "x"', b"\x1b[2J",
          b'"content_sha256": "00"', b'"unit": "\xe7\x94\xb2"']
edits = st.lists(st.tuples(st.integers(min_value=0, max_value=10**5),
                           st.one_of(st.binary(min_size=1, max_size=8), st.sampled_from(TOKENS))),
                 min_size=1, max_size=6)


def _read_every_way(path: Path) -> None:
    """Every reader of results on `path`: only located KaoheErrors may come out."""
    use_exact_arithmetic()
    for attempt in (
        lambda: _rank_reads(path),
        lambda: previous_from(LOADED, path, force=True, collected=[]),
        lambda: results_totals(path.read_bytes(), str(path), force=True),
        lambda: run_rank(LOADED, [path], path, None, "json", True, False, lambda s: None, lambda s: None),
    ):
        try:
            attempt()
        except KaoheError as e:
            assert e.problems and all(str(p.location).startswith(str(path)) for p in e.problems), e.problems


def _rank_reads(path: Path) -> None:
    found = open_results(path)
    assert found is not None
    check_digest(found, str(path), force=True)
    try:
        check_digest(found, str(path), force=False)
    except KaoheError:
        assert not found.digest.matches
    standings_from(found.document, path, LOADED.scheme.unit_names())


@FUZZ
@given(st.sampled_from(SEEDS), edits)
def test_damaged_results_files_are_refused_with_their_place(tmp_path: Path, seed: bytes,
                                                            changes: list[tuple[int, bytes]]) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(_mutate(seed, changes))
    _read_every_way(path)


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_refused_with_their_place(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(data)
    _read_every_way(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**40, max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
    | st.sampled_from(["90", "9.5", "28/3", "-0", "1/0", "NaN", "sNaN", "1e3", "9" * 29, "甲", "乙", "丙"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20)
units = st.sampled_from(["甲", "乙", "丙", "丁", ""]) | json_values
records = st.fixed_dictionaries(
    {}, optional={"unit": units, "rank": st.integers(min_value=-1, max_value=5) | json_values,
                  "rank_in_category": json_values, "total": st.sampled_from(["90", "80", "7/3"]) | json_values,
                  "sections": st.dictionaries(st.sampled_from(["1", "2"]), st.sampled_from(["9", "x"]) | json_values,
                                              max_size=2) | json_values,
                  "category": json_values, "grade": json_values, "vetoed": json_values, "falsified": json_values,
                  "unmet": st.lists(st.text(max_size=3), max_size=2) | json_values, "conditions": json_values})
documents = st.fixed_dictionaries(
    {"format": st.just("kaohe-results") | json_values,
     "units": st.lists(records | json_values, max_size=5) | json_values},
    optional={"scheme": st.fixed_dictionaries({}, optional={"id": json_values, "sha256": st.just(LOADED.sha256)
                                                            | json_values}) | json_values,
              "readings": st.lists(st.fixed_dictionaries({"key": json_values, "units": st.lists(records, max_size=3)}),
                                   max_size=2) | json_values,
              "kind": json_values, "evidence": json_values})


def _plain(value: Any) -> Any:
    """What json.dumps can write (it refuses no float, but a dict key must be text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@FUZZ
@given(documents, st.sampled_from(["kaohe", "compact", "indented", "bom"]))
def test_random_documents_are_read_or_refused_with_their_place(tmp_path: Path, document: dict[str, Any],
                                                               layout: str) -> None:
    document = _plain(document)
    path = tmp_path / "r.json"
    if layout == "kaohe":
        path.write_text(dumps(document, digest=True), encoding="utf-8")
    elif layout == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + dumps(document, digest=True).encode("utf-8"))
    else:
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2 if layout == "indented" else None),
                        encoding="utf-8")
    _read_every_way(path)
    if layout in ("kaohe", "bom"):  # kaohe's own layout keeps its digest, with or without a BOM
        try:
            found = open_results(path)
        except KaoheError:
            return
        assert found is not None and found.digest.matches


def test_the_fuzzed_documents_include_valid_ones(tmp_path: Path) -> None:
    """The generators reach past the first refusal: a generated-style record that is valid is
    read back, so the fuzz exercises ranking too (not only the shape checks)."""
    document = {"format": "kaohe-results", "scheme": {"sha256": LOADED.sha256},
                "units": [{"unit": "甲", "rank": 1, "total": "7/3", "sections": {"1": "9"}}]}
    path = tmp_path / "r.json"
    path.write_text(dumps(document, digest=True), encoding="utf-8")
    [standing] = standings_from(open_results(path).document, path, LOADED.scheme.unit_names())  # type: ignore[union-attr]
    assert standing.unit == "甲" and math.isclose(float(standing.total), 7 / 3)
    assert previous_from(LOADED, path)["甲"].rank == 1

"""Damaged long-form CSV read both ways: the polars columns (however small the file) and the
rows must give the same evidence and the same problems, or both refuse the file alike."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from kaohe.errors import KaoheError
from kaohe.evidence import _Reading, read_evidence
from test_columnar_reading import CHANGZHOU, _both


def _unquoted(path: Path) -> bytes:
    """The example's long form with no quote character (its 备注 commas made 、): a file with a
    quote is read by rows alone, and the columns would never be compared."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return "".join(",".join(cell.replace(",", "、").replace('"', "") for cell in row) + "\n"
                   for row in rows).encode("utf-8")


SEED = _unquoted(EXAMPLES / "changzhou-2018" / "evidence-long.csv")
FUZZ = settings(max_examples=int(os.environ.get("KAOHE_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
PIECES = [b",", b"\n", b"\r", b"\r\n", b'"', b"\x00", b"\xef\xbb\xbf", b"\xff", b"\xe5", b"\t", b" ", b"\xe3\x80\x80",
          "评分标准".encode(), "金坛区".encode(), b"1.1.1", b"85%", b"\xef\xbc\x93"]


def _mutate(data: bytes, edits: list[tuple[int, bytes, bool]]) -> bytes:
    out = bytearray(data)
    for position, chunk, insert in edits:
        at = position % (len(out) + 1)
        if insert:
            out[at:at] = chunk
        else:
            out[at:at + len(chunk)] = chunk
    return bytes(out)


edits = st.lists(st.tuples(st.integers(min_value=0, max_value=10**6),
                           st.one_of(st.sampled_from(PIECES), st.binary(min_size=1, max_size=4)), st.booleans()),
                 min_size=1, max_size=6)


def _read(monkeypatch: pytest.MonkeyPatch, path: Path, chunk: int) -> tuple[object, object]:
    """Both readings, or, where one refuses the file, what each of them says."""
    try:
        return _both(monkeypatch, [path], CHANGZHOU, chunk, polars=True)
    except KaoheError as e:
        refused = [str(p) for p in e.problems]
    monkeypatch.setattr(_Reading.__init__, "__defaults__", (False,))
    try:
        read_evidence([path], CHANGZHOU)
    except KaoheError as e:
        return refused, [str(p) for p in e.problems]
    finally:
        monkeypatch.setattr(_Reading.__init__, "__defaults__", (True,))
    return refused, "read by rows"


@FUZZ
@given(edits, st.sampled_from([2, 16384]))
def test_damaged_long_form_reads_the_same_both_ways(tmp_path_factory: pytest.TempPathFactory,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    changes: list[tuple[int, bytes, bool]], chunk: int) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "evidence.csv"
    path.write_bytes(_mutate(SEED, changes))
    columnar, by_rows = _read(monkeypatch, path, chunk)
    assert columnar == by_rows


def test_the_seed_is_read_as_polars_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # else the comparison above compares the row reading with itself
    taken: list[int] = []
    original = _Reading._accept_coded

    def counting(self: _Reading, rows: object) -> bool:
        took = original(self, rows)  # type: ignore[arg-type]
        taken.append(took)
        return took

    monkeypatch.setattr(_Reading, "_accept_coded", counting)
    path = tmp_path / "evidence.csv"
    path.write_bytes(SEED)
    columnar, by_rows = _both(monkeypatch, [path], CHANGZHOU, 16384, polars=True)
    assert columnar == by_rows and any(taken)

"""Fuzzing the loaders on raw bytes (bounded, runs in make test): every failure is a typed,
located error (KaoheError), never a traceback."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, SCHEMES
from kaohe.errors import KaoheError
from kaohe.evidence import read_evidence
from kaohe.scheme.checks import check_scheme
from kaohe.scheme.load import load_scheme

SCHEME_TEXT = (SCHEMES / "changzhou-2018.yaml").read_bytes()
SCHEME = load_scheme(SCHEMES / "changzhou-2018.yaml").scheme
CSV = (EXAMPLES / "changzhou-2018" / "evidence.csv").read_bytes()
XLSX = (EXAMPLES / "changzhou-2018" / "evidence.xlsx").read_bytes()
# 150 examples each in `make test`; KAOHE_FUZZ_EXAMPLES=5000 for a longer hunt.
FUZZ = settings(max_examples=int(os.environ.get("KAOHE_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _mutate(data: bytes, edits: list[tuple[int, bytes]]) -> bytes:
    out = bytearray(data)
    for position, chunk in edits:
        at = position % (len(out) + 1)
        out[at:at + len(chunk)] = chunk
    return bytes(out)


edits = st.lists(st.tuples(st.integers(min_value=0, max_value=10**6), st.binary(min_size=1, max_size=8)),
                 min_size=1, max_size=6)


@FUZZ
@given(edits)
def test_scheme_loader_never_crashes(tmp_path: Path, changes: list[tuple[int, bytes]]) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(_mutate(SCHEME_TEXT, changes))
    try:
        check_scheme(load_scheme(path))
    except KaoheError as e:
        assert all(str(p.location).startswith(str(path)) for p in e.problems)


@FUZZ
@given(st.binary(max_size=400))
def test_scheme_loader_on_arbitrary_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(data)
    try:
        load_scheme(path)
    except KaoheError:
        pass


@FUZZ
@given(edits)
def test_csv_reader_never_crashes(tmp_path: Path, changes: list[tuple[int, bytes]]) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(_mutate(CSV, changes))
    found = read_evidence([path], SCHEME)
    assert all(str(p.location).startswith(str(path)) for p in found.problems)


@FUZZ
@given(edits)
def test_xlsx_reader_never_crashes_on_damaged_archives(tmp_path: Path, changes: list[tuple[int, bytes]]) -> None:
    path = tmp_path / "e.xlsx"
    path.write_bytes(_mutate(XLSX, changes))
    found = read_evidence([path], SCHEME)
    assert all(str(p.location).startswith(str(path)) for p in found.problems)


@FUZZ
@given(edits)
def test_xlsx_reader_never_crashes_on_damaged_sheet_xml(tmp_path: Path, changes: list[tuple[int, bytes]]) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(XLSX)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, _mutate(body, changes) if info.filename.endswith("sheet1.xml") else body)
    path = tmp_path / "e.xlsx"
    path.write_bytes(out.getvalue())
    found = read_evidence([path], SCHEME)
    assert all(str(p.location).startswith(str(path)) for p in found.problems)

"""Long-form evidence is read in runs of rows taken as columns (each distinct unit, id and cell
checked once), and a run with anything to tell is read row by row. Both readings must give the
same evidence: the same values in the same order, at the same cells, and the same problems in
the same order. These tests read every bundled example, the hostile corpus and generated tables
both ways and compare everything the reading gives."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kaohe.evidence.csvread as csvread
import kaohe.evidence.layout as layout
from conftest import EXAMPLES, ROOT, SCHEMES
from kaohe.evidence import Evidence, _Reading, read_evidence
from kaohe.scheme.load import load_scheme

HOSTILE = ROOT / "tests" / "hostile"
CHANGZHOU = load_scheme(SCHEMES / "changzhou-2018.yaml").scheme


def _snapshot(evidence: Evidence) -> dict[str, object]:
    """Everything a reading gives, in order, with every value's cell named."""
    def values(found: Evidence) -> list[tuple[object, ...]]:
        return [(key, v.value, v.raw, type(v.raw), str(v.location), v.note) for key, v in found.values.items()]

    return {
        "values": values(evidence),
        "units": list(evidence.units),
        "files": evidence.files,
        "problems": [(str(p.location), p.message, p.severity, p.code) for p in evidence.problems],
        "self": [(key, v.value, v.raw, str(v.location)) for key, v in evidence.self_values.items()],
        "periods": {name: values(period) for name, period in evidence.periods.items()},
    }


def _both(monkeypatch: pytest.MonkeyPatch, paths: list[Path], scheme, chunk: int,  # type: ignore[no-untyped-def]
          polars: bool = False) -> tuple[dict, dict]:
    """The evidence read in runs (and, with `polars`, a CSV file's records after the header read
    as polars columns however small it is), and read row by row."""
    monkeypatch.setattr(layout, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(csvread, "COLUMNS_FROM", 0 if polars else csvread.COLUMNS_FROM)
    if polars:  # the header searched for in the first lines only: the rest is polars' (a small file's
        monkeypatch.setattr(layout, "HEADER_SEARCH_ROWS", 4)  # too), in chunks of a few lines each
        monkeypatch.setattr(csvread, "COLUMN_CHUNK", 61)
    columnar = _snapshot(read_evidence(list(paths), scheme))
    monkeypatch.setattr(_Reading.__init__, "__defaults__", (False,))
    by_rows = _snapshot(read_evidence(list(paths), scheme))
    monkeypatch.setattr(_Reading.__init__, "__defaults__", (True,))
    return columnar, by_rows


def _example_files() -> list[tuple[Path, Path]]:
    pairs = []
    for scheme_path in sorted(SCHEMES.glob("*.yaml")):
        scheme_id = load_scheme(scheme_path).scheme.id
        folder = EXAMPLES / scheme_id
        for evidence in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.xlsx")):
            pairs.append((scheme_path, evidence))
    return pairs


EXAMPLE_FILES = _example_files()


def test_the_examples_hold_long_form_evidence() -> None:
    # the comparison below is only worth something if it reads long-form files through the columns
    long_form = [e for _, e in EXAMPLE_FILES if e.suffix == ".csv" and "指标" in e.read_text(encoding="utf-8-sig")
                 .splitlines()[0]]
    assert len(long_form) >= 5


@pytest.mark.parametrize(("scheme_path", "evidence"), EXAMPLE_FILES,
                         ids=[f"{s.stem}/{e.name}" for s, e in EXAMPLE_FILES])
@pytest.mark.parametrize("chunk", [2, 16384])
def test_every_example_reads_the_same_both_ways(monkeypatch: pytest.MonkeyPatch, scheme_path: Path,
                                                evidence: Path, chunk: int) -> None:
    scheme = load_scheme(scheme_path).scheme
    columnar, by_rows = _both(monkeypatch, [evidence], scheme, chunk)
    assert columnar == by_rows


HOSTILE_FILES = sorted(p for p in HOSTILE.rglob("*") if p.suffix in (".csv", ".xlsx"))


@pytest.mark.parametrize("evidence", HOSTILE_FILES, ids=[str(p.relative_to(HOSTILE)) for p in HOSTILE_FILES])
@pytest.mark.parametrize("polars", [False, True])
def test_the_hostile_corpus_reads_the_same_both_ways(monkeypatch: pytest.MonkeyPatch, evidence: Path,
                                                     polars: bool) -> None:
    columnar, by_rows = _both(monkeypatch, [evidence], CHANGZHOU, 3, polars)
    assert columnar == by_rows


@pytest.mark.parametrize(("scheme_path", "evidence"), [(s, e) for s, e in EXAMPLE_FILES if e.suffix == ".csv"],
                         ids=[f"{s.stem}/{e.name}" for s, e in EXAMPLE_FILES if e.suffix == ".csv"])
def test_every_csv_example_reads_the_same_through_polars_columns(monkeypatch: pytest.MonkeyPatch, scheme_path: Path,
                                                                 evidence: Path) -> None:
    scheme = load_scheme(scheme_path).scheme
    columnar, by_rows = _both(monkeypatch, [evidence], scheme, 16384, polars=True)
    assert columnar == by_rows


def test_a_file_given_twice_and_copies_read_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = HOSTILE / "evidence"
    for paths in ([folder / "copy_a.csv", folder / "copy_b.csv"], [folder / "backup_sheet.xlsx"],
                  [folder / "backup_differs.xlsx"]):
        for polars in (False, True):
            columnar, by_rows = _both(monkeypatch, paths, CHANGZHOU, 4, polars)
            assert columnar == by_rows, paths


# Generated long-form tables: units the scheme lists, misspelt and blank ones, the 评分标准 marker;
# ids of the scheme, an item's id standing for its one criterion, unknown and blank ones; values
# that parse, that do not, blanks, control characters and overlong text; notes; repeats.
UNITS = ["溧阳市", "金坛区", "武进区", " 溧阳市", "溧阳", "", "评分标准"]
IDS = ["1.1.1", "1.1", "1.2.1", "2.3.1", "9.9.9", "", "1.1.1 标题"]
RAWS = ["是", "否", "3", "2", "1.5", "85%", "", "  ", "abc", "-1", "\x07", "x" * 1001, "３", "10"]
NOTES = ["", "说明", "多行\n说明", "\x01"]
BLANKS = ["", "", "", "\n", " , \n", ",,\n", "\t\n"]


@st.composite
def _tables(draw: st.DrawFn) -> tuple[str, int, bool]:
    header = draw(st.sampled_from([["单位", "指标", "值"], ["单位", "指标", "值", "备注"], ["序号", "单位", "指标", "值"]]))
    rows = draw(st.lists(st.tuples(st.sampled_from(UNITS), st.sampled_from(IDS), st.sampled_from(RAWS),
                                   st.sampled_from(NOTES), st.booleans(), st.sampled_from(BLANKS)),
                         min_size=0, max_size=30))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for n, (unit, input_id, raw, note, short, blank) in enumerate(rows):
        out.write(blank)  # blank records between rows: left out, and the lines after them counted
        cells = {"单位": unit, "指标": input_id, "值": raw, "备注": note, "序号": str(n)}
        line = [cells[h] for h in header]
        if short and header[-1] == "备注" and not note:
            line = line[:-1]  # a line without its trailing blank 备注
        writer.writerow(line)
    return out.getvalue(), draw(st.sampled_from([1, 2, 5, 64])), draw(st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_tables())
def test_generated_tables_read_the_same_both_ways(tmp_path_factory: pytest.TempPathFactory,
                                                  monkeypatch: pytest.MonkeyPatch, table: tuple[str, int, bool]) -> None:
    text, chunk, polars = table
    path = tmp_path_factory.mktemp("columnar") / "evidence.csv"
    path.write_text(text, encoding="utf-8")
    columnar, by_rows = _both(monkeypatch, [path], CHANGZHOU, chunk, polars)
    assert columnar == by_rows


def test_a_clean_run_is_taken_as_columns(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # not a comparison: that the columns are used at all for a clean file (else the tests above
    # compare the row reading with itself)
    taken: list[int] = []
    original = _Reading._accept_rows

    def counting(self: _Reading, rows: layout.Rows) -> bool:
        took = original(self, rows)
        if took:
            taken.append(len(rows.rows))
        return took

    monkeypatch.setattr(_Reading, "_accept_rows", counting)
    monkeypatch.setattr(layout, "CHUNK_ROWS", 2)
    path = tmp_path / "e.csv"
    path.write_text("单位,指标,值\n溧阳市,1.1.1,3\n金坛区,1.1.1,2\n武进区,1.1.1,abc\n", encoding="utf-8")
    found = read_evidence([path], CHANGZHOU)
    # rows 2–3 are one clean run of two; row 4's run holds a bad value and is read row by row
    assert taken == [2]
    assert [str(p.location) for p in found.problems] == [f"{path}:4:3"]
    assert len(found.values) == 2


@pytest.mark.parametrize("quoted", [False, True])
def test_a_record_past_the_field_limit_is_told_at_its_line_both_ways(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                     quoted: bool) -> None:
    # the csv module stops at a field of more than its limit (131,072 characters): the file is told
    # at the record's line and nothing of it is kept, whether the records are taken a run at a
    # time (no quote in the file) or one by one (a quote in a 备注)
    path = tmp_path / "e.csv"
    note = '"说明"' if quoted else "说明"
    path.write_text(f"单位,指标,值,备注\n溧阳市,1.1.1,3,{note}\n\n金坛区,1.1.1,2,\n武进区,1.1.1," + "9" * 140_000
                    + ",\n溧阳市,1.2.1,1,\n", encoding="utf-8")
    for polars in (False, True):
        columnar, by_rows = _both(monkeypatch, [path], CHANGZHOU, 2, polars)
        assert columnar == by_rows
    found = read_evidence([path], CHANGZHOU)
    assert [str(p.location) for p in found.problems] == [f"{path}:5"]  # line 3 is blank
    assert len(found.values) == 0 and found.files == []


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("gb18030", "\n")])
def test_a_clean_file_is_taken_as_polars_columns(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, encoding: str,
                                                 newline: str) -> None:
    # not a comparison alone: that the polars columns are taken at all (else the comparisons
    # above compare the run reading with the row reading only). The header search reads lines
    # 1-4 (_both searches 4), so lines 2-4 are read as a run and polars takes lines 5-9, with
    # what offices leave in a file: a 评分标准 row (5), a blank record (6), a value left blank
    # (金坛区 1.2.1, line 7), a unit written with a full-width space and an item id standing for
    # its one criterion (8), a 备注 (9).
    taken: list[int] = []
    original = _Reading._accept_coded

    def counting(self: _Reading, rows: layout.CodedRows) -> bool:
        took = original(self, rows)
        if took:
            taken.append(len(rows.codes[0]))
        return took

    monkeypatch.setattr(_Reading, "_accept_coded", counting)
    lines = ["单位,指标,值,备注", "溧阳市,1.1.1,3,", "溧阳市,1.2.1,2,补报", "金坛区,1.1.1,2,",
             "评分标准,1.1.1,每次得1分,", " , , ,", "金坛区,1.2.1,,", "武进区\u3000,1.1,1,", "溧阳市,2.3.1,1,另报"]
    path = tmp_path / "e.csv"
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    columnar, by_rows = _both(monkeypatch, [path], CHANGZHOU, 16384, polars=True)
    assert columnar == by_rows
    assert taken == [2]  # lines 8 and 9
    assert [(key, str(v.location), v.note) for key, v in read_evidence([path], CHANGZHOU).values.items()] == [
        (("溧阳市", "1.1.1"), f"{path}:2:3", ""), (("溧阳市", "1.2.1"), f"{path}:3:3", "补报"),
        (("溧阳市", "2.3.1"), f"{path}:9:3", "另报"), (("金坛区", "1.1.1"), f"{path}:4:3", ""),
        (("武进区", "1.1.1"), f"{path}:8:3", "")]


@pytest.mark.parametrize(("trouble", "told"), [("溧阳市,1.1.1,3\r金坛区,1.1.1,2", False), ("溧阳市,1.1.1,3,多,余", True),
                                              ("溧阳市,1.1.1,3\n溧阳市,1.1.1,2", True), ("溧阳市,1.1.1,\x07", True),
                                              ("溧阳市,1.1.1,abc", True), ("某某县,1.1.1,3", True), ("溧阳市,,3", True),
                                              # units new to the table, each giving 1.1.1 twice in one order: periodic
                                              ("新北区,2.3.1,1\n新北区,1.1.1,1\n新北区,1.1.1,2\n"
                                               "天宁区,2.3.1,1\n天宁区,1.1.1,1\n天宁区,1.1.1,2", True),
                                              # 1.1 stands for 1.1.1: the two ids are one input
                                              ("钟楼区,1.1.1,1\n钟楼区,1.1,2\n经开区,1.1.1,1\n经开区,1.1,2", True)])
def test_what_polars_columns_cannot_take_is_read_as_before(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           trouble: str, told: bool) -> None:
    # after the lines the header search reads (1-4), a bare CR (a line end to the csv module,
    # not to polars), a ragged line, a repeated value, a control character, a bad value, an
    # unknown unit, a blank id, values given twice in rows that are otherwise periodic: each
    # read, and told, as the run and row readings do
    path = tmp_path / "e.csv"
    path.write_text(f"单位,指标,值\n溧阳市,1.2.1,2\n金坛区,1.2.1,2\n武进区,1.2.1,2\n{trouble}\n",
                    encoding="utf-8")
    columnar, by_rows = _both(monkeypatch, [path], CHANGZHOU, 16384, polars=True)
    assert columnar == by_rows
    assert bool(columnar["problems"]) is told


def test_a_second_file_repeating_values_is_told_as_before(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # two files of periodic rows (each unit 1.1.1 then 2.3.1), both taken by polars after their
    # header line: the second repeats 天宁区's values with others, so it takes nothing there and
    # every repeat is told as the row reading tells it
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("单位,指标,值\n新北区,1.1.1,1\n新北区,2.3.1,1\n天宁区,1.1.1,2\n天宁区,2.3.1,2\n", encoding="utf-8")
    second.write_text("单位,指标,值\n天宁区,1.1.1,3\n天宁区,2.3.1,3\n钟楼区,1.1.1,1\n钟楼区,2.3.1,1\n", encoding="utf-8")
    columnar, by_rows = _both(monkeypatch, [first, second], CHANGZHOU, 16384, polars=True)
    monkeypatch.setattr(layout, "HEADER_SEARCH_ROWS", 1)
    polars = _snapshot(read_evidence([first, second], CHANGZHOU))
    assert columnar == by_rows == polars
    assert [where for where, *_ in polars["problems"]] == [f"{second}:2:3", f"{second}:3:3"]


@pytest.mark.parametrize("marker", [False, True])
def test_units_new_to_a_scheme_without_a_unit_list_are_named_as_the_rows_name_them(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, marker: bool) -> None:
    # a scheme with no unit list takes every unit the evidence names, so nothing falls back on an
    # unknown unit: the names polars' chunks work out together (_Runs.units_of) must be the row
    # reading's. 单位１ (a full-width digit) is 单位1, the outer spaces go, Ｂ is B; with `marker`,
    # a 评分标准 row (a value that would pass as one) repeats the criteria's text: it is no unit.
    text = (SCHEMES / "changzhou-2018.yaml").read_text(encoding="utf-8")
    lines, out, skipping = text.splitlines(keepends=True), [], False
    for line in lines:  # the scheme's `units:` block left out
        skipping = line.startswith("units:") or (skipping and line[:1] in (" ", "-", "#", "\n"))
        if not skipping:
            out.append(line)
    scheme_path = tmp_path / "s.yaml"
    scheme_path.write_text("".join(out), encoding="utf-8")
    scheme = load_scheme(scheme_path).scheme
    assert not scheme.units
    path = tmp_path / "e.csv"
    rows = ["单位,指标,值", "甲,1.1.1,1", "乙,1.1.1,2", "丙,1.1.1,1", "单位１,1.1.1,3", " 单位2 ,1.1.1,1",
            *(["评分标准,1.1.1,1"] if marker else []), "Ｂ 区,1.1.1,2"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    columnar, by_rows = _both(monkeypatch, [path], scheme, 16384, polars=True)
    assert columnar == by_rows
    assert [entry[0][0] for entry in columnar["values"]] == ["甲", "乙", "丙", "单位1", "单位2", "B 区"]  # type: ignore[index,union-attr]

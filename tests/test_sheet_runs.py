"""A sheet's rows read a run at a time (`take`) are the rows read one at a time, and a copy of a
sheet is found across runs as it is row by row."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import EXAMPLES, ROOT, SCHEMES
from kaohe.errors import EvidenceError, Severity
from kaohe.evidence import layout, read_evidence, xlsxread
from kaohe.scheme.load import load_scheme


def _one_by_one(path: Path) -> list[object]:
    out: list[object] = []
    for table in xlsxread.read_xlsx(str(path), str(path)):
        try:
            out.append([(n, list(cells)) for n, cells in table.rows])
        except EvidenceError as e:
            out.append([str(p) for p in e.problems])
    return out


def _by_runs(path: Path, first: int, run: int) -> list[object]:
    """`first` rows one at a time (as the header search reads them), then runs of `run` rows
    where the table is read so, as kaohe.evidence.layout reads them."""
    out: list[object] = []
    for table in xlsxread.read_xlsx(str(path), str(path)):
        rows = iter(table.rows)
        got: list[object] = []
        try:
            for _ in range(first):
                n, cells = next(rows)
                got.append((n, list(cells)))
        except StopIteration:
            pass
        except EvidenceError as e:
            out.append([str(p) for p in e.problems])
            continue
        if getattr(rows, "by_runs", False):
            while True:
                lines, cells, error, finished = rows.take(run)  # type: ignore[attr-defined]
                got.extend((n, list(c)) for n, c in zip(lines, cells, strict=True))
                if error is not None:
                    got = [str(p) for p in error.problems]
                    break
                if finished:
                    break
        else:
            try:
                got.extend((n, list(cells)) for n, cells in rows)
            except EvidenceError as e:
                got = [str(p) for p in e.problems]
        out.append(got)
    return out


def _workbooks() -> list[Path]:
    found = []
    for path in sorted(p for p in ROOT.rglob("*.xlsx") if ".venv" not in p.parts and "out" not in p.parts):
        try:
            zipfile.ZipFile(path).close()
        except zipfile.BadZipFile:
            continue
        found.append(path)
    return found


def test_every_workbook_the_tests_hold_reads_the_same_by_runs() -> None:
    read = taken = 0
    for path in _workbooks():
        try:
            alone = _one_by_one(path)
        except EvidenceError:
            continue  # refused before any sheet is read: no rows either way
        read += 1
        for first, run in ((0, 1), (1, 3), (2, 1000)):
            assert _by_runs(path, first, run) == alone, (path, first, run)
        taken += any(getattr(iter(t.rows), "by_runs", False) for t in xlsxread.read_xlsx(str(path), str(path)))
    assert read > 20 and taken > read // 2


def test_blank_rows_are_left_out_of_a_run_whatever_their_first_cell(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for row in (["单位", "指标", "值"], ["甲", "1.1", 1], [None, None, None], ["  ", None, "\u3000"],
                [3, "1.1", 2], [None, None, "x"], ["", "1.2", None], ["乙", "1.1", True]):
        sheet.append(row)
    path = tmp_path / "e.xlsx"
    book.save(path)
    # row 3 holds nothing and row 4 only spaces (ASCII and ideographic): both blank; the rest
    # hold something, in their first cell or a later one
    rows = _by_runs(path, 1, 100)[0]
    assert [n for n, _ in rows] == [1, 2, 5, 6, 7, 8]  # type: ignore[misc]
    assert rows == _one_by_one(path)[0]


class _Unreadable:
    """A workbook whose sheet calamine cannot give."""

    def get_sheet_by_name(self, name: str) -> object:
        raise ValueError("damaged")


def test_a_sheet_calamine_cannot_give_is_told_once_by_runs_as_one_at_a_time() -> None:
    runs = xlsxread._SheetRows(_Unreadable(), "证据", "e.xlsx")  # type: ignore[arg-type]
    assert runs.by_runs  # asked before any row: the error waits for the rows
    lines, cells, error, finished = runs.take(10)
    assert (lines, cells, finished) == ([], [], True) and error is not None
    assert [str(p) for p in error.problems] == ["e.xlsx!证据: 错误: 无法读取此工作簿,文件可能已损坏(读取器报告: damaged);"
                                                "请用 Excel 或 WPS 打开后另存为 .xlsx 再试"]  # xlsx.unreadable
    assert runs.take(10) == ([], [], None, True)  # told once
    one = xlsxread._SheetRows(_Unreadable(), "证据", "e.xlsx")  # type: ignore[arg-type]
    assert one.by_runs
    with pytest.raises(EvidenceError) as raised:
        next(one)
    assert [str(p) for p in raised.value.problems] == [str(p) for p in error.problems]
    assert list(one) == []


def _with_copy(tmp_path: Path, change: bool) -> Path:
    book = load_workbook(EXAMPLES / "changzhou-2018" / "evidence.xlsx")
    first = book.worksheets[0]
    copy = book.copy_worksheet(first)
    copy.title = f"{first.title} (2)"
    if change:  # the last row's value, past the copy's first runs
        copy.cell(copy.max_row, 3).value = 1 if copy.cell(copy.max_row, 3).value != 1 else 2
    path = tmp_path / "doubled.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("change", [False, True])
def test_a_copy_is_found_across_runs_as_row_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   change: bool) -> None:
    scheme = load_scheme(SCHEMES / "changzhou-2018.yaml").scheme
    path = _with_copy(tmp_path, change)
    told = []
    for run in (layout.CHUNK_ROWS, 5):  # the 449 rows in one run, and in runs of 5
        monkeypatch.setattr(layout, "CHUNK_ROWS", run)
        evidence = read_evidence([path], scheme)
        told.append([(p.severity, str(p)) for p in evidence.problems])
    assert told[0] == told[1]
    problems = told[1]
    if change:  # a copy that differs is read: its 447 unchanged values are one error, the changed one another
        assert [s for s, _ in problems] == [Severity.ERROR, Severity.ERROR]
        assert "有 447 个值与 证据 中的重复填写且相同" in problems[0][1]
    else:  # an exact copy: one warning, nothing read twice
        assert len(problems) == 1 and problems[0][0] is Severity.WARNING and "备份副本" in problems[0][1]


def _two_sheets(tmp_path: Path, second: list[list[object]]) -> Path:
    book = Workbook()
    first = book.active
    first.title = "证据"
    for row in (["单位", "指标", "值"], ["甲", "1.1.1", 1]):
        first.append(row)
    other = book.create_sheet("证据(2)")
    for row in second:
        other.append(row)
    path = tmp_path / "e.xlsx"
    book.save(path)
    return path


def test_the_first_sheet_is_read_while_the_next_is_scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _two_sheets(tmp_path, [["单位", "指标", "值"], ["乙", "1.1.1", 2]])
    events: list[str] = []
    quick, preload = xlsxread._SheetScan.quick, xlsxread._Preload.__init__

    def scanning(self, stream, well_formed=None):  # type: ignore[no-untyped-def]
        events.append(f"scan {self.sheet}")
        return quick(self, stream, well_formed)

    def reading(self, workbook, name):  # type: ignore[no-untyped-def]
        events.append(f"read {name}")
        preload(self, workbook, name)

    monkeypatch.setattr(xlsxread._SheetScan, "quick", scanning)
    monkeypatch.setattr(xlsxread._Preload, "__init__", reading)
    tables = xlsxread.read_xlsx(str(path), str(path))
    # 证据 is read as soon as its scan is done, before 证据(2) is scanned; 证据(2) only when its rows are asked for
    assert events == ["scan 证据", "read 证据", "scan 证据(2)"]
    rows = [[(n, list(c)) for n, c in table.rows] for table in tables]
    assert events[-1] == "read 证据(2)"
    assert rows == [[(1, ["单位", "指标", "值"]), (2, ["甲", "1.1.1", 1.0])],
                    [(1, ["单位", "指标", "值"]), (2, ["乙", "1.1.1", 2.0])]]


def test_a_workbook_refused_after_its_first_sheet_is_read_leaves_no_reading_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    read = xlsxread._Preload._read

    def slowly(self, workbook):  # type: ignore[no-untyped-def]
        time.sleep(0.5)  # still reading when the refusal is found, unless it is waited for
        read(self, workbook)

    monkeypatch.setattr(xlsxread._Preload, "_read", slowly)

    # 证据(2) holds an Excel error value: refused once every sheet is scanned, after 证据 began to be read
    path = _two_sheets(tmp_path, [["单位", "指标", "值"], ["乙", "1.1.1", 2]])
    data = path.read_bytes()
    out = tmp_path / "refused.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                body = body.replace(b'<c r="C2" t="n"><v>2</v></c>', b'<c r="C2" t="e"><v>#DIV/0!</v></c>')
                assert b"#DIV/0!" in body
            dst.writestr(info, body)
    assert data
    with pytest.raises(EvidenceError) as refused:
        xlsxread.read_xlsx(str(out), "e.xlsx")
    assert [p.location.cell for p in refused.value.problems] == ["C2"]
    assert not [t for t in threading.enumerate() if t.name == "kaohe-sheet"]

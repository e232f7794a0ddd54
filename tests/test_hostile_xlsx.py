"""Hostile workbooks (issue 13, area xlsx), through the real command line: a stray cell far out is
refused before the reader builds the rectangle up to it (peak memory measured in a subprocess),
while an honestly large sheet is still read; Excel error values are refused with their cell;
hidden sheets are not read, and are named. The corpus files are in tests/hostile/xlsx/."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SCHEMES
from kaohe.cli import build_app
from kaohe.evidence import xlsxread
from kaohe.evidence.tables import column_letter

SCHEME = str(SCHEMES / "changzhou-2018.yaml")
_spec = importlib.util.spec_from_file_location("xlsx_corpus", ROOT / "tests" / "hostile" / "xlsx" / "make.py")
assert _spec is not None and _spec.loader is not None
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

PEAK = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": done.returncode, "stderr": done.stderr, "stdout": done.stdout, "peak": usage.ru_maxrss * 1024}))
"""
"""Runs kaohe as the only child of a fresh process, so that RUSAGE_CHILDREN is kaohe's own peak."""


def _kaohe_peak(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "kaohe", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _kaohe(*args: str, lang: str = "zh") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", "--lang", lang, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def _line(stderr: str, where: str) -> str:
    """The line of stderr that starts at `where` (a located message)."""
    found = [line for line in stderr.splitlines() if line.startswith(where)]
    assert len(found) == 1, stderr
    return found[0]


def _json_total(stdout: str, unit: str = "溧阳市") -> str:
    return next(u["total"] for u in json.loads(stdout)["units"] if u["unit"] == unit)


# ---- the sheet's extent ------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["XFD1048576", "XFD2000", "ZZZZ99999999"])
def test_a_stray_cell_far_out_is_refused_with_the_cell_named_and_memory_kept_small(tmp_path: Path, cell: str) -> None:
    base = tmp_path / "base.xlsx"
    base.write_bytes(corpus.workbook())
    stray = tmp_path / "stray.xlsx"
    row = "".join(ch for ch in cell if ch.isdigit())
    stray.write_bytes(corpus.with_rows(f'<row r="{row}"><c r="{cell}"><v>1</v></c></row>'.encode()))
    plain = _kaohe_peak("score", SCHEME, str(base))
    found = _kaohe_peak("score", SCHEME, str(stray))
    assert plain["rc"] == 0, plain["stderr"]
    assert found["rc"] == 1, found["stderr"]  # not 134: calamine would abort asking for 512 GiB
    line = _line(found["stderr"], f"{stray}!证据!{cell}: 错误: ")
    if cell.startswith("ZZZZ"):
        assert "此单元格超出 Excel 的范围(最多 16384 列、1048576 行)" in line
    else:
        assert f"工作表的已用区域 A1:{cell} 有 " in line and "只有 5 个有内容" in line
        assert "超过 1048576 个单元格的区域须至少 1/16 有内容" in line
    # Refused before the dense read: the peak is the plain workbook's, not a gigabyte (XFD2000 took 1.2 GB).
    assert found["peak"] < plain["peak"] + 32 * 1024**2, (found["peak"], plain["peak"])


def test_prefixed_elements_are_scanned_as_calamine_reads_them(tmp_path: Path) -> None:
    # calamine reads <x:c> as <c>: so does the scan, or a prefixed stray cell would pass it.
    def prefixed(body: bytes) -> bytes:
        body = body.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"</worksheet>", b"</x:worksheet>")
        return re.sub(rb"<(/?)(sheetData|row|c|v|is|t)([ >/])", rb"<\1x:\2\3", body)

    path = tmp_path / "x.xlsx"
    path.write_bytes(corpus.rewrite(corpus.with_rows(b'<row r="2000"><c r="XFD2000"><v>1</v></c></row>'), prefixed))
    result = _kaohe("score", SCHEME, str(path))
    assert result.returncode == 1
    assert "只有 5 个有内容" in _line(result.stderr, f"{path}!证据!XFD2000: 错误: ")
    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(corpus.rewrite(corpus.workbook(), prefixed))
    result = _kaohe("score", SCHEME, str(plain), "--format", "json")
    assert result.returncode == 0 and _json_total(result.stdout) != "0", result.stderr


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    # Each cell without `r` follows the previous one: 16384 of them end at XFD, the next is past it.
    fits = tmp_path / "fits.xlsx"
    fits.write_bytes(corpus.with_rows(b'<row r="3">' + b"<c><v>1</v></c>" * 16384 + b"</row>"))
    result = _kaohe("score", SCHEME, str(fits))
    assert "超出 Excel 的范围" not in result.stderr
    assert f"{fits}!证据!C3: 错误: 此行在表头的 2 列之外还有数据" in result.stderr  # read, and refused as ragged
    past = tmp_path / "past.xlsx"
    past.write_bytes(corpus.with_rows(b'<row r="3">' + b"<c><v>1</v></c>" * 16385 + b"</row>"))
    result = _kaohe("score", SCHEME, str(past))
    assert result.returncode == 1
    assert "此单元格超出 Excel 的范围" in _line(result.stderr, f"{past}!证据!XFE3: 错误: ")


def _big_workbook(path: Path, rows: int, cols: int) -> None:
    """The base workbook with a second visible sheet, 附表, of rows × cols numbers (every cell
    filled), its XML streamed into the archive."""
    letters = [column_letter(c) for c in range(cols)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        with zipfile.ZipFile(io.BytesIO(corpus.workbook())) as src:
            for info in src.infolist():
                body = src.read(info.filename)
                if info.filename == "xl/workbook.xml":
                    body = body.replace(b"</sheets>", b'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" name="\xe9\x99\x84\xe8\xa1\xa8" sheetId="9" r:id="rIdBig"/></sheets>')
                elif info.filename == "xl/_rels/workbook.xml.rels":
                    body = body.replace(b"</Relationships>", b'<Relationship Id="rIdBig" Type="http://schemas.openxmlformats.org/'
                                        b'officeDocument/2006/relationships/worksheet" Target="worksheets/big.xml"/></Relationships>')
                elif info.filename == "[Content_Types].xml":
                    body = body.replace(b"</Types>", b'<Override PartName="/xl/worksheets/big.xml" ContentType="application/'
                                        b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
                dst.writestr(info.filename, body)
        with dst.open("xl/worksheets/big.xml", "w") as out:
            out.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for r in range(1, rows + 1):
                out.write(f'<row r="{r}">'.encode() + "".join(
                    f'<c r="{letters[c]}{r}"><v>{(r * 7919 + c * 104729) % 100003}</v></c>' for c in range(cols)).encode()
                    + b"</row>")
            out.write(b"</sheetData></worksheet>")


def test_an_honestly_large_sheet_is_still_read(tmp_path: Path) -> None:
    # 1025 × 1024 numbers, every cell filled: past the 1048576-cell floor, and read all the same.
    path = tmp_path / "large.xlsx"
    _big_workbook(path, 1025, 1024)
    assert 1025 * 1024 > xlsxread.DENSE_FLOOR
    found = _kaohe_peak("score", SCHEME, str(path), "--format", "json")
    assert found["rc"] == 0, found["stderr"][-2000:]
    assert "已用区域" not in found["stderr"]
    assert _json_total(found["stdout"]) == _json_total(_kaohe("score", SCHEME, str(_base(tmp_path)),
                                                              "--format", "json").stdout)
    assert found["peak"] < 1024**3  # about 45 bytes a cell in all


def _base(folder: Path) -> Path:
    path = folder / "base.xlsx"
    path.write_bytes(corpus.workbook())
    return path


def test_the_bound_on_a_sparse_rectangle_is_at_least_one_cell_in_sixteen(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # With the floor lowered to 100 cells: a rectangle A1:J32 (320 cells) needs 20 filled cells.
    monkeypatch.setattr(xlsxread, "DENSE_FLOOR", 100)
    filled = b'<row r="32"><c r="J32"><v>1</v></c></row>'
    extra = b"".join(b'<row r="%d"><c r="D%d"><v>1</v></c></row>' % (r, r) for r in range(3, 3 + 14))
    enough = tmp_path / "enough.xlsx"  # 4 cells of the base, 15 added, and J32: 20
    enough.write_bytes(corpus.with_rows(extra + b'<row r="20"><c r="E20"><v>1</v></c></row>' + filled))
    short = tmp_path / "short.xlsx"  # 19
    short.write_bytes(corpus.with_rows(extra + filled))
    runner = CliRunner()
    result = runner.invoke(build_app(), ["score", SCHEME, str(enough)])
    assert "已用区域" not in result.output and "此行在表头的 2 列之外还有数据" in result.output
    result = runner.invoke(build_app(), ["score", SCHEME, str(short)])
    assert result.exit_code == 1
    assert (f"{short}!证据!J32: 错误: 工作表的已用区域 A1:J32 有 320 个单元格,只有 19 个有内容,最远的一个在此;"
            "超过 100 个单元格的区域须至少 1/16 有内容") in result.output


def test_merged_ranges_cost_no_more_than_the_cells_they_cover(tmp_path: Path) -> None:
    # 2000 copies of A1:XFD60 over a sheet reaching XFD60 kept the reader busy for minutes: each is
    # spread once. Distinct ranges that overlap cover more than the sheet, and are refused.
    wide = corpus.with_rows(b'<row r="60"><c r="XFD60"><v>1</v></c></row>')
    copies = tmp_path / "copies.xlsx"
    copies.write_bytes(corpus.merged(["A1:XFD60"] * 2000, wide))
    result = _kaohe("score", SCHEME, str(copies))  # the timeout (300 s) would end the old reader
    assert result.returncode == 1 and f"{copies}!证据!B1: 错误: 表头中有 16383 列不是本方案的指标编号" in result.stderr
    overlap = tmp_path / "overlap.xlsx"
    overlap.write_bytes(corpus.merged(["A1:XFD60", "B1:XFD60"], wide))
    result = _kaohe("score", SCHEME, str(overlap))
    assert result.returncode == 1
    assert ("工作表的 2 个合并单元格区域相互重叠(共覆盖 1966020 个单元格,而工作表只有 983040 个)"
            in _line(result.stderr, f"{overlap}!证据: 错误: "))
    apart = tmp_path / "apart.xlsx"  # ranges side by side are what Excel saves: read (and the
    apart.write_bytes(corpus.merged(["C1:D1", "C2:C60", "E5:XFD60"], wide))  # stray XFD60 is under E5's blank)
    result = _kaohe("score", SCHEME, str(apart))
    assert result.returncode == 0 and "相互重叠" not in result.stderr, result.stderr


# ---- cells written twice ------------------------------------------------------------------------------

TWICE = "此单元格在工作表中写了不止一次(写了不止一次的单元格共 {count} 个,这是第一个)"


def test_a_cell_written_twice_is_refused_at_the_cell_not_read_as_its_last(tmp_path: Path) -> None:
    # B2 holds 2, then 40: calamine took the 40 (the other readers may take the 2), exit 0
    path = tmp_path / "twice.xlsx"
    path.write_bytes(corpus.rewrite(corpus.workbook(), lambda body: body.replace(
        b'<c r="B2" t="n"><v>2</v></c>', b'<c r="B2" t="n"><v>2</v></c><c r="B2" t="n"><v>40</v></c>', 1)))
    result = _kaohe("score", SCHEME, str(path))
    assert result.returncode == 1
    assert TWICE.format(count=1) in _line(result.stderr, f"{path}!证据!B2: 错误: ")
    assert "溧阳市" not in result.stdout  # nothing scored


def test_a_row_given_twice_is_refused_and_in_english(tmp_path: Path) -> None:
    # row 2 again after the base's row 2 (A2 溧阳市, B2 2), its A2 and B2 once more: calamine kept
    # only the later row's cells. Two positions repeat; A2's is met first.
    path = tmp_path / "row.xlsx"
    path.write_bytes(corpus.with_rows(b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2"><v>7</v></c></row>'))
    result = _kaohe("score", SCHEME, str(path), lang="en")
    assert result.returncode == 1
    assert ("this cell is written more than once in the sheet (2 cells are written more than once; this is the first)"
            in _line(result.stderr, f"{path}!证据!A2: error: "))


def test_rows_and_cells_out_of_order_each_written_once_read_as_in_order(tmp_path: Path) -> None:
    # the base's rows last to first, each row's cells right to left: calamine places cells by their
    # references, so the table read and the total are the base workbook's
    def reverse(body: bytes) -> bytes:
        rows = re.findall(rb"<row [^>]*>.*?</row>", body)
        flipped = [re.sub(rb"(<row [^>]*>)(.*)</row>", lambda m: m.group(1) + b"".join(
            reversed(re.findall(rb"<c .*?</c>", m.group(2)))) + b"</row>", row) for row in reversed(rows)]
        assert len(rows) == 2 and flipped[0].index(b'r="B2"') < flipped[0].index(b'r="A2"')
        return body.replace(b"".join(rows), b"".join(flipped), 1)

    base = _base(tmp_path)
    path = tmp_path / "reversed.xlsx"
    path.write_bytes(corpus.rewrite(base.read_bytes(), reverse))
    assert [list(t.rows) for t in xlsxread.read_xlsx(str(path), "r.xlsx")] == \
        [list(t.rows) for t in xlsxread.read_xlsx(str(base), "b.xlsx")] == [[(1, ["单位", "1.1.1"]), (2, ["溧阳市", 2])]]
    result = _kaohe("score", SCHEME, str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert _json_total(result.stdout) == _json_total(_kaohe("score", SCHEME, str(base), "--format", "json").stdout)


# ---- Excel error values ------------------------------------------------------------------------------

ERRORS = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"]


def test_every_excel_error_value_is_refused_with_its_cell_and_the_error_shown(tmp_path: Path) -> None:
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>\xe6\xba\xa7\xe9\x98\xb3\xe5\xb8\x82</t></is></c>' % (r, r)
                    + corpus.error_cell(f"B{r}", error, "1/0") + b"</row>" for r, error in enumerate(ERRORS, start=3))
    path = tmp_path / "errors.xlsx"
    path.write_bytes(corpus.with_rows(rows))
    result = _kaohe("score", SCHEME, str(path))
    assert result.returncode == 1, result.stderr
    for r, error in enumerate(ERRORS, start=3):
        line = _line(result.stderr, f"{path}!证据!B{r}: 错误: ")
        assert f"单元格是 Excel 错误值 {error},公式没有算出结果" in line
    assert "Traceback" not in result.stderr


def test_an_error_value_without_its_formula_is_refused_too_and_in_english(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    path.write_bytes(corpus.rewrite(corpus.workbook(), lambda body: body.replace(
        b'<c r="B2" t="n"><v>2</v></c>', corpus.error_cell("B2", "#N/A"), 1)))
    result = _kaohe("score", SCHEME, str(path), lang="en")
    assert result.returncode == 1
    assert "the cell holds the Excel error #N/A: its formula gave no result" in _line(result.stderr, f"{path}!证据!B2: error: ")


def test_the_same_error_down_a_column_is_one_message_with_its_count(tmp_path: Path) -> None:
    path = tmp_path / "col.xlsx"
    rows = b"".join(b'<row r="%d">' % r + corpus.error_cell(f"B{r}", "#REF!", "#REF!+1") + b"</row>" for r in range(3, 1003))
    path.write_bytes(corpus.with_rows(rows))
    result = _kaohe("score", SCHEME, str(path))
    line = _line(result.stderr, f"{path}!证据!B3: 错误: ")
    assert "Excel 错误值 #REF!" in line and "(同样的问题共 1000 处,另见: B4、B5、B6、B7、B8、B9、B10、B11…)" in line
    assert result.stderr.count("#REF!") == 1


# ---- hidden sheets ------------------------------------------------------------------------------------

HIDDEN_ROWS: list[list[object]] = [["单位", "1.2.1"], ["溧阳市", 1]]


@pytest.mark.parametrize(("state", "words"), [("hidden", "隐藏的工作表中有数据,未读取,不计分"),
                                              ("veryHidden", "深度隐藏(veryHidden)的工作表中有数据,未读取,不计分")])
def test_a_hidden_sheet_is_not_scored_and_is_named(tmp_path: Path, state: str, words: str) -> None:
    hidden = tmp_path / "hidden.xlsx"
    hidden.write_bytes(corpus.workbook(corpus.ROWS, {"隐藏表": (state, HIDDEN_ROWS)}))
    shown = tmp_path / "shown.xlsx"  # the same sheet, visible: its value counts
    shown.write_bytes(corpus.workbook(corpus.ROWS, {"隐藏表": ("visible", HIDDEN_ROWS)}))
    plain = _kaohe("score", SCHEME, str(_base(tmp_path)), "--format", "json")
    result = _kaohe("score", SCHEME, str(hidden), "--format", "json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]  # JSON lines under --format json
    named = [r for r in records if (r["file"], r["sheet"], r["level"]) == (str(hidden), "隐藏表", "warning")]
    assert len(named) == 1 and words in named[0]["message"], result.stderr
    assert _json_total(result.stdout) == _json_total(plain.stdout)
    assert _json_total(_kaohe("score", SCHEME, str(shown), "--format", "json").stdout) != _json_total(plain.stdout)


def test_an_empty_hidden_sheet_says_nothing_and_a_hidden_sheet_is_not_even_scanned_for_errors(tmp_path: Path) -> None:
    path = tmp_path / "h.xlsx"
    data = corpus.workbook(corpus.ROWS, {"空": ("hidden", []), "坏": ("hidden", [["x"]])})
    # The second hidden sheet holds an error value and a stray cell at XFD1048576: it is not read.
    path.write_bytes(corpus.rewrite(data, lambda body: body.replace(b"</sheetData>", b'<row r="2">'
                                    + corpus.error_cell("A2", "#DIV/0!") + b'</row><row r="1048576"><c r="XFD1048576">'
                                    b"<v>1</v></c></row></sheetData>"), member="xl/worksheets/sheet3.xml"))
    result = _kaohe("score", SCHEME, str(path))
    assert result.returncode == 0, result.stderr
    assert f"{path}!空" not in result.stderr
    assert "未读取" in _line(result.stderr, f"{path}!坏: 警告: ")
    assert "#DIV/0!" not in result.stderr and "已用区域" not in result.stderr


def test_a_workbook_whose_data_is_all_on_hidden_sheets_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "only.xlsx"
    path.write_bytes(corpus.workbook([], {"证据2": ("hidden", corpus.ROWS), "附": ("veryHidden", [[1]])}))
    result = _kaohe("score", SCHEME, str(path))
    assert result.returncode == 1
    assert "工作簿的数据都在隐藏的工作表上(证据2、附),可见的工作表中没有数据" in _line(result.stderr, f"{path}: 错误: ")


# ---- cells whose value their type cannot hold -----------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    # a number cell holding text with a decimal comma: calamine cannot parse it as a number
    (b'<c r="C40" t="n"><v>1,5</v></c>', "C40: 错误: 单元格的类型是数字,值却是 '1,5',无法读取:文件可能由其他程序写坏;"
     "请在 Excel 或 WPS 中改正该单元格后保存"),
    # a logical cell holding 7 (only 0, 1, true and false are logical values)
    (b'<c r="B40" t="b"><v>7</v></c>', "B40: 错误: 单元格的类型是逻辑值(TRUE/FALSE),值却是 '7',无法读取;"
     "请在 Excel 或 WPS 中改正该单元格后保存"),
])
def test_a_cell_calamine_cannot_read_is_named_with_its_value(tmp_path: Path, cell: bytes, expected: str) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(corpus.with_rows(b'<row r="40">' + cell + b"</row>"))
    result = _kaohe("score", SCHEME, str(path))
    assert result.returncode == 1
    assert _line(result.stderr, f"{path}!证据!") == f"{path}!证据!{expected}"


def _with_shared_strings(data: bytes, strings: list[str]) -> bytes:
    """The workbook with a shared strings table of `strings` (openpyxl writes none: it writes
    inline text), as Excel, WPS and LibreOffice write one."""
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    table = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
             f'uniqueCount="{len(strings)}">{items}</sst>').encode()
    rel = (b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           b'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    kind = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.sharedStrings+xml"/></Types>')
    data = corpus.rewrite(data, lambda body: body.replace(b"</Relationships>", rel), "xl/_rels/workbook.xml.rels")
    data = corpus.rewrite(data, lambda body: body.replace(b"</Types>", kind), "[Content_Types].xml")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/sharedStrings.xml", table)
    return out.getvalue()


@pytest.mark.parametrize(("strings", "expected"), [
    # three strings, numbered 0, 1 and 2: the cell asks for the fourth
    (["溧阳市", "1.1.1", "备注"], "A40: 错误: 单元格引用第 3 条共享文字,而工作簿只有 3 条(编号 0–2):文件已损坏;"
     "请在 Excel 或 WPS 中重新填写该单元格后保存"),
    # no table at all (as openpyxl writes a workbook)
    (None, "A40: 错误: 单元格引用第 3 条共享文字,而工作簿没有共享文字表:文件已损坏;请在 Excel 或 WPS 中重新填写该单元格后保存"),
])
def test_a_shared_string_past_the_table_is_named_with_the_table_s_size(tmp_path: Path, strings: list[str] | None,
                                                                        expected: str) -> None:
    data = corpus.workbook() if strings is None else _with_shared_strings(corpus.workbook(), strings)
    path = tmp_path / "x.xlsx"
    path.write_bytes(corpus.with_rows(b'<row r="40"><c r="A40" t="s"><v>3</v></c></row>', data))
    result = _kaohe("score", SCHEME, str(path))
    assert result.returncode == 1
    assert _line(result.stderr, f"{path}!证据!") == f"{path}!证据!{expected}"


def test_a_workbook_calamine_cannot_read_for_no_cell_s_sake_is_told_so(tmp_path: Path) -> None:
    # a zip archive that is no workbook (no _rels/.rels): nothing in a cell to name
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "考核")
    result = _kaohe("score", SCHEME, str(path))
    assert result.returncode == 1
    line = _line(result.stderr, f"{path}: ")
    assert line.startswith(f"{path}: 错误: 无法读取此工作簿,文件可能已损坏(读取器报告: ")
    assert line.endswith(");请用 Excel 或 WPS 打开后另存为 .xlsx 再试")


def test_a_cell_without_r_is_in_its_row_element_s_row_as_calamine_places_it(tmp_path: Path) -> None:
    # row 2 given again at the end, holding A9 then a cell without r: calamine puts that cell at
    # B2 (the row element's row, after A), over the B2 already there: a position written twice
    path = tmp_path / "x.xlsx"
    path.write_bytes(corpus.with_rows(b'<row r="2"><c r="A9"><v>1</v></c><c><v>7</v></c></row>'))
    result = _kaohe("score", SCHEME, str(path))
    assert result.returncode == 1
    assert "写了不止一次" in _line(result.stderr, f"{path}!证据!B2: 错误: ")

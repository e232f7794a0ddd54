"""The results workbook as an office prints it (issue 14 §1 评价表, 排名, 汇总, 明细, the chart; §5
manifest): checked cell by cell against the document's rules and the hand-worked example
(examples/changzhou-2018/expected.yaml), never against what the writer itself produced."""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import EXAMPLES, SCHEMES
from kaohe.cli import build_app

SCHEME = SCHEMES / "changzhou-2018.yaml"
EVIDENCE = EXAMPLES / "changzhou-2018" / "evidence.xlsx"
EXPECTED = yaml.safe_load((EXAMPLES / "changzhou-2018" / "expected.yaml").read_text(encoding="utf-8"))
DEMO = EXAMPLES / "outcomes-demo"
TITLE_ROWS = 2
"""Every printed sheet of the example opens with two lines: its title, then 文号 / 考核期间 / 日期."""


def _document() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(SCHEME.read_text(encoding="utf-8"))


def _run(*args: str) -> None:
    result = CliRunner().invoke(build_app(), list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def book_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wb") / "r.xlsx"
    _run("score", str(SCHEME), str(EVIDENCE), "-o", str(out), "--no-timestamp")
    return out


@pytest.fixture(scope="module")
def book(book_path: Path):  # type: ignore[no-untyped-def]
    return load_workbook(book_path)


def _chart_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(names) == 1, names
        return archive.read(names[0]).decode("utf-8")


# 评价表 ------------------------------------------------------------------------------------------

def test_the_assessment_form_is_titled_with_the_unit_and_the_document_number(book) -> None:  # type: ignore[no-untyped-def]
    sheet = book["评价表-溧阳市"]
    assert "评价表" in sheet["A1"].value and _document()["title"] in sheet["A1"].value
    assert "常机管〔2018〕49号" in sheet["A2"].value and "溧阳市" in sheet["A2"].value
    # the header under the two title lines, in the document's columns
    assert [sheet.cell(3, c).value for c in range(1, 5)] == ["评价项目", "评价内容", "分值", "评分标准"]


def test_the_section_cell_is_merged_over_its_criteria_rows(book) -> None:  # type: ignore[no-untyped-def]
    # Section 1 组织领导 has items 1.1, 1.2, 1.3 with one ● criterion each (the scheme): 3 rows
    # under the header (row 3), rows 4-6, and its 小计 on row 7; 评价项目 spans all four.
    section = _document()["sections"][0]
    criteria = sum(len(item["criteria"]) for item in section["items"])
    assert criteria == 3
    first = TITLE_ROWS + 2
    sheet = book["评价表-溧阳市"]
    assert f"A{first}:A{first + criteria}" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet[f"A{first}"].value == "1、组织领导(10)"
    assert sheet[f"B{first + criteria}"].value == "小计"


def test_criterion_scores_subtotal_and_total_are_the_hand_worked_ones(book) -> None:  # type: ignore[no-untyped-def]
    # 1.1.1 "每次得1分,最高得2分": the evidence cell says 3 批示 → 3 × 1 = 3, capped at 2.
    evidence = load_workbook(EVIDENCE)["证据"]
    count = next(r[2] for r in evidence.iter_rows(values_only=True) if r[:2] == ("溧阳市", "1.1.1"))
    assert count == 3
    assert min(count * 1, 2) == 2
    sheet = book["评价表-溧阳市"]
    row = TITLE_ROWS + 2
    assert sheet[f"D{row}"].value.startswith("本级党委、政府领导同志")
    assert sheet[f"F{row}"].value == 2 and isinstance(sheet[f"F{row}"].value, int)
    assert sheet[f"F{row}"].number_format == "0"  # 2, never "2.0"
    # 组织领导 小计 = 1.1 (2) + 1.2 (4) + 1.3 (4) = 10 (expected.yaml: sections "1": 10)
    subtotal = TITLE_ROWS + 2 + 3
    assert EXPECTED["units"]["溧阳市"]["sections"]["1"] == 10
    assert sheet[f"F{subtotal}"].value == 10 == sheet[f"H{subtotal}"].value
    assert sheet[f"F{subtotal}"].font.b
    # 总分 99.5 + 20 = 119.5 (expected.yaml), shown with its one decimal
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    total = next(i for i, r in enumerate(rows, start=1) if r[0] == "总分")
    assert sheet[f"F{total}"].value == float(EXPECTED["units"]["溧阳市"]["total"]) == 119.5
    assert sheet[f"F{total}"].number_format == "0.0"
    assert f"A{total}:B{total}" in {str(r) for r in sheet.merged_cells.ranges}
    # the signature block: a blank row, then 考核组签字 and 日期, unbordered
    assert rows[total] == [None] * len(rows[0]) or all(v in (None, "") for v in rows[total])
    assert rows[total + 1][0] == "考核组签字:" and any(str(v).startswith("日期") for v in rows[total + 1] if v)
    assert sheet.cell(total + 2, 1).border.left.style is None


def _display(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def test_rows_are_tall_enough_for_the_longest_scoring_rule(book) -> None:  # type: ignore[no-untyped-def]
    sheet = book["评价表-溧阳市"]
    width = sheet.column_dimensions["D"].width
    texts = [(c.row, c.value) for c in sheet["D"][TITLE_ROWS + 1:] if isinstance(c.value, str)]
    row, longest = max(texts, key=lambda x: _display(x[1]))
    # CJK ≈ 2 width units a character: the lines it takes in column D, at about 15 pt a line
    lines = math.ceil(_display(longest) / width)
    assert lines >= 2
    assert sheet.row_dimensions[row].height >= lines * 15


def test_the_assessment_form_prints_on_a4_one_page_wide_with_page_numbers(book) -> None:  # type: ignore[no-untyped-def]
    sheet = book["评价表-溧阳市"]
    setup = sheet.page_setup
    assert setup.paperSize in ("9", 9) and setup.fitToWidth in ("1", 1) and setup.fitToHeight in ("0", 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    width = sum(sheet.column_dimensions[c].width for c in "ABCDEFGH")
    assert width > 95 and setup.orientation == "landscape"  # wider than A4 portrait holds
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.print_title_rows == f"${TITLE_ROWS + 1}:${TITLE_ROWS + 1}"
    assert sheet.print_area == f"'评价表-溧阳市'!$A$1:$H${sheet.max_row}"


# 排名, 汇总, 明细, 说明 ------------------------------------------------------------------------------

def test_summary_headers_carry_the_points(book) -> None:  # type: ignore[no-untyped-def]
    section = _document()["sections"][0]
    sheet = book["汇总-组织领导"]
    header = [c.value for c in sheet[TITLE_ROWS + 1]]
    for item in section["items"]:
        assert f"{item['id']} {item['title']}({item['points']})" in header
    assert header[-1] == "组织领导得分(10)"
    ranking = [c.value for c in book["排名"][TITLE_ROWS + 1]]
    assert "组织领导(10)" in ranking and "总分(100)" in ranking


def test_the_ranking_keeps_the_hand_worked_totals(book) -> None:  # type: ignore[no-untyped-def]
    sheet = book["排名"]
    assert sheet["A1"].value == f"{_document()['title']} 考核结果"
    header = [c.value for c in sheet[TITLE_ROWS + 1]]
    unit, total = header.index("单位"), header.index("总分(100)")
    got = {r[unit]: r[total] for r in sheet.iter_rows(min_row=TITLE_ROWS + 2, values_only=True)}
    assert got == {name: float(u["total"]) for name, u in EXPECTED["units"].items()}
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_detail_sources_are_relative_to_the_evidence_folder_named_above(book) -> None:  # type: ignore[no-untyped-def]
    sheet = book["明细"]
    assert "examples/changzhou-2018" in sheet["A2"].value
    header = [c.value for c in sheet[TITLE_ROWS + 1]]
    source = sheet.cell(TITLE_ROWS + 2, header.index("来源") + 1).value
    assert source == "evidence.xlsx!证据!C2"  # 溧阳市 1.1.1 is the first data row of the evidence


def test_the_manifest_sheet_names_the_files_with_their_sha256(book) -> None:  # type: ignore[no-untyped-def]
    rows = [r for r in book["说明"].iter_rows(values_only=True)]
    files = {r[0]: (Path(r[1]).resolve(), r[2]) for r in rows if r[2] and r[2] != "SHA-256"}
    assert files["方案文件"] == (SCHEME.resolve(), hashlib.sha256(SCHEME.read_bytes()).hexdigest())
    assert files["证据文件"] == (EVIDENCE.resolve(), hashlib.sha256(EVIDENCE.read_bytes()).hexdigest())
    assert any(r[0] == "工具版本" and str(r[1]).startswith("kaohe ") for r in rows)


# The chart ------------------------------------------------------------------------------------

def test_the_chart_names_every_unit_and_runs_to_the_full_score(book_path: Path) -> None:
    chart = _chart_xml(book_path)
    assert '<tickLblSkip val="1"' in chart
    assert re.search(r'<dLbls>.*<showVal val="1" />', chart)
    # 百分制(附加 20 分): 100 base + 20 bonus, the most a unit can reach (溧阳市 119.5 fits)
    document = _document()
    top = document["full_score"] + sum(s["points"] for s in document["sections"] if s.get("kind") == "bonus")
    assert top == 120
    assert f'<max val="{top}"' in chart and '<min val="0"' in chart
    assert '<majorUnit val="20"' in chart  # 6 whole steps
    assert "<cat><strRef><f>'排名'!$B$4:$B$10</f>" in chart  # 7 units, rows 4-10, as text
    assert chart.count("<a:t>总分</a:t>") == 1  # the chart's title only: no axis title repeats it


def test_a_vetoed_unit_is_marked_on_the_chart(tmp_path: Path) -> None:
    # outcomes-demo: 己市 has 否决 = 是; its 59 + 40 = 99 is the highest, so it is the first bar.
    out = tmp_path / "o.xlsx"
    _run("score", str(DEMO / "scheme.yaml"), str(DEMO / "evidence.csv"), "-o", str(out))
    chart = _chart_xml(out)
    sheet = load_workbook(out)["排名"]
    header = [c.value for c in sheet[TITLE_ROWS + 1]]
    first = sheet.cell(TITLE_ROWS + 2, header.index("单位") + 1)
    assert first.value == "己市"
    assert '<dPt><idx val="0" /><spPr><a:solidFill><a:srgbClr val="C00000" />' in chart
    assert chart.count("<dPt>") == 1 and "红色为一票否决单位" in chart
    # the names are the 单位 column (C here, after 类内名次), not column B
    assert f"<cat><strRef><f>'排名'!${first.column_letter}$4" in chart


def test_a_net_loss_shows_below_zero_on_the_chart(tmp_path: Path) -> None:
    # xiangdong-publicity counts in 元: 基層政權與社區建設股 nets 0 − 650 = −650 (expected.yaml), the
    # best 660 − 100 = 560. The axis spans 560 + 650 = 1250 in steps of 200 (1250 / 100 > 10
    # parts): from −200 × ⌈650 / 200⌉ = −800; the names stay at the left, clear of that bar.
    folder = EXAMPLES / "xiangdong-publicity"
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))["units"]
    assert min(u["total"] for u in expected.values()) == -650 and max(u["total"] for u in expected.values()) == 560
    out = tmp_path / "x.xlsx"
    _run("score", str(SCHEMES / "xiangdong-publicity.yaml"), str(folder / "evidence.xlsx"), "-o", str(out))
    chart = _chart_xml(out)
    assert '<min val="-800"' in chart and '<majorUnit val="200"' in chart
    assert '<tickLblPos val="low"' in chart and "<a:t>合计(元)</a:t>" in chart


# The streamed path ----------------------------------------------------------------------------

def test_the_streamed_workbook_has_the_same_cells_and_merges(book_path: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import kaohe.report.xlsxout as xlsxout

    monkeypatch.setattr(xlsxout, "STREAM_ROWS", 10)
    streamed = tmp_path / "s.xlsx"
    _run("score", str(SCHEME), str(EVIDENCE), "-o", str(streamed), "--no-timestamp")
    ours, theirs = load_workbook(book_path), load_workbook(streamed)
    assert theirs.sheetnames == ours.sheetnames
    for name in ours.sheetnames:
        a, b = ours[name], theirs[name]
        assert [[c.value for c in r] for r in b.iter_rows()] == [[c.value for c in r] for r in a.iter_rows()], name
        assert sorted(map(str, b.merged_cells.ranges)) == sorted(map(str, a.merged_cells.ranges)), name
        assert b.print_title_rows == a.print_title_rows and b.page_setup.orientation == a.page_setup.orientation
    form = theirs["评价表-溧阳市"]
    assert form["F4"].number_format == "0" and form["D4"].alignment.wrap_text
    assert form.row_dimensions[4].height == ours["评价表-溧阳市"].row_dimensions[4].height


# CSV and rank ---------------------------------------------------------------------------------

def test_csv_results_get_a_manifest_naming_the_inputs(tmp_path: Path) -> None:
    out = tmp_path / "结果.csv"
    _run("score", str(SCHEME), str(EVIDENCE), "-o", str(out))
    record = json.loads((tmp_path / "结果.manifest.json").read_text(encoding="utf-8"))
    assert record["results"] == {"file": "结果.csv", "sha256": hashlib.sha256(out.read_bytes()).hexdigest()}
    assert record["scheme"]["sha256"] == hashlib.sha256(SCHEME.read_bytes()).hexdigest()
    assert [i["sha256"] for i in record["inputs"]] == [hashlib.sha256(EVIDENCE.read_bytes()).hexdigest()]


def test_rank_writes_the_ranking_sheet_with_grades_chart_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    _run("rank", str(DEMO / "scheme.yaml"), str(DEMO / "evidence.csv"), "-o", str(out))
    book = load_workbook(out)
    assert book.sheetnames[0] == "排名" and book.sheetnames[-1] == "说明"
    sheet = book["排名"]
    assert sheet["A1"].value == "年度目标管理考核(示例) 排名与等次"
    header = [c.value for c in sheet[TITLE_ROWS + 1]]
    assert "等次" in header and "总分(100)" in header
    grades = {r[header.index("单位")]: r[header.index("等次")]
              for r in sheet.iter_rows(min_row=TITLE_ROWS + 2, values_only=True)}
    # 己市 (99, vetoed: "当年不得评为优秀") ≥ 60 → 合格; 乙县 (58 + 38 = 96) is the best of the
    # other 县(市、区), within the quota of 7 × 30% = 2.1 → 2 优秀.
    assert grades["己市"] == "合格" and grades["乙县"] == "优秀"
    chart = _chart_xml(out)
    assert '<tickLblSkip val="1"' in chart and '<max val="100"' in chart and "C00000" in chart
    manifest = {r[0]: r for r in book["说明"].iter_rows(values_only=True)}
    assert manifest["证据文件"][2] == hashlib.sha256((DEMO / "evidence.csv").read_bytes()).hexdigest()
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_rank_csv_gets_a_manifest_of_the_results_it_ranked(tmp_path: Path) -> None:
    results = tmp_path / "r.json"
    _run("score", str(SCHEME), str(EVIDENCE), "-o", str(results))
    out = tmp_path / "排名.csv"
    _run("rank", str(SCHEME), str(results), "-o", str(out))
    record = json.loads((tmp_path / "排名.manifest.json").read_text(encoding="utf-8"))
    assert record["inputs"] == [{"file": str(results), "sha256": hashlib.sha256(results.read_bytes()).hexdigest()}]
    assert record["results"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    workbook = tmp_path / "排名.xlsx"
    _run("rank", str(SCHEME), str(results), "-o", str(workbook))
    rows = list(load_workbook(workbook)["说明"].iter_rows(values_only=True))
    assert [r[0] for r in rows if r[1] == str(results)] == ["结果文件"]


# Printed by LibreOffice -----------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _criteria(entries: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    """The ● criteria of an item's entries, those inside groups included."""
    return [c for e in entries for c in (_criteria(e["criteria"]) if "criteria" in e and "text" not in e else [e])]


def _printed_whole(sentence: str, printed: str) -> bool:
    """Whether every character of `sentence` is printed, in order, soon after where it begins:
    the print sets the columns of a row side by side, so the sentence's wrapped lines are
    interleaved with its neighbours' (`printed` without its whitespace)."""
    head = sentence[:6]
    at = printed.find(head)
    while at >= 0:
        window, i = printed[at:at + 4 * len(sentence) + 200], 0
        for ch in window:
            if ch == sentence[i]:
                i += 1
                if i == len(sentence):
                    return True
        at = printed.find(head, at + 1)
    return False


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None, reason="LibreOffice is not installed here")
def test_the_printed_workbook_shows_every_unit_and_whole_scoring_rules(book_path: Path, tmp_path: Path) -> None:
    from test_libreoffice import _convert

    pdf = _convert(book_path, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for unit in EXPECTED["units"]:
        assert unit in text
    assert _document()["title"] in text and "考核组签字" in text and "第 1 页 共" in text
    pages = text.split("\f")
    first = next(i for i, page in enumerate(pages) if "被考核单位:溧阳市" in page)
    last = next(i for i, page in enumerate(pages) if i > first and "被考核单位:" in page)
    form = re.sub(r"\s+", "", "".join(pages[first:last]))  # the pages of 评价表-溧阳市
    sentences = [re.sub(r"\s+", "", c["text"]) for s in _document()["sections"] for item in s["items"]
                 for c in _criteria(item["criteria"])]
    assert len(sentences) > 40
    assert not _printed_whole(sentences[0] + "另有一句", form)  # the check can fail
    cut = [s for s in sentences if not _printed_whole(s, form)]
    assert not cut
    assert Decimal("119.5") == Decimal(str(EXPECTED["units"]["溧阳市"]["total"])) and "119.5" in form

"""Evidence templates as an office prints and fills them: title row, ruled cells, row heights that
fit the text, A4 print setup with 单位 on every page, a 说明 a unit can follow, and a 自评表 that
checks its entries as the main form does. A filled form scores the hand-worked totals."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import SCHEMES
from kaohe.cli import build_app
from kaohe.report.xlsxout import height_needed

SCHEME = """\
id: forms
title: 某县机关效能考核办法
doc_number: 某效发〔2024〕3号
year: 2024
full_score: 18
units: [{name: 甲镇}, {name: 乙街道}]
sections:
  - id: "1"
    title: 机关效能
    points: 18
    items:
      - id: "1.1"
        title: 会议
        points: 4
        criteria:
          - {id: 1.1.1, title: 召开会议, text: "每召开一次专题会议得1分,最高得4分。", points: 4,
             rule: {kind: per_count, per: 1, cap: 4}}
      - id: "1.2"
        title: 制度
        points: 2
        criteria:
          - {id: 1.2.1, title: 制定制度, text: "制定本单位效能建设制度的,得2分。", points: 2, rule: {kind: met}}
      - id: "1.3"
        title: 岗位责任制
        points: 4
        criteria:
          - id: 1.3.1
            title: 岗位责任制
            text: 全面建立岗位责任制的,得4分;部分建立的,得2分;没建立的,不得分。
            points: 4
            rule:
              kind: levels
              levels: [{name: 全面建立, points: 4}, {name: 部分建立, points: 2}, {name: 没建立, points: 0}]
      - id: "1.4"
        title: 服务品牌
        points: 5
        criteria:
          - {id: 1.4.1, title: 服务品牌, text: "打造服务品牌的,最高得5分。", points: 5, rule: {kind: judged, min: 0, max: 5}}
      - id: "1.5"
        title: 办件量
        points: 3
        criteria:
          - id: 1.5.1
            title: 人均办件量
            text: 人均办件量10件以上的,得3分;不足10件的,得1分。
            points: 3
            rule: {kind: bands, value: number, bands: [{ge: 10, points: 3}, {lt: 10, points: 1}]}
"""
FILLED = {"甲镇": {"1.1.1": 3, "1.2.1": "是", "1.3.1": "部分建立", "1.4.1": 4.5, "1.5.1": 12},
          "乙街道": {"1.1.1": 6, "1.2.1": "否", "1.3.1": "全面建立", "1.4.1": 2, "1.5.1": 7.5}}
# Worked from the scheme's text:
# 甲镇: 3 meetings × 1 = 3 (under the cap of 4); 制度 是 = 2; 部分建立 = 2; judged 4.5; 12 ≥ 10 → 3.
#       3 + 2 + 2 + 4.5 + 3 = 14.5
# 乙街道: 6 × 1 = 6, capped at 4; 否 = 0; 全面建立 = 4; judged 2; 7.5 < 10 → 1. 4 + 0 + 4 + 2 + 1 = 11
TOTALS = {"甲镇": "14.5", "乙街道": "11"}
TITLE = "某县机关效能考核办法 证据填报表"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(build_app(), list(args), prog_name="kaohe")


@pytest.fixture()
def scheme(tmp_path: Path) -> Path:
    path = tmp_path / "forms.yaml"
    path.write_text(SCHEME, encoding="utf-8")
    return path


def _template(scheme: Path, target: Path, *more: str) -> Path:
    if "--by" in more:
        target.mkdir(exist_ok=True)  # --by writes into a folder that exists (kaohe makes none)
    result = run("template", str(scheme), "-o", str(target), *more)
    assert result.exit_code == 0, result.output
    return target


def _totals(scheme: Path, evidence: Path) -> dict[str, str]:
    result = run("score", str(scheme), str(evidence), "--format", "json")
    assert result.exit_code == 0, result.output
    return {u["unit"]: str(u["total"]) for u in json.loads(result.stdout)["units"]}


def test_the_title_row_names_the_scheme_its_number_and_year_merged_across(scheme: Path, tmp_path: Path) -> None:
    sheet = load_workbook(_template(scheme, tmp_path / "t.xlsx"))["证据"]
    title = str(sheet["A1"].value)
    assert title.startswith(TITLE) and "某效发〔2024〕3号" in title and "2024年度" in title
    # 单位 + five inputs = columns A..F; the title spans them all.
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:F1"]
    runs = load_workbook(tmp_path / "t.xlsx", rich_text=True)["证据"]["A1"].value
    assert (runs[0].text, runs[0].font.b, runs[0].font.sz) == (TITLE, True, 16)  # the name large and bold
    assert runs[1].text.startswith("\n文号:") and not runs[1].font.b
    assert sheet["A2"].value == "单位" and sheet["A3"].value == "评分标准" and sheet["A4"].value == "甲镇"


def test_header_and_criterion_rows_are_as_tall_as_their_text(scheme: Path, tmp_path: Path) -> None:
    sheet = load_workbook(_template(scheme, tmp_path / "t.xlsx"))["证据"]
    width = sheet.column_dimensions["B"].width
    header = str(sheet["B2"].value)  # "1.1.1 召开会议": 5 + 1 + 8 = 14 columns, one line in 18
    assert width == 18 and header == "1.1.1 召开会议"
    assert sheet.row_dimensions[2].height >= height_needed(header, width) >= 20
    # The longest criterion text (1.3.1, 33 characters and its rule in brackets) takes several
    # lines even in small type: its row is taller than the one line a plain row has.
    longest = max((str(c.value) for c in sheet[3][1:]), key=len)
    assert longest.startswith("全面建立岗位责任制的")
    assert sheet.row_dimensions[3].height > 3 * 12
    assert all(c.alignment.wrap_text for c in sheet[2] + sheet[3])


def test_headers_and_input_cells_are_ruled(scheme: Path, tmp_path: Path) -> None:
    sheet = load_workbook(_template(scheme, tmp_path / "t.xlsx"))["证据"]
    for coordinate in ("A2", "C2", "C5", "F4"):  # a header, an input cell of each unit
        border = sheet[coordinate].border
        assert {border.left.style, border.right.style, border.top.style, border.bottom.style} == {"thin"}, coordinate
    assert sheet["A1"].border.left.style is None  # the title is no table cell
    assert sheet["C6"].border.left.style is None  # below the last unit: open, not ruled


def test_print_setup_is_a4_landscape_with_header_and_unit_column_on_every_page(scheme: Path, tmp_path: Path) -> None:
    sheet = load_workbook(_template(scheme, tmp_path / "t.xlsx"))["证据"]
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation) == (9, "landscape")  # 9 = A4
    # 14 + 5 × 18 = 104 width units: one landscape page across (140 fit), as many down as needed.
    assert (setup.fitToWidth, setup.fitToHeight, sheet.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
    assert sheet.print_title_rows == "$2:$3" and sheet.print_title_cols == "$A:$A"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.print_area == "'证据'!$A$1:$F$5"  # the table, not the open rows below it


def test_a_wide_form_prints_on_several_pages_across_each_with_the_unit_column(tmp_path: Path) -> None:
    # 常州: 64 inputs of 18 units each; a page holds 140 - 14 (单位) = 126, i.e. 7 columns, so 64
    # columns take ceil(64 / 7) = 10 pages across. The title starts in B1: column A is printed on
    # every page, and A1 would show the title's first characters on each.
    sheet = load_workbook(_template(SCHEMES / "changzhou-2018.yaml", tmp_path / "t.xlsx"))["证据"]
    assert sheet.max_column == 65 and sheet.page_setup.fitToWidth == 10
    assert sheet["A1"].value is None and str(sheet["B1"].value).startswith("常州市机关事务管理工作考核办法(暂行) 证据填报表")
    assert "常机管〔2018〕49号" in str(sheet["B1"].value)
    assert [str(r) for r in sheet.merged_cells.ranges] == ["B1:BM1"]
    assert sheet.print_title_cols == "$A:$A"


def test_the_notes_tell_a_unit_how_to_fill_in_and_return_the_form(scheme: Path, tmp_path: Path) -> None:
    lines = [str(r[0]) for r in load_workbook(_template(scheme, tmp_path / "t.xlsx"))["说明"].iter_rows(values_only=True)
             if r[0] is not None]
    text = "\n".join(lines)
    assert "kaohe" not in text.lower()  # units do not have the tool
    for words in ("白色格子", "下拉", "灰色格子", "带 % 填写,如 85%", "留空", "请勿修改表头", "工作表名称", ".xlsx", "发回"):
        assert words in text, words
    assert "1.1.1 召开会议: 每次得1分,最高得4分" in lines  # the per-criterion rule lines stay


def test_the_self_assessment_form_checks_and_protects_as_the_main_form(scheme: Path, tmp_path: Path) -> None:
    _template(scheme, tmp_path / "forms", "--by", "unit")
    book = load_workbook(next((tmp_path / "forms").glob("*甲镇*")))
    sheet = book["自评表"]
    assert str(sheet["A1"].value).startswith("某县机关效能考核办法 自评表") and "被考核单位:甲镇" in str(sheet["A1"].value)
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:H1"]
    assert [c.value for c in sheet[2]] == ["单位", "指标", "评价内容", "分值", "评分标准", "值", "自评分", "备注"]
    rows = {sheet.cell(row=r, column=2).value: r for r in range(3, sheet.max_row + 1)}
    assert list(rows) == ["1.1.1", "1.2.1", "1.3.1", "1.4.1", "1.5.1"]
    found = {}
    for dv in sheet.data_validations.dataValidation:
        for cell in str(dv.sqref).split():
            found[cell] = (dv.type, dv.operator, dv.formula1, dv.formula2)
    assert found == {f"F{rows['1.1.1']}": ("whole", "greaterThanOrEqual", "0", None),
                     f"F{rows['1.2.1']}": ("list", None, '"是,否"', None),
                     f"F{rows['1.3.1']}": ("list", None, '"全面建立,部分建立,没建立"', None),
                     f"F{rows['1.4.1']}": ("decimal", "between", "0", "5"),
                     f"F{rows['1.5.1']}": ("decimal", "greaterThanOrEqual", "0", None)}
    assert sheet.protection.sheet is True
    for r in rows.values():
        assert [sheet.cell(row=r, column=c).protection.locked for c in range(1, 9)] == [True] * 5 + [False] * 3
    assert sheet["F2"].protection.locked is True  # the header
    assert sheet["F3"].border.left.style == "thin"
    assert sheet.print_title_rows == "$2:$2" and sheet.print_title_cols == "$A:$A"
    assert (sheet.page_setup.orientation, sheet.page_setup.fitToWidth) == ("landscape", 1)
    assert "说明" in book.sheetnames


def _filled_form(scheme: Path, tmp_path: Path) -> Path:
    """The main form with FILLED typed into it (rows 4-5: below the title, header and 评分标准 rows)."""
    book = load_workbook(_template(scheme, tmp_path / "t.xlsx"))
    sheet = book["证据"]
    ids = {str(c.value).split(" ")[0]: c.column for c in sheet[2] if c.value}
    for r in (4, 5):
        for input_id, value in FILLED[sheet.cell(row=r, column=1).value].items():
            sheet.cell(row=r, column=ids[input_id]).value = value
    book.save(tmp_path / "filled.xlsx")
    return tmp_path / "filled.xlsx"


def _filled_self_assessments(scheme: Path, tmp_path: Path) -> list[Path]:
    """Each unit's 自评表 with its FILLED values in the 值 column (F), in file-name order."""
    _template(scheme, tmp_path / "forms", "--by", "unit")
    forms = sorted((tmp_path / "forms").glob("*.xlsx"))
    for form in forms:
        book = load_workbook(form)
        sheet = book["自评表"]
        for r in range(3, sheet.max_row + 1):
            unit, input_id = sheet.cell(row=r, column=1).value, sheet.cell(row=r, column=2).value
            sheet.cell(row=r, column=6).value = FILLED[unit][input_id]
        book.save(form)
    return forms


def test_a_filled_form_with_its_title_row_scores_the_hand_worked_totals(scheme: Path, tmp_path: Path) -> None:
    assert _totals(scheme, _filled_form(scheme, tmp_path)) == TOTALS


def test_filled_self_assessment_forms_score_the_hand_worked_totals(scheme: Path, tmp_path: Path) -> None:
    forms = _filled_self_assessments(scheme, tmp_path)
    result = run("score", str(scheme), *map(str, forms), "--format", "json")
    assert result.exit_code == 0, result.output
    assert {u["unit"]: str(u["total"]) for u in json.loads(result.stdout)["units"]} == TOTALS


def test_new_blank_forms_may_be_written_over_and_filled_ones_not(scheme: Path, tmp_path: Path) -> None:
    target = _template(scheme, tmp_path / "t.xlsx")
    _template(scheme, target)  # a blank form (title row and all) is recognised as one
    book = load_workbook(target)
    book["证据"]["C4"] = "是"
    book.save(target)
    refused = run("template", str(scheme), "-o", str(target))
    assert refused.exit_code == 1 and f"{target}!证据!C4: 错误: 文件已填有证据(此格为 '是')" in refused.output
    _template(scheme, tmp_path / "forms", "--by", "unit")
    _template(scheme, tmp_path / "forms", "--by", "unit")
    _template(scheme, tmp_path / "owners", "--by", "owner")
    _template(scheme, tmp_path / "owners", "--by", "owner")


def test_forms_by_owner_name_the_division_in_their_title(scheme: Path, tmp_path: Path) -> None:
    _template(scheme, tmp_path / "owners", "--by", "owner")
    (form,) = (tmp_path / "owners").glob("*.xlsx")
    title = str(load_workbook(form)["证据"]["A1"].value)
    assert title.startswith(TITLE) and "填报处室:考核办" in title


def test_english_forms_are_english(scheme: Path, tmp_path: Path) -> None:
    result = run("--lang", "en", "template", str(scheme), "-o", str(tmp_path / "t.xlsx"))
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "t.xlsx")
    assert str(book["Evidence"]["A1"].value).startswith("某县机关效能考核办法: evidence form")
    notes = "\n".join(str(r[0]) for r in book["Instructions"].iter_rows(values_only=True) if r[0])
    assert "return it to the assessment office" in notes and "kaohe" not in notes.lower()


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or pdftotext is not installed here")
@pytest.mark.parametrize("kind", ["main", "unit"])
def test_forms_print_through_libreoffice_with_title_and_every_unit(kind: str, tmp_path: Path) -> None:
    from test_libreoffice import _convert

    scheme = SCHEMES / "changzhou-2018.yaml"
    if kind == "main":
        form = _template(scheme, tmp_path / "form.xlsx")
        title, units = "证据填报表", ["溧阳市", "金坛区", "武进区", "新北区", "天宁区", "钟楼区", "经开区"]
    else:
        _template(scheme, tmp_path / "forms", "--by", "unit")
        form = next((tmp_path / "forms").glob("*溧阳市*"))
        title, units = "自评表", ["溧阳市"]
    pdf = _convert(form, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.count("\f")
    assert "常州市机关事务管理工作考核办法(暂行)" in text and title in text and "常机管〔2018〕49号" in text
    for unit in units:
        assert unit in text, unit
    if kind == "main":
        # 10 pages across (see above), one down, and the 说明 sheet (2 pages): the 评分标准 of
        # all 64 inputs and 7 units fit with nothing spilling onto further pages. Column A
        # (单位) is on every page of the form: each unit's name 10 times.
        assert 10 <= pages <= 14, pages
        assert text.count("经开区") >= 10
        assert "第 10 页" in text
    else:
        # 64 rows of 自评表 with their 评分标准 at about 8 to a page, and the 说明 sheet.
        assert 4 <= pages <= 12, pages


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed here")
@pytest.mark.parametrize("kind", ["main", "unit"])
def test_a_form_filled_and_saved_by_libreoffice_scores_the_hand_worked_totals(scheme: Path, tmp_path: Path,
                                                                               kind: str) -> None:
    # An office fills the form and saves it in LibreOffice: its writer rewrites every part of the file
    # (shared strings, styles, the merged title, the protection), and the totals must not move.
    from test_libreoffice import _convert

    forms = [_filled_form(scheme, tmp_path)] if kind == "main" else _filled_self_assessments(scheme, tmp_path)
    saved = []
    for n, form in enumerate(forms):
        folder = tmp_path / f"saved{n}"
        folder.mkdir()
        saved.append(_convert(form, "xlsx", folder))
    result = run("score", str(scheme), *map(str, saved), "--format", "json")
    assert result.exit_code == 0, result.output
    assert {u["unit"]: str(u["total"]) for u in json.loads(result.stdout)["units"]} == TOTALS


@pytest.mark.parametrize(("name", "line", "hint"), [
    # no `rates:`: a bare 0.85 is 85% or 0.85% and is refused, so the form asks for the % sign
    ("energy-target-counties", "3. 百分比请带 % 填写,如 85%;只写 0.85 时读不出是 85% 还是 0.85%。", "[填比率,带 %,如 85%]"),
    # `rates: fraction`: 0.85 is read as 85% (the scheme's rates are computed: no rate column to fill)
    ("anhui-efficiency-2012", "3. 百分比可填 85% 或 0.85。", None),
])
def test_the_form_says_how_a_rate_is_typed_as_the_scheme_reads_it(name: str, line: str, hint: str | None,
                                                                  tmp_path: Path) -> None:
    from conftest import SCHEMES

    book = load_workbook(_template(SCHEMES / f"{name}.yaml", tmp_path / "t.xlsx"))
    notes = [str(r[0]) for r in book["说明"].iter_rows(values_only=True) if r[0] is not None]
    assert line in notes
    if hint is not None:
        texts = [str(c.value) for row in book["证据"].iter_rows() for c in row if c.value is not None]
        rates = [text for text in texts if "比率" in text]
        assert rates and all(hint in text for text in rates)

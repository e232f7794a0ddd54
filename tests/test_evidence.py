"""Reading evidence: encodings, layouts, values, and every problem reported with its place."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import EXAMPLES, SCHEMES
from kaohe.engine import score
from kaohe.evidence import read_evidence
from kaohe.scheme.load import load_scheme

SCHEME = load_scheme(SCHEMES / "changzhou-2018.yaml").scheme
WIDE = EXAMPLES / "changzhou-2018" / "evidence.csv"


def _totals(path: Path) -> dict[str, object]:
    found = read_evidence([path], SCHEME)
    assert [str(p) for p in found.problems] == []
    return {u.unit: u.total for u in score(SCHEME, found).units}


def _problems(path: Path) -> list[str]:
    return [str(p) for p in read_evidence([path], SCHEME).problems]


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_three_csv_encodings_give_identical_results(tmp_path: Path) -> None:
    text = WIDE.read_bytes().decode("utf-8-sig")
    assert WIDE.read_bytes().startswith(b"\xef\xbb\xbf")
    plain = _write(tmp_path, "plain.csv", text)
    gb = _write(tmp_path, "gb.csv", text, "gb18030")
    assert gb.read_bytes() != plain.read_bytes()
    assert _totals(WIDE) == _totals(plain) == _totals(gb)


def test_undecodable_csv_names_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("单位,1.1.1\n".encode() + b"\xff\xff\x00\x00\x81\n")
    [message] = _problems(path)
    assert message.startswith(f"{path}: 错误: 无法识别编码") and "字节偏移 13 处" in message  # 单位 is 6 bytes, ",1.1.1\n" 7: the 0xff is at offset 13


def test_long_form_with_notes_and_english_headers(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.csv", "unit,item,value,note\n溧阳市,1.1,3,三次批示\n溧阳市,实际配备人数,8,\n")
    found = read_evidence([path], SCHEME)
    assert found.problems == []
    # 1.1 has one criterion, so the item id stands for 1.1.1.
    assert found.values[("溧阳市", "1.1.1")].value == 3
    assert found.values[("溧阳市", "1.1.1")].note == "三次批示"
    assert str(found.values[("溧阳市", "实际配备人数")].location) == f"{path}:3:3"


def test_wide_headers_may_carry_titles_and_values_may_be_full_width(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.csv", "单位,1.1.1 领导批示,2.4.1 编制人数\n溧阳市,３,\" 10 \"\n")
    found = read_evidence([path], SCHEME)
    assert found.problems == []
    assert found.values[("溧阳市", "1.1.1")].value == 3
    assert found.values[("溧阳市", "2.4.1")].value == 10


def test_traditional_headers_are_recognised(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.csv", "單位,指標,值,備註\n溧阳市,2.1.1,是,\n")
    found = read_evidence([path], SCHEME)
    assert found.problems == [] and found.values[("溧阳市", "2.1.1")].value is True


def test_every_problem_is_collected_with_its_place(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.csv", "\n".join([
        "单位,指标,值,备注",
        "溧阳市,1.1.1,3,",
        "溧阳县,1.1.1,3,",        # unknown unit
        "溧阳市,9.9.9,1,",        # unknown id, nothing near it
        "溧阳市,1.1.l,1,",        # unknown id: a letter l for the digit 1
        "溧阳市,2.1.1,也许,",      # not yes/no
        "溧阳市,4.1.1,5,",        # judged above its 4 points
        "溧阳市,1.1.1,2,",        # the same unit and id twice
        "溧阳市,1.2.1,1.5,",      # a count with a fraction
    ]) + "\n")
    assert _problems(path) == [
        f"{path}:3:1: 错误: 单位 \"溧阳县\" 不在方案列出的单位中(最接近: 溧阳市)",
        f"{path}:4:2: 错误: 指标编号 \"9.9.9\" 不在本方案中",  # at the id's cell (column 2, 指标)
        f"{path}:5:2: 错误: 指标编号 \"1.1.l\" 不在本方案中(最接近: 1.1.1)",
        f"{path}:6:3: 错误: 2.1.1 的值 '也许' 无效: 应为 是/否(也可填 √/×、Y/N、1/0)",
        f"{path}:7:3: 错误: 4.1.1 的值 '5' 无效: 应在 0–4 分之间",
        f"{path}:8:3: 错误: 溧阳市 的 1.1.1 重复填写,{path}:2:3 已有",
        f"{path}:9:3: 错误: 1.2.1 的值 '1.5' 无效: 应为非负整数(次数、项数)",
    ]


def test_unknown_wide_column_names_its_header_cell(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.csv", "单位,1.1.1,合计,1.1.11\n溧阳市,1,1,1\n")
    assert _problems(path) == [
        f"{path}:1:3: 错误: 表头 \"合计\" 不是本方案的指标编号(应写作 1.1.1 或 \"1.1.1 标题\")",
        f"{path}:1:4: 错误: 表头 \"1.1.11\" 不是本方案的指标编号(应写作 1.1.1 或 \"1.1.1 标题\")(最接近: 1.1.1)",
    ]


def test_a_unit_not_near_any_listed_one_is_told_the_listed_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.csv", "单位,1.1.1\n张家港,1\n")
    assert _problems(path) == [
        f"{path}:2:1: 错误: 单位 \"张家港\" 不在方案列出的单位中(有: 溧阳市、金坛区、武进区、新北区、天宁区、钟楼区、经开区)"
    ]


def test_the_same_cause_in_many_cells_prints_once_with_a_count(tmp_path: Path) -> None:
    # Ten rows for a unit the scheme does not list: one line, at the first row, with the count and
    # eight of the other places then "…" (rows 3–10 shown, row 11 not).
    from kaohe.errors import report_lines

    rows = "".join(f"溧阳县,{i}\n" for i in range(10))
    path = _write(tmp_path, "e.csv", "单位,1.1.1\n" + rows + "溧阳市,1\n")
    problems = read_evidence([path], SCHEME).problems
    assert len(problems) == 10
    assert report_lines(problems) == [
        f"{path}:2:1: 错误: 单位 \"溧阳县\" 不在方案列出的单位中(最接近: 溧阳市)"
        "(同样的问题共 10 处,另见: 3:1、4:1、5:1、6:1、7:1、8:1、9:1、10:1…)"
    ]


def test_same_unit_and_id_in_two_files_names_both_places(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.csv", "单位,1.1.1\n溧阳市,1\n")
    b = _write(tmp_path, "b.csv", "单位,1.1.1\n溧阳市,2\n")
    problems = [str(p) for p in read_evidence([a, b], SCHEME).problems]
    assert problems == [f"{b}:2:2: 错误: 溧阳市 的 1.1.1 重复填写,{a}:2:2 已有"]


def test_formula_cell_without_a_stored_value_is_an_error_naming_the_cell(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "证据"
    sheet.append(["单位", "1.1.1", "1.2.1"])
    sheet.append(["溧阳市", "=1+1", 2])  # openpyxl stores the formula and no result
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    assert _problems(path) == [
        f"{path}!证据!B2: 错误: 公式单元格没有保存计算结果;请在 Excel/WPS 中打开并保存后再提交,或直接填写数值"
    ]


def test_xlsx_numbers_stored_as_text_and_floats_are_exact(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["标题行: 2018 年度考核"])  # a title row above the header
    sheet.append(["单位", "指标", "值"])
    sheet.append(["溧阳市", "4.1.1", 2.3])     # a float cell: exactly 2.3, not 2.29999…
    sheet.append(["溧阳市", "1.2.1", "4"])     # a number stored as text
    sheet.append(["溧阳市", "实际配备人数", 8.0])  # a whole number a spreadsheet holds as a float
    path = tmp_path / "n.xlsx"
    workbook.save(path)
    found = read_evidence([path], SCHEME)
    assert found.problems == []
    assert str(found.values[("溧阳市", "4.1.1")].value) == "2.3"
    assert found.values[("溧阳市", "1.2.1")].value == 4
    assert found.values[("溧阳市", "实际配备人数")].value == 8
    assert str(found.values[("溧阳市", "实际配备人数")].location) == f"{path}!Sheet!C5"


def test_an_excel_percentage_cell_is_read_as_its_fraction(tmp_path: Path) -> None:
    # A cell formatted as 80% holds 0.8: with `rates: fraction` it is 80%, with no reading stated
    # it is refused as ambiguous (0.8 could be 80% or 0.8%).
    text = ("id: p\ntitle: 满意率\nfull_score: 2\nunits: [{name: 溧阳市}]\nsections:\n  - id: '1'\n    title: 一\n"
            "    points: 2\n    items:\n      - id: '1.1'\n        title: 满意\n        points: 2\n        criteria:\n"
            "          - {id: 1.1.1, text: 满意率80%以上得2分, points: 2, of: 满意率,\n"
            "             rule: {kind: bands, value: rate, bands: [{ge: 80%, points: 2}, {lt: 80%, points: 0}]}}\n")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单位", "指标", "值"])
    sheet.append(["溧阳市", "满意率", 0.8])
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    for rates, expected in (("rates: fraction\n", Decimal("0.8")), ("", None)):
        scheme_path = tmp_path / "s.yaml"
        scheme_path.write_text(text.replace("\nsections:", f"\n{rates}inputs: [{{id: 满意率, type: rate}}]\nsections:", 1),
                               encoding="utf-8")  # 满意率 read as evidence, then by the bands rule
        found = read_evidence([path], load_scheme(scheme_path).scheme)
        if expected is None:
            assert [p.code for p in found.problems] == ["value.rate_ambiguous"]
            assert "可读作 80%(小数)或 0.8%(百分数)" in str(found.problems[0])
        else:
            assert found.problems == [] and found.values[("溧阳市", "满意率")].value == expected


@pytest.mark.parametrize("name,content,expected", [
    ("renamed.xlsx", b"unit,1.1.1\n", "不是有效的 .xlsx 文件"),
    ("old.xls", b"\xd0\xcf\x11\xe0", "不支持 .xls 格式"),
    ("notes.txt", b"x", "无法识别的证据文件类型 .txt"),
])
def test_files_that_are_not_evidence_are_refused(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    [message] = _problems(path)
    assert message.startswith(f"{path}: 错误: ") and expected in message


def test_missing_values_are_listed_not_silent(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.csv", "单位,1.1.1\n溧阳市,2\n")
    results = score(SCHEME, read_evidence([path], SCHEME))
    missing = {(m.unit, m.input_id) for m in results.missing}
    # 64 inputs (the 12 months of 信息动态篇数 each count), 6 of them (the bonus inputs) default to 0:
    # 58 per unit must be given, and each is listed once.
    assert ("溧阳市", "1.2.1") in missing and ("溧阳市", "1.1.1") not in missing
    assert ("溧阳市", "7.3.1") not in missing and ("溧阳市", "信息动态篇数.5月") in missing
    assert len(missing) == 7 * 58 - 1


def test_merged_cells_stand_for_every_cell_they_cover(tmp_path: Path) -> None:
    # A title merged across the top, and 溧阳市 merged down its two rows: both read as Excel shows them.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "证据"
    sheet.append(["2018年度考核证据"])
    sheet.merge_cells("A1:D1")
    sheet.append(["单位", "指标", "值", "备注"])
    sheet.append(["溧阳市", "1.1.1", 3, ""])
    sheet.append([None, "1.2.1", 4, ""])
    sheet.merge_cells("A3:A4")
    path = tmp_path / "m.xlsx"
    workbook.save(path)
    found = read_evidence([path], SCHEME)
    assert found.problems == []
    assert found.values[("溧阳市", "1.2.1")].value == 4


def test_wrong_stored_dimension_still_yields_every_row(tmp_path: Path) -> None:
    # WPS and LibreOffice sometimes store <dimension ref="A1"/> on a sheet with many rows.
    import re
    import zipfile

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单位", "1.1.1", "1.2.1"])
    for unit in ["溧阳市", "金坛区", "武进区"]:
        sheet.append([unit, 1, 2])
    good = tmp_path / "good.xlsx"
    workbook.save(good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1"/>', data)
                assert b'<dimension ref="A1"/>' in data
            dst.writestr(info, data)
    found = read_evidence([bad], SCHEME)
    assert found.problems == [] and len(found.values) == 6


def test_dates_are_refused_with_the_cell_named(tmp_path: Path) -> None:
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单位", "1.1.1"])
    sheet.append(["溧阳市", datetime.date(2018, 3, 1)])
    path = tmp_path / "d.xlsx"
    workbook.save(path)
    assert _problems(path) == [f"{path}!Sheet!B2: 错误: 1.1.1 的值 '2018-03-01' 无效: 这里应填数值或选项,不是日期"]


def test_a_table_away_from_a1_keeps_its_cell_names(tmp_path: Path) -> None:
    # calamine hands rows out from the first used column; every cell must still be named by the
    # sheet's own letters: the table here starts at C3, so 溧阳市's bad value sits in E5.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "证据"
    sheet["C3"], sheet["D3"], sheet["E3"] = "单位", "指标", "值"
    sheet["C4"], sheet["D4"], sheet["E4"] = "金坛区", "1.1.1", 3
    sheet["C5"], sheet["D5"], sheet["E5"] = "溧阳市", "1.2.1", "很多"
    sheet["C6"], sheet["D6"], sheet["E6"] = None, "1.3.1", 2
    sheet.merge_cells("C5:C6")  # 溧阳市 merged down two rows, in shifted columns
    path = tmp_path / "shifted.xlsx"
    workbook.save(path)
    found = read_evidence([path], SCHEME)
    assert [str(p).split(": ")[0] for p in found.problems] == [f"{path}!证据!E5"]
    assert found.values[("金坛区", "1.1.1")].location.cell == "E4"
    assert found.values[("溧阳市", "1.3.1")].value == 2  # the merged name stands in C6
    assert found.values[("溧阳市", "1.3.1")].location.cell == "E6"


def test_an_event_attribute_outside_its_declared_values_is_refused_at_its_cell(tmp_path: Path) -> None:
    # 绍兴 4.1.1 "个人先进减半加分": 类型 takes 先进集体 or 个人先进. "先进个人" (the words swapped) would
    # match no modifier and score 5 in full instead of 2.5: it is refused at the 类型 cell (E2).
    scheme = load_scheme(SCHEMES / "shaoxing-2022.yaml").scheme
    path = _write(tmp_path, "e.csv", "单位,指标,值,发文机关,类型\n办公室,4.1.1,,市政府,先进个人\n办公室,4.1.1,,市委,个人先进\n")
    assert [str(p) for p in read_evidence([path], scheme).problems] == [
        f"{path}:2:5: 错误: 4.1.1 的这一行无效: 类型 \"先进个人\" 不是可选的值(可选: 先进集体、个人先进)"]


def test_a_modifier_on_undeclared_values_is_a_warning_and_a_condition_outside_them_an_error(tmp_path: Path) -> None:
    from kaohe.scheme.checks import check_scheme

    text = (SCHEMES / "shaoxing-2022.yaml").read_text(encoding="utf-8")
    marker = "                类型: [先进集体, 个人先进]\n"
    assert marker in text
    open_path = tmp_path / "open.yaml"
    open_path.write_text(text.replace(marker, ""), encoding="utf-8")
    found = [str(p) for p in check_scheme(load_scheme(open_path))]
    assert any("警告: 系数条件读取 类型,但 类型 未在 choices 中声明取值" in f for f in found), found
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace(marker, "                类型: [先进集体, 先进个人]\n"), encoding="utf-8")
    found = [str(p) for p in check_scheme(load_scheme(wrong))]
    assert any("错误: 条件中的 类型 \"个人先进\" 不在 choices 声明的取值中(有: 先进集体、先进个人)" in f for f in found), found


def test_the_template_offers_the_declared_values_as_a_dropdown(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from kaohe.report.template import write_template

    target = tmp_path / "t.xlsx"
    write_template(load_scheme(SCHEMES / "shaoxing-2022.yaml").scheme, target)
    sheet = load_workbook(target)["逐项填报"]
    column = next(c.column_letter for c in sheet[1] if c.value == "类型")
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert [dv.formula1 for dv in lists if f"{column}2:{column}2000" in str(dv.sqref)] == ['"先进集体,个人先进"']


@pytest.mark.parametrize(("body", "line"), [(b"a,b\nc\x00d\n", 2), (b"\x00", 1), (b"\xef\xbb\xbfa\n\nb\x00", 3),
                                            (b"x\n" * 700_000 + b"y\x00\n", 700_001)])
def test_a_nul_byte_is_named_by_its_line_wherever_it_is(body: bytes, line: int) -> None:
    # the line is counted when a NUL is found, from the file's start: 700,000 lines of "x" put
    # it past the first read of 1 MiB, on line 700,001; a BOM and an empty line are lines as any
    import io

    from kaohe.errors import EvidenceError
    from kaohe.evidence.csvread import scan_csv

    with pytest.raises(EvidenceError) as refused:
        scan_csv(io.BytesIO(body), "f.csv")
    assert [str(p.location) for p in refused.value.problems] == [f"f.csv:{line}"]

"""`kaohe publish`: the 通报 read back with python-docx against the examples' hand-worked results,
its fonts and page set-up, a veto in the scheme's words, located refusals, and the PDF path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from conftest import EXAMPLES, SCHEMES
from kaohe.scheme.yamlload import load_yaml

CHANGZHOU = str(SCHEMES / "changzhou-2018.yaml")
CZ = EXAMPLES / "changzhou-2018"
DEMO = EXAMPLES / "outcomes-demo"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def kaohe(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *args], capture_output=True, text=True, cwd=cwd,
                          env=env)


def _yaml(path: Path) -> dict:  # type: ignore[type-arg]
    data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
    return data


def _paragraphs(doc) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in doc.paragraphs if p.text]


def _table(doc, first_header: str, at: int = 0) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The `at`-th table whose first header cell is `first_header`, as rows of cell texts."""
    found = [tb for tb in doc.tables if tb.rows[0].cells[0].text == first_header]
    return [[c.text for c in row.cells] for row in found[at].rows]


@pytest.fixture(scope="module")
def changzhou(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """常州 2018 from its results file, with last year's places (the outcomes.yaml case)."""
    folder = tmp_path_factory.mktemp("publish")
    results = folder / "结果.json"
    scored = kaohe("score", CHANGZHOU, str(CZ / "evidence.csv"), "-o", str(results), "--no-timestamp")
    assert scored.returncode == 0, scored.stderr
    notice = folder / "通报.docx"
    run = kaohe("publish", CHANGZHOU, str(results), "--previous", str(CZ / "previous-year.json"), "-o", str(notice))
    assert run.returncode == 0, run.stderr
    assert str(notice) in run.stdout
    return Document(str(notice)), results


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """examples/outcomes-demo, scored from its evidence on the fly."""
    notice = tmp_path_factory.mktemp("publish-demo") / "通报.docx"
    run = kaohe("publish", str(DEMO / "scheme.yaml"), str(DEMO / "evidence.csv"), "-o", str(notice))
    assert run.returncode == 0, run.stderr
    return Document(str(notice))


def test_title_and_doc_number_placeholder(changzhou) -> None:  # type: ignore[no-untyped-def]
    doc, _ = changzhou
    text = _paragraphs(doc)
    # title 常州市机关事务管理工作考核办法(暂行), year 2018: "(暂行)" and "办法" dropped, the name
    # keeps its 考核 → 关于2018年度常州市机关事务管理工作考核结果的通报
    assert "关于2018年度常州市机关事务管理工作考核结果的通报" in text
    title = next(p for p in doc.paragraphs if p.text.startswith("关于"))
    assert title.style.name == "kaohe-title"
    # the scheme's 文号 常机管〔2018〕49号 gives the 代字 常机管; year and number left to fill in
    number = text.index("常机管〔202X〕X号")
    assert number < text.index(title.text)  # 发文字号 above the title, as in the 版头
    opening = next(p for p in text if p.startswith("根据"))
    assert "《常州市机关事务管理工作考核办法(暂行)》(常机管〔2018〕49号)" in opening
    assert "常州市机关事务管理局" in opening and "7个单位" in opening


def test_ranking_table_is_the_hand_worked_ranking(changzhou) -> None:  # type: ignore[no-untyped-def]
    doc, _ = changzhou
    expected = _yaml(CZ / "expected.yaml")["units"]
    case = _yaml(CZ / "outcomes.yaml")["cases"][0]["units"]
    rows = _table(doc, "名次")
    # no grades, vetoes or penalties in 常机管〔2018〕49号: only the two awards
    assert rows[0] == ["名次", "单位", "总分", "奖项"]
    got = {r[1]: (int(r[0]), Decimal(r[2]), set(r[3].split("、")) - {""}) for r in rows[1:]}
    assert got == {unit: (case[unit]["rank"], Decimal(str(expected[unit]["total"])), set(case[unit]["awards"]))
                   for unit in expected}
    assert [r[1] for r in rows[1:3]] == ["溧阳市", "钟楼区"]  # 119.5, then 99.3: by place


def test_each_award_lists_its_units(changzhou) -> None:  # type: ignore[no-untyped-def]
    doc, _ = changzhou
    text = _paragraphs(doc)
    outcomes = _yaml(CZ / "outcomes.yaml")["cases"][0]["outcomes"]
    headings = [p.text for p in doc.paragraphs if p.style.name == "kaohe-h2"]
    for name, units in outcomes.items():
        heading = next(h for h in headings if h.split(")", 1)[1].startswith(f"{name}("))
        assert heading.endswith(f"({len(units)}个)"), heading
        listed = text[text.index(heading) + 1]
        assert set(listed.rstrip("。").split("、")) == (set(units) or {"无"}), (name, listed)
    assert "一、考核得分及名次" in text and "二、表彰奖励" in text


def test_without_last_year_a_progress_award_is_not_judged_rather_than_given_to_none(tmp_path: Path) -> None:
    # 常州 awards 单项进步奖 by the rise since last year: without --previous it cannot be judged,
    # and the 通报 must not say "(0个) 无。" as if no unit had improved.
    notice = tmp_path / "通报.docx"
    run = kaohe("publish", CHANGZHOU, str(CZ / "evidence.xlsx"), "-o", str(notice))
    assert run.returncode == 0, run.stderr
    text = _paragraphs(Document(str(notice)))
    progress = [i for i, p in enumerate(text) if p.startswith("(") and "单项进步奖(组织领导)" in p]
    assert progress and text[progress[0] + 1] == "未提供上年度考核结果,未评定。"
    assert "未提供上次考核结果(--previous)" in "".join(doc_text for doc_text in Document(str(notice)).element.body.itertext())  # drafter's page


def test_tables_fit_the_text_width_of_their_page(changzhou) -> None:  # type: ignore[no-untyped-def]
    # A table wider than the page is cut at its right edge when printed: each table's columns add up to
    # the text width of the section it is in (A4 210 mm, or 297 mm for a wide 附件, less the margins).
    doc, _ = changzhou
    body, pending, fitted = doc.element.body, [], 0
    for child in body.iterchildren():  # a section's properties close it: in its last paragraph, or at the end
        if child.tag == qn("w:tbl"):
            pending.append(child)
            continue
        section = child if child.tag == qn("w:sectPr") else child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        if section is None:
            continue
        size, margins = section.find(qn("w:pgSz")), section.find(qn("w:pgMar"))
        text = int(size.get(qn("w:w"))) - int(margins.get(qn("w:left"))) - int(margins.get(qn("w:right")))
        for table in pending:
            columns = table.find(qn("w:tblGrid")).findall(qn("w:gridCol"))
            width = sum(int(c.get(qn("w:w"))) for c in columns)
            assert text - 20 <= width <= text + len(columns), (width, text)  # twips, rounded per column
            fitted += 1
        pending = []
    assert fitted >= 8 and not pending  # the ranking and seven 附件, each in a section
    # Shared by what the columns hold: 奖项 lists awards ("单项进步奖(机构职能建设)、…"), 名次 a number.
    ranking = next(table for table in doc.tables if table.rows[0].cells[0].text == "名次")
    widths = [int(c.get(qn("w:w"))) for c in ranking._tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))]
    assert ranking.rows[0].cells[-1].text == "奖项" and widths[-1] > 3 * widths[0]


def test_the_drafter_is_told_what_to_confirm(changzhou) -> None:  # type: ignore[no-untyped-def]
    doc, _ = changzhou
    box = doc.tables[0].rows[0].cells[0].text
    assert doc.paragraphs[0].text.startswith("拟稿说明")
    # outcomes.yaml: 武进区 and 经开区 tie on +2 for the one 单项进步奖(机构职能建设) → 边界并列
    assert "边界并列" in box and "武进区、经开区" in box
    # the scheme marks the ranking rule as readable two ways (RANK.EQ or 中国式): the office confirms it
    assert "中国式排名" in box
    assert "〔202X〕X号" in box
    assert "边界并列" not in "".join(_paragraphs(doc))  # the note is set apart, not in the text sent


def test_each_section_has_an_attachment_of_item_points(changzhou) -> None:  # type: ignore[no-untyped-def]
    doc, _ = changzhou
    text = _paragraphs(doc)
    sections = ["组织领导", "机构职能建设", "事务管理工作", "服务保障工作", "法治后勤建设", "配合市局工作", "加分项目"]
    numerals = "一二三四五六七"
    for n, title in enumerate(sections, 1):
        assert f"附件{n}" in text
        assert f"第{numerals[n - 1]}部分 {title}得分情况" in text
    # expected.yaml's working for 溧阳市: items 1.1 = 2 (3次 capped at 2), 1.2 = 4, 1.3 = 4 → section 1 = 10
    one = {r[0]: r[1:] for r in _table(doc, "单位", 0)}
    assert one["单位"][0].startswith("1.1 ") and one["单位"][-1] == "合计(10)"
    assert one["溧阳市"] == ["2", "4", "4", "10"]
    # section 4: 4.1 judged 3.5, 4.2 to 4.8 4 each → 31.5 (8 items: a landscape page)
    four = {r[0]: r[1:] for r in _table(doc, "单位", 3)}
    assert four["溧阳市"] == ["3.5"] + ["4"] * 7 + ["31.5"]
    landscape = [s for s in doc.sections if s.page_width > s.page_height]
    assert len(landscape) == 1


def test_page_set_up_and_fonts(changzhou) -> None:  # type: ignore[no-untyped-def]
    doc, _ = changzhou
    body = doc.sections[1]  # the first is the drafter's page
    def mm(*lengths) -> list[float]:  # type: ignore[no-untyped-def]
        return [round(length.mm, 1) for length in lengths]  # Word keeps twips: 210 mm is 11906 twips

    assert mm(body.page_width, body.page_height) == [210, 297]  # A4
    assert mm(body.top_margin, body.bottom_margin, body.left_margin, body.right_margin) == [37, 35, 28, 26]

    def east_asian(style) -> str:  # type: ignore[no-untyped-def]
        return style.element.rPr.rFonts.get(qn("w:eastAsia"))

    normal = doc.styles["Normal"]
    assert (normal.font.name, east_asian(normal), normal.font.size) == ("仿宋", "仿宋", Pt(16))  # 三号
    assert normal.paragraph_format.line_spacing == Pt(29)  # 28–29 pt, fixed
    assert normal.paragraph_format.line_spacing_rule == 4  # WD_LINE_SPACING.EXACTLY
    title = doc.styles["kaohe-title"]
    assert (east_asian(title), title.font.size, title.paragraph_format.alignment) == ("方正小标宋简体", Pt(22), 1)
    assert east_asian(doc.styles["kaohe-h1"]) == "黑体" and east_asian(doc.styles["kaohe-h2"]) == "楷体"
    assert [p.style.name for p in doc.paragraphs if p.text.startswith("一、")] == ["kaohe-h1"]
    assert all(p.style.name == "kaohe-h2" for p in doc.paragraphs if p.text.startswith("(一)"))


def test_page_numbers_at_the_foot(changzhou) -> None:  # type: ignore[no-untyped-def]
    doc, _ = changzhou
    footer = doc.sections[1].footer
    assert not footer.is_linked_to_previous
    xml = footer.paragraphs[0]._p.xml
    assert "PAGE" in xml and footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")
    assert 'w:start="1"' in doc.sections[1]._sectPr.xml  # counted from the 通报, not the drafter's page
    assert all(s.footer.is_linked_to_previous for s in doc.sections[2:])  # 附件 go on counting
    assert not any('w:start=' in s._sectPr.xml for s in doc.sections[2:])


def test_grades_by_category_and_the_veto_in_the_scheme_s_words(demo) -> None:  # type: ignore[no-untyped-def]
    text = _paragraphs(demo)
    case = _yaml(DEMO / "scheme.cases.yaml")["cases"][0]
    # scheme.cases.yaml: 优秀 乙县, 甲县 (县(市、区), 2 places) and 发改委 (市直部门, 1 place)
    assert "(一)优秀(3个)" in text
    at = text.index("(一)优秀(3个)")
    assert text[at + 1:at + 3] == ["县(市、区):乙县、甲县。", "市直部门:发改委。"]
    assert f"(二)合格({len(case['outcomes']['合格'])}个)" in text
    assert "市直部门:交通局。" in text  # 不合格: 46 < 60
    # 己市 is vetoed (flag 否决, "当年不得评为优秀"): its words, not the flag id
    veto = next(p for p in text if p.startswith("己市"))
    assert veto == ("己市存在“发生重大责任事故的,实行一票否决,当年不得评为优秀”所列情形,实行一票否决。"
                    "该单位保留名次,不得评为优秀,考核等次为合格。")
    assert not any("(否决)" in p for p in text)
    rows = _table(demo, "名次")
    assert rows[0] == ["名次", "单位", "总分", "等次", "备注"]
    assert rows[1][0] == "县(市、区)"  # a heading row per category, each ranked on its own
    assert rows[2] == ["1", "己市", "99", "合格", "一票否决"]


def test_attachments_from_evidence_scored_on_the_fly(demo) -> None:  # type: ignore[no-untyped-def]
    # scheme.cases.yaml: 己市 59 + 40 = 99; 交通局 30 + max(40 − 12×2, 0) = 16 → 46
    one = {r[0]: r[1:] for r in _table(demo, "单位", 0)}
    two = {r[0]: r[1:] for r in _table(demo, "单位", 1)}
    assert one["己市"] == ["59", "59"] and two["己市"] == ["40", "40"]
    assert one["交通局"] == ["30", "30"] and two["交通局"] == ["16", "16"]


def test_a_bad_item_in_a_results_file_is_refused_at_its_field(changzhou, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, results = changzhou
    lines = results.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if '"unit": "溧阳市"' in line)
    lines[at] = lines[at].replace('"1.1": "2"', '"1.1": "two"', 1)
    bad = tmp_path / "bad.json"
    bad.write_text("".join(lines), encoding="utf-8")
    run = kaohe("publish", CHANGZHOU, str(bad), "-o", str(tmp_path / "x.docx"), "--force")
    assert run.returncode == 1, run.stderr
    assert json.loads(lines[at].strip().rstrip(","))["rank"] == 1  # 溧阳市 119.5: the first record
    assert f"{bad}!units[0]!items.1.1: 错误" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "x.docx").exists()


def test_bad_evidence_is_refused_with_its_cell(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence.csv"
    text = (DEMO / "evidence.csv").read_text(encoding="utf-8").replace("甲县,55,0,否", "甲县,很多,0,否")
    evidence.write_text(text, encoding="utf-8")
    run = kaohe("publish", str(DEMO / "scheme.yaml"), str(evidence), "-o", str(tmp_path / "x.docx"))
    assert run.returncode == 1
    assert f"{evidence}:2:2: 错误" in run.stderr  # 甲县's 1.1.1 is line 2, column 2
    assert "Traceback" not in run.stderr and not (tmp_path / "x.docx").exists()


def test_an_unknown_output_format_is_a_usage_error(tmp_path: Path) -> None:
    run = kaohe("publish", str(DEMO / "scheme.yaml"), str(DEMO / "evidence.csv"), "-o", str(tmp_path / "x.xlsx"))
    assert run.returncode == 2 and ".xlsx" in run.stderr and ".docx" in run.stderr


def test_without_libreoffice_a_pdf_is_refused_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # python, and no soffice
    run = kaohe("publish", str(DEMO / "scheme.yaml"), str(DEMO / "evidence.csv"), "-o", str(tmp_path / "通报.pdf"),
                env=env)
    assert run.returncode == 1
    assert "LibreOffice" in run.stderr and "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_english_notice(tmp_path: Path) -> None:
    notice = tmp_path / "notice.docx"
    run = kaohe("--lang", "en", "publish", str(DEMO / "scheme.yaml"), str(DEMO / "evidence.csv"), "-o", str(notice))
    assert run.returncode == 0, run.stderr
    text = _paragraphs(Document(str(notice)))
    assert "Notice of the results of the 年度目标管理考核" in text  # the scheme has no year; (示例) dropped
    assert any(p.startswith("己市: \"发生重大责任事故的") for p in text)


def _writer_converts(folder: Path) -> bool:
    """Whether this LibreOffice opens .docx (a Calc-only install has no Writer)."""
    if SOFFICE is None:
        return False
    probe = folder / "probe.docx"
    Document().save(str(probe))
    subprocess.run([SOFFICE, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(probe)], capture_output=True, timeout=180)
    return (folder / "probe.pdf").exists()


def test_pdf_through_libreoffice(tmp_path: Path) -> None:
    if not _writer_converts(tmp_path):
        pytest.skip("LibreOffice with its Writer component is not installed here: no PDF of a .docx")
    notice = tmp_path / "通报.docx"
    run = kaohe("publish", str(DEMO / "scheme.yaml"), str(DEMO / "evidence.csv"), "-o", str(notice), "--pdf")
    assert run.returncode == 0, run.stderr
    pdf = notice.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "关于年度目标管理考核结果的通报" in text.replace(" ", "") or not shutil.which("pdftotext")


def test_without_writer_a_pdf_fails_in_one_located_line(tmp_path: Path) -> None:
    if SOFFICE is None or _writer_converts(tmp_path):
        pytest.skip("needs a LibreOffice without Writer, as here")
    notice = tmp_path / "通报.docx"
    run = kaohe("publish", str(DEMO / "scheme.yaml"), str(DEMO / "evidence.csv"), "-o", str(notice), "--pdf")
    assert run.returncode == 1
    assert f"{notice.with_suffix('.pdf')}: 错误: LibreOffice" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize(("scheme", "title"), [
    # 2011年金华市工业经济目标责任制考核办法, year 2011: the leading year and 办法 dropped
    ("jinhua-industry-2011", "关于2011年度金华市工业经济目标责任制考核结果的通报"),
    # 常州市经信委机关内设机构考核(试行)办法, 2016: "(试行)" and 办法 dropped
    ("changzhou-eic-2016", "关于2016年度常州市经信委机关内设机构考核结果的通报"),
    # 2022年度工作目标责任制考核办法, 2022: "2022年度" is not said twice
    ("shaoxing-2022", "关于2022年度工作目标责任制考核结果的通报"),
    # 各县区人民政府节能目标责任评价考核计分表, no year: 计分表 dropped, no year said
    ("energy-target-counties", "关于各县区人民政府节能目标责任评价考核结果的通报"),
])
def test_notice_titles(scheme: str, title: str) -> None:
    from kaohe.report.publish import notice_title
    from kaohe.scheme.load import load_scheme

    assert notice_title(load_scheme(SCHEMES / f"{scheme}.yaml").scheme) == title

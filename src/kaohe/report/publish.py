"""The 通报: the document an office sends with the results (`kaohe publish`), as .docx laid out as
Chinese government documents are (GB/T 9704 in spirit): A4 with margins of 37/35/28/26 mm, the
title in 小标宋 二号, the body in 仿宋 三号 on a fixed 29 pt line, headings "一、" in 黑体 and "(一)"
in 楷体, page numbers "— 1 —" at the foot. East Asian font names are written (w:eastAsia) so that
Word shows them.

The document: a page for the drafter first (what the office must confirm before sending: ties on
a boundary, readings, placeholders; not numbered, to be removed), then the 文号 placeholder, the
title, the opening, the ranking table, each grade's, award's and penalty's units, vetoes in the
scheme's words, the closing, the 附件 list and signature, and one 附件 table per section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from kaohe.i18n import join_list, t
from kaohe.numbers import Exact, fmt
from kaohe.outcomes import Decision, Outcome
from kaohe.report.atomic import atomic_path
from kaohe.report.rankout import in_order
from kaohe.scheme.models import Flag, Scheme, Section

if TYPE_CHECKING:
    from docx.document import Document

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋", "黑体", "楷体", "宋体"
TITLE_PT, BODY_PT, TABLE_PT, SMALL_TABLE_PT, PAGE_NUMBER_PT = 22, 16, 12, 10.5, 14
"""二号, 三号, 小四, 五号 and 四号."""
LINE_PT = 29
"""GB/T 9704: 22 lines on the type area's 225 mm height, about 28.9 pt each."""
MARGINS_MM = (37, 35, 28, 26)
"""Top, bottom, left (订口) and right."""
FOOTER_MM = 22
"""The page number's foot above the page's edge: its line about 7 mm below the type area."""
PORTRAIT_COLUMNS = 7
"""An 附件 table of more columns than this is set on a landscape page."""
NUMERALS = "一二三四五六七八九十"
PGNUMTYPE_SUCCESSORS = ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
                        "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")
"""What follows w:pgNumType in a w:sectPr (ECMA-376 CT_SectPr)."""


@dataclass(frozen=True)
class Notice:
    scheme: Scheme
    decision: Decision
    items: dict[str, dict[str, Exact]] | None
    """Each unit's points per item id, for the 附件; None where the inputs do not carry them."""
    confirm: list[str]
    """What the office must confirm before sending (ties on a boundary, readings, warnings)."""


def notice_title(scheme: Scheme) -> str:
    """关于2018年度常州市机关事务管理工作考核结果的通报: the scheme's title without its brackets
    ((暂行)), its leading year and its 办法, with 考核 where it does not end in one."""
    name = re.sub(r"[((][^))]*[))]", "", scheme.title).strip()
    name = re.sub(r"^\d{4}年度?", "", name)
    for suffix in ("实施办法", "办法", "辦法", "管理制度", "制度", "评分标准", "评分方法", "计分表", "細則", "细则"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if not name.endswith(("考核", "考评", "考評", "评价", "评比")):
        name += t("publish.assessment")
    if scheme.year is None:
        return t("publish.title_no_year", name=name)
    return t("publish.title", year=scheme.year, name=name)


def doc_number_placeholder(scheme: Scheme) -> str:
    """〔202X〕X号 after the issuer's 代字 of the scheme's own 文号 (常机管), for the office to fill in."""
    prefix = re.split(r"[〔\[(]", scheme.doc_number or "", maxsplit=1)[0].strip()
    return t("publish.doc_number", prefix=prefix)


def write_notice(output: Path, notice: Notice, inputs: list[str]) -> None:
    with atomic_path(output, inputs) as tmp:
        build(notice).save(str(tmp))


def build(notice: Notice) -> Document:
    from docx import Document as new_document

    doc = new_document()
    _styles(doc)
    _page(doc.sections[0])
    _drafter_page(doc, notice)
    body = _new_section(doc, landscape=False)
    _page_numbers(body)
    _front(doc, notice)
    _body(doc, notice)
    _back(doc, notice)
    for number, section in enumerate(notice.scheme.sections, 1):
        _attachment(doc, notice, number, section)
    doc.core_properties.title = notice_title(notice.scheme)
    doc.core_properties.author = notice.scheme.issuer or ""
    return doc


# -- styles and page set-up ---------------------------------------------------------------------

def _font(target: Any, name: str, size: float, bold: bool = False) -> None:
    """A style's or run's font, the East Asian name included (Word reads w:eastAsia for CJK)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    target.font.name, target.font.size, target.font.bold = name, Pt(size), bold
    rpr = target.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _styles(doc: Document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    _font(normal, BODY_FONT, BODY_PT)
    fmt_ = normal.paragraph_format
    fmt_.line_spacing, fmt_.space_before, fmt_.space_after = Pt(LINE_PT), Pt(0), Pt(0)
    fmt_.first_line_indent = Pt(2 * BODY_PT)  # 首行缩进两字
    fmt_.widow_control = False
    own = {"kaohe-title": (TITLE_FONT, TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER),
           "kaohe-h1": (HEADING_FONT, BODY_PT, None), "kaohe-h2": (SUBHEADING_FONT, BODY_PT, None),
           "kaohe-table": (BODY_FONT, TABLE_PT, WD_ALIGN_PARAGRAPH.CENTER),
           "kaohe-table-head": (HEADING_FONT, TABLE_PT, WD_ALIGN_PARAGRAPH.CENTER)}
    for name, (font, size, align) in own.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        _font(style, font, size)
        if align is not None:
            style.paragraph_format.alignment = align
        if name.startswith("kaohe-t") and name != "kaohe-title":  # table cells: no indent, single lines
            style.paragraph_format.first_line_indent = Pt(0)
            style.paragraph_format.line_spacing = 1.0
        if name == "kaohe-title":
            style.paragraph_format.first_line_indent = Pt(0)
            style.paragraph_format.line_spacing = Pt(35)  # 二号 on a line of its own size and a half
        if name in ("kaohe-title", "kaohe-h1", "kaohe-h2"):  # a heading never ends a page alone
            style.paragraph_format.keep_with_next = True


def _page(section: Any, landscape: bool = False) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    top, bottom, left, right = MARGINS_MM
    section.footer_distance = Mm(FOOTER_MM)
    if landscape:
        section.orientation, section.page_width, section.page_height = WD_ORIENT.LANDSCAPE, Mm(297), Mm(210)
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (
            Mm(left), Mm(right), Mm(top), Mm(bottom))
    else:
        section.orientation, section.page_width, section.page_height = WD_ORIENT.PORTRAIT, Mm(210), Mm(297)
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (
            Mm(top), Mm(bottom), Mm(left), Mm(right))


def _new_section(doc: Document, landscape: bool) -> Any:
    from docx.enum.section import WD_SECTION
    from docx.oxml.ns import qn

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    for restart in section._sectPr.findall(qn("w:pgNumType")):  # copied from the section before: go on counting
        section._sectPr.remove(restart)
    _page(section, landscape)
    return section


def _page_numbers(section: Any) -> None:
    """"— 1 —" centred at the foot, counted from this section (the drafter's page has none)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    for kind, text in (("text", "— "), ("begin", None), ("instr", " PAGE "), ("separate", None),
                       ("text", "1"), ("end", None), ("text", " —")):
        run = paragraph.add_run()
        _font(run, NUMBER_FONT, PAGE_NUMBER_PT)
        if kind == "text":
            run.text = text
        elif kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    section._sectPr.insert_element_before(numbering, *PGNUMTYPE_SUCCESSORS)  # Word keeps the schema's order


# -- paragraphs ---------------------------------------------------------------------------------

def _para(doc: Document, text: str, style: str | None = None, indent: bool = True, align: str | None = None) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = doc.add_paragraph(text, style=style)
    if not indent:
        paragraph.paragraph_format.first_line_indent = Pt(0)
    if align is not None:
        paragraph.alignment = getattr(WD_ALIGN_PARAGRAPH, align)
    return paragraph


def _numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (headings and 附件 numbers in words)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _drafter_page(doc: Document, notice: Notice) -> None:
    """A bordered box for the drafter: to be checked and removed before the document is sent."""
    _para(doc, t("publish.drafter_title"), "kaohe-h1", indent=False)
    _para(doc, t("publish.drafter_intro"), indent=False)
    lines = [*notice.confirm, t("publish.drafter_placeholders")]
    table = doc.add_table(rows=1, cols=1)
    table.style = "Table Grid"
    cell = table.rows[0].cells[0]
    cell.paragraphs[0].text = f"1. {lines[0]}"
    cell.paragraphs[0].style = doc.styles["kaohe-table"]
    for i, line in enumerate(lines[1:], 2):
        cell.add_paragraph(f"{i}. {line}", style="kaohe-table")
    for paragraph in cell.paragraphs:
        paragraph.alignment = 0  # left
    _shade(cell, "FFF2CC")


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _front(doc: Document, notice: Notice) -> None:
    scheme = notice.scheme
    _para(doc, doc_number_placeholder(scheme), indent=False, align="CENTER")
    _para(doc, "", indent=False)
    _para(doc, notice_title(scheme), "kaohe-title")
    _para(doc, "", indent=False)
    _para(doc, t("publish.addressee"), indent=False)
    number = t("publish.doc_ref", number=scheme.doc_number) if scheme.doc_number else ""
    year = t("publish.year", year=scheme.year) if scheme.year is not None else ""
    fields = {"title": scheme.title, "doc": number, "year": year, "count": len(notice.decision.rows)}
    if scheme.issuer:
        _para(doc, t("publish.opening", issuer=scheme.issuer, **fields))
    else:
        _para(doc, t("publish.opening_no_issuer", **fields))


def _body(doc: Document, notice: Notice) -> None:
    parts: list[tuple[str, Callable[[], None]]] = [(t("publish.h_results"), lambda: _results(doc, notice))]
    scheme, rows = notice.scheme, in_order(notice.scheme, notice.decision)
    grades = [g.name for g in scheme.outcomes.grades] + ([scheme.outcomes.otherwise] if scheme.outcomes.otherwise else [])
    awards = [a.name for a in scheme.outcomes.awards if not a.is_penalty] + [m.name for m in scheme.outcomes.most_improved]
    penalties = [a.name for a in scheme.outcomes.awards if a.is_penalty]
    if grades:
        parts.append((t("publish.h_grades"), lambda: _lists(doc, notice, grades, lambda r: [r.grade])))
    if awards:
        parts.append((t("publish.h_awards"), lambda: _lists(doc, notice, awards, lambda r: r.awards)))
    if penalties:
        parts.append((t("publish.h_penalties"), lambda: _lists(doc, notice, penalties, lambda r: r.penalties)))
    if any(r.standing.vetoed or r.standing.falsified or r.standing.unmet for r in rows):
        parts.append((t("publish.h_flags"), lambda: _flags(doc, notice)))
    for number, (heading, write) in enumerate(parts, 1):
        _para(doc, f"{_numeral(number)}、{heading}", "kaohe-h1")
        write()


def _results(doc: Document, notice: Notice) -> None:
    scheme = notice.scheme
    full = t("publish.full_score", full=fmt(scheme.full_score), unit=scheme.unit) if scheme.full_score else ""
    _para(doc, t("publish.results_intro", count=len(notice.decision.rows), full=full))
    header, rows = ranking_rows(scheme, notice.decision)
    _table(doc, header, rows, TABLE_PT)
    _para(doc, "", indent=False)


def ranking_rows(scheme: Scheme, decision: Decision) -> tuple[list[str], list[list[str] | str]]:
    """The ranking table's header and rows (a category's name, alone, heads its units where
    categories are ranked on their own): 名次, 单位, 总分, and 等次, 奖项, 处理, 备注 where the scheme
    has them; vetoes are named by their kind (一票否决), their words are in the text below."""
    outcomes, by_category = scheme.outcomes, scheme.ranking.among == "category"
    columns: list[tuple[str, Callable[[Outcome], str]]] = [
        (t("col.rank"), lambda r: str(r.rank_in_category if by_category else r.rank)),
        (t("col.unit"), lambda r: r.standing.unit),
        (t("col.total") + (f"({scheme.unit})" if scheme.unit != "分" else ""), lambda r: fmt(r.standing.total))]
    if outcomes.grades or outcomes.otherwise:
        columns.append((t("col.grade"), lambda r: r.grade or ""))
    if any(not a.is_penalty for a in outcomes.awards) or outcomes.most_improved:
        columns.append((t("col.award"), lambda r: join_list(r.awards)))
    if any(a.is_penalty for a in outcomes.awards):
        columns.append((t("col.penalty"), lambda r: join_list(r.penalties)))
    if scheme.flags:
        columns.append((t("publish.col_remarks"), lambda r: join_list(_flag_kinds(scheme, r))))
    rows: list[list[str] | str] = []
    current: object = object()
    for row in in_order(scheme, decision):
        if by_category and row.standing.category != current:
            current = row.standing.category
            rows.append(current or "-")
        rows.append([get(row) for _, get in columns])
    return [head for head, _ in columns], rows


def _flag_kinds(scheme: Scheme, row: Outcome) -> list[str]:
    flags = {f.id: f for f in scheme.flags}
    ids = [*row.standing.vetoed, *row.standing.falsified, *row.standing.unmet]
    return list(dict.fromkeys(t(f"publish.kind_{flags[i].kind}") if i in flags else i for i in ids))


def _table(doc: Document, header: list[str], rows: list[list[str] | str], size: float) -> Any:
    """A bordered table, its header repeated on every page; a row given as text is a heading
    row across the table (a category's name)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = 1  # centred
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell(cell, text, "kaohe-table-head", size)
    head = OxmlElement("w:tblHeader")
    head.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(head)
    for row in rows:
        cells = table.add_row().cells
        if isinstance(row, str):
            merged = cells[0].merge(cells[-1])
            _cell(merged, row, "kaohe-table-head", size)
            merged.paragraphs[0].alignment = 0
            continue
        for cell, text in zip(cells, row, strict=True):
            _cell(cell, text, "kaohe-table", size)
    _fit_columns(doc, table, header, [r for r in rows if not isinstance(r, str)])
    return table


def column_weights(header: list[str], rows: list[list[str]]) -> list[int]:
    """How wide each column is to be, relative to the others: its longest cell in character
    widths (a CJK character two), a header counting a third as much as it wraps onto three lines,
    kept between 4 and 24 so that a long list of awards wraps and 名次 is not a sliver."""
    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    weights = []
    for col, head in enumerate(header):
        longest = max([width(r[col]) for r in rows] + [-(-width(head) // 3)])
        weights.append(min(max(longest, 4), 24))
    return weights


def _fit_columns(doc: Document, table: Any, header: list[str], rows: list[list[str]]) -> None:
    """Columns share the text width of the page by column_weights: Word and LibreOffice both keep
    a table's own widths (autofit off) rather than squeezing the widest text into a narrow column."""
    section = doc.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    weights = column_weights(header, rows)
    table.autofit = False
    for col, weight in zip(table.columns, weights, strict=True):
        share = int(text_width * weight / sum(weights))
        col.width = share
        for cell in col.cells:
            cell.width = share


def _cell(cell: Any, text: str, style: str, size: float) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    run = paragraph.add_run(text)
    if size != TABLE_PT:
        from docx.shared import Pt

        run.font.size = Pt(size)


def _lists(doc: Document, notice: Notice, names: list[str], of: Callable[[Outcome], list[str | None]]) -> None:
    """(一)优秀(3个) and its units, category by category where categories are ranked on their own."""
    scheme, rows = notice.scheme, in_order(notice.scheme, notice.decision)
    improved = {m.name for m in scheme.outcomes.most_improved}
    for number, name in enumerate(names, 1):
        taking = [r for r in rows if name in of(r)]
        _para(doc, t("publish.list_heading", number=_numeral(number), name=name, count=len(taking)), "kaohe-h2")
        unjudged = name in improved and all(r.previous is None for r in rows)
        if not taking:
            _para(doc, t("publish.not_judged" if unjudged else "publish.none"))
        elif scheme.ranking.among == "category":
            groups = dict.fromkeys(r.standing.category for r in taking)
            for group in groups:
                units = [r.standing.unit for r in taking if r.standing.category == group]
                _para(doc, t("publish.category_units", category=group or "-", units=join_list(units)))
        else:
            _para(doc, t("publish.units", units=join_list([r.standing.unit for r in taking])))


def _flags(doc: Document, notice: Notice) -> None:
    """Each flagged unit in the scheme's words: what the flag says, and what it bars."""
    scheme = notice.scheme
    flags = {f.id: f for f in scheme.flags}
    for row in in_order(scheme, notice.decision):
        s = row.standing
        for flag_id in [*s.vetoed, *s.falsified, *s.unmet]:
            flag = flags.get(flag_id)
            if flag is None:  # a results file from another version of the scheme (--force)
                _para(doc, t("publish.flag_unknown", unit=s.unit, flag=flag_id))
                continue
            _para(doc, t(f"publish.flag_{flag.kind}", unit=s.unit, text=re.sub(r"[。.;;]+$", "", flag.text)) + _consequence(flag, row))


def _consequence(flag: Flag, row: Outcome) -> str:
    barred = t("publish.bars_all") if flag.bars == "all" or flag.kind == "falsification" else \
        t("publish.bars", names=join_list(flag.bars))
    grade = t("publish.grade_is", grade=row.grade) if row.grade else ""
    return t("publish.consequence", barred=barred, grade=grade)


def _back(doc: Document, notice: Notice) -> None:
    scheme = notice.scheme
    _para(doc, t("publish.closing"))
    _para(doc, "", indent=False)
    for number, section in enumerate(scheme.sections, 1):
        label = t("publish.attachments") if number == 1 else ""
        paragraph = _para(doc, f"{label}{number}.{_attachment_title(section)}")
        if number > 1:
            from docx.shared import Pt

            paragraph.paragraph_format.first_line_indent = Pt((2 + len(t("publish.attachments"))) * BODY_PT)
    _para(doc, "", indent=False)
    _para(doc, "", indent=False)
    for text in (scheme.issuer or t("publish.issuer_placeholder"), t("publish.date_placeholder")):
        paragraph = _para(doc, text, indent=False, align="RIGHT")
        from docx.shared import Pt

        paragraph.paragraph_format.right_indent = Pt(4 * BODY_PT)  # 右空四字


def _attachment_title(section: Section) -> str:
    """第一部分 组织领导得分情况 (a section numbered 1 to 99 is named in words)."""
    number = _numeral(int(section.id)) if section.id.isdigit() and 0 < int(section.id) < 100 else section.id
    return t("publish.attachment_title", id=number, title=section.title)


def attachment_rows(notice: Notice, section: Section) -> tuple[list[str], list[list[str]]]:
    """单位, each item's points (its id, title and points in the header), 合计 (the section's result);
    "—" where the inputs carry no item points. A section of task lists adds the unit's own tasks."""
    def points(value: object) -> str:
        return f"({fmt(value)})" if value is not None else ""  # type: ignore[arg-type]

    header = [t("col.unit")] + [f"{i.id} {i.title}{points(i.points)}" for i in section.items]
    if section.tasks:
        header.append(t("publish.col_tasks"))
    header.append(t("publish.col_section_total", points=points(section.points)))
    rows = []
    for row in in_order(notice.scheme, notice.decision):
        unit = row.standing.unit
        mine = notice.items.get(unit, {}) if notice.items is not None else None
        cells = [unit] + [_item_points(mine, [i.id]) for i in section.items]
        if section.tasks:
            cells.append(_item_points(mine, [i.id for i in section.tasks.get(unit, [])]))
        total = row.standing.sections.get(section.id)
        cells.append(fmt(total) if total is not None else "—")
        rows.append(cells)
    return header, rows


def _item_points(mine: dict[str, Exact] | None, ids: list[str]) -> str:
    if mine is None or not ids or any(i not in mine for i in ids):
        return "—"
    return fmt(sum((mine[i] for i in ids[1:]), mine[ids[0]]))


def _attachment(doc: Document, notice: Notice, number: int, section: Section) -> None:
    header, rows = attachment_rows(notice, section)
    _new_section(doc, landscape=len(header) > PORTRAIT_COLUMNS)
    _para(doc, t("publish.attachment_label", number=number), "kaohe-h1", indent=False)
    _para(doc, _attachment_title(section), "kaohe-title")
    _para(doc, "", indent=False)
    size = SMALL_TABLE_PT if len(header) > PORTRAIT_COLUMNS - 2 else TABLE_PT
    _table(doc, header, rows, size)

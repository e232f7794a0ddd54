"""Plain rows for the ranking and the detail: shared by the csv and xlsx writers."""

from __future__ import annotations

from typing import Iterator

from kaohe.engine import InputResult, UnitResult
from kaohe.i18n import t
from kaohe.numbers import fmt
from kaohe.outcomes import RankedRow
from kaohe.report.text import explanation, flag_marks, show_input
from kaohe.report.xlsxout import SheetSpec
from kaohe.scheme.models import Scheme
from kaohe.values import Computed

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ranking_rows(scheme: Scheme, rows: list[RankedRow]) -> list[list[object]]:
    """名次, 单位, (类别), each base section, 基本分, (加分), (扣分), 总分, (标记); money schemes name 元."""
    base = [s for s in scheme.sections if s.kind == "base"]
    has = {kind: any(s.kind == kind and s.counted for s in scheme.sections) for kind in ("bonus", "deduction")}
    has["bonus"] = has["bonus"] or any(c.effect == "bonus" for _, _, c in scheme.criteria())
    money = scheme.unit != "分"
    unit = f"({scheme.unit})" if money else ""
    words = {k: t(f"col.{k}_money" if money else f"col.{k}") + unit for k in ("bonus", "deduction", "total")}
    by_category = scheme.ranking.among == "category"
    header: list[object] = [t("col.rank")] + ([t("col.rank_in_category")] if by_category else []) + [t("col.unit")]
    header += [t("col.category")] if scheme.categories else []
    header += [s.title for s in base] + ([t("col.base") + unit] if base else [])
    header += ([words["bonus"]] if has["bonus"] else []) + ([words["deduction"]] if has["deduction"] else [])
    header += [words["total"]]
    aside = [s for s in scheme.sections if not s.counted]
    header += [t("col.uncounted", title=s.title) for s in aside] + ([t("col.flags")] if scheme.flags else [])
    out = [header]
    for row in rows:
        r = row.result
        line: list[object] = [row.rank] + ([row.rank_in_category] if by_category else []) + [r.unit]
        line += [r.category or ""] if scheme.categories else []
        line += [r.sections[s.id].points if s.id in r.sections else "" for s in base] + ([r.base] if base else [])
        line += ([r.bonus] if has["bonus"] else []) + ([r.deduction] if has["deduction"] else []) + [r.total]
        line += [r.sections[s.id].points if s.id in r.sections else "" for s in aside]
        if scheme.flags:
            line.append(flag_text(r))
        out.append(line)
    return out


def flag_text(result: UnitResult) -> str:
    return "; ".join(flag_marks(result.vetoed, result.falsified, result.unmet, result.undecided))


def detail_header() -> list[object]:
    return [t("col.unit"), t("col.id"), t("col.text"), t("col.value"), t("col.source"), t("col.score"),
            t("col.explanation"), t("col.note")]


def detail_rows(rows: list[RankedRow]) -> Iterator[list[object]]:
    """One row per criterion and unit (made as they are written: a large run has millions)."""
    for row in rows:
        for c in row.result.criteria:
            values = "; ".join(
                (f"{i.id}={show_input(i)}" if len(c.inputs) > 1 else show_input(i)) for i in c.inputs
            )
            sources = "; ".join(str(where) for i in c.inputs for where in _sources(i))
            notes = "; ".join(i.note for i in c.inputs if i.note)
            title = c.criterion.title or c.criterion.text
            cid = f"{c.period} {c.criterion.id}" if c.period else c.criterion.id
            yield [row.result.unit, cid, title, values, sources, c.points, explanation(c), notes]


def _sources(i: InputResult) -> list[object]:
    """Where an input came from: its cell, or the cells a computed value was worked out from."""
    if i.location is not None:
        return [i.location]
    if isinstance(i.source, Computed):
        return i.source.sources
    return []


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula is made inert; numbers are untouched."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value



def section_rows(scheme: Scheme, section_id: str, rows: list[RankedRow]) -> list[list[object]]:
    """汇总 for one section: units down, the section's items across, then the section's result."""
    section = next(s for s in scheme.sections if s.id == section_id)
    item_ids = list(dict.fromkeys(i.id for i in section.all_items()
                                  if any(i.id in r.result.items for r in rows)))
    titles = {i.id: i.title for i in section.all_items()}
    header: list[object] = [t("col.rank"), t("col.unit")] + [f"{i} {titles[i]}" for i in item_ids]
    header.append(t("col.section_total", title=section.title))
    out = [header]
    for row in rows:
        r = row.result
        out.append([row.rank, r.unit] + [r.items[i].points if i in r.items else None for i in item_ids]
                   + [r.sections[section_id].points if section_id in r.sections else None])
    return out


def assessment_rows(scheme: Scheme, row: RankedRow) -> list[list[object]]:
    """One unit's 评价表, laid out like the document's: 评价项目, 评价内容, 评分标准, 评分依据, 得分."""
    r = row.result
    by_criterion: dict[str, list[object]] = {}
    for c in r.criteria:
        by_criterion.setdefault(c.criterion.id, []).append(c)
    out: list[list[object]] = [[t("col.section"), t("col.item"), t("col.text"), t("col.basis"), t("col.score"),
                                t("col.explanation")]]
    for section in scheme.sections:
        if section.id not in r.sections:
            continue
        first_in_section = True
        for item in section.items_for(r.unit):
            if item.id not in r.items:
                continue
            first_in_item = True
            for criterion in item.all_criteria():
                for result in by_criterion.get(criterion.id, []):
                    points = f"({fmt(section.points)})" if section.points is not None else ""
                    item_points = f"({fmt(item.points)})" if item.points is not None else ""
                    period = f"{result.period} " if result.period else ""  # type: ignore[attr-defined]
                    out.append([f"{section.id}、{section.title}{points}" if first_in_section else "",
                                f"{item.id} {item.title}{item_points}" if first_in_item else "",
                                f"{period}●{criterion.text}", item.basis or "" if first_in_item else "",
                                result.points, explanation(result)])  # type: ignore[arg-type]
                    first_in_section = first_in_item = False
    out.append([t("col.total"), "", "", "", r.total, flag_text(r)])
    return out


MAX_UNIT_SHEETS = 100
"""Above this many units the workbook leaves out the 评价表 per unit (use `kaohe explain`)."""


def results_sheets(scheme: Scheme, rows: list[RankedRow]) -> list[SheetSpec]:
    """The published workbook: 排名 (with a chart), a 汇总 per section, a 评价表 per unit, 明细."""
    ranking = ranking_rows(scheme, rows)
    total_col = ranking[0].index(next(h for h in ranking[0] if str(h).startswith(
        t("col.total_money" if scheme.unit != "分" else "col.total")))) + 1
    sheets = [SheetSpec(t("sheet.ranking"), ranking, "C2", chart=(total_col, t("col.total")),
                        heading=t("score.title", title=scheme.title))]
    sheets += [SheetSpec(t("sheet.summary", title=s.title), section_rows(scheme, s.id, rows), "C2",
                         heading=f"{scheme.title} {t('sheet.summary', title=s.title)}") for s in scheme.sections]
    if len(rows) <= MAX_UNIT_SHEETS:
        sheets += [SheetSpec(t("sheet.assessment", unit=row.result.unit), assessment_rows(scheme, row), "A2")
                   for row in rows]
    sheets.append(SheetSpec(t("sheet.detail"), [detail_header()], "C2", more=detail_rows(rows),
                            more_count=sum(len(row.result.criteria) for row in rows)))
    return sheets

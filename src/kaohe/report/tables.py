"""Plain rows for the ranking and the detail: shared by the csv and xlsx writers."""

from __future__ import annotations

from decimal import Decimal

from kaohe.engine import UnitResult
from kaohe.i18n import t
from kaohe.outcomes import RankedRow
from kaohe.report.text import explanation, show_input
from kaohe.scheme.models import Scheme

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ranking_rows(scheme: Scheme, rows: list[RankedRow]) -> list[list[object]]:
    """名次, 单位, (类别), each base section, 基本分, (加分), (扣分), 总分, (标记); money schemes name 元."""
    base = [s for s in scheme.sections if s.kind == "base"]
    has = {kind: any(s.kind == kind and s.counted for s in scheme.sections) for kind in ("bonus", "deduction")}
    money = scheme.unit != "分"
    unit = f"({scheme.unit})" if money else ""
    words = {k: t(f"col.{k}_money" if money else f"col.{k}") + unit for k in ("bonus", "deduction", "total")}
    header: list[object] = [t("col.rank"), t("col.unit")] + ([t("col.category")] if scheme.categories else [])
    header += [s.title for s in base] + ([t("col.base") + unit] if base else [])
    header += ([words["bonus"]] if has["bonus"] else []) + ([words["deduction"]] if has["deduction"] else [])
    header += [words["total"]]
    aside = [s for s in scheme.sections if not s.counted]
    header += [t("col.uncounted", title=s.title) for s in aside] + ([t("col.flags")] if scheme.flags else [])
    out = [header]
    for row in rows:
        r = row.result
        line: list[object] = [row.rank, r.unit] + ([r.category or ""] if scheme.categories else [])
        line += [r.sections[s.id].points if s.id in r.sections else "" for s in base] + ([r.base] if base else [])
        line += ([r.bonus] if has["bonus"] else []) + ([r.deduction] if has["deduction"] else []) + [r.total]
        line += [r.sections[s.id].points if s.id in r.sections else "" for s in aside]
        if scheme.flags:
            line.append(flag_text(r))
        out.append(line)
    return out


def flag_text(result: UnitResult) -> str:
    marks = [t("flag.vetoed", ids="、".join(result.vetoed))] if result.vetoed else []
    marks += [t("flag.falsified", ids="、".join(result.falsified))] if result.falsified else []
    marks += [t("flag.unmet", ids="、".join(result.unmet))] if result.unmet else []
    return "; ".join(marks)


def detail_rows(rows: list[RankedRow]) -> list[list[object]]:
    out: list[list[object]] = [[t("col.unit"), t("col.id"), t("col.text"), t("col.value"), t("col.source"),
                                t("col.score"), t("col.explanation"), t("col.note")]]
    for row in rows:
        for c in row.result.criteria:
            values = "; ".join(
                (f"{i.id}={show_input(i)}" if len(c.inputs) > 1 else show_input(i)) for i in c.inputs
            )
            sources = "; ".join(str(i.location) for i in c.inputs if i.location is not None)
            notes = "; ".join(i.note for i in c.inputs if i.note)
            title = c.criterion.title or c.criterion.text
            cid = f"{c.period} {c.criterion.id}" if c.period else c.criterion.id
            out.append([row.result.unit, cid, title, values, sources, c.points, explanation(c), notes])
    return out


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula is made inert; numbers are untouched."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)

"""Plain rows for the ranking and the detail: shared by the csv and xlsx writers."""

from __future__ import annotations

from decimal import Decimal

from kaohe.i18n import t
from kaohe.outcomes import RankedRow
from kaohe.report.text import explanation, show_input
from kaohe.scheme.models import Scheme

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ranking_rows(scheme: Scheme, rows: list[RankedRow]) -> list[list[object]]:
    base = [s for s in scheme.sections if s.kind == "base"]
    bonus = [s for s in scheme.sections if s.kind == "bonus"]
    header: list[object] = [t("col.rank"), t("col.unit")] + [s.title for s in base]
    header += [t("col.base")] + ([t("col.bonus")] if bonus else []) + [t("col.total")]
    out = [header]
    for row in rows:
        r = row.result
        line: list[object] = [row.rank, r.unit] + [r.sections[s.id].points for s in base] + [r.base]
        line += ([r.bonus] if bonus else []) + [r.total]
        out.append(line)
    return out


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
            out.append([row.result.unit, c.criterion.id, title, values, sources, c.points, explanation(c), notes])
    return out


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula is made inert; numbers are untouched."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)

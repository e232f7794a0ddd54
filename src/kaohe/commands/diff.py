"""`kaohe diff`: two evidence sets (自评 vs 核定, before and after an appeal) compared per unit and
item, with the movement of total, rank and grade."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from kaohe.changes import Change, compare
from kaohe.commands.common import read_checked, scored
from kaohe.i18n import t
from kaohe.numbers import fmt
from kaohe.outcomes import Decision, decide, standing
from kaohe.report.jsonout import num
from kaohe.scheme.load import LoadedScheme


def run_diff(loaded: LoadedScheme, paths_a: list[str], paths_b: list[str], fmt_: str,
             echo: Callable[[str], None], err: Callable[[str], None]) -> int:
    scheme = loaded.scheme
    results = []
    for paths in (paths_a, paths_b):
        evidence = read_checked(paths, scheme, err)
        scored_results = scored(scheme, evidence, err) if evidence is not None else None
        if scored_results is None:
            return 1
        results.append(scored_results)
    decisions = [decide(scheme, [standing(u) for u in r.units]) for r in results]
    changes = compare(results[0], results[1])
    if fmt_ == "json":
        from kaohe.errors import json_escaped
        from kaohe.report.jsonout import dumps

        echo(json_escaped(dumps(_document(changes, decisions))).rstrip("\n"))  # valid JSON, as explain's
        return 0
    from rich.table import Table

    from kaohe.report.terminal import console

    table = Table(title=t("diff.title", title=scheme.title))
    for key in ("col.unit", "col.item", "diff.before", "diff.after", "diff.delta"):
        table.add_column(t(key), justify="left" if key in ("col.unit", "col.item") else "right")
    for c in changes:
        table.add_row(c.unit, c.node or t("col.total"), fmt(c.before), fmt(c.after), _signed(c.after - c.before))
    console().print(table)
    for line in _movements(decisions):
        echo(line)
    if not changes:
        echo(t("diff.none"))
    return 0


def _signed(value: Decimal) -> str:
    return f"+{fmt(value)}" if value > 0 else fmt(value)


def _movements(decisions: list[Decision]) -> list[str]:
    before = {r.standing.unit: r for r in decisions[0].rows}
    lines = []
    for row in decisions[1].rows:
        old = before.get(row.standing.unit)
        if old is not None and (old.rank != row.rank or old.grade != row.grade or old.awards != row.awards):
            lines.append(t("diff.moved", unit=row.standing.unit, rank_a=old.rank, rank_b=row.rank,
                           grade_a=old.grade or "—", grade_b=row.grade or "—",
                           awards_a="、".join(old.awards) or "—", awards_b="、".join(row.awards) or "—"))
    return lines


def _document(changes: list[Change], decisions: list[Decision]) -> dict[str, object]:
    before = {r.standing.unit: r for r in decisions[0].rows}
    return {
        "format": "kaohe-diff", "version": 1,
        "changes": [{"unit": c.unit, "item": c.node or None, "before": num(c.before),
                     "after": num(c.after)} for c in changes],
        "units": [{"unit": r.standing.unit, "rank": [before[r.standing.unit].rank, r.rank],
                   "total": [num(before[r.standing.unit].standing.total), num(r.standing.total)],
                   "grade": [before[r.standing.unit].grade, r.grade],
                   "awards": [before[r.standing.unit].awards, r.awards]}
                  for r in decisions[1].rows if r.standing.unit in before],
    }

"""Rich tables for the terminal: the ranking and the scheme's 评价表."""

from __future__ import annotations

from rich.table import Table

from kaohe.i18n import t
from kaohe.numbers import fmt
from kaohe.outcomes import RankedRow
from kaohe.report.tables import ranking_rows
from kaohe.report.text import describe_rule
from kaohe.scheme.models import Scheme


def ranking_table(scheme: Scheme, rows: list[RankedRow]) -> Table:
    table = Table(title=t("score.title", title=scheme.title), show_lines=False)
    data = ranking_rows(scheme, rows)
    for i, head in enumerate(data[0]):
        table.add_column(str(head), justify="left" if i == 1 else "right", no_wrap=i == 1)
    for line in data[1:]:
        table.add_row(*(fmt(v) if not isinstance(v, (int, str)) else str(v) for v in line))
    return table


def scheme_table(scheme: Scheme) -> Table:
    title = t("show.title", title=scheme.title, doc=scheme.doc_number or scheme.id)
    table = Table(title=title, show_lines=True)
    for key in ("col.section", "col.item", "col.points", "col.text", "col.rule", "col.basis"):
        table.add_column(t(key), overflow="fold")
    for section in scheme.sections:
        head = f"{section.id}、{section.title}({fmt(section.points)})"
        if section.kind == "bonus":
            head += t("show.bonus", cap=fmt(section.limit))
        for i, item in enumerate(section.items):
            for j, criterion in enumerate(item.criteria):
                table.add_row(
                    head if i == 0 and j == 0 else "",
                    f"{item.id} {item.title}({fmt(item.points)})" if j == 0 else "",
                    fmt(criterion.points) if criterion.points is not None else "",
                    f"{criterion.id} ●{criterion.text}",
                    describe_rule(criterion),
                    item.basis or "" if j == 0 else "",
                )
    return table

"""Rich tables for the terminal: the ranking and the scheme's 评价表."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from kaohe.i18n import t
from kaohe.numbers import fmt
from kaohe.outcomes import RankedRow
from kaohe.report.tables import ranking_rows
from kaohe.report.text import describe_rule
from kaohe.scheme.models import Scheme


def console() -> Console:
    """The terminal's width when there is one; wide enough for the tables in a pipe or file."""
    probe = Console()
    return probe if probe.is_terminal else Console(width=160)


TERMINAL_ROWS = 200
"""The most units the terminal table shows; the full ranking goes to a file with -o."""


def ranking_table(scheme: Scheme, rows: list[RankedRow]) -> Table:
    shown = rows[:TERMINAL_ROWS]
    caption = t("score.more_units", count=len(rows) - len(shown)) if len(rows) > len(shown) else None
    table = Table(title=t("score.title", title=scheme.title), show_lines=False, caption=caption)
    data = ranking_rows(scheme, shown)
    for i, head in enumerate(data[0]):
        table.add_column(str(head), justify="left" if i == 1 else "right", no_wrap=True)
    for line in data[1:]:
        table.add_row(*(fmt(v) if not isinstance(v, (int, str)) else str(v) for v in line))
    return table


def scheme_table(scheme: Scheme) -> Table:
    title = t("show.title", title=scheme.title, doc=scheme.doc_number or scheme.id)
    table = Table(title=title, show_lines=True, expand=True)
    for key, ratio in (("col.section", 2), ("col.item", 3), ("col.points", 1), ("col.text", 8),
                       ("col.rule", 3), ("col.basis", 2)):
        table.add_column(t(key), overflow="fold", ratio=ratio, min_width=4)
    for section in scheme.sections:
        head = f"{section.id}、{section.title}" + (f"({fmt(section.points)})" if section.points is not None else "")
        if section.kind == "bonus":
            head += t("show.bonus", cap=fmt(section.limit)) if section.limit is not None else t("show.bonus_open")
        elif section.kind == "deduction":
            head += t("show.deduction")
        for i, item in enumerate(section.all_items()):
            for j, criterion in enumerate(item.all_criteria()):
                item_points = f"({fmt(item.points)})" if item.points is not None else ""
                table.add_row(
                    head if i == 0 and j == 0 else "",
                    f"{item.id} {item.title}{item_points}" if j == 0 else "",
                    fmt(criterion.points) if criterion.points is not None else "",
                    f"{criterion.id} ●{criterion.text}",
                    describe_rule(criterion),
                    item.basis or "" if j == 0 else "",
                )
    return table



def plain_table(title: str, rows: list[list[object]]) -> Table:
    table = Table(title=title)
    for head in rows[0]:
        table.add_column(str(head))
    for line in rows[1:]:
        table.add_row(*(fmt(v) if not isinstance(v, (int, str)) else str(v) for v in line))
    return table

"""Rich tables for the terminal: the ranking and the scheme's 评价表.

Every string that reaches the terminal may come from input (a unit's name, a header, a note, a
scheme's text), so none is handed to rich as a plain string: rich would read `[red]…[/red]` or
`[link=…]` in it as markup, and pass ESC through to the terminal raw. Cells, titles, headers and
captions are `safe` Text objects (never parsed for markup) with control characters escaped.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kaohe.errors import printable
from kaohe.i18n import t
from kaohe.numbers import Rational, display_places, fmt
from kaohe.outcomes import RankedRow
from kaohe.report.tables import ranking_rows
from kaohe.report.text import describe_rule
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Scheme


class _Console(Console):
    """A console that escapes control characters in every plain string it renders (a Tree's label,
    a cell given as a string): a second guard under `safe`, for whatever reaches it unescaped."""

    def render_str(self, text: str, **kwargs) -> Text:  # type: ignore[no-untyped-def, override]
        return super().render_str(printable(text, keep="\n\t"), **kwargs)


def console() -> Console:
    """The terminal's width when there is one; wide enough for the tables in a pipe or file."""
    probe = _Console()
    return probe if probe.is_terminal else _Console(width=160)


def safe(value: object, style: str = "") -> Text:
    """A cell, title, header or caption for a rich table: the value's text as it stands (never read
    as rich markup, so a unit named `[red]x[/red]` shows just so), control characters escaped
    (`\\x1b`); line breaks and tabs are kept (a criterion's text may run over lines)."""
    text = value if isinstance(value, str) else fmt(value) if not isinstance(value, int) else str(value)
    return Text(printable(text, keep="\n\t"), style=style)


def safe_title(text: str) -> Text:
    """A table's title as `safe` makes it, in rich's style for titles (a Text keeps its own)."""
    return safe(text, "table.title")


def safe_caption(notes: list[str]) -> Text | None:
    """The notes under a table, one a line, as `safe` makes them (None when there are none)."""
    return safe("\n".join(notes), "table.caption") if notes else None


TERMINAL_ROWS = 200
"""The most units the terminal table shows; the full ranking goes to a file with -o."""


def ranking_table(scheme: Scheme, rows: list[RankedRow], width: int | None = None) -> Table:
    shown = rows[:TERMINAL_ROWS]
    data = ranking_rows(scheme, shown)
    notes = [t("score.more_units", count=len(rows) - len(shown))] if len(rows) > len(shown) else []
    if any(isinstance(v, Rational) for line in data[1:] for v in line):
        notes.append(approximation_note())
    header = [str(h) for h in data[0]]
    sections = {s.title for s in scheme.sections if s.kind == "base"}
    optional = [i for i, head in enumerate(header) if head in sections]
    wrapping = {i for i, head in enumerate(header) if head in (t("col.category"), t("col.flags"))}
    return fitted_table(t("score.title", title=scheme.title), data, width, text_columns={header.index(t("col.unit"))},
                        optional=optional, notes=notes, wrap_columns=wrapping)


def fitted_table(title: str, data: list[list[object]], width: int | None, text_columns: set[int],
                 optional: list[int], notes: list[str], wrap_columns: set[int] | None = None) -> Table:
    """A table in which no value is ever cut: each column is as wide as its widest value (text
    columns up to a limit, then folded) and headers wrap instead. Where that is wider than the
    terminal, the `optional` columns (a ranking's sections) are left out and a note says where
    they are."""
    from rich.cells import cell_len

    cells = [[printable(fmt(v) if not isinstance(v, (int, str)) else str(v), keep="\n\t") for v in line]
             for line in data[1:]]
    header = [printable(str(h), keep="\n\t") for h in data[0]]
    wrap_columns = wrap_columns or set()

    def size(i: int) -> int:
        widest = max((cell_len(row[i]) for row in cells), default=0)
        limit = 12 if i in wrap_columns else 20 if i in text_columns else widest
        return max(min(widest, limit), min(cell_len(header[i]), 4), 2)  # a header wraps two characters a line

    def build(keep: list[int], notes: list[str]) -> Table:
        table = Table(title=safe_title(title), caption=safe_caption(notes), caption_justify="left")
        for i in keep:
            numeric = i not in text_columns and i not in wrap_columns
            table.add_column(Text(header[i]), justify="right" if numeric else "left", overflow="fold", width=size(i))
        for row in cells:
            table.add_row(*(Text(row[i]) for i in keep))
        return table

    everything = list(range(len(header)))
    drawn = sum(size(i) + 3 for i in everything) + 1  # each column's padding and rule, and the last rule
    if width is not None and optional and drawn > width:
        return build([i for i in everything if i not in optional], notes + [t("score.sections_hidden")])
    return build(everything, notes)


def approximation_note() -> str:
    """What ≈ means, under any table that shows a value with no finite decimal form."""
    return t("score.approximate", places=display_places())


def scheme_table(scheme: Scheme) -> Table:
    title = t("show.title", title=scheme.title, doc=scheme.doc_number or scheme.id)
    table = Table(title=safe_title(title), show_lines=True, expand=True)
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
                table.add_row(*map(safe, (
                    head if i == 0 and j == 0 else "",
                    f"{item.id} {item.title}{item_points}" if j == 0 else "",
                    fmt(criterion.points) if criterion.points is not None else "",
                    f"{criterion.id} ●{criterion.text}",
                    describe_rule(criterion),
                    item.basis or "" if j == 0 else "",
                )))
    return table


def values_table(scheme: Scheme) -> Table | None:
    """What the scheme works out itself: declared inputs, computed values and flags set by a
    condition, each with where it comes from (None when the scheme has none)."""
    from kaohe.report.text import describe_input
    from kaohe.scheme.names import catalogue, declared_specs

    rows: list[tuple[str, str, str, str]] = []
    for decl in scheme.inputs:
        spec = declared_specs(decl, scheme.rates)[0]
        if decl.per_unit is not None:
            given = "、".join(f"{u} {v}" for u, v in decl.per_unit.items())
            source = t("show.input_scheme", values=given, default=decl.default if decl.default is not None else "-")
        elif decl.each:
            source = t("show.input_series", ids=f"{decl.id}.{decl.each[0]} … {decl.id}.{decl.each[-1]}",
                       count=len(decl.each), what=describe_input(spec))
        else:
            source = t("show.input_evidence", what=describe_input(spec))
        rows.append((decl.id, decl.title or decl.text or "", t(f"show.kind_{decl.type}") + (decl.unit and f"({decl.unit})"),
                     source))
    for value in scheme.values:
        if value.count is not None:
            when = "; ".join(f"{k}: {'|'.join(v) if isinstance(v, list) else v}" for k, v in (value.when or {}).items())
            source = t("show.value_count", id=value.count, when=when or "-",
                       distinct=t("values.distinct", attribute=value.distinct) if value.distinct else "")
        else:
            source = f"{value.id} = {value.expr}"
            if value.if_zero is not None:
                source += t("show.if_zero", value=value.if_zero)
        entry = catalogue(scheme).entries.get(value.id)
        kind_name = value.type or (entry.type.kind if entry is not None else None)
        kind = t(f"show.kind_{kind_name}") if kind_name in ("count", "number", "rate", "bool", "level") else ""
        if entry is not None and entry.type.series:
            kind += t("show.series", count=len(entry.type.labels or ()))
        rows.append((value.id, value.title or value.text or "", kind, source))
    for flag in scheme.flags:
        if flag.when is not None:
            rows.append((flag.id, flag.text, t(f"show.flag_{flag.kind}"), t("show.flag_when", when=flag.when)))
    if not rows:
        return None
    table = Table(title=safe_title(t("show.values_title")), show_lines=True, expand=True)
    for key, ratio in (("col.id", 2), ("col.title", 4), ("col.kind", 2), ("col.working", 8)):
        table.add_column(t(key), overflow="fold", ratio=ratio, min_width=4)
    for row in rows:
        table.add_row(*map(safe, row))
    return table


def plain_table(title: str, rows: list[list[object]]) -> Table:
    table = Table(title=safe_title(title))
    for head in rows[0]:
        table.add_column(safe(str(head)))
    for line in rows[1:]:
        table.add_row(*map(safe, line))
    return table


def outcomes_rows(scheme: Scheme) -> list[tuple[str, str]]:
    """The scheme's ranking and outcome rules in words, one (rule, meaning) per line."""
    ranking, outcomes = scheme.ranking, scheme.outcomes
    how = t(f"show.{ranking.method}")
    if ranking.among == "category":
        how += t("show.among_category")
    if ranking.tie_break:
        how += t("show.tie_break", ids="、".join(ranking.tie_break))
    rows = [(t("show.ranking"), how)]
    for grade in outcomes.grades:
        parts = []
        if grade.min is not None:
            parts.append(t("show.grade_min", min=fmt(grade.min)))
        if grade.count is not None:
            count = grade.count if isinstance(grade.count, int) else "、".join(f"{k} {v}" for k, v in grade.count.items())
            parts.append(t("show.grade_count", count=count) + (
                t("show.grade_min_count", count=grade.min_count) if grade.min_count is not None else ""))
        if grade.share is not None:
            parts.append(t("show.grade_share", share=f"{fmt(grade.share * 100)}%",
                           rounding=t(f"show.rounding_{grade.share_rounding}")))
        if grade.when is not None:
            parts.append(t("show.grade_when", when=grade.when))
        if grade.requires:
            parts.append(t("show.grade_requires", ids="、".join(grade.requires)))
        rows.append((grade.name, ";".join(parts) or t("show.grade_any")))
    if outcomes.otherwise is not None:
        rows.append((outcomes.otherwise, t("show.otherwise")))
    if outcomes.barred_grade is not None:
        rows.append((t("show.barred_grade"), outcomes.barred_grade))
    if outcomes.step_up:
        rows.append((t("show.step_up"), t("show.step_up_text")))
    for award in outcomes.awards:
        where = (t("show.award_bottom", count=award.bottom) if award.bottom is not None
                 else t("show.award_band", first=award.first, last=award.last))
        kind = t("show.award_kind_penalty" if award.is_penalty else "show.award_kind_award")
        passing = "" if award.bottom is not None else ";" + t("show.pass_on" if award.pass_on else "show.no_pass_on")
        rows.append((award.name, f"{kind}: {where}{passing}"))
    for rule in outcomes.most_improved:
        text = t("show.most_improved", count=rule.count)
        if rule.outside_top:
            text += t("show.outside_top", place=rule.outside_top)
        if rule.section is not None:
            text += t("show.by_section", id=rule.section)
        rows.append((rule.name, text))
    for flag in scheme.flags:
        if not (outcomes.grades or outcomes.awards or outcomes.most_improved):
            break
        if flag.bars != "all":
            bars = t("show.bars", names="、".join(flag.bars))
        elif outcomes.grades and outcomes.barred_grade is not None:
            bars = t("show.bars_all_but", grade=outcomes.barred_grade)
        else:
            bars = t("show.bars_all")
        rows.append((f"{flag.id}({t(f'show.flag_{flag.kind}')})", bars))
    return rows


def outcomes_table(scheme: Scheme) -> Table:
    table = Table(title=safe_title(t("show.outcomes_title")), show_lines=True, expand=True)
    for key, ratio in (("show.col_rule", 2), ("show.col_meaning", 8)):
        table.add_column(t(key), overflow="fold", ratio=ratio, min_width=4)
    for row in outcomes_rows(scheme):
        table.add_row(*map(safe, row))
    return table


def readings_table(loaded: LoadedScheme) -> Table | None:
    """Every reading the scheme marks (None when it marks none), with where it is."""
    from kaohe.scheme.readings import marked

    found = marked(loaded)
    if not found:
        return None
    table = Table(title=safe_title(t("reading.title")), show_lines=True, expand=True)
    for key, ratio in (("reading.col_owner", 2), ("reading.col_text", 4), ("reading.col_taken", 4),
                       ("reading.col_other", 4), ("reading.col_compared", 2)):
        table.add_column(t(key), overflow="fold", ratio=ratio, min_width=4)
    for mark in found:
        compared = t("reading.compared" if mark.reading.alternative is not None else "reading.not_compared")
        table.add_row(*map(safe, (mark.owner + t("reading.line", line=mark.location.line), mark.reading.text,
                                  mark.reading.taken, mark.reading.other, compared)))
    return table

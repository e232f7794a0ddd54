"""Rich tables for the terminal: the ranking and the scheme's 评价表.

Every string that reaches the terminal may come from input (a unit's name, a header, a note, a
scheme's text), so none is handed to rich as a plain string: rich would read `[red]…[/red]` or
`[link=…]` in it as markup, and pass ESC through to the terminal raw. Cells, titles, headers and
captions are `safe` Text objects (never parsed for markup) with control characters escaped.

A ranking is laid out for the width it is drawn at (`Fitted`): 名次, 单位 and 总分 are never hidden
or cut. Where the whole table does not fit, the sections' columns are left out, then everything
but rank, unit, total and grade, and one line says how to see the rest.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from kaohe.errors import printable
from kaohe.i18n import t
from kaohe.numbers import Rational, display_places, fmt
from kaohe.outcomes import RankedRow
from kaohe.report.tables import ranking_rows
from kaohe.report.text import describe_rule, flag_marks
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Scheme


class _Console(Console):
    """A console that escapes control characters in every plain string it renders (a Tree's label,
    a cell given as a string): a second guard under `safe`, for whatever reaches it unescaped."""

    def render_str(self, text: str, **kwargs) -> Text:  # type: ignore[no-untyped-def, override]
        return super().render_str(printable(text, keep="\n\t"), **kwargs)


def console() -> Console:
    """The terminal's width when there is one. In a pipe or file, the width COLUMNS gives (`kaohe
    show s.yaml | less` in an 80-column terminal, whose shell exports it), else one wide enough
    for the tables."""
    probe = _Console()
    if probe.is_terminal:
        return probe
    columns = os.environ.get("COLUMNS", "").strip()
    return _Console(width=int(columns) if columns.isdigit() and 20 <= int(columns) <= 10_000 else 160)


def cell_text(value: object) -> str:
    """A value as a cell shows it: points with the scheme's places, text escaped, nothing for None."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) else fmt(value)  # type: ignore[arg-type]
    return printable(text, keep="\n\t")


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


# Wrapping that never splits a number: a line may break between two Chinese characters or at a
# space, never inside a run of digits, letters and signs ("0.5", "100%", "2.3.1", "--format").
_TOKEN = re.compile(r"\s+|[0-9A-Za-z_.%‰+\-−–~×÷/≤≥<>=≈'’∞]+|.", re.S)
_NO_LINE_START = set(",.;:!?)]}、,。;:!?)】》」』”’%")
_NO_LINE_END = set("([{(【《「『“‘")


def _tokens(text: str) -> list[str]:
    """The text cut where a line may break; a closing mark stays with what it closes, an opening
    one with what it opens."""
    out: list[str] = []
    glue = False
    for piece in _TOKEN.findall(text):
        if out and (glue or (piece[0] in _NO_LINE_START and not out[-1].isspace())):
            out[-1] += piece
        else:
            out.append(piece)
        glue = piece[-1] in _NO_LINE_END
    return out


def wrap_cells(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, each paragraph on its own; a token longer than a
    line is folded (the only case where one is split)."""
    from rich.cells import cell_len, chop_cells

    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if cell_len(line) + cell_len(token.rstrip()) <= width:
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            token = token.lstrip()
            while cell_len(token) > width:
                head = chop_cells(token, width)[0]
                lines.append(head)
                token = token[len(head):]
            line = token
        lines.append(line.rstrip())
    return lines


class Wrapped:
    """Text that wraps at the width it is given as `wrap_cells` does (a rule such as
    "10人以上2分;5人以下0.5分" never loses a digit to the next line); safe as `safe` is."""

    def __init__(self, value: object, style: str = "") -> None:
        self.text = cell_text(value)
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.cells import cell_len

        tokens = [tok.strip() for line in self.text.split("\n") for tok in _tokens(line)]
        shortest = max((cell_len(tok) for tok in tokens), default=0)
        longest = max((cell_len(line) for line in self.text.split("\n")), default=0)
        return Measurement(min(shortest, options.max_width), min(longest, options.max_width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("\n".join(wrap_cells(self.text, options.max_width)), style=self.style, overflow="fold")


class Column(NamedTuple):
    """One column of a `Fitted` table: its header, its cells (as shown), and how it is laid out."""

    head: str
    cells: list[str]
    left: bool = False
    """Text, aligned left (numbers are aligned right)."""
    limit: int | None = None
    """Text folds at this many cells; None: as wide as the widest value (numbers never fold)."""
    role: str = "extra"
    """"key" (名次, 单位, 总分, 等次: always shown), "extra" (left out in the narrow layout) or
    "section" (a section's points: left out first)."""


class Fitted:
    """A ranking laid out for the width it is drawn at. Every column is as wide as its widest value
    (text up to its limit, then folded; headers wrap instead). Where that is wider than the
    terminal, the sections' columns are left out; where still too wide, all but the key columns,
    with the `narrow_notes` under the table; a line says how to see the rest. Columns with
    nothing in them are never shown. `headings` puts a row of its own (a category's name, in the
    unit's column) before the row of that index."""

    def __init__(self, title: str, columns: Sequence[Column], notes: Sequence[str] = (),
                 narrow_notes: Sequence[str] = (), headings: dict[int, str] | None = None,
                 width: int | None = None) -> None:
        self.title = title
        self.columns = [c for c in columns if any(cell.strip() for cell in c.cells)]  # 等次 with none given: out
        self.notes = list(notes)
        self.narrow_notes = list(narrow_notes)
        self.headings = headings or {}
        self.width = width

    def layout(self, width: int) -> tuple[list[Column], list[int], int]:
        """The columns shown at `width`, their widths, and the layout: 0 whole, 1 without the
        sections, 2 narrow."""
        tiers = [self.columns, [c for c in self.columns if c.role != "section"],
                 [c for c in self.columns if c.role == "key"]]
        for level, keep in enumerate(tiers):
            widths = [self._natural(self._with_headings(c)) for c in keep]
            least = [min(w, SQUEEZED) if c.left and c.role != "key" else w for c, w in zip(keep, widths, strict=True)]
            if _drawn(least) <= width or level == 2:
                shown = min(i for i, tier in enumerate(tiers) if len(tier) == len(keep))  # what is left out
                return keep, self._grown(keep, self._squeezed(keep, widths, width), width), shown
        raise AssertionError("unreachable")

    def _with_headings(self, column: Column) -> Column:
        """The unit's column with the headings it holds counted as cells (for its width)."""
        if not self.headings or column.head != t("col.unit"):
            return column
        return column._replace(cells=column.cells + [cell_text(h) for h in self.headings.values()])

    @staticmethod
    def _natural(column: Column) -> int:
        from rich.cells import cell_len

        widest = max((cell_len(line) for cell in column.cells for line in cell.split("\n")), default=0)
        value = min(widest, column.limit) if column.limit is not None else widest
        head = max((cell_len(line) for line in column.head.split("\n")), default=0)
        # A key column's header shows whole where it can; others wrap two characters a line.
        return max(value, min(head, 8 if column.role == "key" else 4), 2)

    @staticmethod
    def _squeezed(keep: list[Column], widths: list[int], width: int) -> list[int]:
        """Text columns narrowed (folding their text) until the table fits: the others' first,
        down to SQUEEZED cells, then any down to 4; numbers keep their width."""
        widths = list(widths)
        while _drawn(widths) > width:
            text = [i for i, c in enumerate(keep) if c.left and c.role != "key" and widths[i] > SQUEEZED]
            text = text or [i for i, c in enumerate(keep) if c.left and widths[i] > 4]
            if not text:
                break
            widest = max(text, key=lambda i: widths[i])
            widths[widest] -= 1
        return widths

    def _grown(self, keep: list[Column], widths: list[int], width: int) -> list[int]:
        """Folded text columns widened into the room left over, so that their text takes fewer lines."""
        from rich.cells import cell_len

        widths = list(widths)
        for i, column in enumerate(keep):
            cells = self._with_headings(column).cells
            widest = max((cell_len(line) for cell in cells for line in cell.split("\n")), default=0)
            if column.left and widest > widths[i]:
                widths[i] += max(0, min(widest - widths[i], width - _drawn(widths)))
        # Then headers whole ("基本分", not "基本/分") where the room left allows: those needing least
        # first, so that as many as can be read whole are (and none is widened only part of the way).
        heads = [max((cell_len(line) for line in c.head.split("\n")), default=0) for c in keep]
        for i in sorted(range(len(keep)), key=lambda i: heads[i] - widths[i]):
            if 0 < heads[i] - widths[i] <= width - _drawn(widths):
                widths[i] = heads[i]
        return widths

    def notes_for(self, level: int) -> list[str]:
        if level == 1:
            return self.notes + [t("score.sections_hidden")]
        if level == 2:
            return self.notes + self.narrow_notes + [t("terminal.narrow")]
        return self.notes

    def table(self, width: int) -> tuple[Table, list[str]]:
        keep, widths, level = self.layout(width)
        table = Table(title=safe_title(self.title))
        for column, size in zip(keep, widths, strict=True):
            table.add_column(Text(column.head), justify="left" if column.left else "right", overflow="fold",
                             width=size)
        unit = next((i for i, c in enumerate(keep) if c.head == t("col.unit")), 0)
        rows = len(self.columns[0].cells) if self.columns else 0
        for r in range(rows):
            if r in self.headings:
                if table.row_count:
                    table.rows[-1].end_section = True
                table.add_row(*(Wrapped(self.headings[r] or "-", style="bold") if i == unit else Text("")
                                for i in range(len(keep))))
            table.add_row(*(Wrapped(c.cells[r]) if c.left else Text(c.cells[r]) for c in keep))
        return table, self.notes_for(level)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = min(self.width, options.max_width) if self.width else options.max_width
        table, notes = self.table(width)
        yield table
        for note in notes:
            yield Wrapped(note)


SQUEEZED = 12
"""The narrowest a text column other than 单位 is made (six characters a line) before columns are
left out."""


def _drawn(widths: list[int]) -> int:
    """The cells a table takes: each column's width, padding and rule, and the last rule."""
    return sum(w + 3 for w in widths) + 1


TERMINAL_ROWS = 200
"""The most units the terminal table shows; the full ranking goes to a file with -o."""


def ranking_table(scheme: Scheme, rows: list[RankedRow], width: int | None = None) -> Fitted:
    """`score`'s ranking: 名次, 单位, (类别), each section, 基本分, 加分, 扣分, 总分, the flags in the
    document's words; laid out for the terminal's width (see Fitted)."""
    shown = rows[:TERMINAL_ROWS]
    data = ranking_rows(scheme, shown)
    notes = [t("score.more_units", count=len(rows) - len(shown))] if len(rows) > len(shown) else []
    if any(isinstance(v, Rational) for line in data[1:] for v in line):
        notes.append(approximation_note())
    marks = ["; ".join(flag_marks(r.result.vetoed, r.result.falsified, r.result.unmet, r.result.undecided,
                                  scheme=scheme)) for r in shown]
    columns = score_columns(scheme, data, marks)
    flagged = [t("rank.unit_note", unit=r.result.unit, text=m) for r, m in zip(shown, marks, strict=True) if m]
    return Fitted(t("score.title", title=scheme.title), columns, notes, flagged, width=width)


def score_columns(scheme: Scheme, data: list[list[object]], marks: list[str]) -> list[Column]:
    """The columns of `score`'s ranking, each with its place in the layout; the flags' column
    shows `marks` (the document's words)."""
    money = scheme.unit != "分"
    total = t("col.total_money" if money else "col.total") + (f"({scheme.unit})" if money else "")
    sections = {s.title for s in scheme.sections if s.kind == "base"}
    key = {t("col.rank"), t("col.rank_in_category"), t("col.unit"), total}
    columns = []
    for i, head in enumerate(str(h) for h in data[0]):
        cells = marks if head == t("col.flags") else [cell_text(line[i]) for line in data[1:]]
        left = head in (t("col.unit"), t("col.category"), t("col.flags"))
        limit = {t("col.unit"): 24, t("col.category"): 12, t("col.flags"): 24}.get(head)
        role = "key" if head in key else "section" if head in sections else "extra"
        columns.append(Column(cell_text(head), cells, left, limit, role))
    return columns


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
                table.add_row(*map(Wrapped, (
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
        table.add_row(*map(Wrapped, row))
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
        table.add_row(*map(Wrapped, row))
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
        table.add_row(*map(Wrapped, (mark.owner + t("reading.line", line=mark.location.line), mark.reading.text,
                                  mark.reading.taken, mark.reading.other, compared)))
    return table

"""Plain rows for the ranking and the detail: shared by the csv and xlsx writers."""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass, field, replace
from decimal import Decimal
from operator import attrgetter
from typing import Iterator, Mapping

from kaohe import __version__
from kaohe.engine import (
    BlockColumn,
    CriterionResult,
    InputResult,
    NodeMap,
    NodeResult,
    SharedByOutcome,
    UnitResult,
    criteria_blocks,
)
from kaohe.errors import Location
from kaohe.evidence import Value
from kaohe.i18n import t
from kaohe.numbers import ZERO, Exact, fmt
from kaohe.outcomes import RankedRow, Standing
from kaohe.report.sheetxml import SharedRow
from kaohe.report.text import explanation, flag_marks, show_input
from kaohe.report.xlsxout import ChartSpec, SheetSpec
from kaohe.scheme.load import LoadedScheme
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
    results = [row.result for row in rows]
    points, _ = node_columns([r.sections for r in results], [s.id for s in base + aside])
    columns: list[list[object]] = [[row.rank for row in rows]]  # made a column at a time, in C where it can
    columns += [[row.rank_in_category for row in rows]] if by_category else []
    columns.append(list(map(_UNIT, results)))
    columns += [[r.category or "" for r in results]] if scheme.categories else []
    columns += points[:len(base)] + ([list(map(_BASE, results))] if base else [])
    columns += [list(map(_BONUS, results))] if has["bonus"] else []
    columns += [list(map(_DEDUCTION, results))] if has["deduction"] else []
    columns.append(list(map(_TOTAL, results)))
    columns += points[len(base):]
    columns += [list(map(flag_text, results))] if scheme.flags else []
    return [header, *map(list, zip(*columns, strict=True))]


def node_columns(maps: list[Mapping[str, NodeResult]], ids: list[str],
                 missing: object = "") -> tuple[list[list[object]], set[str]]:
    """For each of `ids`, every unit's points (`missing` where a unit has no such item or
    section), taken an id at a time from the units whose nodes were scored together
    (NodeMap.columns); and the ids some unit has."""
    columns: list[list[object]] = [[missing] * len(maps) for _ in ids]
    present: set[str] = set()
    if not ids:
        return columns, present
    plain = set(range(len(maps)))
    for ats, index, nodes in NodeMap.columns(maps):
        plain.difference_update(ats)
        by_id = dict(zip(index, nodes, strict=True))
        present.update(by_id)
        for column, i in zip(columns, ids, strict=True):
            if i in by_id and len(ats) == len(maps):  # every unit's (the positions in order)
                column[:] = map(_POINTS, by_id[i])
            elif i in by_id:
                for at, points in zip(ats, map(_POINTS, by_id[i]), strict=True):
                    column[at] = points
    for at in sorted(plain):  # a unit's nodes held otherwise (a plain dict)
        present.update(maps[at])
        for column, i in zip(columns, ids, strict=True):
            if i in maps[at]:
                column[at] = maps[at][i].points
    return columns, present & set(ids)


_UNIT, _BASE, _BONUS, _DEDUCTION, _TOTAL = (attrgetter(name) for name in ("unit", "base", "bonus", "deduction", "total"))
_POINTS = attrgetter("points")


def flag_text(result: UnitResult) -> str:
    return "; ".join(flag_marks(result.vetoed, result.falsified, result.unmet, result.undecided))


def detail_header() -> list[object]:
    return [t("col.unit"), t("col.id"), t("col.text"), t("col.value"), t("col.source"), t("col.score"),
            t("col.explanation"), t("col.note")]


DETAIL_BLOCK = 512
"""Units whose 明细 rows are made together, a criterion at a time (see _detail_column)."""


def detail_rows(rows: list[RankedRow], folder: str | None = None) -> Iterator[list[object]]:
    """One row per criterion and unit (made as they are written: a large run has millions); its
    sources relative to the evidence `folder` where they are in it. Criteria scored by columns
    are written from what units of the same outcome, value and cell share (made once, keyed by
    identity with the objects held), and only where the value was read and its 备注 per unit:
    such a row is a SharedRow, whose XML the sheet writer makes once. Those are made a block of
    units and a criterion at a time."""
    files: dict[str, str | None] = {}
    shared = SharedByOutcome(lambda c: _detail_row("", c, folder, files))
    prefixes: dict[object, str] = {}
    for start in range(0, len(rows), DETAIL_BLOCK):
        block = rows[start:start + DETAIL_BLOCK]
        made: list[list[list[object]] | None] = [None] * len(block)
        for ats, columns in criteria_blocks([row.result.criteria for row in block]):
            units = [block[at].result.unit for at in ats]
            by_column = [_detail_column(column, units, folder, files, shared, prefixes) for column in columns]
            for at, lines in zip(ats, zip(*by_column, strict=True) if by_column else [()] * len(ats), strict=True):
                made[at] = lines  # type: ignore[assignment]
        for row, lines in zip(block, made, strict=True):
            if lines is None:
                unit = row.result.unit
                for c in row.result.criteria:
                    yield _detail_row(unit, c, folder, files)
            else:
                yield from lines


def _detail_column(column: BlockColumn, units: list[str], folder: str | None, files: dict[str, str | None],
                   shared: SharedByOutcome[list[object]], prefixes: dict[object, str]) -> list[list[object]]:
    """One criterion's 明细 rows of a block's units: where the values are held by code, each
    code's shared cells are made once and the places joined in C; any other unit's row as
    detail_rows writes it from its cell."""
    criterion, known, found, held = column.criterion, column.known, column.found, column.held
    lines: list[list[object] | None] = [None] * len(units)
    if held is not None and len(held.table_places) == 1:  # every value read from one place (file, column)
        lines = _held_lines(column, units, folder, files, shared, prefixes)
    for at, line in enumerate(lines):
        if line is not None:
            continue
        given = found[at] if known[at].__class__ is not CriterionResult else None
        made = shared.get(criterion, known[at], given) if given is not None else None
        if made is None:  # worked out for this unit alone, or a cell that cannot be a key
            lines[at] = _detail_row(units[at], known[at] if given is None else CriterionResult(  # type: ignore[arg-type]
                criterion, given, known[at][0], known[at][1]), folder, files)  # type: ignore[index]
        else:
            lines[at] = _shared_row(made, units[at], _place(given, folder, files, prefixes), given.note)
    return lines  # type: ignore[return-value]


def _held_lines(column: BlockColumn, units: list[str], folder: str | None, files: dict[str, str | None],
                shared: SharedByOutcome[list[object]], prefixes: dict[object, str]) -> list[list[object] | None]:
    """The rows of a column held by code whose values were all read from one place: None for
    a unit with a result of its own, a value whose cell cannot be a key, or a 备注."""
    held = column.held
    locate, col = held.table_places[0]  # type: ignore[union-attr]
    around_row = getattr(locate, "around_row", None)
    if around_row is None:
        return [None] * len(units)
    made = shared.by_code(column)
    before, after = around_row(col)
    head = _prefix(locate, folder, files, prefixes) + before
    rows = map(str, map(held.rows.__getitem__, column.numbers))  # type: ignore[union-attr,arg-type]
    # each place's text made in C, joined then split at NUL, which no file's or sheet's name holds
    places = (head + (after + "\0" + head).join(rows) + after).split("\0") if column.numbers else []
    lines = list(map(_shared_line, map(made.get, column.codes), units, places))  # type: ignore[arg-type]
    for at in column.apart():
        lines[at] = None
    return lines


def _shared_line(made: list[object] | None, unit: str, place: str) -> list[object] | None:
    """`_shared_row` of a row with no 备注, or None for a unit with no shared row."""
    if made is None:
        return None
    line = SharedRow((unit, made[1], made[2], made[3], place, made[5], made[6], ""))
    line.shared, line.own = made, _OWN
    return line


def _shared_row(made: list[object], unit: str, place: str, note: str) -> SharedRow:
    line = SharedRow((unit, made[1], made[2], made[3], place, made[5], made[6], note))
    line.shared, line.own = made, _OWN
    return line


_OWN = (0, 4, 7)
"""The cells of a 明细 row that are its own (单位, 来源, 备注): the others are its outcome's."""


def _detail_row(unit: str, c: CriterionResult, folder: str | None, files: dict[str, str | None]) -> list[object]:
    inputs = c.inputs
    values = "; ".join((f"{i.id}={show_input(i)}" if len(inputs) > 1 else show_input(i)) for i in inputs)
    sources = "; ".join(_relative(where, folder, files) for i in inputs for where in _sources(i))
    notes = "; ".join(i.note for i in inputs if i.note)
    title = c.criterion.title or c.criterion.text
    cid = f"{c.period} {c.criterion.id}" if c.period else c.criterion.id
    return [unit, cid, title, values, sources, c.points, explanation(c), notes]


def _place(found: Value, folder: str | None, files: dict[str, str | None], prefixes: dict[object, str]) -> str:
    """Where a given value was read, as _relative writes it; a locator that writes its places as a
    prefix and a suffix has its (relative) prefix made once."""
    locate = found.locate
    if locate is None:
        return ""
    suffix = getattr(locate, "suffix", None)
    if suffix is None:
        return _relative(locate(found.row, found.col), folder, files)
    return _prefix(locate, folder, files, prefixes) + suffix(found.row, found.col)


def _prefix(locate: object, folder: str | None, files: dict[str, str | None], prefixes: dict[object, str]) -> str:
    """The (relative) prefix of a locator of prefix and suffix, made once (`prefixes`)."""
    prefix = prefixes.get(locate)
    if prefix is None:
        prefix = locate.prefix  # type: ignore[attr-defined]
        if folder is not None:
            _relative(Location(locate.file), folder, files)  # type: ignore[attr-defined]
            relative = files[locate.file]  # type: ignore[attr-defined]
            if relative is not None:
                prefix = relative + prefix[len(locate.file):]  # type: ignore[attr-defined]
        prefixes[locate] = prefix
    return prefix  # type: ignore[no-any-return]


def _sources(i: InputResult) -> list[object]:
    """Where an input came from: its cell, or the cells a computed value was worked out from."""
    if i.location is not None:
        return [i.location]
    if isinstance(i.source, Computed):
        return i.source.sources
    return []


def _relative(where: object, folder: str | None, files: dict[str, str | None]) -> str:
    """A source as `evidence.csv:2:2` rather than the full path, when its file is in `folder`;
    `files` keeps each file's relative name (None: not in the folder) as it is found."""
    if folder is None or not isinstance(where, Location):
        return str(where)
    if where.file not in files:
        relative = os.path.relpath(os.path.abspath(where.file), os.path.abspath(folder))
        files[where.file] = None if relative.startswith("..") else relative
    relative = files[where.file]
    return str(where) if relative is None else str(replace(where, file=relative))


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula is made inert; numbers are untouched."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value



def summary_rows(scheme: Scheme, rows: list[RankedRow]) -> list[list[list[object]]]:
    """The 汇总 of each section, in order: units down, the section's items across (each with its
    points, as the document heads them: "1.1 领导重视(2)"), then the section's result. Every
    item's and section's points are taken a column at a time, once for all the sections."""
    results = [row.result for row in rows]
    ranks, units = [row.rank for row in rows], list(map(_UNIT, results))
    every = {section.id: list(dict.fromkeys(i.id for i in section.all_items())) for section in scheme.sections}
    all_items = [i for ids in every.values() for i in ids]
    item_columns, present = node_columns([r.items for r in results], all_items, None)
    by_item = dict(zip(all_items, item_columns, strict=True))
    totals, _ = node_columns([r.sections for r in results], list(every), None)
    tables = []
    for section, total in zip(scheme.sections, totals, strict=True):
        item_ids = [i for i in every[section.id] if i in present]  # the items some unit has, in order
        items = {i.id: i for i in section.all_items()}
        header: list[object] = [t("col.rank"), t("col.unit")] + [f"{i} {items[i].title}{_most(items[i].points)}"
                                                                for i in item_ids]
        header.append(t("col.section_total", title=section.title) + _most(section.points))
        tables.append([header, *map(list, zip(ranks, units, *(by_item[i] for i in item_ids), total, strict=True))])
    return tables


def _most(points: object) -> str:
    """A heading's points: "(2)", or nothing where the document gives none."""
    return f"({fmt(points)})" if points is not None else ""  # type: ignore[arg-type]


ASSESSMENT_WIDTHS = {"section": 12, "item": 16, "points": 6, "text": 40, "basis": 18, "score": 7,
                     "explanation": 28, "item_score": 8}
"""The 评价表's columns, in Excel's character units: the text columns wrap."""


def assessment_sheet(scheme: Scheme, row: RankedRow, titles: list[str]) -> SheetSpec:
    """One unit's 评价表, laid out like the document's table: 评价项目 and 评价内容 merged over their
    rows, 分值, 评分标准, (评分依据), 得分 and 计算说明 per criterion, each item's points beside its
    rows, a 小计 per section, the total, and a block for the assessors to sign."""
    r = row.result
    with_basis = any(item.basis for _, item, _ in scheme.criteria())
    keys = [k for k in ASSESSMENT_WIDTHS if with_basis or k != "basis"]
    col = {k: i for i, k in enumerate(keys)}
    blank = [""] * len(keys)
    out: list[list[object]] = [[t(f"col.{k}") for k in keys]]
    merges: list[tuple[int, int, int, int]] = []
    bold: set[int] = set()
    by_criterion: dict[str, list[CriterionResult]] = {}
    for c in r.criteria:
        by_criterion.setdefault(c.criterion.id, []).append(c)
    for section in scheme.sections:
        if section.id not in r.sections:
            continue
        section_first = len(out) + 1
        for item in section.items_for(r.unit):
            if item.id not in r.items:
                continue
            item_first = len(out) + 1
            for criterion in item.all_criteria():
                for result in by_criterion.get(criterion.id, []):
                    line = list(blank)
                    line[col["points"]] = criterion.points if criterion.points is not None else ""
                    line[col["text"]] = f"{result.period} {criterion.text}" if result.period else criterion.text
                    line[col["score"]], line[col["explanation"]] = result.points, explanation(result)
                    out.append(line)
            if len(out) < item_first:  # an item without criteria results: its points only
                out.append(list(blank))
            out[item_first - 1][col["item"]] = f"{item.id} {item.title}{_most(item.points)}"
            out[item_first - 1][col["item_score"]] = r.items[item.id].points
            if with_basis:
                out[item_first - 1][col["basis"]] = item.basis or ""
            merges += _down(item_first, len(out), [col["item"], col["item_score"]]
                            + ([col["basis"]] if with_basis else []))
        subtotal = list(blank)
        subtotal[col["item"]], subtotal[col["points"]] = t("col.subtotal"), section.points or ""
        subtotal[col["score"]] = subtotal[col["item_score"]] = r.sections[section.id].points
        out.append(subtotal)
        bold.add(len(out))
        out[section_first - 1][col["section"]] = f"{section.id}、{section.title}{_most(section.points)}"
        merges += _down(section_first, len(out), [col["section"]])
    total = list(blank)
    total[0], total[col["points"]] = t("col.total"), scheme.full_score if scheme.full_score is not None else ""
    total[col["score"]] = total[col["item_score"]] = r.total
    total[col["explanation"]] = flag_text(r)
    out.append(total)
    bold.add(len(out))
    merges.append((len(out), 1, len(out), 2))
    signed = [t("print.signed")] + [""] * (col["score"] - 1) + [t("print.date")] + [""] * (len(keys) - col["score"] - 1)
    out += [list(blank), signed]
    merges += [(len(out), 1, len(out), col["score"]), (len(out), col["score"] + 1, len(out), len(keys))]
    widths = {i + 1: ASSESSMENT_WIDTHS[k] for i, k in enumerate(keys)}
    wrapped = {col[k] + 1 for k in ("section", "item", "text", "basis", "explanation") if k in col}
    return SheetSpec(t("sheet.assessment", unit=r.unit), out, "A2", titles=titles, merges=merges, widths=widths,
                     wrap=wrapped, bold_rows=bold, plain_rows=2, footer=True)


def _down(first: int, last: int, columns: list[int]) -> list[tuple[int, int, int, int]]:
    """Merges of these columns (numbered from 0) over rows first..last, where that is more than one."""
    return [(first, c + 1, last, c + 1) for c in columns] if last > first else []


MAX_UNIT_SHEETS = 100
"""Above this many units the workbook leaves out the 评价表 per unit (use `kaohe explain`)."""


@dataclass(frozen=True)
class Publication:
    """What printed results say of themselves: the evidence they were scored from, and when."""

    files: list[tuple[str, str]] = field(default_factory=list)
    """(evidence file, SHA-256)"""
    generated: _dt.datetime | None = None

    @property
    def folder(self) -> str | None:
        """The folder the evidence files are in (their sources are shown relative to it)."""
        folders = {os.path.dirname(os.path.abspath(f)) for f, _ in self.files}
        if not folders:
            return None
        common = os.path.commonpath(sorted(folders))
        return os.path.relpath(common) if not os.path.relpath(common).startswith("..") else common


def publication(files: list[tuple[str, str]], timestamp: bool) -> Publication:
    return Publication(list(files), _dt.datetime.now(_dt.UTC).replace(microsecond=0) if timestamp else None)


def title_lines(scheme: Scheme, heading: str, made: Publication | None, *more: str) -> list[str]:
    """The lines at the top of a printed sheet: its title, then 文号, the period, `more`, and the
    date it was made."""
    facts = [t("print.doc_number", value=scheme.doc_number) if scheme.doc_number else "",
             t(f"print.period_{scheme.period}", year=scheme.year) if scheme.year else "", *more]
    if made is not None and made.generated is not None:
        facts.append(t("print.generated", date=made.generated.date().isoformat()))
    meta = "    ".join(f for f in facts if f)
    return [heading, meta] if meta else [heading]


def results_sheets(scheme: Scheme, rows: list[RankedRow], made: Publication | None = None) -> list[SheetSpec]:
    """The published workbook: 排名 (with a chart), a 汇总 per section, a 评价表 per unit, 明细."""
    ranking = ranking_rows(scheme, rows)
    total_col = ranking[0].index(next(h for h in ranking[0] if str(h).startswith(
        t("col.total_money" if scheme.unit != "分" else "col.total")))) + 1
    ranking[0] = _with_maxima(scheme, ranking[0], total_col)
    sheets = [ranking_sheet(scheme, ranking, total_col, [row.result for row in rows],
                            title_lines(scheme, t("score.title", title=scheme.title), made))]
    sheets += [SheetSpec(t("sheet.summary", title=s.title), summary, "C2", footer=True,
                         titles=title_lines(scheme, f"{scheme.title} {t('sheet.summary', title=s.title)}", made))
               for s, summary in zip(scheme.sections, summary_rows(scheme, rows), strict=True)]
    if len(rows) <= MAX_UNIT_SHEETS:
        sheets += [assessment_sheet(scheme, row, title_lines(
            scheme, t("print.assessment_title", title=scheme.title, unit=row.result.unit), made, t("print.unit", unit=row.result.unit)))
            for row in rows]
    folder = made.folder if made is not None else None
    where = [t("print.evidence", folder=folder)] if folder else []
    sheets.append(SheetSpec(t("sheet.detail"), [detail_header()], "C2", more=detail_rows(rows, folder),
                            more_count=sum(len(row.result.criteria) for row in rows), footer=True,
                            titles=title_lines(scheme, f"{scheme.title} {t('sheet.detail')}", made, *where)))
    return sheets


def ranking_sheet(scheme: Scheme, table: list[list[object]], total_col: int, units: list[UnitResult] | list[Standing],
                  titles: list[str]) -> SheetSpec:
    """排名 as `score` and `rank` write it: the table (`units` in its order) under its title lines,
    page numbers at the foot, and a chart of the total (column `total_col`) from 0 to the most a
    unit can reach, vetoed units in red."""
    totals = [u.total for u in units]
    lowest = min(totals, default=ZERO)
    money = scheme.unit != "分"  # 合计(元), as its column is headed; points are the 总分
    title = str(table[0][total_col - 1]) if money else t("col.total")
    chart = ChartSpec(total_col, title, chart_top(scheme, totals), [i for i, u in enumerate(units) if u.vetoed],
                      table[0].index(t("col.unit")) + 1, Decimal(math.floor(lowest)) if lowest < 0 else None)
    if chart.marked:
        chart.title = t("chart.vetoed", title=chart.title)
    return SheetSpec(t("sheet.ranking"), table, "C2", chart=chart, footer=True, titles=titles)


def chart_top(scheme: Scheme, totals: list[Exact]) -> Decimal | None:
    """The most a total can be: the full score and every counted bonus section's points
    (百分制(附加 20 分) reaches 120), or the highest total where a bonus has no stated limit."""
    top = scheme.full_score
    if top is not None:
        top += sum((s.points or ZERO for s in scheme.sections if s.kind == "bonus" and s.counted), ZERO)
    highest = max(totals, default=None)
    if highest is not None and (top is None or highest > top):
        return Decimal(math.ceil(highest))
    return top


def manifest_sheet(loaded: LoadedScheme, made: Publication, inputs: str = "manifest.evidence") -> SheetSpec:
    """说明: what the results record of their making (see manifest_rows)."""
    # A SHA-256 is 64 characters that must be read (and compared) whole: its column holds one unwrapped.
    return SheetSpec(t("sheet.manifest"), manifest_rows(loaded, made, inputs), "A2", wrap={2}, footer=True,
                     widths={1: 12, 2: 48, 3: 68})


def rank_sheets(loaded: LoadedScheme, table: list[list[object]], standings: list[Standing], made: Publication,
                notes: list[str], inputs: str) -> list[SheetSpec]:
    """`rank -o x.xlsx`: 排名 with its 等次 and 奖项 columns (the terminal's table) and chart, the
    ranking's notes where it has any, and 说明 naming the files ranked (`inputs`: the word for them)."""
    scheme = loaded.scheme
    total = t("col.total") + (f"({scheme.unit})" if scheme.unit != "分" else "")
    total_col = table[0].index(total) + 1
    if scheme.full_score is not None:
        table = [[f"{h}{_most(scheme.full_score)}" if i == total_col - 1 else h for i, h in enumerate(table[0])],
                 *table[1:]]
    sheets = [ranking_sheet(scheme, table, total_col, standings,
                            title_lines(scheme, t("rank.title", title=scheme.title), made))]
    if notes:
        sheets.append(SheetSpec(t("sheet.outcome_notes"), [[t("col.outcome_notes")]] + [[n] for n in notes], "A2",
                                wrap={1}, widths={1: 90}))
    return sheets + [manifest_sheet(loaded, made, inputs)]


def _with_maxima(scheme: Scheme, header: list[object], total_col: int) -> list[object]:
    """The ranking's header with each section's points and the full score beside the total."""
    points = {s.title: s.points for s in scheme.sections if s.kind == "base"}
    out = [f"{h}{_most(points[h])}" if isinstance(h, str) and points.get(h) is not None else h for h in header]
    if scheme.full_score is not None:
        out[total_col - 1] = f"{out[total_col - 1]}{_most(scheme.full_score)}"
    return out


def manifest_rows(loaded: LoadedScheme, made: Publication, inputs: str = "manifest.evidence") -> list[list[object]]:
    """The 说明 sheet: what the JSON results record of their making, for a reader of the workbook."""
    scheme = loaded.scheme
    out: list[list[object]] = [[t("manifest.field"), t("manifest.value"), "SHA-256"],
                               [t("manifest.tool"), f"kaohe {__version__}", ""],
                               [t("manifest.scheme"), " ".join(x for x in (scheme.title, scheme.doc_number or "") if x), ""],
                               [t("manifest.scheme_file"), loaded.path, loaded.sha256]]
    out += [[t(inputs), f, digest] for f, digest in made.files]
    out.append([t("manifest.generated"), made.generated.isoformat(sep=" ") if made.generated else
                t("manifest.no_timestamp"), ""])
    out.append([t("manifest.about"), t("manifest.about_text"), ""])
    return out


def manifest_record(loaded: LoadedScheme, made: Publication, results: str, digest: str) -> dict[str, object]:
    """The sidecar `NAME.manifest.json` of a csv: the fields the JSON results carry (see
    docs/results-json.md), and the SHA-256 of the csv it describes."""
    scheme = loaded.scheme
    record: dict[str, object] = {
        "format": "kaohe-manifest", "version": 1,
        "results": {"file": results, "sha256": digest},
        "tool": {"name": "kaohe", "version": __version__},
        "scheme": {"id": scheme.id, "title": scheme.title, "doc_number": scheme.doc_number,
                   "file": loaded.path, "sha256": loaded.sha256},
        "inputs": [{"file": f, "sha256": d} for f, d in made.files],
    }
    if made.generated is not None:
        record["generated"] = made.generated.astimezone(_dt.UTC).isoformat()
    return record

"""The `rank` outputs: rank, unit, total, grade, awards, marks and change, as table, csv, xlsx, json."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaohe import __version__
from kaohe.i18n import t
from kaohe.numbers import Rational
from kaohe.outcomes import Decision, Outcome
from kaohe.report.atomic import atomic_path
from kaohe.report.jsonout import num, rules_record
from kaohe.report.text import flag_marks
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Scheme

if TYPE_CHECKING:
    from kaohe.report.terminal import Fitted


def _marks(row: Outcome, scheme: Scheme | None = None) -> str:
    """The unit's flags: by id, or in the document's words given the scheme."""
    s = row.standing
    return "; ".join(flag_marks(s.vetoed, s.falsified, s.unmet, scheme=scheme))


def _change(row: Outcome) -> str:
    change = row.change
    if change is None:
        return "—" if row.previous is None else ""
    return f"↑{change}" if change > 0 else (f"↓{-change}" if change < 0 else "=")


def ranking_rows(scheme: Scheme, decision: Decision) -> list[list[object]]:
    """名次, (类别, 类内名次), 单位, 总分, and the columns the scheme's outcome rules fill: 等次, 奖项,
    处理 (penalties), 标记, 上次名次 and 名次变化 (with previous results), 说明."""
    unit = f"({scheme.unit})" if scheme.unit != "分" else ""
    outcomes = scheme.outcomes
    by_category = scheme.ranking.among == "category"
    previous = any(r.previous is not None for r in decision.rows)
    columns: list[tuple[str, object]] = [("col.rank", lambda r: r.rank)]
    if by_category:
        columns += [("col.category", lambda r: r.standing.category or ""),
                    ("col.rank_in_category", lambda r: r.rank_in_category)]
    columns += [("col.unit", lambda r: r.standing.unit), ("col.total", lambda r: r.standing.total)]
    if outcomes.grades:
        columns.append(("col.grade", lambda r: r.grade or ""))
    if any(not a.is_penalty for a in outcomes.awards) or outcomes.most_improved:
        columns.append(("col.award", lambda r: "、".join(r.awards)))
    if any(a.is_penalty for a in outcomes.awards):
        columns.append(("col.penalty", lambda r: "、".join(r.penalties)))
    if scheme.flags:
        columns.append(("col.flags", _marks))
    if previous:
        columns += [("col.previous_rank", lambda r: r.previous.rank if r.previous else ""), ("col.change", _change)]
    columns.append(("col.outcome_notes", lambda r: "; ".join(t(n.key, **n.params) for n in r.notes)))
    header: list[object] = [t(key) + (unit if key == "col.total" else "") for key, _ in columns]
    return [header] + [[get(row) for _, get in columns] for row in in_order(scheme, decision)]  # type: ignore[operator]


def in_order(scheme: Scheme, decision: Decision) -> list[Outcome]:
    """The rows as published: by place, or category by category (in the scheme's order) where
    categories are ranked on their own."""
    if scheme.ranking.among != "category":
        return decision.rows
    order = {c.id: i for i, c in enumerate(scheme.categories)}
    return sorted(decision.rows, key=lambda r: (order.get(r.standing.category or "", len(order)),
                                               r.rank_in_category or 0))


def ranking_table(scheme: Scheme, decision: Decision) -> Fitted:
    """The ranking for the terminal, laid out for its width (see terminal.Fitted): the first
    TERMINAL_ROWS units (all of them go to -o files). Categories ranked on their own get a heading
    row each instead of a column; flags are in the document's words; the 说明 of each unit are
    listed under the table."""
    from kaohe.report.terminal import TERMINAL_ROWS, Column, Fitted, approximation_note, cell_text

    data = ranking_rows(scheme, decision)
    header = [str(h) for h in data[0]]
    shown = data[1:TERMINAL_ROWS + 1]
    rows = in_order(scheme, decision)[:len(shown)]
    hidden = len(data) - 1 - len(shown)
    notes = [t("score.more_units", count=hidden)] if hidden > 0 else []
    notes += [t("rank.unit_note", unit=row.standing.unit, text=t(n.key, **n.params)) for row in rows for n in row.notes]
    if any(isinstance(v, Rational) for line in shown for v in line):
        notes.append(approximation_note())
    marks = [_marks(row, scheme) for row in rows]
    key = {t("col.rank"), t("col.rank_in_category"), t("col.unit"), t("col.grade")}
    limits = {t("col.unit"): 24, t("col.award"): 24, t("col.penalty"): 24, t("col.flags"): 24}
    columns = []
    for i, head in enumerate(header):
        if head in (t("col.category"), t("col.outcome_notes")):
            continue
        cells = marks if head == t("col.flags") else [cell_text(line[i]) for line in shown]
        role = "key" if head in key or head.startswith(t("col.total")) else "extra"
        columns.append(Column(cell_text(head), cells, head in limits or head == t("col.grade"), limits.get(head), role))
    headings: dict[int, str] = {}
    if t("col.category") in header:
        category = header.index(t("col.category"))
        for r, line in enumerate(shown):
            if r == 0 or line[category] != shown[r - 1][category]:
                headings[r] = str(line[category] or "")
    flagged = [t("rank.unit_note", unit=row.standing.unit, text=m) for row, m in zip(rows, marks, strict=True) if m]
    return Fitted(t("rank.title", title=scheme.title), columns, notes, flagged, headings)


def ranking_document(loaded: LoadedScheme, files: list[tuple[str, str]], decision: Decision,
                     timestamp: bool) -> dict[str, Any]:
    scheme = loaded.scheme
    document: dict[str, Any] = {
        "format": "kaohe-results",
        "version": 1,
        "kind": "ranking",
        "tool": {"name": "kaohe", "version": __version__},
        "scheme": {"id": scheme.id, "title": scheme.title, "file": loaded.path, "sha256": loaded.sha256,
                   "unit": scheme.unit, "ranking": rules_record(scheme.ranking),
                   "outcomes": rules_record(scheme.outcomes, exclude_defaults=True)},
        "inputs": [{"file": f, "sha256": digest} for f, digest in files],
        "units": [
            {"rank": row.rank, "unit": row.standing.unit, "total": num(row.standing.total),
             "sections": {k: num(v) for k, v in row.standing.sections.items()},
             "category": row.standing.category, "rank_in_category": row.rank_in_category,
             "grade": row.grade, "awards": row.awards, "penalties": row.penalties,
             "vetoed": list(row.standing.vetoed), "falsified": list(row.standing.falsified),
             "unmet": list(row.standing.unmet), "barred": row.standing.barred,
             "previous_rank": row.previous.rank if row.previous else None, "change": row.change,
             "notes": [t(n.key, **n.params) for n in row.notes]}
            for row in decision.rows
        ],
        "notes": [t(n.key, **n.params) for n in decision.notes],
    }
    if timestamp:
        document["generated"] = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
    return document


def write_ranking(output: Path, loaded: LoadedScheme, files: list[tuple[str, str]], decision: Decision,
                  inputs: list[str], timestamp: bool) -> None:
    """A ranking as JSON (`rank -o x.json`), with its content digest; workbooks and CSV are
    written by commands/rank.py through report/tables.py, as score's are."""
    from kaohe.report.jsonout import write_json_file

    with atomic_path(output, inputs) as tmp, open(tmp, "wb") as handle:
        write_json_file(ranking_document(loaded, files, decision, timestamp), handle, digest=True)

"""`kaohe score`: read evidence, score, rank, print and write results."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from kaohe.changes import Change, compare
from kaohe.commands.common import no_evidence, unevidenced, unit_place, write_reported
from kaohe.engine import Missing, Results, score
from kaohe.errors import MAX_MESSAGES, JsonLine, Location, Problem, Severity, current_sink, report_lines
from kaohe.evidence import Evidence, ValueTable, read_evidence
from kaohe.i18n import t
from kaohe.outcomes import RankedRow, rank_results
from kaohe.readings import Alternatives
from kaohe.scheme.load import LoadedScheme

MISSING_SHOWN = 20
_Run = TypeVar("_Run", bound=Callable[..., Any])


def in_scheme_unit(run: _Run) -> _Run:
    """`run(loaded, …)` with every explanation it writes in the scheme's unit (元 for money)."""
    @wraps(run)
    def counted(loaded: LoadedScheme, *args: Any, **kwargs: Any) -> Any:
        from kaohe.report.text import counting_in

        with counting_in(loaded.scheme.unit):
            return run(loaded, *args, **kwargs)
    return counted  # type: ignore[return-value]


@in_scheme_unit
def run_score(loaded: LoadedScheme, evidence_paths: list[str], output: Path | None, fmt: str, strict: bool,
              echo: Callable[[str], None], err: Callable[[str], None], timestamp: bool = True) -> int:
    """Returns the exit code: 0 scored, 1 the evidence has errors (nothing is written)."""
    with progress(len(evidence_paths)) as advance:
        evidence = read_evidence(evidence_paths, loaded.scheme, on_file=advance)
    results = score(loaded.scheme, evidence)
    problems = list(evidence.problems) + list(results.problems)
    empty = unevidenced(results, evidence) if not evidence.errors else {}  # with errors, nothing is scored
    if empty:
        problems += no_evidence(results, evidence, unit_place(loaded), Severity.ERROR if strict else Severity.WARNING,
                                t("score.strict_mark" if strict else "score.strict_hint"))
    if strict:
        problems += _missing_as_errors(results, loaded, empty)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    for line in report_lines(problems):
        err(line)
    if errors:
        err(t("score.failed", count=len(errors)))
        return 1
    _report_missing(results, err, empty)
    rows = rank_results(loaded.scheme, results)
    differences = self_differences(loaded, evidence, results)
    alternatives, reading_problems = compared_readings(loaded, evidence_paths, evidence, results)
    if fmt == "json":
        from kaohe.report.jsonout import results_document, write_json

        document = results_document(loaded, evidence.files, rows, results, timestamp)
        if differences:
            document["differences"] = difference_records(differences)
        if alternatives:
            document["readings"] = reading_records(alternatives)
        write_json(document, sys.stdout.write, digest=True)
        sys.stdout.flush()
    else:
        from kaohe.report.terminal import console, ranking_table

        out = console()
        out.print(ranking_table(loaded.scheme, rows, out.width))
        if differences:
            from kaohe.report.terminal import plain_table

            console().print(plain_table(t("score.differences", count=len(differences)),
                                        difference_rows(differences)))
    for line in report_lines(reading_problems):  # after the table: the last thing read before publishing
        err(line)
    if output is not None:
        return write_reported(lambda: write_results(output, loaded, evidence, rows, results,
                                                    [loaded.path, *evidence_paths], timestamp, differences,
                                                    alternatives),
                              output, err)
    return 0


def compared_readings(loaded: LoadedScheme, paths: list[str], evidence: Evidence,
                      results: Results) -> tuple[Alternatives, list[Problem]]:
    """Score the other reading of every marked reading that gives one: its standings, and a
    warning for every unit whose place, grade or award it would move."""
    from kaohe.outcomes import standing
    from kaohe.readings import compares, score_alternatives, warnings

    alternatives, problems = score_alternatives(loaded, paths, evidence)
    if not compares(loaded):
        return alternatives, problems
    return alternatives, problems + warnings(loaded, [standing(u) for u in results.units], alternatives)


def reading_records(alternatives: Alternatives) -> list[dict[str, object]]:
    """The other readings' standings as results files keep them, for `rank` to compare again."""
    from kaohe.readings import standing_record

    return [{"key": key, "units": [standing_record(s) for s in standings]} for key, standings in alternatives.items()]


@contextmanager
def progress(total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar over the files being read, only when stderr is a terminal (silent in scripts)."""
    if not sys.stderr.isatty():
        yield lambda name: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(t("progress.reading"), total=total)
        started = [False]

        def advance(name: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=t("progress.reading_file", file=Path(name).name))

        yield advance


def self_differences(loaded: LoadedScheme, evidence: Evidence, results: Results) -> list[Change]:
    """Where the unit's own values (自评) would score differently from the accepted ones (核定)."""
    if not evidence.self_values:
        return []
    values = ValueTable()
    values.update(evidence.values)
    values.update(evidence.self_values)
    claimed = Evidence(values=values, units=evidence.units)
    return compare(score(loaded.scheme, claimed), results)


def difference_rows(differences: list[Change]) -> list[list[object]]:
    rows: list[list[object]] = [[t("col.unit"), t("col.item"), t("col.self"), t("col.accepted"), t("col.difference")]]
    rows += [[c.unit, c.node or t("col.total"), c.before, c.after, c.after - c.before] for c in differences]
    return rows


def difference_records(differences: list[Change]) -> list[dict[str, object]]:
    from kaohe.report.jsonout import num

    return [{"unit": c.unit, "item": c.node or None, "self": num(c.before), "accepted": num(c.after)}
            for c in differences]


def write_results(output: Path, loaded: LoadedScheme, evidence: Evidence, rows: list[RankedRow],
                  results: Results, inputs: list[str], timestamp: bool = True,
                  differences: list[Change] | None = None, alternatives: Alternatives | None = None) -> None:
    from kaohe.report.tables import ranking_rows

    suffix = output.suffix.lower()
    if suffix == ".json":
        from kaohe.report.atomic import atomic_path
        from kaohe.report.jsonout import results_document, write_json_file

        with atomic_path(output, inputs) as tmp:
            document = results_document(loaded, evidence.files, rows, results, timestamp)
            if differences:
                document["differences"] = difference_records(differences)
            if alternatives:
                document["readings"] = reading_records(alternatives)
            with open(tmp, "wb") as handle:
                write_json_file(document, handle, digest=True)
    elif suffix == ".csv":
        from kaohe.report.csvout import write_csv
        from kaohe.report.tables import manifest_record, publication

        made = publication(evidence.files, timestamp)
        write_csv(output, ranking_rows(loaded.scheme, rows), inputs,
                  manifest=lambda name, digest: manifest_record(loaded, made, name, digest))
    else:
        from kaohe.report.tables import manifest_sheet, publication, results_sheets
        from kaohe.report.xlsxout import SheetSpec, write_xlsx

        made = publication(evidence.files, timestamp)
        sheets = results_sheets(loaded.scheme, rows, made)
        if differences:
            sheets.insert(1, SheetSpec(t("sheet.differences"), difference_rows(differences), "C2"))
        sheets.append(manifest_sheet(loaded, made))
        write_xlsx(output, sheets, inputs, timestamp, own_places=loaded.scheme.shown_places() or 2)


def _missing_as_errors(results: Results, loaded: LoadedScheme, empty: dict[str, int]) -> list[Problem]:
    """Each missing value an error, but those of units without any evidence (told once each)."""
    return [Problem(Location(loaded.path), t("score.missing_error", unit=m.unit, id=m.input_id),
                    code="score.missing_error")
            for m in results.missing if m.unit not in empty]


def _report_missing(results: Results, err: Callable[[str], None], empty: dict[str, int]) -> None:
    """The missing values, the first MISSING_SHOWN of them, but those of units without any
    evidence (already told, one line each)."""
    missing = [m for m in results.missing if m.unit not in empty] if empty else results.missing
    if not missing:
        return
    if current_sink().json_lines:
        for line in missing_lines(missing):
            err(line)
        return
    err(t("score.missing_others" if empty else "score.missing", count=len(missing)))
    for m in missing[:MISSING_SHOWN]:
        err("  " + t("score.missing_item", unit=m.unit, id=f"{m.period} {m.input_id}" if m.period else m.input_id))
    if len(missing) > MISSING_SHOWN:
        err("  " + t("score.missing_more", count=len(missing) - MISSING_SHOWN))


def missing_lines(missing: list[Missing], limit: int = MAX_MESSAGES) -> list[JsonLine]:
    """The missing values as JSON lines for a script: one warning per value with its `unit`, `id`
    and `period` as fields of their own (a script should not parse "溧阳市 1.2.1"), at most `limit`,
    then one counting the rest; the whole list is the results document's `missing`."""
    from kaohe.errors import json_line, placeless_record

    lines = [json_line(placeless_record(
        "warning", t("score.missing_value", unit=m.unit, id=f"{m.period} {m.input_id}" if m.period else m.input_id),
        "score.missing", unit=m.unit, id=m.input_id, period=m.period)) for m in missing[:limit]]
    if len(missing) > limit:
        hidden = len(missing) - limit
        lines.append(json_line(placeless_record("warning", t("score.missing_more", count=hidden), "score.missing_more",
                                                omitted=hidden)))
    return lines

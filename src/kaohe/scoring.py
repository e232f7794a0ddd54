"""The `score` command's work: read evidence, score, rank, print and write results.

Kept apart from cli.py so the library can run it without typer; output goes through the
`echo` and `err` callables it is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from kaohe.engine import Results, score
from kaohe.errors import KaoheError, Location, Problem, Severity
from kaohe.evidence import Evidence, read_evidence
from kaohe.i18n import t
from kaohe.outcomes import RankedRow, rank_results
from kaohe.scheme.load import LoadedScheme

MISSING_SHOWN = 20


def run_score(loaded: LoadedScheme, evidence_paths: list[str], output: Path | None, fmt: str, strict: bool,
              echo: Callable[[str], None], err: Callable[[str], None], timestamp: bool = True) -> int:
    """Returns the exit code: 0 scored, 1 the evidence has errors (nothing is written)."""
    evidence = read_evidence(evidence_paths, loaded.scheme)
    problems = list(evidence.problems)
    results = score(loaded.scheme, evidence)
    if strict:
        problems += _missing_as_errors(results, loaded)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    for problem in problems:
        err(str(problem))
    if errors:
        err(t("score.failed", count=len(errors)))
        return 1
    _report_missing(results, err)
    rows = rank_results(loaded.scheme, results)
    if fmt == "json":
        from kaohe.report.jsonout import dumps, results_document

        echo(dumps(results_document(loaded, evidence.files, rows, results, timestamp)).rstrip("\n"))
    else:
        from kaohe.report.terminal import console, ranking_table

        console().print(ranking_table(loaded.scheme, rows))
    if output is not None:
        try:
            write_results(output, loaded, evidence, rows, results, [loaded.path, *evidence_paths], timestamp)
        except KaoheError as e:
            for problem in e.problems:
                err(str(problem))
            return 1
        err(t("score.written", path=output))
    return 0


def write_results(output: Path, loaded: LoadedScheme, evidence: Evidence, rows: list[RankedRow],
                  results: Results, inputs: list[str], timestamp: bool = True) -> None:
    from kaohe.report.tables import ranking_rows

    suffix = output.suffix.lower()
    if suffix == ".json":
        from kaohe.report.atomic import atomic_path
        from kaohe.report.jsonout import dumps, results_document

        with atomic_path(output, inputs) as tmp:
            tmp.write_text(dumps(results_document(loaded, evidence.files, rows, results, timestamp)), encoding="utf-8")
    elif suffix == ".csv":
        from kaohe.report.csvout import write_csv

        write_csv(output, ranking_rows(loaded.scheme, rows), inputs)
    else:
        from kaohe.report.tables import results_sheets
        from kaohe.report.xlsxout import write_xlsx

        places = loaded.scheme.rounding.places if loaded.scheme.rounding is not None else None
        write_xlsx(output, results_sheets(loaded.scheme, rows), inputs, timestamp, places)


def _missing_as_errors(results: Results, loaded: LoadedScheme) -> list[Problem]:
    return [Problem(Location(loaded.path), t("score.missing_error", unit=m.unit, id=m.input_id))
            for m in results.missing]


def _report_missing(results: Results, err: Callable[[str], None]) -> None:
    if not results.missing:
        return
    err(t("score.missing", count=len(results.missing)))
    for m in results.missing[:MISSING_SHOWN]:
        err("  " + t("score.missing_item", unit=m.unit, id=f"{m.period} {m.input_id}" if m.period else m.input_id))
    if len(results.missing) > MISSING_SHOWN:
        err("  " + t("score.missing_more", count=len(results.missing) - MISSING_SHOWN))

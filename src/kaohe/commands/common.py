"""What several commands share: reading evidence with its problems printed, and writing an
output with its problems printed."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from kaohe.engine import Results, score
from kaohe.errors import KaoheError, Location, Problem, Severity, report_lines
from kaohe.evidence import Evidence, read_evidence
from kaohe.i18n import t
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Scheme


def read_checked(paths: list[str], scheme: Scheme, err: Callable[[str], None]) -> Evidence | None:
    """Read evidence and print its problems; None when any is an error (nothing to score)."""
    evidence = read_evidence(paths, scheme)
    for line in report_lines(evidence.problems):
        err(line)
    if evidence.errors:
        err(t("score.failed", count=len(evidence.errors)))
        return None
    return evidence


def scored(scheme: Scheme, evidence: Evidence, err: Callable[[str], None]) -> Results | None:
    """Score evidence that read cleanly; None (problems printed) when computing its values failed
    (a division by zero the scheme gives no outcome for)."""
    results = score(scheme, evidence)
    where = Location(evidence.files[0][0]) if evidence.files else None
    problems = list(results.problems) + (no_evidence(results, evidence, lambda unit: where) if where else [])
    errors = [p for p in problems if p.severity is Severity.ERROR]
    for line in report_lines(problems):
        err(line)
    if errors:
        err(t("score.failed", count=len(errors)))
        return None
    return results


def unevidenced(results: Results, evidence: Evidence) -> dict[str, int]:
    """The units no evidence names at all -> how many values they lack (a unit whose table
    was left out, or whose row is empty): said once each, not value by value."""
    counts: dict[str, int] = {}
    for m in results.missing:
        if m.unit not in evidence.units:
            counts[m.unit] = counts.get(m.unit, 0) + 1
    return counts


def no_evidence(results: Results, evidence: Evidence, where: Callable[[str], Location],
                severity: Severity = Severity.WARNING, hint: str | None = None) -> list[Problem]:
    """One problem per unit without any evidence, at `where(unit)`; `hint` ends the message
    (by default: it scores 0)."""
    end = t("evidence.no_evidence_zero") if hint is None else hint
    return [Problem(where(unit), t("evidence.unit_no_evidence", unit=unit, count=count) + end, severity,
                    code="evidence.unit_no_evidence")
            for unit, count in unevidenced(results, evidence).items()]


def unit_place(loaded: LoadedScheme) -> Callable[[str], Location]:
    """Where the scheme lists a unit (its `units:` entry), else the scheme file."""
    at = {u.name: i for i, u in enumerate(loaded.scheme.units)}

    def where(unit: str) -> Location:
        return loaded.at(("units", at[unit])) if unit in at else Location(loaded.path)
    return where


def write_reported(write: Callable[[], None], output: Path, err: Callable[[str], None]) -> int:
    """Run a writer; its located problems are printed. Returns the exit code."""
    try:
        write()
    except KaoheError as e:
        for line in report_lines(e.problems):
            err(line)
        return 1
    err(t("score.written", path=output))
    return 0

"""What several commands share: reading evidence with its problems printed, and writing an
output with its problems printed."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from kaohe.engine import Results, score
from kaohe.errors import KaoheError, Severity, report_lines
from kaohe.evidence import Evidence, read_evidence
from kaohe.i18n import t
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
    errors = [p for p in results.problems if p.severity is Severity.ERROR]
    for line in report_lines(results.problems):
        err(line)
    if errors:
        err(t("score.failed", count=len(errors)))
        return None
    return results


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

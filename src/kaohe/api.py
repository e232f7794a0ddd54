"""The Python API (unfinished: only what `kaohe validate --format json` needs so far)."""

from __future__ import annotations

import os
from typing import Any, Sequence

from kaohe.errors import SchemeError, Severity, problem_record

VALIDATE_FORMAT = "kaohe-validate"


def validation_record(path: str | os.PathLike[str], strict: bool = False) -> dict[str, Any]:
    """One scheme's findings: {"path","valid","errors","warnings","problems":[…]} (every problem, uncapped)."""
    from kaohe.scheme.checks import check_scheme
    from kaohe.scheme.load import load_scheme

    try:
        found = check_scheme(load_scheme(path))
    except SchemeError as e:
        found = list(e.problems)
    errors = sum(p.severity is Severity.ERROR for p in found)
    warnings = sum(p.severity is Severity.WARNING for p in found)
    return {"path": str(path), "valid": errors == 0 and not (strict and found), "errors": errors,
            "warnings": warnings, "problems": [problem_record(p) for p in found]}


def validation_document(paths: Sequence[str | os.PathLike[str]], strict: bool = False) -> dict[str, Any]:
    """What `kaohe validate --format json` prints: every scheme's record, and whether all are valid."""
    schemes = [validation_record(p, strict) for p in paths]
    return {"format": VALIDATE_FORMAT, "version": 1, "strict": strict,
            "valid": all(s["valid"] for s in schemes), "schemes": schemes}

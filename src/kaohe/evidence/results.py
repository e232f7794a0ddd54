"""Results files written by `kaohe score` (format `kaohe-results`), read back for `rank` and for
schemes that take another scheme's totals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kaohe.errors import EvidenceError, Location, Problem
from kaohe.i18n import t

BULKY = ("criteria", "items")
"""What ranking never reads of a unit's record: left out as each record is read."""


def load_results(path: Path) -> dict[str, Any] | None:
    """A results document written by `score` (units without their criteria and items), or None
    if the file is not one (evidence, then)."""
    if path.suffix.lower() != ".json":
        return None
    try:
        document = _read_by_line(path)
        if document is None:  # laid out otherwise (by hand, another tool): read whole
            document = json.loads(path.read_text(encoding="utf-8"))
            for unit in document.get("units") or [] if isinstance(document, dict) else []:
                if isinstance(unit, dict):
                    for key in BULKY:
                        unit.pop(key, None)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise EvidenceError([Problem(Location(str(path)), t("evidence.not_results"))]) from e
    if not isinstance(document, dict) or document.get("format") != "kaohe-results":
        raise EvidenceError([Problem(Location(str(path)), t("evidence.not_results"))])
    return document


def _read_by_line(path: Path) -> dict[str, Any] | None:
    """The document as `score` lays it out (a field per line, a list's records one per line),
    read a line at a time so that a large run's results are never held whole; None when the
    file is laid out any other way."""
    decoder = json.JSONDecoder()
    document: dict[str, Any] = {}
    with open(path, encoding="utf-8") as handle:
        if handle.readline() != "{\n":
            return None
        for line in handle:
            if line == "}\n" or line == "}":
                return document
            try:
                key, at = decoder.raw_decode(line, 2)
                if not line.startswith("  \"") or line[at:at + 2] != ": ":
                    return None
                rest = line[at + 2:].rstrip("\n")
                if rest == "[":  # records, one per line, up to "  ]"
                    records = []
                    for element in handle:
                        if element.rstrip("\n").rstrip(",") == "  ]":
                            break
                        record = json.loads(element.strip().removesuffix(","))
                        if key == "units" and isinstance(record, dict):
                            for bulky in BULKY:
                                record.pop(bulky, None)
                        records.append(record)
                    document[key] = records
                else:
                    document[key] = json.loads(rest.removesuffix(","))
            except ValueError:
                return None
    return None  # no closing brace: not a whole document

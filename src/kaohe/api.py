"""The Python API: load a scheme, score evidence (files or rows in memory), rank the results.

What the commands do, for a program: nothing is printed, nothing exits. Bad input raises a
KaoheError whose `.problems` are the located problems the command would print (str(error) is
their lines); warnings are kept on the value returned. Points stay exact (Decimal, or kaohe's
Rational where a value has no finite decimal form). See docs/api.md.

Only the core is used here (no kaohe.commands, kaohe.report: tests/test_layers.py), so what
the commands share in commands/common.py (a unit without evidence) is done again below.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Sequence

from kaohe.engine import Results, UnitResult
from kaohe.errors import EvidenceError, Location, Problem, SchemeError, Severity, not_a_file, problem_record
from kaohe.evidence import Evidence
from kaohe.evidence.tables import RawTable
from kaohe.i18n import t
from kaohe.numbers import Exact
from kaohe.outcomes import Decision, Previous
from kaohe.rules.base import Step
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Scheme as Model

VALIDATE_FORMAT = "kaohe-validate"
ROWS = "<rows>"
"""The name rows in memory are reported under: `<rows>[3]!值` is the cell 值 of the row at index 3
(counted from 0, as the rows were given), `<rows>!1.9.9` a column's header."""


@dataclass(frozen=True)
class CheckedScheme(LoadedScheme):
    """A scheme loaded and checked without errors (what every command scores with), with the
    checks' warnings. `.scheme` is the model (sections, items, units…); `.path`, `.sha256`."""

    warnings: tuple[Problem, ...] = ()

    @property
    def title(self) -> str:
        return self.scheme.title

    @property
    def units(self) -> list[str]:
        """The units the scheme names, in its order."""
        return self.scheme.unit_names()


@dataclass(frozen=True, slots=True)
class Scored(Results):
    """The engine's Results (units, missing, problems), with the warnings reading the evidence
    gave (never printed) and the evidence read."""

    warnings: tuple[Problem, ...] = ()
    evidence: Evidence | None = field(default=None, repr=False, compare=False)

    @property
    def totals(self) -> dict[str, Exact]:
        """Each unit's total, in the scheme's order of units."""
        return {u.unit: u.total for u in self.units}

    def unit(self, name: str) -> UnitResult:
        """One unit's result: `.total`, `.sections[id].points`, `.items[id].points`, `.criteria`."""
        for result in self.units:
            if result.unit == name:
                return result
        raise KeyError(name)


def load_scheme(path: str | os.PathLike[str]) -> CheckedScheme:
    """Load and check a scheme as every command does before using it: SchemeError with every
    error (located in the file) when it cannot be used; its warnings on the value returned."""
    from kaohe.scheme.checks import check_scheme
    from kaohe.scheme.load import load_scheme as load

    what = not_a_file(path)  # found without opening it: a named pipe would block
    if what is not None:
        raise SchemeError([Problem(Location(str(path)), what)])
    loaded = load(path)
    found = check_scheme(loaded)
    errors = [p for p in found if p.severity is Severity.ERROR]
    if errors:
        raise SchemeError(errors)
    return CheckedScheme(**{f.name: getattr(loaded, f.name) for f in fields(LoadedScheme)},
                         warnings=tuple(found))


def score(scheme: LoadedScheme, rows_or_paths: object, *, strict: bool = False) -> Scored:
    """Score evidence as `kaohe score` does: file paths (str or PathLike, one or several: CSV,
    XLSX, results JSON), or rows in memory (an iterable of mappings, wide or long form, read as
    a sheet with those column names would be). EvidenceError with every problem found (errors
    and warnings) when any is an error; with `strict`, a missing value is one."""
    loaded = _loaded(scheme)
    paths, rows = _evidence_arg(rows_or_paths)
    if paths is not None:
        from kaohe.evidence import read_evidence

        evidence = read_evidence(list(paths), loaded.scheme)
    else:
        evidence = read_rows(rows or [], loaded.scheme)
    if evidence.errors:
        raise EvidenceError(list(evidence.problems))
    from kaohe.engine import score as engine_score

    results = engine_score(loaded.scheme, evidence)
    problems = list(evidence.problems) + list(results.problems) + _missing_problems(loaded, results, evidence, strict)
    if any(p.severity is Severity.ERROR for p in problems):
        raise EvidenceError(problems)
    return Scored(results.units, results.missing, results.problems, tuple(problems), evidence)


def rank(scheme: LoadedScheme, results: Results, *, previous: Decision | None = None) -> Decision:
    """Ranks, grades, awards, penalties and most-improved, as `kaohe rank` decides them: `.rows`
    (one Outcome a unit, in ranking order: `.rank`, `.standing.unit`, `.standing.total`, `.grade`,
    `.awards`, `.penalties`, `.notes`) and `.notes` (close calls; see note_text). `previous` is
    last time's ranking (an earlier rank()), for 名次变化 and most-improved awards."""
    from kaohe.outcomes import decide, standing

    loaded = _loaded(scheme)
    if not isinstance(results, Results):
        raise TypeError(t("api.not_results", kind=type(results).__name__))
    before = _previous(loaded, previous) if previous is not None else None
    return decide(loaded.scheme, [standing(u) for u in results.units], before)


def note_text(note: Step) -> str:
    """A ranking note (Decision.notes, Outcome.notes) as `kaohe rank` prints it, in the current
    language."""
    return t(note.key, **note.params)


def _loaded(scheme: object) -> LoadedScheme:
    if not isinstance(scheme, LoadedScheme):
        raise TypeError(t("api.not_loaded", kind=type(scheme).__name__))
    return scheme


def _evidence_arg(value: object) -> tuple[list[str | os.PathLike[str]] | None, list[object] | None]:
    """(paths, None) or (None, rows): one path, several, or rows; a mapping alone or a mix is refused
    (a programming mistake, not bad evidence: TypeError)."""
    if isinstance(value, (str, os.PathLike)):
        return [value], None
    if isinstance(value, (bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(t("api.not_evidence", kind=type(value).__name__))
    items = list(value)
    paths = [v for v in items if isinstance(v, (str, os.PathLike))]
    if paths and len(paths) != len(items):
        raise TypeError(t("api.mixed_evidence"))
    return (paths, None) if paths else (None, items)


def _row_location(row: int, col: int, names: Sequence[str]) -> Location:
    """Where a cell of rows in memory is: row 0 is the header (the column names), row n + 1 the
    row at index n."""
    where = ROWS if row == 0 else f"{ROWS}[{row - 1}]"
    return Location(where, cell=names[col] if col < len(names) else None)


def rows_table(rows: Sequence[object]) -> tuple[RawTable, list[Problem], str]:
    """The rows as the RawTable a sheet would be: a header of every column name (in the order
    first met), then each row's values under them (None: a blank cell); the rows that are not
    mappings, as problems; and a SHA-256 of the table, to stand for a file's in the results."""
    from kaohe.evidence.tables import nonblank_rows

    bad = [Problem(Location(f"{ROWS}[{i}]"), t("api.row_not_mapping", kind=type(r).__name__))
           for i, r in enumerate(rows) if not isinstance(r, Mapping)]
    maps: list[Mapping[object, object]] = [r for r in rows if isinstance(r, Mapping)]
    columns = list(dict.fromkeys(k for r in maps for k in r))
    names = [str(c) for c in columns]
    body = [(0, list(columns))] + [(i + 1, [r.get(c) for c in columns]) for i, r in enumerate(maps)]

    def locate(row: int, col: int) -> Location:
        return _row_location(row, col, names)

    digest = hashlib.sha256(repr(body).encode("utf-8", "surrogatepass")).hexdigest()
    return RawTable(ROWS, None, nonblank_rows(body), locate), bad, digest


def read_rows(rows: Sequence[object], scheme: Model) -> Evidence:
    """Rows in memory read as read_evidence reads one file's table: the same header names, value
    parsing and problems (kaohe.evidence.read_table)."""
    from kaohe.evidence import read_table

    table, bad, digest = rows_table(rows)
    if bad:
        evidence = Evidence()
        evidence.problems.extend(bad)
        return evidence
    return read_table(table, digest, scheme)


def _missing_problems(loaded: LoadedScheme, results: Results, evidence: Evidence, strict: bool) -> list[Problem]:
    """A unit no evidence names at all: one warning (an error with `strict`) where the scheme
    lists it, as `kaohe score` says it; with `strict`, every other missing value an error."""
    counts: dict[str, int] = {}
    for m in results.missing:
        if m.unit not in evidence.units:
            counts[m.unit] = counts.get(m.unit, 0) + 1
    at = {u.name: i for i, u in enumerate(loaded.scheme.units)}
    severity = Severity.ERROR if strict else Severity.WARNING
    end = t("api.strict_mark" if strict else "api.strict_hint")
    found = [Problem(loaded.at(("units", at[unit])) if unit in at else Location(loaded.path),
                     t("evidence.unit_no_evidence", unit=unit, count=count) + end, severity,
                     code="evidence.unit_no_evidence") for unit, count in counts.items()]
    if strict:
        found += [Problem(Location(loaded.path), t("api.missing_error", unit=m.unit, id=m.input_id))
                  for m in results.missing if m.unit not in counts]
    return found


def _previous(loaded: LoadedScheme, previous: object) -> dict[str, Previous]:
    """Last time's place, grade and section places of each unit this scheme names (as `kaohe
    rank --previous` takes them from a results file)."""
    from kaohe.numbers import ZERO
    from kaohe.outcomes import ranks

    if not isinstance(previous, Decision):
        raise TypeError(t("api.not_ranking", kind=type(previous).__name__))
    rows = previous.rows
    section_ids = list(dict.fromkeys(k for r in rows for k in r.standing.sections))
    places: dict[str, dict[str, int]] = {}
    for sid in section_ids:
        values = [r.standing.sections.get(sid, ZERO) for r in rows]
        for r, place in zip(rows, ranks(values, loaded.scheme.ranking.method), strict=True):
            places.setdefault(r.standing.unit, {})[sid] = place
    known = set(loaded.scheme.unit_names())
    return {r.standing.unit: Previous(r.place, r.grade, places.get(r.standing.unit, {}))
            for r in rows if not known or r.standing.unit in known}


def validation_record(path: str | os.PathLike[str], strict: bool = False) -> dict[str, Any]:
    """One scheme's findings: {"path","valid","errors","warnings","problems":[…]} (every problem, uncapped)."""
    from kaohe.scheme.checks import check_scheme
    from kaohe.scheme.load import load_scheme as load

    try:
        found = check_scheme(load(path))
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


__all__ = ["CheckedScheme", "ROWS", "Scored", "load_scheme", "note_text", "rank", "read_rows", "score",
           "validation_document", "validation_record"]

"""Scheme test cases kept as data beside a scheme (as OpenFisca keeps its tests as YAML).

A case file holds one case (top-level keys) or several (`cases:`). A case names its evidence:
files relative to the case file (`evidence:`, each scored on its own), or rows written inline
(`rows:`, long form: 单位, 指标, 值 and any attribute columns). `units:` gives, per unit, the
expected `total`, `rank`, `base`, `bonus`, `deduction`, `sections`, `items`, `criteria`, flags,
and `why`, the working by hand that a mismatch report shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from kaohe.engine import Results, score
from kaohe.errors import Location, Problem, SchemeError
from kaohe.evidence import Evidence, accept_entry, input_index, read_evidence
from kaohe.evidence.layout import Entry
from kaohe.i18n import t
from kaohe.numbers import Rational, fmt_exact, parse_exact
from kaohe.outcomes import rank_results
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.yamlload import Positions, load_yaml

FIELDS = ("total", "rank", "base", "bonus", "deduction", "category", "vetoed", "falsified", "unmet", "barred")
NESTED = ("sections", "items", "criteria")


@dataclass(frozen=True, slots=True)
class Mismatch:
    case: str
    unit: str
    field: str
    expected: object
    got: object
    why: str
    location: Location

    def __str__(self) -> str:
        text = t("cases.mismatch", case=self.case, unit=self.unit, field=self.field,
                 expected=_show(self.expected), got=_show(self.got))
        return f"{self.location}: {text}" + (f"\n    {t('cases.why')}: " + self.why.strip().replace("\n", "\n    ")
                                             if self.why else "")


@dataclass(frozen=True, slots=True)
class CaseReport:
    name: str
    checked: int
    mismatches: list[Mismatch]
    problems: list[Problem]

    @property
    def passed(self) -> bool:
        return not self.mismatches and not self.problems


def find_cases(scheme_path: Path, scheme_id: str) -> list[Path]:
    """Case files beside a scheme: examples/<id>/*.yaml next to its folder, and <scheme>.cases.yaml."""
    found = sorted((scheme_path.parent.parent / "examples" / scheme_id).glob("*.yaml"))
    beside = scheme_path.with_suffix(".cases.yaml")
    return found + ([beside] if beside.is_file() else [])


def run_case_file(loaded: LoadedScheme, path: Path) -> list[CaseReport]:
    data, positions = load_yaml(path.read_text(encoding="utf-8"), str(path))
    if not isinstance(data, dict):
        raise SchemeError([Problem(Location(str(path), 1, 1), t("cases.not_a_case"))])
    if "cases" in data:
        return [report for i, case in enumerate(data["cases"])
                for report in _run_case(loaded, path, case, positions, ("cases", i))]
    return _run_case(loaded, path, data, positions, ())


def _run_case(loaded: LoadedScheme, path: Path, case: dict[str, Any], positions: Positions,
              at: tuple[str | int, ...]) -> list[CaseReport]:
    name = str(case.get("name") or path.name)
    if "units" not in case or not isinstance(case["units"], dict):
        raise SchemeError([Problem(positions.at(at), t("cases.no_units"))])
    reports = []
    if "rows" in case:
        evidence = _inline(loaded, case["rows"], positions, at + ("rows",))
        reports.append(_check(loaded, name, evidence, case["units"], positions, at))
    for file in case.get("evidence") or []:
        evidence = read_evidence([path.parent / str(file)], loaded.scheme)
        reports.append(_check(loaded, f"{name} [{file}]", evidence, case["units"], positions, at))
    if not reports:
        raise SchemeError([Problem(positions.at(at), t("cases.no_evidence"))])
    return reports


def _inline(loaded: LoadedScheme, rows: list[dict[str, Any]], positions: Positions,
            at: tuple[str | int, ...]) -> Evidence:
    evidence = Evidence()
    index = input_index(loaded.scheme)
    known = {u.name: u.category for u in loaded.scheme.units}
    for i, row in enumerate(rows):
        where = positions.at(at + (i,))
        unit, input_id = str(row.get("单位", "")), str(row.get("指标", ""))
        attributes = {k: str(v) for k, v in row.items() if k not in ("单位", "指标", "值", "备注")}
        entry = Entry.at(unit, where, input_id, row.get("值"), str(row.get("备注") or ""), attributes)
        accept_entry(evidence, entry, index, known)
    return evidence


def _check(loaded: LoadedScheme, name: str, evidence: Evidence, expected: dict[str, Any], positions: Positions,
           at: tuple[str | int, ...]) -> CaseReport:
    if evidence.errors:
        return CaseReport(name, 0, [], evidence.errors)
    results: Results = score(loaded.scheme, evidence)
    if results.problems:
        return CaseReport(name, 0, [], list(results.problems))
    got = {row.result.unit: _observed(row) for row in rank_results(loaded.scheme, results)}
    mismatches: list[Mismatch] = []
    checked = 0
    for unit, want in expected.items():
        where = positions.at(at + ("units", unit))
        why = str(want.get("why") or "")
        have = got.get(unit)
        if have is None:
            mismatches.append(Mismatch(name, unit, "unit", "✓", "-", why, where))
            continue
        for field, value in want.items():
            if field == "why":
                continue
            if field in NESTED:
                for key, sub in value.items():
                    checked += 1
                    if not _same(sub, have[field].get(str(key))):
                        mismatches.append(Mismatch(name, unit, f"{field}.{key}", sub, have[field].get(str(key)),
                                                   why, positions.at(at + ("units", unit, field, key))))
            elif field not in FIELDS:  # a typo such as "totl" must not pass unnoticed
                mismatches.append(Mismatch(name, unit, field, value, t("cases.unknown_field",
                                                                      fields="、".join(FIELDS + NESTED)),
                                           why, positions.at(at + ("units", unit, field), key=True)))
            else:
                checked += 1
                if not _same(value, have.get(field)):
                    mismatches.append(Mismatch(name, unit, field, value, have.get(field), why,
                                               positions.at(at + ("units", unit, field))))
    return CaseReport(name, checked, mismatches, [])


def _observed(row) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = row.result
    return {
        "total": r.total, "rank": row.rank, "base": r.base, "bonus": r.bonus, "deduction": r.deduction,
        "category": r.category, "vetoed": list(r.vetoed), "falsified": list(r.falsified), "unmet": list(r.unmet),
        "barred": r.barred,
        "sections": {k: v.points for k, v in r.sections.items()},
        "items": {k: v.points for k, v in r.items.items()},
        "criteria": {c.criterion.id: c.points for c in r.criteria},
    }


def _same(expected: object, got: object) -> bool:
    if isinstance(expected, str) and isinstance(got, Rational):  # an exact fraction: "28/3"
        return parse_exact(expected) == got
    if isinstance(expected, Decimal) and isinstance(got, int) and not isinstance(got, bool):
        return expected == got
    if isinstance(expected, list) and isinstance(got, list):
        return [str(e) for e in expected] == [str(g) for g in got]
    return expected == got


def _show(value: object) -> str:
    return fmt_exact(value) if isinstance(value, (Decimal, Rational)) else str(value)

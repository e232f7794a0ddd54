"""Scheme test cases kept as data beside a scheme (as OpenFisca keeps its tests as YAML).

A case file holds one case (top-level keys) or several (`cases:`). A case names its evidence:
files relative to the case file (`evidence:`, each scored on its own), or rows written inline
(`rows:`, long form: 单位, 指标, 值 and any attribute columns). `units:` gives, per unit, the
expected `total`, `rank`, `base`, `bonus`, `deduction`, `sections`, `items`, `criteria`, flags,
the outcomes (`grade`, `awards`, `penalties`, `rank_in_category`, `notes`: texts its own notes
contain), and `why`, the working by hand that a mismatch report shows. At the case's top level,
`outcomes:` names, per grade or award, the units that take it (in order), `notes:` texts the
ranking's notes contain (边界并列, a quota worked out from a share), and `previous:` last time's
places (a results file beside the case, or `unit: place`) for 进步最快 and the step-up rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from kaohe.engine import Results, score
from kaohe.errors import KaoheError, Location, Problem, SchemeError
from kaohe.evidence import Evidence, accept_entry, input_index, read_evidence
from kaohe.evidence.layout import Entry
from kaohe.i18n import t
from kaohe.numbers import MAX_INTEGER_DIGITS, Rational, fmt_exact, parse_exact
from kaohe.outcomes import Decision, Outcome, Previous, decide, rank_results, standing
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.yamlload import Positions, load_yaml, read_yaml_file

FIELDS = ("total", "rank", "base", "bonus", "deduction", "category", "vetoed", "falsified", "unmet", "barred",
          "grade", "awards", "penalties", "rank_in_category", "notes")
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
        key = "cases.mismatch" if self.unit else "cases.mismatch_ranking"  # a case-level check: no unit
        text = t(key, case=self.case, unit=self.unit, field=self.field, expected=_show(self.expected),
                 got=_show(self.got))
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
    """Every case of the file, each checked for its shape before anything is scored: a case file
    is input like any other (too big, not UTF-8, too deep, a field of the wrong shape are refused
    with their place)."""
    _, text = read_yaml_file(path, "cases")
    data, positions = load_yaml(text, str(path))
    if not isinstance(data, dict):
        raise SchemeError([Problem(Location(str(path), 1, 1), t("cases.not_a_case"))])
    if "cases" in data:
        cases = data["cases"]
        if not isinstance(cases, list) or not cases:
            raise SchemeError([_shape(positions, ("cases",), "cases.shape.cases", cases)])
        problems = [p for i, case in enumerate(cases) for p in _case_shape(case, positions, ("cases", i))]
        if problems:
            raise SchemeError(problems)
        return [report for i, case in enumerate(cases)
                for report in _run_case(loaded, path, case, positions, ("cases", i))]
    problems = _case_shape(data, positions, ())
    if problems:
        raise SchemeError(problems)
    return _run_case(loaded, path, data, positions, ())


Path_ = tuple[str | int, ...]
SCALAR_FIELDS = ("total", "rank", "base", "bonus", "deduction", "category", "barred", "grade", "rank_in_category")
"""A unit's expected values written as one text or number; the other FIELDS are lists."""


def _is_scalar(value: object) -> bool:
    return not isinstance(value, (dict, list))


def _sized(value: object) -> bool:
    """An expected number is of a size a result can have (below 10^15: see kaohe.numbers); its
    places are not limited, a worked-out value may have many (1/2048)."""
    return not isinstance(value, Decimal) or abs(value) < 10 ** MAX_INTEGER_DIGITS


def _size(positions: Positions, at: Path_, value: object) -> Problem:
    return Problem(positions.at(at), t("cases.number_size", key=_key(at), value=value, digits=MAX_INTEGER_DIGITS))


def _key(at: Path_) -> str:
    """A field's path in a case as the messages show it: units.溧阳市.criteria, rows[2].值."""
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(at)) or "-"


def _shape(positions: Positions, at: Path_, expected: str, got: object) -> Problem:
    """A field of the wrong shape, at its place: what it should be and what it is."""
    kind = ("mapping" if isinstance(got, dict) else "list" if isinstance(got, list) else "null" if got is None
            else "bool" if isinstance(got, bool) else "number" if isinstance(got, Decimal) else "text")
    return Problem(positions.at(at), t("cases.bad_shape", key=_key(at), expected=t(expected), got=t(f"cases.got.{kind}")))


def _case_shape(case: object, positions: Positions, at: Path_) -> list[Problem]:
    """Each field of a case that has the wrong shape, as a located problem (none: it may run)."""
    if not isinstance(case, dict):
        return [_shape(positions, at, "cases.shape.case", case)]
    found = []
    for key in ("name", "why", "scheme"):
        if key in case and not _is_scalar(case[key]):
            found.append(_shape(positions, at + (key,), "cases.shape.text", case[key]))
    evidence = case.get("evidence")
    if evidence is not None:
        if not isinstance(evidence, list):
            found.append(_shape(positions, at + ("evidence",), "cases.shape.files", evidence))
        else:
            found += [_shape(positions, at + ("evidence", i), "cases.shape.file", f)
                      for i, f in enumerate(evidence) if not isinstance(f, str) or not f.strip()]
    if "rows" in case:
        found += _rows_shape(case["rows"], positions, at + ("rows",))
    units = case.get("units")
    if isinstance(units, dict):
        for unit, want in units.items():
            found += _unit_shape(want, positions, at + ("units", unit))
    elif "units" in case:
        found.append(_shape(positions, at + ("units",), "cases.shape.units", units))
    outcomes = case.get("outcomes")
    if isinstance(outcomes, dict):
        for name, holders in outcomes.items():
            if holders is not None:
                found += _list_shape(holders, positions, at + ("outcomes", name), "cases.shape.unit_list")
    elif outcomes is not None:
        found.append(_shape(positions, at + ("outcomes",), "cases.shape.outcomes", outcomes))
    found += _texts_shape(case.get("notes"), positions, at + ("notes",))
    previous = case.get("previous")
    if previous is not None and not isinstance(previous, (str, dict)):
        found.append(Problem(positions.at(at + ("previous",)), t("cases.bad_previous")))
    return found


def _rows_shape(rows: object, positions: Positions, at: Path_) -> list[Problem]:
    if not isinstance(rows, list):
        return [_shape(positions, at, "cases.shape.rows", rows)]
    found = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            found.append(_shape(positions, at + (i,), "cases.shape.row", row))
            continue
        found += [_shape(positions, at + (i, k), "cases.shape.text", v) for k, v in row.items() if not _is_scalar(v)]
    return found


def _unit_shape(want: object, positions: Positions, at: Path_) -> list[Problem]:
    """A unit's expected results: a mapping of fields, each of its own shape (an unknown field is
    reported when the case runs, as a mismatch naming the fields there are)."""
    if not isinstance(want, dict):
        return [_shape(positions, at, "cases.shape.unit", want)]
    found = []
    for field, value in want.items():
        where = at + (field,)
        if field in NESTED:
            if not isinstance(value, dict):
                found.append(_shape(positions, where, "cases.shape.by_id", value))
            else:
                found += [_shape(positions, where + (k,), "cases.shape.text", v)
                          for k, v in value.items() if not _is_scalar(v)]
                found += [_size(positions, where + (k,), v) for k, v in value.items() if not _sized(v)]
        elif field in SCALAR_FIELDS or field == "why":
            if not _is_scalar(value):
                found.append(_shape(positions, where, "cases.shape.text", value))
            elif not _sized(value):
                found.append(_size(positions, where, value))
        elif field == "notes":
            found += _texts_shape(value, positions, where)
        elif field in FIELDS:
            found += _list_shape(value, positions, where, "cases.shape.list")
    return found


def _list_shape(value: object, positions: Positions, at: Path_, expected: str) -> list[Problem]:
    """A list of texts (units, awards, flags): refused as a whole, or at each item that is not one."""
    if not isinstance(value, list):
        return [_shape(positions, at, expected, value)]
    return [_shape(positions, at + (i,), "cases.shape.text", v) for i, v in enumerate(value) if not _is_scalar(v)]


def _texts_shape(value: object, positions: Positions, at: Path_) -> list[Problem]:
    """Notes: one text, or a list of texts (or none)."""
    return [] if _is_scalar(value) else _list_shape(value, positions, at, "cases.shape.texts")


CASE_KEYS = ("name", "why", "scheme", "evidence", "rows", "units", "outcomes", "notes", "previous")


def _run_case(loaded: LoadedScheme, path: Path, case: dict[str, Any], positions: Positions,
              at: tuple[str | int, ...]) -> list[CaseReport]:
    name = str(case.get("name") or path.name)
    if "units" not in case or not isinstance(case["units"], dict):
        raise SchemeError([Problem(positions.at(at), t("cases.no_units"))])
    unknown = [k for k in case if k not in CASE_KEYS]
    if unknown:  # "outcome:" for "outcomes:" must not pass as a case that checks nothing
        raise SchemeError([Problem(positions.at(at + (k,), key=True),
                                   t("cases.unknown_key", key=k, keys="、".join(CASE_KEYS))) for k in unknown])
    previous = _previous(loaded, path, case.get("previous"), positions, at + ("previous",))
    reports = []
    if "rows" in case:
        evidence = _inline(loaded, case["rows"], positions, at + ("rows",))
        reports.append(_check(loaded, name, evidence, case, positions, at, previous))
    for file in case.get("evidence") or []:
        evidence = read_evidence([path.parent / str(file)], loaded.scheme)
        reports.append(_check(loaded, f"{name} [{file}]", evidence, case, positions, at, previous))
    if not reports:
        raise SchemeError([Problem(positions.at(at), t("cases.no_evidence"))])
    return reports


def _previous(loaded: LoadedScheme, path: Path, given: object, positions: Positions,
              at: tuple[str | int, ...]) -> dict[str, Previous] | None:
    """Last time's places: a results file (as `rank --previous` reads it) or `unit: place`."""
    if given is None:
        return None
    if isinstance(given, str):
        from kaohe.commands.rank import previous_from

        try:
            return previous_from(loaded, path.parent / given)
        except KaoheError as e:
            raise SchemeError(e.problems) from e
    places = {str(unit): _place(v) for unit, v in given.items()} if isinstance(given, dict) else {}
    if isinstance(given, dict) and all(p is not None for p in places.values()):
        return {unit: Previous(place) for unit, place in places.items() if place is not None}
    raise SchemeError([Problem(positions.at(at), t("cases.bad_previous"))])


def _inline(loaded: LoadedScheme, rows: list[dict[str, Any]], positions: Positions,
            at: tuple[str | int, ...]) -> Evidence:
    evidence = Evidence()
    index = input_index(loaded.scheme)
    known = {u.name: u.category for u in loaded.scheme.units}
    for i, row in enumerate(rows):
        where = positions.at(at + (i,))
        unit, input_id = str(row.get("单位", "")), str(row.get("指标", ""))
        attributes = {k: str(v) for k, v in row.items() if k not in ("单位", "指标", "值", "备注") and v is not None}
        entry = Entry.at(unit, where, input_id, row.get("值"), str(row.get("备注") or ""), attributes)
        accept_entry(evidence, entry, index, known)
    return evidence


def _place(value: object) -> int | None:
    """A place as the case's YAML gives it (a whole number, read exactly), or None."""
    if (isinstance(value, (int, Decimal)) and not isinstance(value, bool) and _sized(value) and value == int(value)
            and value >= 1):
        return int(value)
    return None


def _check(loaded: LoadedScheme, name: str, evidence: Evidence, case: dict[str, Any], positions: Positions,
           at: tuple[str | int, ...], previous: dict[str, Previous] | None) -> CaseReport:
    if evidence.errors:
        return CaseReport(name, 0, [], evidence.errors)
    results: Results = score(loaded.scheme, evidence)
    if results.problems:
        return CaseReport(name, 0, [], list(results.problems))
    decision = decide(loaded.scheme, [standing(u) for u in results.units], previous)
    outcomes = {o.standing.unit: o for o in decision.rows}
    got = {row.result.unit: _observed(row, outcomes[row.result.unit]) for row in rank_results(loaded.scheme, results)}
    mismatches: list[Mismatch] = []
    checked = 0
    for unit, want in case["units"].items():
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
            elif field == "notes":
                checked += 1
                missing = [text for text in _texts(value) if not any(text in n for n in have["notes"])]
                if missing:
                    mismatches.append(Mismatch(name, unit, field, missing, have["notes"] or "-", why,
                                               positions.at(at + ("units", unit, field))))
            else:
                checked += 1
                if not _same(value, have.get(field)):
                    mismatches.append(Mismatch(name, unit, field, value, have.get(field), why,
                                               positions.at(at + ("units", unit, field))))
    found, count = _ranking_checks(loaded, name, decision, case, positions, at)
    return CaseReport(name, checked + count, mismatches + found, [])


def _ranking_checks(loaded: LoadedScheme, name: str, decision: Decision, case: dict[str, Any],
                    positions: Positions, at: tuple[str | int, ...]) -> tuple[list[Mismatch], int]:
    """The case's `outcomes:` (who takes each grade and award) and `notes:` (the ranking's notes)."""
    why = str(case.get("why") or "")
    outcomes = loaded.scheme.outcomes
    declared = [g.name for g in outcomes.grades] + ([outcomes.otherwise] if outcomes.otherwise else []) + \
        [a.name for a in outcomes.awards] + [m.name for m in outcomes.most_improved]
    holders: dict[str, list[str]] = {outcome: [] for outcome in declared}
    for row in decision.rows:
        for held in ([row.grade] if row.grade else []) + row.awards + row.penalties:
            holders.setdefault(held, []).append(row.standing.unit)
    found, checked = [], 0
    for outcome, units in (case.get("outcomes") or {}).items():
        where = positions.at(at + ("outcomes", outcome))
        checked += 1
        if outcome not in holders:
            found.append(Mismatch(name, "", str(outcome), units, t("cases.unknown_outcome", names="、".join(holders)),
                                  why, positions.at(at + ("outcomes", outcome), key=True)))
        elif sorted(map(str, units or [])) != sorted(holders[outcome]):
            found.append(Mismatch(name, "", str(outcome), units or [], holders[outcome] or "-", why, where))
    texts = [t(n.key, **n.params) for n in decision.notes] + [t(n.key, **n.params) for r in decision.rows
                                                              for n in r.notes]
    for i, text in enumerate(_texts(case.get("notes"))):
        checked += 1
        if not any(text in n for n in texts):
            found.append(Mismatch(name, "", "notes", text, "; ".join(texts) or "-", why,
                                  positions.at(at + ("notes", i))))
    return found, checked


def _texts(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [] if value is None else [str(value)]


def _observed(row, outcome: Outcome) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = row.result
    return {
        "total": r.total, "rank": row.rank, "base": r.base, "bonus": r.bonus, "deduction": r.deduction,
        "category": r.category, "vetoed": list(r.vetoed), "falsified": list(r.falsified), "unmet": list(r.unmet),
        "barred": r.barred,
        "grade": outcome.grade, "awards": list(outcome.awards), "penalties": list(outcome.penalties),
        "rank_in_category": outcome.rank_in_category,
        "notes": [t(n.key, **n.params) for n in outcome.notes],
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
    if isinstance(value, (Decimal, Rational)):
        return fmt_exact(value)
    if isinstance(value, list):
        return "[" + "、".join(_show(v) for v in value) + "]"
    return "-" if value is None else str(value)

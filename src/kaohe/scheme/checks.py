"""Consistency checks on a loaded scheme: the arithmetic of the document, and its rules."""

from __future__ import annotations

from decimal import Decimal

from kaohe.errors import Problem, Severity
from kaohe.i18n import t
from kaohe.numbers import ZERO, fmt
from kaohe.rules.base import BadValue, parse_value
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Criterion, Item

P = tuple[str | int, ...]


def check_scheme(loaded: LoadedScheme) -> list[Problem]:
    """All findings, errors and warnings, in file order."""
    found: list[Problem] = []

    def report(path: P, severity: Severity, key: str, **params: object) -> None:
        found.append(Problem(loaded.at(path), t(key, **params), severity))

    scheme = loaded.scheme
    _unique_ids(loaded, report)
    _unique_units(loaded, report)
    base = sum((s.points for s in scheme.sections if s.kind == "base"), ZERO)
    if base != scheme.full_score:
        report(("full_score",), Severity.ERROR, "check.sections_sum", total=fmt(base), full=fmt(scheme.full_score))
    for si, section in enumerate(scheme.sections):
        spath: P = ("sections", si)
        total = sum((i.points for i in section.items), ZERO)
        if total != section.points:
            report(spath + ("points",), Severity.ERROR, "check.items_sum",
                   id=section.id, total=fmt(total), points=fmt(section.points))
        for ii, item in enumerate(section.items):
            ipath = spath + ("items", ii)
            if not item.id.startswith(section.id + "."):
                report(ipath + ("id",), Severity.WARNING, "check.item_numbering", id=item.id, section=section.id)
            _check_item(item, ipath, report)
    return sorted(found, key=lambda p: (p.location.line or 0, p.location.col or 0))


def _check_item(item: Item, ipath: P, report) -> None:  # type: ignore[no-untyped-def]
    stated = [c.points for c in item.criteria if c.points is not None]
    if len(stated) == len(item.criteria):
        total = sum(stated, ZERO)
        if total != item.points:
            report(ipath + ("points",), Severity.ERROR, "check.criteria_sum",
                   id=item.id, total=fmt(total), points=fmt(item.points))
    reachable: Decimal | None = ZERO
    for ci, criterion in enumerate(item.criteria):
        cpath = ipath + ("criteria", ci)
        expected = f"{item.id}.{ci + 1}"
        if criterion.id != expected:
            report(cpath + ("id",), Severity.WARNING, "check.criterion_numbering", id=criterion.id, expected=expected)
        best = _check_criterion(criterion, cpath, report)
        reachable = None if reachable is None or best is None else reachable + best
    if reachable is not None and reachable < item.limit:
        report(ipath + ("points",), Severity.WARNING, "check.item_unreachable",
               id=item.id, best=fmt(reachable), points=fmt(item.limit))


def _check_criterion(criterion: Criterion, cpath: P, report) -> Decimal | None:  # type: ignore[no-untyped-def]
    """Check one criterion; return the most it can give (None: no bound of its own)."""
    rule = criterion.rule
    for finding in rule.check(criterion.points):
        severity = Severity.ERROR if finding.severity == "error" else Severity.WARNING
        report(cpath + ("rule",) + finding.path, severity, finding.key, **finding.params)
    best = rule.max_points(criterion.points)
    points = criterion.points
    if best is not None and points is not None:
        if best < points:
            report(cpath + ("rule",), Severity.WARNING, "check.criterion_unreachable",
                   id=criterion.id, best=fmt(best), points=fmt(points))
        elif best > points and rule.kind != "per_count":  # per_count reports its own cap
            report(cpath + ("rule",), Severity.WARNING, "check.criterion_capped",
                   id=criterion.id, best=fmt(best), points=fmt(points))
    if criterion.default is not None:
        for spec in criterion.inputs():
            try:
                parse_value(spec, criterion.default)
            except BadValue as e:
                report(cpath + ("default",), Severity.ERROR, "check.bad_default",
                       value=criterion.default, problem=t(e.key, **e.params))
    if best is None:
        return points
    return best if points is None else min(best, points)


def _unique_ids(loaded: LoadedScheme, report) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, P] = {}
    scheme = loaded.scheme
    nodes: list[tuple[str, P]] = []
    for si, s in enumerate(scheme.sections):
        nodes.append((s.id, ("sections", si, "id")))
        for ii, i in enumerate(s.items):
            nodes.append((i.id, ("sections", si, "items", ii, "id")))
            for ci, c in enumerate(i.criteria):
                cpath: P = ("sections", si, "items", ii, "criteria", ci)
                nodes.append((c.id, cpath + ("id",)))
                nodes.extend((spec.id, cpath + ("rule",)) for spec in c.inputs() if spec.id != c.id)
    for node_id, path in nodes:
        if node_id in seen:
            first = loaded.at(seen[node_id])
            report(path, Severity.ERROR, "check.duplicate_id", id=node_id, first=first.line)
        else:
            seen[node_id] = path


def _unique_units(loaded: LoadedScheme, report) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, int] = {}
    for ui, unit in enumerate(loaded.scheme.units):
        if unit.name in seen:
            first = loaded.at(("units", seen[unit.name]))
            report(("units", ui), Severity.ERROR, "check.duplicate_unit", name=unit.name, first=first.line)
        else:
            seen[unit.name] = ui

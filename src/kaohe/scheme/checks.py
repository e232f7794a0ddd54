"""Consistency checks on a loaded scheme: the arithmetic of the document, and its rules."""

from __future__ import annotations

from decimal import Decimal

from kaohe.errors import Problem, Severity
from kaohe.i18n import t
from kaohe.numbers import ZERO, exact_arithmetic, fmt
from kaohe.rules.base import BadValue, parse_value
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Criterion, Group, Item, Section, applies
from kaohe.scheme.names import catalogue

P = tuple[str | int, ...]


@exact_arithmetic
def check_scheme(loaded: LoadedScheme) -> list[Problem]:
    """All findings, errors and warnings, in file order."""
    found: list[Problem] = []

    def report(path: P, severity: Severity, key: str, **params: object) -> None:
        found.append(Problem(loaded.at(path), t(key, **params), severity, code=key))

    scheme = loaded.scheme
    for finding in catalogue(scheme).findings:
        severity = Severity.ERROR if finding.severity == "error" else Severity.WARNING
        found.append(Problem(loaded.at_offset(finding.path, finding.offset), t(finding.key, **finding.params), severity))
    _values(loaded, report)
    _outcomes(loaded, report)
    _bonus_caps(loaded, report)
    found += _readings(loaded)
    _unique_ids(loaded, report)
    _unique_units(loaded, report)
    _categories(loaded, report)
    _full_score(loaded, report)
    periods = scheme.periods
    if periods is not None and periods.combine == "weighted":
        weights = periods.weights or {}
        if set(weights) != set(periods.names) or sum(weights.values(), ZERO) != 1:
            report(("periods",), Severity.ERROR, "check.periods_weights")
    for si, section in enumerate(scheme.sections):
        spath: P = ("sections", si)
        if section.items and section.points is not None and all(i.points is not None for i in section.items):
            total = sum((i.points for i in section.items if i.points is not None), ZERO)
            if total != section.points and not section.tasks and not _varies_by_category(section.items):
                report(spath + ("points",), Severity.ERROR, "check.items_sum",
                       id=section.id, total=fmt(total), points=fmt(section.points))
        _tasks(loaded, si, report)
        _full_and_scored(section, spath, [i.id for i in section.items if i.points is not None], report)
        for path, item in _items_with_paths(section, spath):
            if section.tasks is None and not item.id.startswith(section.id + "."):
                report(path + ("id",), Severity.WARNING, "check.item_numbering", id=item.id, section=section.id)
            _check_item(item, path, report)
    return sorted(found, key=lambda p: (p.location.line or 0, p.location.col or 0))


def _values(loaded: LoadedScheme, report) -> None:  # type: ignore[no-untyped-def]
    """Declared inputs and computed values: per-unit data names scheme units, defaults fit their
    input, and the base can be converted over the points that apply."""
    from kaohe.scheme.names import declared_specs

    scheme = loaded.scheme
    units = scheme.unit_names()
    for ii, decl in enumerate(scheme.inputs):
        spec = declared_specs(decl, scheme.rates)[0]
        for unit, raw in (decl.per_unit or {}).items():
            if units and unit not in units:
                report(("inputs", ii, "per_unit", unit), Severity.ERROR, "check.task_unit", unit=unit)
            _fits(spec, raw, ("inputs", ii, "per_unit", unit), report)
        if decl.default is not None:
            _fits(spec, decl.default, ("inputs", ii, "default"), report)
        if decl.per_unit is not None and decl.default is None and units and set(units) - set(decl.per_unit):
            missing = [u for u in units if u not in decl.per_unit]
            report(("inputs", ii, "per_unit"), Severity.ERROR, "check.per_unit_missing", id=decl.id,
                   units="、".join(missing[:8]) + ("…" if len(missing) > 8 else ""))
    if scheme.normalise_to is not None:
        if scheme.full_score is None or any(s.weight is not None for s in scheme.sections):
            report(("normalise_to",), Severity.ERROR, "check.normalise_needs", )


def _outcomes(loaded: LoadedScheme, report) -> None:  # type: ignore[no-untyped-def]
    """Outcome rules that would pass silently and be wrong later: names that do not exist, grades
    out of order, quotas no group of units could fill."""
    scheme = loaded.scheme
    sections = [s.id for s in scheme.sections]
    outcomes = scheme.outcomes
    for i, sid in enumerate(scheme.ranking.tie_break):
        if sid not in sections:
            _unknown_section(report, ("ranking", "tie_break", i), sid, sections)
    for i, rule in enumerate(outcomes.most_improved):
        if rule.section is not None and rule.section not in sections:
            _unknown_section(report, ("outcomes", "most_improved", i, "section"), rule.section, sections)
    grades = [g.name for g in outcomes.grades]
    names = grades + ([outcomes.otherwise] if outcomes.otherwise else [])
    if outcomes.barred_grade is not None and outcomes.barred_grade not in names:
        report(("outcomes", "barred_grade"), Severity.ERROR, "check.unknown_grade", name=outcomes.barred_grade,
               names="、".join(names) or "-")
    lines = [(i, g.min) for i, g in enumerate(outcomes.grades) if g.min is not None]
    for (_, higher), (i, lower) in zip(lines, lines[1:], strict=False):
        if lower > higher:
            report(("outcomes", "grades", i, "min"), Severity.ERROR, "check.grades_order",
                   name=outcomes.grades[i].name, line=fmt(lower), above=fmt(higher))
    if scheme.ranking.among == "category" and not scheme.categories:
        report(("ranking", "among"), Severity.ERROR, "check.among_no_categories")
    groups = _outcome_groups(scheme)
    for i, grade in enumerate(outcomes.grades):
        if isinstance(grade.count, dict):
            for category in grade.count:
                if category not in groups:
                    report(("outcomes", "grades", i, "count", category), Severity.ERROR,
                           "check.undeclared_category", category=category, categories="、".join(groups))
        for group, size in groups.items():
            quota = grade.quota(group, size) if grade.share is None else None
            if quota is not None and size and quota > size:
                report(("outcomes", "grades", i, "count"), Severity.ERROR, "check.quota_too_large",
                       name=grade.name, count=quota, units=size, group=group or "")
    outcome_names = set(names) | {a.name for a in outcomes.awards} | {m.name for m in outcomes.most_improved}
    for fi, flag in enumerate(scheme.flags):
        if flag.bars != "all":
            for bi, name in enumerate(flag.bars):
                if name not in outcome_names:
                    report(("flags", fi, "bars", bi), Severity.ERROR, "check.unknown_outcome", name=name,
                           names="、".join(sorted(outcome_names)) or "-")
    for ai, award in enumerate(outcomes.awards):
        band = award.bottom if award.bottom is not None else award.first
        largest = max(groups.values(), default=0)
        if largest and band is not None and band > largest:
            report(("outcomes", "awards", ai), Severity.WARNING, "check.award_beyond_units", name=award.name,
                   place=band, units=largest)


def _outcome_groups(scheme) -> dict[str | None, int]:  # type: ignore[no-untyped-def]
    """The units ranked together: all of them, or each category's (empty when the scheme lists none)."""
    if scheme.ranking.among == "category":
        found: dict[str | None, int] = {c.id: 0 for c in scheme.categories}
        for unit in scheme.units:
            found[unit.category] = found.get(unit.category, 0) + 1
        return found
    return {None: len(scheme.units)}


def _bonus_caps(loaded: LoadedScheme, report) -> None:  # type: ignore[no-untyped-def]
    """A bonus criterion inside a capped bonus section would be added outside that cap (8 of 5)."""
    for si, section in enumerate(loaded.scheme.sections):
        if section.kind != "bonus" or section.limit is None:
            continue
        for path, item in _items_with_paths(section, ("sections", si)):
            for ci, entry in enumerate(item.criteria):
                members = [(path + ("criteria", ci), entry)] if isinstance(entry, Criterion) else [
                    (path + ("criteria", ci, "criteria", gi), c) for gi, c in enumerate(entry.criteria)]
                for cpath, criterion in members:
                    if criterion.effect == "bonus" and item.bonus_cap is None and section.bonus_cap is None:
                        report(cpath + ("effect",), Severity.ERROR, "check.bonus_outside_cap", id=criterion.id,
                               section=section.id, cap=fmt(section.limit))


def _readings(loaded: LoadedScheme) -> list[Problem]:
    """The other reading of every marked reading must itself be a scheme that can score: a
    comparison that fails when scoring would hide the very choice it is there to show."""
    from kaohe.errors import SchemeError
    from kaohe.scheme.readings import marked, variant

    found = []
    for mark in marked(loaded):
        if mark.reading.alternative is None:
            continue
        try:
            other = variant(loaded, mark)
        except SchemeError as e:
            found += e.problems
            continue
        for finding in catalogue(other).findings:
            if finding.severity == "error":
                found.append(Problem(mark.location, t("reading.bad_alternative", owner=mark.owner,
                                                      problem=t(finding.key, **finding.params))))
    return found


def _unknown_section(report, path: P, sid: str, sections: list[str]) -> None:  # type: ignore[no-untyped-def]
    """A section id that does not exist, with the ids there are and the nearest one where one is close."""
    import difflib

    close = difflib.get_close_matches(sid, sections, n=1, cutoff=0.5)
    if close:
        report(path, Severity.ERROR, "check.unknown_section_near", id=sid, ids="、".join(sections), nearest=close[0])
    else:
        report(path, Severity.ERROR, "check.unknown_section", id=sid, ids="、".join(sections))


def _fits(spec, raw: object, path: P, report) -> None:  # type: ignore[no-untyped-def]
    try:
        parse_value(spec, raw)
    except BadValue as e:
        report(path, Severity.ERROR, "check.bad_default", value=raw, problem=t(e.key, **e.params))


def _items_with_paths(section: Section, spath: P) -> list[tuple[P, Item]]:
    paths: list[tuple[P, Item]] = [(spath + ("items", ii), item) for ii, item in enumerate(section.items)]
    for unit, items in (section.tasks or {}).items():
        paths += [(spath + ("tasks", unit, ii), item) for ii, item in enumerate(items)]
    return paths


def _varies_by_category(items: list[Item]) -> bool:
    return any(i.categories is not None for i in items)


def _full_score(loaded: LoadedScheme, report) -> None:  # type: ignore[no-untyped-def]
    """Base sections add up to the full score, per category where categories differ; weights to 100%."""
    scheme = loaded.scheme
    bases = [s for s in scheme.sections if s.kind == "base"]
    if bases and scheme.full_score is None:
        report(("sections",), Severity.ERROR, "check.no_full_score")
        return
    weighted = [s for s in bases if s.weight is not None]
    if weighted:
        if len(weighted) < len(bases):
            report(("sections",), Severity.ERROR, "check.weights_partial")
        total = sum((s.weight for s in weighted if s.weight is not None), ZERO)
        if total != 1:
            report(("sections",), Severity.ERROR, "check.weights_sum", total=f"{fmt(total * 100)}%")
        return
    categories: list[str | None] = [c.id for c in scheme.categories] or [None]
    for category in categories:
        total = sum((s.points or ZERO for s in bases if applies(s, category)), ZERO)
        full = scheme.full_score_for(category)
        if full is not None and total != full:
            if category is None:
                report(("full_score",), Severity.ERROR, "check.sections_sum", total=fmt(total), full=fmt(full))
            else:
                report(("categories",), Severity.ERROR, "check.category_sum", category=category,
                       total=fmt(total), full=fmt(full))


def _categories(loaded: LoadedScheme, report) -> None:  # type: ignore[no-untyped-def]
    """Every unit has exactly one declared category, and nodes name only declared ones."""
    scheme = loaded.scheme
    declared = [c.id for c in scheme.categories]
    if not declared:
        for ui, unit in enumerate(scheme.units):
            if unit.category is not None:
                report(("units", ui, "category"), Severity.ERROR, "check.undeclared_category",
                       category=unit.category, categories="-")
        return
    for ui, unit in enumerate(scheme.units):
        if unit.category not in declared:
            report(("units", ui), Severity.ERROR, "check.unit_category", name=unit.name,
                   category=unit.category or "-", categories="、".join(declared))
    for si, section in enumerate(scheme.sections):
        nodes: list[tuple[P, object]] = [(("sections", si), section)]
        for path, item in _items_with_paths(section, ("sections", si)):
            nodes.append((path, item))
            for ci, entry in enumerate(item.criteria):
                nodes.append((path + ("criteria", ci), entry))
                if isinstance(entry, Group):
                    nodes += [(path + ("criteria", ci, "criteria", gi), c) for gi, c in enumerate(entry.criteria)]
        for path, node in nodes:
            for category in getattr(node, "categories", None) or []:
                if category not in declared:
                    report(path + ("categories",), Severity.ERROR, "check.undeclared_category",
                           category=category, categories="、".join(declared))


def _tasks(loaded: LoadedScheme, si: int, report) -> None:  # type: ignore[no-untyped-def]
    """Each unit's own task list (with the common items) adds up to the section's points."""
    section = loaded.scheme.sections[si]
    if section.tasks is None:
        return
    units = loaded.scheme.unit_names()
    common = sum((i.points or ZERO for i in section.items), ZERO)
    for unit, items in section.tasks.items():
        path: P = ("sections", si, "tasks", unit)
        if units and unit not in units:
            report(path, Severity.ERROR, "check.task_unit", unit=unit)
        total = common + sum((i.points or ZERO for i in items), ZERO)
        if section.points is not None and total != section.points:
            report(path, Severity.ERROR, "check.tasks_sum", unit=unit, id=section.id, total=fmt(total),
                   points=fmt(section.points))
    for unit in units:
        if unit not in section.tasks:
            report(("sections", si, "tasks"), Severity.ERROR, "check.tasks_missing", unit=unit, id=section.id)


def _full_and_scored(node: Section | Item, path: P, scored: list[str], report) -> None:  # type: ignore[no-untyped-def]
    """A node that starts at its points (base: full) and adds parts that earn points, capped at
    those points: what the parts earn is taken away again by the cap, and the node can lose
    only by deductions. Written so, a section over items of their own points never loses a
    point (base: full on both the section and its item)."""
    if node.base != "full" or not scored or (node.cap is not None and node.points is not None and node.cap > node.points):
        return
    shown = "、".join(scored[:3]) + ("…" if len(scored) > 3 else "")
    report(path + ("base",), Severity.WARNING, "check.full_and_scored", id=node.id, parts=shown)


def _check_item(item: Item, ipath: P, report) -> None:  # type: ignore[no-untyped-def]
    """An item's criteria (and groups) add up to its points, can reach them, and are numbered."""
    _check_parts(item, ipath, item.criteria, report)
    _full_and_scored(item, ipath, [c.id for c in item.criteria if any(  # a group of deductions earns nothing
        m.effect == "score" for m in (c.criteria if isinstance(c, Group) else [c]))], report)
    position = 0
    for ci, entry in enumerate(item.criteria):
        members = [(ipath + ("criteria", ci), entry)] if isinstance(entry, Criterion) else [
            (ipath + ("criteria", ci, "criteria", gi), c) for gi, c in enumerate(entry.criteria)]
        if isinstance(entry, Group):
            _check_parts(entry, ipath + ("criteria", ci), entry.criteria, report)
        for cpath, criterion in members:
            position += 1
            expected = f"{item.id}.{position}"
            if criterion.id != expected:
                report(cpath + ("id",), Severity.WARNING, "check.criterion_numbering", id=criterion.id,
                       expected=expected)


def _best(entry: Criterion | Group, path: P, report) -> Decimal | None:  # type: ignore[no-untyped-def]
    """The most a part can give (None: no bound of its own); a criterion is checked on the way."""
    if isinstance(entry, Criterion):
        return _check_criterion(entry, path, report)
    reachable: Decimal | None = ZERO
    for gi, criterion in enumerate(entry.criteria):
        best = _best(criterion, path + ("criteria", gi), report)
        if criterion.effect == "score":
            reachable = None if reachable is None or best is None else reachable + best
    limit = entry.limit
    if reachable is None:
        return limit
    return reachable if limit is None else min(reachable, limit)


def _check_parts(node: Item | Group, path: P, parts: list, report) -> None:  # type: ignore[no-untyped-def, type-arg]
    earning = [c for c in parts if not isinstance(c, Criterion) or c.effect == "score"]
    stated = [c.points for c in earning if c.points is not None]
    if node.points is not None and earning and len(stated) == len(earning) and node.base == "earned":
        total = sum(stated, ZERO)
        if total != node.points and not any(c.categories for c in earning):
            report(path + ("points",), Severity.ERROR, "check.criteria_sum",
                   id=node.id, total=fmt(total), points=fmt(node.points))
    reachable: Decimal | None = ZERO
    for ci, entry in enumerate(parts):
        best = _best(entry, path + ("criteria", ci), report) if isinstance(entry, Criterion) else (
            entry.points if entry.points is not None else entry.limit)
        if isinstance(entry, Group) or entry.effect == "score":
            reachable = None if reachable is None or best is None else reachable + best
    limit = node.limit
    if limit is not None and node.base == "earned" and earning and reachable is not None and reachable < limit:
        report(path + ("points",), Severity.WARNING, "check.item_unreachable",
               id=node.id, best=fmt(reachable), points=fmt(limit))


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
    for fi, flag in enumerate(scheme.flags):
        nodes.append((flag.id, ("flags", fi, "id")))
    for si, s in enumerate(scheme.sections):
        nodes.append((s.id, ("sections", si, "id")))
        for ipath, i in _items_with_paths(s, ("sections", si)):
            nodes.append((i.id, ipath + ("id",)))
            for ci, entry in enumerate(i.criteria):
                members = [(ipath + ("criteria", ci), entry)] if isinstance(entry, Criterion) else [
                    (ipath + ("criteria", ci, "criteria", gi), c) for gi, c in enumerate(entry.criteria)]
                if isinstance(entry, Group):
                    nodes.append((entry.id, ipath + ("criteria", ci, "id")))
                for cpath, c in members:
                    nodes.append((c.id, cpath + ("id",)))
                    nodes.extend((spec.id, cpath + ("rule",)) for spec in c.inputs() if spec.id != c.id)
    for ii, decl in enumerate(scheme.inputs):
        nodes.append((decl.id, ("inputs", ii, "id")))
        nodes.extend((f"{decl.id}.{label}", ("inputs", ii, "each", li)) for li, label in enumerate(decl.each or []))
    for vi, value in enumerate(scheme.values):
        nodes.append((value.id, ("values", vi, "id")))
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

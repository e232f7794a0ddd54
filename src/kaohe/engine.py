"""The engine: scheme + evidence -> results with a full trace. Pure: no I/O, no printing.

Points are Decimals from end to end. Caps apply at criterion, item and section level; a
bonus section adds outside the base. Rounding happens only where the scheme states it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kaohe.errors import Location
from kaohe.evidence import Evidence
from kaohe.numbers import ZERO, round_half_up
from kaohe.rules.base import Outcome, Step, parse_value, step
from kaohe.scheme.models import Criterion, Item, Scheme, Section


@dataclass(frozen=True, slots=True)
class InputResult:
    id: str
    value: object
    raw: object
    location: Location | None
    """None when the value was missing or defaulted."""
    status: str  # "given" | "default" | "missing"
    note: str = ""


@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: Criterion
    inputs: tuple[InputResult, ...]
    points: Decimal
    steps: tuple[Step, ...]

    @property
    def missing(self) -> bool:
        return any(i.status == "missing" for i in self.inputs)


@dataclass(frozen=True, slots=True)
class NodeResult:
    """An item or section: the sum of its parts, and the cap if it bit."""

    id: str
    raw: Decimal
    points: Decimal
    capped_at: Decimal | None


@dataclass(frozen=True, slots=True)
class UnitResult:
    unit: str
    criteria: tuple[CriterionResult, ...]
    items: dict[str, NodeResult]
    sections: dict[str, NodeResult]
    base: Decimal
    bonus: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class Missing:
    unit: str
    input_id: str


@dataclass(frozen=True, slots=True)
class Results:
    units: tuple[UnitResult, ...]
    missing: tuple[Missing, ...]


def score(scheme: Scheme, evidence: Evidence) -> Results:
    """Score every unit the scheme lists (or, if it lists none, every unit in the evidence)."""
    names = scheme.unit_names() or list(evidence.units)
    units = tuple(score_unit(scheme, name, evidence) for name in names)
    missing = tuple(
        Missing(u.unit, i.id) for u in units for c in u.criteria for i in c.inputs if i.status == "missing"
    )
    return Results(units, missing)


def score_unit(scheme: Scheme, unit: str, evidence: Evidence) -> UnitResult:
    rounding = scheme.rounding
    criteria: list[CriterionResult] = []
    items: dict[str, NodeResult] = {}
    sections: dict[str, NodeResult] = {}
    base = bonus = ZERO
    for section in scheme.sections:
        section_raw = ZERO
        for item in section.items:
            results = [score_criterion(c, unit, evidence, scheme) for c in item.criteria]
            criteria.extend(results)
            items[item.id] = _node(item, sum((r.points for r in results), ZERO), "item", scheme)
            section_raw += items[item.id].points
        sections[section.id] = _node(section, section_raw, "section", scheme)
        if section.kind == "bonus":
            bonus += sections[section.id].points
        else:
            base += sections[section.id].points
    total = base + bonus
    if rounding is not None and rounding.stage == "total":
        total = round_half_up(total, rounding.places)
    return UnitResult(unit, tuple(criteria), items, sections, base, bonus, total)


def _node(node: Item | Section, raw: Decimal, stage: str, scheme: Scheme) -> NodeResult:
    points, capped = raw, None
    if raw > node.limit:
        points, capped = node.limit, node.limit
    if scheme.rounding is not None and scheme.rounding.stage == stage:
        points = round_half_up(points, scheme.rounding.places)
    return NodeResult(node.id, raw, points, capped)


def score_criterion(criterion: Criterion, unit: str, evidence: Evidence, scheme: Scheme) -> CriterionResult:
    inputs: list[InputResult] = []
    values: dict[str, object] = {}
    for spec in criterion.inputs():
        found = evidence.values.get((unit, spec.id))
        if found is not None:
            inputs.append(InputResult(spec.id, found.value, found.raw, found.location, "given", found.note))
            values[spec.id] = found.value
        elif criterion.default is not None:
            value = parse_value(spec, criterion.default)
            inputs.append(InputResult(spec.id, value, criterion.default, None, "default"))
            values[spec.id] = value
        else:
            inputs.append(InputResult(spec.id, None, None, None, "missing"))
    if len(values) < len(inputs):
        return CriterionResult(criterion, tuple(inputs), ZERO, (step("step.missing"),))
    outcome: Outcome = criterion.rule.evaluate(criterion.id, values, criterion.points)
    points, steps = outcome.points, list(outcome.steps)
    if criterion.points is not None and points > criterion.points:
        points = criterion.points
        steps.append(step("step.criterion_cap", points=criterion.points))
    if scheme.rounding is not None and scheme.rounding.stage == "criterion":
        points = round_half_up(points, scheme.rounding.places)
    return CriterionResult(criterion, tuple(inputs), points, tuple(steps))

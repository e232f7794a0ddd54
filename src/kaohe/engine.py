"""The engine: scheme + evidence -> results with a full trace. Pure: no I/O, no printing.

Points are Decimals from end to end. A node (item or section) adds up its parts as

    core   = min(start + Σ score, cap)          start: 0, or the node's points (base: full)
    core   = max(core − min(Σ deduct, deduct_limit), 0)
    result = core + min(Σ bonus, bonus_cap)

Deductions and bonuses a node does not limit itself pass up to its parent. Rounding happens
only where the scheme states it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple

from kaohe.errors import Location
from kaohe.evidence import Evidence, Value
from kaohe.numbers import ZERO, round_half_up
from kaohe.rules.base import Outcome, Step, ValueType, parse_value, step
from kaohe.scheme.models import Criterion, Item, Periods, Scheme, Section, applies


class InputResult(NamedTuple):
    id: str
    value: object
    raw: object
    status: str  # "given" | "default" | "missing"
    source: Value | None = None
    """The evidence value, when one was given."""

    @property
    def location(self) -> Location | None:
        """Where the value was read; None when it was missing or defaulted."""
        return self.source.location if self.source is not None and self.source.locate is not None else None

    @property
    def note(self) -> str:
        return self.source.note if self.source is not None else ""


@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: Criterion
    inputs: tuple[InputResult, ...]
    points: Decimal
    steps: tuple[Step, ...]
    period: str | None = None

    @property
    def missing(self) -> bool:
        return any(i.status == "missing" for i in self.inputs)


@dataclass(frozen=True, slots=True)
class NodeResult:
    """An item or a section: what its parts added up to, and which limits bit."""

    id: str
    raw: Decimal
    """start + Σ score, before the cap."""
    points: Decimal
    """The node's result."""
    capped_at: Decimal | None = None
    deducted: Decimal = ZERO
    bonus: Decimal = ZERO
    falsified: bool = False


@dataclass(frozen=True, slots=True)
class UnitResult:
    unit: str
    criteria: tuple[CriterionResult, ...]
    items: dict[str, NodeResult]
    sections: dict[str, NodeResult]
    base: Decimal
    bonus: Decimal
    total: Decimal
    deduction: Decimal = ZERO
    category: str | None = None
    vetoed: tuple[str, ...] = ()
    falsified: tuple[str, ...] = ()
    unmet: tuple[str, ...] = ()
    """Prerequisites (申报必备条件) not met."""
    periods: tuple[tuple[str, UnitResult], ...] = ()
    """For schemes scored per period: each period's own result; this one combines them."""

    @property
    def barred(self) -> bool:
        """Vetoed, falsified or short of a prerequisite: keeps its score, takes no award."""
        return bool(self.vetoed or self.falsified or self.unmet)


@dataclass(frozen=True, slots=True)
class Missing:
    unit: str
    input_id: str
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Results:
    units: tuple[UnitResult, ...]
    missing: tuple[Missing, ...]


def score(scheme: Scheme, evidence: Evidence) -> Results:
    """Score every unit the scheme lists (or, if it lists none, every unit in the evidence)."""
    names = scheme.unit_names() or list(evidence.units)
    if scheme.periods is None or scheme.periods.source == "files":
        units = tuple(score_unit(scheme, name, evidence) for name in names)
    else:
        units = tuple(_score_periods(scheme, name, evidence) for name in names)
    missing = tuple(
        Missing(u.unit, i.id, c.period) for u in units for c in u.criteria for i in c.inputs if i.status == "missing"
    )
    return Results(units, missing)


def combine_periods(periods: Periods, values: list[tuple[str, Decimal]]) -> Decimal:
    """The year from its periods: mean (Σ ÷ n, dividing once), sum, or weighted Σ w × v."""
    if periods.combine == "weighted":
        weights = periods.weights or {}
        return sum((weights[name] * v for name, v in values), ZERO)
    total = sum((v for _, v in values), ZERO)
    return total if periods.combine == "sum" else total / len(periods.names)


def _score_periods(scheme: Scheme, unit: str, evidence: Evidence) -> UnitResult:
    """Each period scored on its own evidence, then combined as the scheme says (mean, sum, weights)."""
    assert scheme.periods is not None
    periods = scheme.periods
    per = [(name, score_unit(scheme, unit, evidence.periods.get(name) or Evidence())) for name in periods.names]

    def total(get) -> Decimal:  # type: ignore[no-untyped-def]
        return combine_periods(periods, [(name, get(r)) for name, r in per])

    def node_total(kind: str, node_id: str, field: str) -> Decimal:
        return combine_periods(periods, [(name, getattr(getattr(r, kind)[node_id], field) if node_id in getattr(r, kind)
                                         else ZERO) for name, r in per])

    def nodes(kind: str) -> dict[str, NodeResult]:
        ids = dict.fromkeys(i for _, r in per for i in getattr(r, kind))
        return {i: NodeResult(i, node_total(kind, i, "raw"), node_total(kind, i, "points")) for i in ids}

    combined = total(lambda r: r.total)
    if scheme.rounding is not None and scheme.rounding.stage == "total":
        combined = round_half_up(combined, scheme.rounding.places)
    criteria = tuple(replace(c, period=name) for name, r in per for c in r.criteria)
    first = per[0][1]
    return UnitResult(unit, criteria, nodes("items"), nodes("sections"), total(lambda r: r.base),
                      total(lambda r: r.bonus), combined, total(lambda r: r.deduction), first.category,
                      tuple(dict.fromkeys(f for _, r in per for f in r.vetoed)),
                      tuple(dict.fromkeys(f for _, r in per for f in r.falsified)),
                      tuple(dict.fromkeys(f for _, r in per for f in r.unmet)), tuple(per))


@dataclass
class _Sums:
    score: Decimal = ZERO
    deduct: Decimal = ZERO
    bonus: Decimal = ZERO

    def add(self, effect: str, points: Decimal) -> None:
        setattr(self, effect, getattr(self, effect) + points)


@dataclass
class _Flags:
    vetoed: list[str] = field(default_factory=list)
    falsified: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)


def _flags(scheme: Scheme, unit: str, evidence: Evidence) -> _Flags:
    found = _Flags()
    for flag in scheme.flags:
        value = evidence.values.get((unit, flag.id))
        given = value.value if value is not None else None
        if flag.kind == "veto" and given is True:
            found.vetoed.append(flag.id)
        elif flag.kind == "falsification" and given:
            found.falsified.extend(given)  # type: ignore[arg-type]
        elif flag.kind == "prerequisite" and given is not True:
            found.unmet.append(flag.id)
    return found


def score_unit(scheme: Scheme, unit: str, evidence: Evidence) -> UnitResult:
    category = scheme.category_of(unit)
    flags = _flags(scheme, unit, evidence)
    criteria: list[CriterionResult] = []
    items: dict[str, NodeResult] = {}
    sections: dict[str, NodeResult] = {}
    totals = {"base": ZERO, "bonus": ZERO, "deduction": ZERO}
    for section in scheme.sections:
        if not applies(section, category):
            continue
        sums = _Sums()
        for item in section.items_for(unit):
            if not applies(item, category):
                continue
            item_sums = _Sums()
            for criterion in item.criteria:
                if not applies(criterion, category):
                    continue
                result = score_criterion(criterion, unit, evidence, scheme)
                criteria.append(result)
                item_sums.add(criterion.effect, result.points)
            node, passed = _aggregate(item, item_sums, scheme, "item", item.id in flags.falsified, passes_up=True)
            items[item.id] = node
            sums.score += node.points - node.bonus
            sums.deduct += passed.deduct
            sums.bonus += node.bonus + passed.bonus
        node, _ = _aggregate(section, sums, scheme, "section", False, passes_up=False)
        sections[section.id] = node
        if section.counted:
            totals[section.kind] += _contribution(section, node.points, scheme, category)
    total = totals["base"] + totals["bonus"] - totals["deduction"]
    if scheme.rounding is not None and scheme.rounding.stage == "total":
        total = round_half_up(total, scheme.rounding.places)
    return UnitResult(unit, tuple(criteria), items, sections, totals["base"], totals["bonus"], total,
                      totals["deduction"], category, tuple(flags.vetoed), tuple(flags.falsified), tuple(flags.unmet))


def _aggregate(node: Item | Section, sums: _Sums, scheme: Scheme, stage: str, falsified: bool, *,
               passes_up: bool) -> tuple[NodeResult, _Sums]:
    """The node's result, and (for an item) the deductions and bonuses it leaves to its section."""
    start = node.points if node.base == "full" and node.points is not None else ZERO
    raw = start + sums.score
    core, capped = raw, None
    if node.limit is not None and raw > node.limit:
        core, capped = node.limit, node.limit
    passed = _Sums()
    deducted = ZERO
    if node.deductible is not None:
        deducted = min(sums.deduct, node.deductible)
    elif passes_up:
        passed.deduct = sums.deduct
    else:
        deducted = sums.deduct
    core = max(core - deducted, ZERO)
    bonus = sums.bonus
    if node.bonus_cap is not None:
        bonus = min(bonus, node.bonus_cap)
    elif passes_up and node.points is None:
        passed.bonus, bonus = bonus, ZERO
    points = core + bonus
    if falsified:
        points, bonus = ZERO, ZERO
    if scheme.rounding is not None and scheme.rounding.stage == stage:
        points = round_half_up(points, scheme.rounding.places)
    return NodeResult(node.id, raw, points, capped, deducted, bonus, falsified), passed


def _contribution(section: Section, points: Decimal, scheme: Scheme, category: str | None) -> Decimal:
    """A weighted section counts result ÷ points × weight × full score; others count as they are."""
    if section.weight is None or not section.points:
        return points
    full = scheme.full_score_for(category) or ZERO
    return points / section.points * section.weight * full


def score_criterion(criterion: Criterion, unit: str, evidence: Evidence, scheme: Scheme) -> CriterionResult:
    inputs: list[InputResult] = []
    values: dict[str, object] = {}
    for spec in criterion.inputs():
        found = evidence.values.get((unit, spec.id))
        if found is not None:
            inputs.append(InputResult(spec.id, found.value, found.raw, "given", found))
            values[spec.id] = found.value
        elif spec.type is ValueType.EVENTS and spec.row_value is ValueType.COUNT:
            inputs.append(InputResult(spec.id, [], None, "given"))  # no events reported: none happened
            values[spec.id] = []
        elif criterion.default is not None:
            value = parse_value(spec, criterion.default)
            inputs.append(InputResult(spec.id, value, criterion.default, "default"))
            values[spec.id] = value
        else:
            inputs.append(InputResult(spec.id, None, None, "missing"))
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

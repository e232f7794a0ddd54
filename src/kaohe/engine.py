"""The engine: scheme + evidence -> results with a full trace. Pure: no I/O, no printing.

Points are Decimals from end to end. A node (item or section) adds up its parts as

    core   = min(start + Σ score, cap)          start: 0, or the node's points (base: full)
    core   = max(core − min(Σ deduct, deduct_limit), 0)
    result = core + min(Σ bonus, bonus_cap)

Deductions and bonuses a node does not limit itself pass up to its parent. Rounding happens
only where the scheme states it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterator, Mapping, NamedTuple

from kaohe.bulk import collector_paused
from kaohe.errors import Location
from kaohe.evidence import Evidence, Value, ValueTable
from kaohe.numbers import ZERO, div, exact_arithmetic, round_half_up
from kaohe.rules.base import InputSpec, Step, ValueType, parse_value, step
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


class CriterionResult(NamedTuple):
    criterion: Criterion
    sources: object
    """Per input: the evidence Value, or NO_EVENTS, DEFAULTED or MISSING; a tuple of them when the
    criterion has several inputs, the one source itself when it has one (a large run holds
    millions of these: `inputs` describes them in full when asked)."""
    points: Decimal
    steps: tuple[Step, ...]
    period: str | None = None

    @property
    def inputs(self) -> tuple[InputResult, ...]:
        return tuple(_input_result(self.criterion, spec, source)
                     for spec, source in zip(self.criterion.inputs(), self.source_list, strict=True))

    @property
    def source_list(self) -> tuple[object, ...]:
        return self.sources if type(self.sources) is tuple else (self.sources,)

    @property
    def missing(self) -> bool:
        return any(source is MISSING for source in self.source_list)


NO_EVENTS, DEFAULTED, MISSING = "no events", "default", "missing"


def _input_result(criterion: Criterion, spec: InputSpec, source: object) -> InputResult:
    if isinstance(source, Value):
        return InputResult(spec.id, source.value, source.raw, "given", source)
    if source is NO_EVENTS:  # no events reported: none happened
        return InputResult(spec.id, [], None, "given")
    if source is DEFAULTED:
        return InputResult(spec.id, parse_value(spec, criterion.default), criterion.default, "default")
    return InputResult(spec.id, None, None, "missing")


class NodeResult(NamedTuple):
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


class NodeMap(Mapping[str, NodeResult]):
    """Id -> result of a unit's items (or sections): a read-only mapping over a tuple, with the
    id -> position index shared by every unit of the same layout (a dict per unit would cost
    over a kilobyte each in a run of a hundred thousand units)."""

    __slots__ = ("_index", "_nodes")

    def __init__(self, index: dict[str, int], nodes: tuple[NodeResult, ...]):
        self._index = index
        self._nodes = nodes

    @classmethod
    def of(cls, nodes: dict[str, NodeResult]) -> NodeMap:
        return cls({k: i for i, k in enumerate(nodes)}, tuple(nodes.values()))

    def __getitem__(self, key: str) -> NodeResult:
        return self._nodes[self._index[key]]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"NodeMap({dict(self.items())!r})"


@dataclass(frozen=True, slots=True)
class UnitResult:
    unit: str
    criteria: tuple[CriterionResult, ...]
    items: Mapping[str, NodeResult]
    sections: Mapping[str, NodeResult]
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


@exact_arithmetic
def score(scheme: Scheme, evidence: Evidence) -> Results:
    """Score every unit the scheme lists (or, if it lists none, every unit in the evidence)."""
    names = scheme.unit_names() or list(evidence.units)
    evidence = _tabled(evidence)
    with collector_paused():
        if scheme.periods is None or scheme.periods.source == "files":
            units = tuple(score_unit(scheme, name, evidence) for name in names)
        else:
            units = tuple(_score_periods(scheme, name, evidence) for name in names)
    missing = tuple(
        Missing(u.unit, spec.id, c.period) for u in units for c in u.criteria if c.missing
        for spec, source in zip(c.criterion.inputs(), c.source_list, strict=True) if source is MISSING
    )
    return Results(units, missing)


def combine_periods(periods: Periods, values: list[tuple[str, Decimal]]) -> Decimal:
    """The year from its periods: mean (Σ ÷ n, dividing once), sum, or weighted Σ w × v."""
    if periods.combine == "weighted":
        weights = periods.weights or {}
        return sum((weights[name] * v for name, v in values), ZERO)
    total = sum((v for _, v in values), ZERO)
    return total if periods.combine == "sum" else div(total, len(periods.names))


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

    def nodes(kind: str) -> NodeMap:
        ids = dict.fromkeys(i for _, r in per for i in getattr(r, kind))
        return NodeMap.of({i: NodeResult(i, node_total(kind, i, "raw"), node_total(kind, i, "points")) for i in ids})

    combined = total(lambda r: r.total)
    if scheme.rounding is not None and scheme.rounding.stage == "total":
        combined = round_half_up(combined, scheme.rounding.places)
    criteria = tuple(c._replace(period=name) for name, r in per for c in r.criteria)
    first = per[0][1]
    return UnitResult(unit, criteria, nodes("items"), nodes("sections"), total(lambda r: r.base),
                      total(lambda r: r.bonus), combined, total(lambda r: r.deduction), first.category,
                      tuple(dict.fromkeys(f for _, r in per for f in r.vetoed)),
                      tuple(dict.fromkeys(f for _, r in per for f in r.falsified)),
                      tuple(dict.fromkeys(f for _, r in per for f in r.unmet)), tuple(per))


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


class _Limits(NamedTuple):
    """A node's adding-up constants, read once from the scheme."""

    start: Decimal
    limit: Decimal | None
    deductible: Decimal | None
    bonus_cap: Decimal | None
    has_points: bool
    seen: dict[tuple[Decimal, Decimal, Decimal, bool], tuple[NodeResult, Decimal, Decimal]]
    """Results by what the parts added up to: most units' items come out the same, and one shared
    result (not one per unit) keeps a large run's memory down."""


class _Planned(NamedTuple):
    """A criterion with what scoring it needs, resolved once."""

    criterion: Criterion
    specs: tuple[InputSpec, ...]
    defaults: tuple[object, ...]
    """Each input's default as a typed value (_NO_DEFAULT where there is none)."""
    effect: str
    seen: dict[tuple[object, ...], tuple[Decimal, tuple[Step, ...]]]
    """Outcomes by input values: a rule is a pure function of them, and most units give one of a
    few values (是/否, 0–6 times, full marks), so each distinct outcome is worked out once."""


MEMO_LIMIT = 1024
"""The most distinct input values remembered per criterion."""
_MEMO_TYPES = frozenset({Decimal, int, bool, str})


_NO_DEFAULT = object()


def _limits(node: Item | Section) -> _Limits:
    start = node.points if node.base == "full" and node.points is not None else ZERO
    return _Limits(start, node.limit, node.deductible, node.bonus_cap, node.points is not None, {})


def _planned(criterion: Criterion) -> _Planned:
    specs = tuple(criterion.inputs())
    defaults = tuple(_NO_DEFAULT if criterion.default is None else parse_value(spec, criterion.default)
                     for spec in specs)
    return _Planned(criterion, specs, defaults, criterion.effect, {})


Layout = list[tuple[Section, _Limits, list[tuple[Item, _Limits, list[_Planned]]]]]


def _layout(scheme: Scheme, category: str | None, unit: str) -> tuple[Layout, dict[str, int], dict[str, int]]:
    """The sections, items and criteria that apply to a unit, resolved once per category (and per
    unit only where a section carries per-unit task lists), with the id -> position of its items
    and sections in the order they are scored."""
    cache: dict[tuple[str | None, str | None], tuple[Layout, dict[str, int], dict[str, int]]] = \
        scheme.__dict__.setdefault("_engine_layouts", {})
    key = (category, unit if any(s.tasks for s in scheme.sections) else None)
    found = cache.get(key)
    if found is None:
        layout = [(section, _limits(section),
                   [(item, _limits(item), [_planned(c) for c in item.criteria if applies(c, category)])
                    for item in section.items_for(unit) if applies(item, category)])
                  for section in scheme.sections if applies(section, category)]
        item_ids = [item.id for _, _, items in layout for item, _, _ in items]
        section_ids = [section.id for section, _, _ in layout]
        # the last of a repeated id wins, at its first place: as a dict filled in order would do
        found = (layout, {i: n for n, i in enumerate(item_ids)}, {i: n for n, i in enumerate(section_ids)})
        cache[key] = found
    return found


def _category_of(scheme: Scheme, unit: str) -> str | None:
    categories: dict[str, str | None] | None = scheme.__dict__.get("_engine_categories")
    if categories is None:
        categories = {}
        for u in scheme.units:
            categories.setdefault(u.name, u.category)
        scheme.__dict__["_engine_categories"] = categories
    return categories.get(unit)


def score_unit(scheme: Scheme, unit: str, evidence: Evidence) -> UnitResult:
    category = _category_of(scheme, unit)
    flags = _flags(scheme, unit, evidence)
    criteria: list[CriterionResult] = []
    layout, item_index, section_index = _layout(scheme, category, unit)
    own = _values_of(evidence, unit)
    items: list[NodeResult] = []
    sections: list[NodeResult] = []
    totals = {"base": ZERO, "bonus": ZERO, "deduction": ZERO}
    stage = scheme.rounding.stage if scheme.rounding is not None else None
    places = scheme.rounding.places if scheme.rounding is not None else 0
    falsified = flags.falsified
    for section, section_limits, item_plans in layout:
        s_score = s_deduct = s_bonus = ZERO
        for item, item_limits, plans in item_plans:
            i_score = i_deduct = i_bonus = ZERO
            for plan in plans:
                result = _score_planned(plan, own, stage, places)
                criteria.append(result)
                if plan.effect == "score":
                    i_score += result.points
                elif plan.effect == "deduct":
                    i_deduct += result.points
                else:
                    i_bonus += result.points
            node, passed_deduct, passed_bonus = _aggregate(
                item.id, item_limits, i_score, i_deduct, i_bonus, stage == "item", places,
                bool(falsified) and item.id in falsified, passes_up=True)
            items.append(node)
            s_score += node.points - node.bonus
            s_deduct += passed_deduct
            s_bonus += node.bonus + passed_bonus
        node, _, _ = _aggregate(section.id, section_limits, s_score, s_deduct, s_bonus, stage == "section", places,
                                False, passes_up=False)
        sections.append(node)
        if section.counted:
            totals[section.kind] += _contribution(section, node.points, scheme, category)
    total = totals["base"] + totals["bonus"] - totals["deduction"]
    if stage == "total":
        total = round_half_up(total, places)
    return UnitResult(unit, tuple(criteria), NodeMap(item_index, tuple(items)), NodeMap(section_index, tuple(sections)),
                      totals["base"], totals["bonus"], total,
                      totals["deduction"], category, tuple(flags.vetoed), tuple(flags.falsified), tuple(flags.unmet))


def _aggregate(node_id: str, limits: _Limits, score: Decimal, deduct: Decimal, bonus: Decimal, rounded: bool,
               places: int, falsified: bool, *, passes_up: bool) -> tuple[NodeResult, Decimal, Decimal]:
    """The node's result, and (for an item) the deductions and bonuses it leaves to its section."""
    key = (score, deduct, bonus, falsified)
    known = limits.seen.get(key)
    if known is not None:
        return known
    raw = limits.start + score
    core, capped = raw, None
    if limits.limit is not None and raw > limits.limit:
        core, capped = limits.limit, limits.limit
    passed_deduct = passed_bonus = ZERO
    deducted = ZERO
    if limits.deductible is not None:
        deducted = min(deduct, limits.deductible)
    elif passes_up:
        passed_deduct = deduct
    else:
        deducted = deduct
    core = max(core - deducted, ZERO)
    if limits.bonus_cap is not None:
        bonus = min(bonus, limits.bonus_cap)
    elif passes_up and not limits.has_points:
        passed_bonus, bonus = bonus, ZERO
    points = core + bonus
    if falsified:
        points, bonus = ZERO, ZERO
    if rounded:
        points = round_half_up(points, places)
    result = NodeResult(node_id, raw, points, capped, deducted, bonus, falsified), passed_deduct, passed_bonus
    if len(limits.seen) < MEMO_LIMIT:
        limits.seen[key] = result
    return result


def _contribution(section: Section, points: Decimal, scheme: Scheme, category: str | None) -> Decimal:
    """A weighted section counts result ÷ points × weight × full score; others count as they are."""
    if section.weight is None or not section.points:
        return points
    full = scheme.full_score_for(category) or ZERO
    return div(points * section.weight * full, section.points)


@exact_arithmetic
def score_criterion(criterion: Criterion, unit: str, evidence: Evidence, scheme: Scheme) -> CriterionResult:
    rounding = scheme.rounding
    return _score_planned(_planned(criterion), _values_of(evidence, unit),
                          rounding.stage if rounding is not None else None, rounding.places if rounding is not None else 0)


def _tabled(evidence: Evidence) -> Evidence:
    """Evidence whose values (and periods' values) are ValueTables: by unit in one lookup."""
    if isinstance(evidence.values, ValueTable) and all(isinstance(p.values, ValueTable)
                                                       for p in evidence.periods.values()):
        return evidence
    table = ValueTable()
    table.update(evidence.values)
    return Evidence(table, evidence.units, evidence.files, evidence.problems, evidence.self_values,
                    {name: _tabled(p) for name, p in evidence.periods.items()})


def _values_of(evidence: Evidence, unit: str) -> Mapping[str, Value]:
    """The unit's values by input id (from a plain (unit, id) dict too, as tests and diffs build)."""
    table = evidence.values
    if isinstance(table, ValueTable):
        return table.unit(unit)
    return {input_id: value for (name, input_id), value in table.items() if name == unit}


def _score_planned(plan: _Planned, own: Mapping[str, Value], stage: str | None, places: int) -> CriterionResult:
    """`own`: the unit's values by input id."""
    criterion = plan.criterion
    sources: list[object] = []
    values: dict[str, object] = {}
    for spec, default in zip(plan.specs, plan.defaults, strict=True):
        found = own.get(spec.id)
        if found is not None:
            sources.append(found)
            values[spec.id] = found.value
        elif spec.type is ValueType.EVENTS and spec.row_value is ValueType.COUNT:
            sources.append(NO_EVENTS)
            values[spec.id] = []
        elif default is not _NO_DEFAULT:
            sources.append(DEFAULTED)
            values[spec.id] = default
        else:
            sources.append(MISSING)
    held = sources[0] if len(sources) == 1 else tuple(sources)
    if len(values) < len(sources):
        return CriterionResult(criterion, held, ZERO, (step("step.missing"),))
    key = tuple(values.values())
    memo = plan.seen if all(v.__class__ in _MEMO_TYPES for v in key) else None
    known = memo.get(key) if memo is not None else None
    if known is not None:
        return CriterionResult(criterion, held, known[0], known[1])
    points, steps = criterion.rule.evaluate(criterion.id, values, criterion.points)
    if criterion.points is not None and points > criterion.points:
        points = criterion.points
        steps = (*steps, step("step.criterion_cap", points=criterion.points))
    if stage == "criterion":
        points = round_half_up(points, places)
    if memo is not None and len(memo) < MEMO_LIMIT:
        memo[key] = (points, steps)
    return CriterionResult(criterion, held, points, steps)

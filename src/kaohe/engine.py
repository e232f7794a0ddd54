"""The engine: scheme + evidence -> results with a full trace. Pure: no I/O, no printing.

Points are exact from end to end (kaohe.numbers). A node (group, item or section) adds up its
parts as

    core   = min(start + Σ score, cap)          start: 0, or the node's points (base: full)
    core   = max(core − min(Σ deduct, deduct_limit), 0)
    core   = core × points ÷ (points − not applicable)       only with `normalise`
    result = core + min(Σ bonus, bonus_cap)

Deductions and bonuses a node does not limit itself pass up to its parent, and so do the points
of parts that do not apply (不适用) unless the node normalises. Rounding happens only where the
scheme states it.

Scoring runs in three steps: each unit's named values (kaohe.values) are looked up as its rules
and flags ask for them; the rules that score a unit against the others (relative, place) get the
values of every unit of their group first; then every unit is scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterator, Mapping, NamedTuple

from kaohe.bulk import collector_paused
from kaohe.errors import Location, Problem
from kaohe.evidence import Evidence, Value, ValueTable
from kaohe.i18n import t
from kaohe.numbers import ZERO, Exact, div, exact_arithmetic, is_whole, round_half_up
from kaohe.rules.base import NOT_APPLICABLE, PEERS, InputSpec, PeerStats, Step, ValueType, parse_value, step
from kaohe.scheme.models import Criterion, Group, Item, Periods, Scheme, Section, applies
from kaohe.scheme.names import uses_values
from kaohe.values import Computed, UnitValues


class InputResult(NamedTuple):
    id: str
    value: object
    raw: object
    status: str  # "given" | "default" | "computed" | "missing"
    source: object = None
    """The evidence Value, or the Computed value the input is bound to."""

    @property
    def location(self) -> Location | None:
        """Where the value was read; None when it was missing, defaulted or computed."""
        source = self.source
        return source.location if isinstance(source, Value) and source.locate is not None else None

    @property
    def note(self) -> str:
        return self.source.note if isinstance(self.source, Value) else ""


class CriterionResult(NamedTuple):
    criterion: Criterion
    sources: object
    """Per input: the evidence Value, a Computed value, or NO_EVENTS, DEFAULTED or MISSING; a tuple
    of them when the criterion has several inputs, the one source itself when it has one (a large
    run holds millions of these: `inputs` describes them in full when asked)."""
    points: Exact
    steps: tuple[Step, ...]
    period: str | None = None
    applicable: bool = True
    """False when an input is 不适用: the criterion's points are then not among those its nodes
    could earn (应得分)."""

    @property
    def inputs(self) -> tuple[InputResult, ...]:
        return tuple(_input_result(self.criterion, spec, source)
                     for spec, source in zip(self.criterion.inputs(), self.source_list, strict=True))

    @property
    def source_list(self) -> tuple[object, ...]:
        return self.sources if type(self.sources) is tuple else (self.sources,)

    @property
    def missing(self) -> bool:
        if not self.applicable or self.sources.__class__ is Value:  # one value, given
            return False
        return any(source is MISSING or (type(source) is Computed and source.value is None)
                   for source in self.source_list)

    def missing_ids(self) -> list[str]:
        """The evidence ids whose absence left this criterion unscored."""
        found: list[str] = []
        for spec, source in zip(self.criterion.inputs(), self.source_list, strict=True):
            if source is MISSING:
                found.append(spec.id)
            elif type(source) is Computed and source.value is None:
                found.extend(source.missing)
        return list(dict.fromkeys(found))


NO_EVENTS, DEFAULTED, MISSING = "no events", "default", "missing"


def _input_result(criterion: Criterion, spec: InputSpec, source: object) -> InputResult:
    if isinstance(source, Value):
        return InputResult(spec.id, source.value, source.raw, "given", source)
    if isinstance(source, Computed):
        status = "missing" if source.value is None else "computed"
        return InputResult(spec.id, source.value, None, status, source)
    if source is NO_EVENTS:  # no events reported: none happened
        return InputResult(spec.id, [], None, "given")
    if source is DEFAULTED:
        return InputResult(spec.id, parse_value(spec, criterion.default), criterion.default, "default")
    return InputResult(spec.id, None, None, "missing")


class NodeResult(NamedTuple):
    """A group, an item or a section: what its parts added up to, and which limits bit."""

    id: str
    raw: Exact
    """start + Σ score, before the cap."""
    points: Exact
    """The node's result."""
    capped_at: Exact | None = None
    deducted: Exact = ZERO
    bonus: Exact = ZERO
    falsified: bool = False
    earned: Exact | None = None
    """实得分 before normalising over the points that apply (None when not normalised)."""
    applicable: Exact | None = None
    """应得分: the node's points less those of parts that do not apply (None when all apply)."""
    asked: Exact | None = None
    """A group's deductions before its `deduct_limit` bit ("共扣不超过2分": 2.5 asked, 2 taken)."""


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
    """Items and the groups inside them, by id."""
    sections: Mapping[str, NodeResult]
    base: Exact
    bonus: Exact
    total: Exact
    deduction: Exact = ZERO
    category: str | None = None
    vetoed: tuple[str, ...] = ()
    falsified: tuple[str, ...] = ()
    unmet: tuple[str, ...] = ()
    """Prerequisites (申报必备条件) not met."""
    periods: tuple[tuple[str, UnitResult], ...] = ()
    """For schemes scored per period: each period's own result; this one combines them."""
    undecided: tuple[str, ...] = ()
    """Flags whose condition reads a missing value (a veto is then not applied, a prerequisite
    not met): reported with the missing values."""
    flag_sources: tuple[tuple[str, Computed], ...] = ()
    """For flags set by a condition: how the condition came out, for explanations."""
    earned: Exact | None = None
    """With the scheme's `normalise_to`: the base points earned (实得分) before converting."""
    applicable: Exact | None = None
    """With the scheme's `normalise_to`: the base points that apply (应得分)."""
    conditions: tuple[tuple[str, bool | None], ...] = ()
    """Grade name → whether the unit meets the grade's `when` (None: a value it reads is missing)."""

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
    problems: tuple[Problem, ...] = ()
    """Evidence errors found while computing values (a division by zero): nothing is to be
    published from results that have any."""


@exact_arithmetic
def score(scheme: Scheme, evidence: Evidence) -> Results:
    """Score every unit the scheme lists (or, if it lists none, every unit in the evidence)."""
    names = scheme.unit_names() or list(evidence.units)
    evidence = _tabled(evidence)
    problems: list[Problem] = []
    with collector_paused():
        if scheme.periods is None or scheme.periods.source == "files":
            units = tuple(_score_all(scheme, names, evidence, problems))
        else:
            per_period = [(name, _score_all(scheme, names, evidence.periods.get(name) or Evidence(), problems))
                          for name in scheme.periods.names]
            units = tuple(_combine_unit(scheme, [(name, results[i]) for name, results in per_period])
                          for i in range(len(names)))
    missing = tuple(dict.fromkeys(
        [Missing(u.unit, input_id, c.period) for u in units for c in u.criteria if c.missing
         for input_id in c.missing_ids()]
        + [Missing(u.unit, input_id, None) for u in units for flag, source in u.flag_sources if flag in u.undecided
           for input_id in source.missing]))
    return Results(units, missing, tuple(dict.fromkeys(problems)))


def _score_all(scheme: Scheme, names: list[str], evidence: Evidence, problems: list[Problem]) -> list[UnitResult]:
    """Every unit on one body of evidence: named values, then peers, then each unit's score."""
    values: dict[str, UnitValues] = {}
    if uses_values(scheme):
        memo: dict[object, object] = {}
        values = {name: UnitValues(scheme, name, _values_of(evidence, name), memo) for name in names}
        everyone = list(values.values())
        by_category: dict[str | None, list[UnitValues]] = {}
        for unit_values in everyone:
            by_category.setdefault(_category_of(scheme, unit_values.unit), []).append(unit_values)
        for unit_values in everyone:
            same = by_category[_category_of(scheme, unit_values.unit)]
            unit_values.group = lambda among, same=same: everyone if among == "all" else same  # type: ignore[misc]
    for unit_values in values.values():
        unit_values.check()
    peers = _peers(scheme, names, evidence, values, problems)
    results = [score_unit(scheme, name, evidence, values.get(name), peers) for name in names]
    for unit_values in values.values():
        problems.extend(unit_values.problems)
    return results


def combine_periods(periods: Periods, values: list[tuple[str, Exact]]) -> Exact:
    """The year from its periods: mean (Σ ÷ n, dividing once), sum, or weighted Σ w × v."""
    if periods.combine == "weighted":
        weights = periods.weights or {}
        return sum((weights[name] * v for name, v in values), ZERO)
    total = sum((v for _, v in values), ZERO)
    return total if periods.combine == "sum" else div(total, len(periods.names))


def _combine_unit(scheme: Scheme, per: list[tuple[str, UnitResult]]) -> UnitResult:
    """Each period scored on its own evidence, combined as the scheme says (mean, sum, weights)."""
    assert scheme.periods is not None
    periods = scheme.periods

    def total(get) -> Exact:  # type: ignore[no-untyped-def]
        return combine_periods(periods, [(name, get(r)) for name, r in per])

    def node_total(kind: str, node_id: str, field: str) -> Exact:
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

    def union(get) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
        return tuple(dict.fromkeys(f for _, r in per for f in get(r)))

    conditions = {}
    for _, r in per:  # a grade's condition must hold in every period
        for name, met in r.conditions:
            conditions[name] = None if met is None or conditions.get(name, True) is None else (
                met and conditions.get(name, True))
    return UnitResult(first.unit, criteria, nodes("items"), nodes("sections"), total(lambda r: r.base),
                      total(lambda r: r.bonus), combined, total(lambda r: r.deduction), first.category,
                      union(lambda r: r.vetoed), union(lambda r: r.falsified), union(lambda r: r.unmet), tuple(per),
                      union(lambda r: r.undecided), conditions=tuple(conditions.items()))


@dataclass
class _Flags:
    vetoed: list[str] = field(default_factory=list)
    falsified: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    derived: list[tuple[str, Computed]] = field(default_factory=list)


def _flags(scheme: Scheme, own: Mapping[str, Value], values: UnitValues | None) -> _Flags:
    found = _Flags()
    for flag in scheme.flags:
        if flag.when is not None and values is not None:
            given = values.flag(flag)
            source = values.get(f"flag:{flag.id}")
            if isinstance(source, Computed):
                found.derived.append((flag.id, source))
            if given is None and isinstance(source, Computed) and source.status == "missing":
                found.undecided.append(flag.id)
        else:
            value = own.get(flag.id)
            given = value.value if value is not None else None
        if flag.kind == "veto" and given is True:
            found.vetoed.append(flag.id)
        elif flag.kind == "falsification" and given:
            found.falsified.extend(given)  # type: ignore[arg-type]
        elif flag.kind == "prerequisite" and given is not True:
            found.unmet.append(flag.id)
    return found


_NO_FLAGS = _Flags()


class _Limits(NamedTuple):
    """A node's adding-up constants, read once from the scheme."""

    start: Exact
    limit: Exact | None
    deductible: Exact | None
    bonus_cap: Exact | None
    has_points: bool
    points: Exact | None
    normalise: bool
    negative: bool
    seen: dict[tuple[object, ...], tuple[NodeResult, Exact, Exact, Exact]]
    """Results by what the parts added up to: most units' items come out the same, and one shared
    result (not one per unit) keeps a large run's memory down."""


class _Planned(NamedTuple):
    """A criterion with what scoring it needs, resolved once."""

    criterion: Criterion
    specs: tuple[InputSpec, ...]
    defaults: tuple[object, ...]
    """Each input's default as a typed value (_NO_DEFAULT where there is none)."""
    effect: str
    seen: dict[tuple[object, ...], tuple[Exact, tuple[Step, ...]]]
    """Outcomes by input values: a rule is a pure function of them, and most units give one of a
    few values (是/否, 0–6 times, full marks), so each distinct outcome is worked out once."""
    bound: tuple[str | None, ...]
    """Per input: the named value it reads (`of`), or None for the criterion's own evidence."""
    lost: Exact
    """The points that stop being earnable when the criterion does not apply."""
    peers: bool
    """Its rule scores the unit against the others (relative, place)."""
    plain: bool
    """Own evidence only, no 不适用, no peers: the fast path."""
    single: str | None
    """A plain criterion's one input id: its outcome is looked up by the one value given."""


class _GroupPlan(NamedTuple):
    group: Group
    limits: _Limits
    plans: list[_Planned]


MEMO_LIMIT = 1024
"""The most distinct input values remembered per criterion."""
_MEMO_TYPES = frozenset({Decimal, int, bool, str, PeerStats})


_NO_DEFAULT = object()


def _limits(node: Item | Section | Group) -> _Limits:
    start = node.points if node.base == "full" and node.points is not None else ZERO
    return _Limits(start, node.limit, node.deductible, node.bonus_cap, node.points is not None, node.points,
                   node.normalise, node.negative, {})


def _planned(scheme: Scheme, criterion: Criterion) -> _Planned:
    specs = tuple(scheme.specs(criterion))
    defaults = tuple(_NO_DEFAULT if criterion.default is None else parse_value(spec, criterion.default)
                     for spec in specs)
    bindings = criterion.bindings()
    lost = criterion.points if criterion.points is not None else (criterion.rule.max_points(None) or ZERO)
    peers = bool(getattr(criterion.rule, "peers", False))
    plain = not bindings and not criterion.na and not peers
    return _Planned(criterion, specs, defaults, criterion.effect, {}, tuple(bindings.get(s.id) for s in specs),
                    lost if criterion.na else ZERO, peers, plain, specs[0].id if plain and len(specs) == 1 else None)


Entry = _Planned | _GroupPlan
Layout = list[tuple[Section, _Limits, list[tuple[Item, _Limits, list[Entry]]]]]


def _layout(scheme: Scheme, category: str | None, unit: str) -> tuple[Layout, dict[str, int], dict[str, int]]:
    """The sections, items and criteria that apply to a unit, resolved once per category (and per
    unit only where a section carries per-unit task lists), with the id -> position of its items
    (and groups) and sections in the order they are scored."""
    cache: dict[tuple[str | None, str | None], tuple[Layout, dict[str, int], dict[str, int]]] = \
        scheme.__dict__.setdefault("_engine_layouts", {})
    key = (category, unit if any(s.tasks for s in scheme.sections) else None)
    found = cache.get(key)
    if found is None:
        def entries(item: Item) -> list[Entry]:
            out: list[Entry] = []
            for entry in item.criteria:
                if isinstance(entry, Group):
                    plans = [_planned(scheme, c) for c in entry.criteria if applies(c, category)]
                    if plans:
                        out.append(_GroupPlan(entry, _limits(entry), plans))
                elif applies(entry, category):
                    out.append(_planned(scheme, entry))
            return out

        layout = [(section, _limits(section),
                   [(item, _limits(item), entries(item)) for item in section.items_for(unit) if applies(item, category)])
                  for section in scheme.sections if applies(section, category)]
        item_ids = [node_id for _, _, items in layout for item, _, children in items
                    for node_id in [g.group.id for g in children if isinstance(g, _GroupPlan)] + [item.id]]
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


def score_unit(scheme: Scheme, unit: str, evidence: Evidence, values: UnitValues | None = None,
               peers: dict[tuple[str, str | None], PeerStats] | None = None) -> UnitResult:
    category = _category_of(scheme, unit)
    own = _values_of(evidence, unit)
    if values is None and uses_values(scheme):
        values = UnitValues(scheme, unit, own, {})
    flags = _flags(scheme, own, values) if scheme.flags else _NO_FLAGS
    criteria: list[CriterionResult] = []
    layout, item_index, section_index = _layout(scheme, category, unit)
    items: list[NodeResult] = []
    sections: list[NodeResult] = []
    totals = {"base": ZERO, "bonus": ZERO, "deduction": ZERO}
    stage = scheme.rounding.stage if scheme.rounding is not None else None
    places = scheme.rounding.places if scheme.rounding is not None else 0
    falsified = flags.falsified
    group_of = category if peers else None
    base_lost = ZERO

    def run(plans: list[_Planned]) -> tuple[Exact, Exact, Exact, Exact]:
        got_score = got_deduct = got_bonus = lost = ZERO
        for plan in plans:
            result = _score_planned(plan, own, stage, places, values, peers, group_of)
            criteria.append(result)
            if not result.applicable:
                lost += plan.lost
            elif plan.effect == "score":
                got_score += result.points
            elif plan.effect == "deduct":
                got_deduct += result.points
            else:
                got_bonus += result.points
        return got_score, got_deduct, got_bonus, lost

    for section, section_limits, item_plans in layout:
        s_score = s_deduct = s_bonus = s_lost = ZERO
        for item, item_limits, children in item_plans:
            i_score = i_deduct = i_bonus = i_lost = ZERO
            for child in children:
                if child.__class__ is _Planned:  # the common case, inline (this loop runs per unit and criterion)
                    result = _score_planned(child, own, stage, places, values, peers, group_of)
                    criteria.append(result)
                    if not result.applicable:
                        i_lost += child.lost
                    elif child.effect == "score":
                        i_score += result.points
                    elif child.effect == "deduct":
                        i_deduct += result.points
                    else:
                        i_bonus += result.points
                    continue
                g_score, g_deduct, g_bonus, g_lost = run(child.plans)  # type: ignore[union-attr]
                node, earned, deducted, added, lost_up = _group(child, g_score, g_deduct, g_bonus, g_lost,  # type: ignore[arg-type]
                                                                places)
                items.append(node)
                i_score += earned
                i_deduct += deducted
                i_bonus += added
                i_lost += lost_up
            node, passed_deduct, passed_bonus, lost_up = _aggregate(
                item.id, item_limits, i_score, i_deduct, i_bonus, i_lost, stage == "item", places,
                bool(falsified) and item.id in falsified, passes_up=True)
            items.append(node)
            s_score += node.points - node.bonus
            s_deduct += passed_deduct
            s_bonus += node.bonus + passed_bonus
            s_lost += lost_up
        node, _, _, lost_up = _aggregate(section.id, section_limits, s_score, s_deduct, s_bonus, s_lost,
                                         stage == "section", places, False, passes_up=False)
        sections.append(node)
        if section.counted:
            if section.kind == "base" and section.weight is None and node.bonus:
                # 加分 inside a base section ("加分不封顶") is 加分, not 基本分: the total is the same
                totals["base"] += node.points - node.bonus
                totals["bonus"] += node.bonus
            else:
                totals[section.kind] += _contribution(section, node.points, scheme, category)
            if section.kind == "base":
                base_lost += lost_up
    earned = applicable = None
    if scheme.normalise_to is not None:
        full = scheme.full_score_for(category) or ZERO
        earned, applicable = totals["base"], full - base_lost
        totals["base"] = div(earned * scheme.normalise_to, applicable) if applicable > 0 else ZERO
    total = totals["base"] + totals["bonus"] - totals["deduction"]
    if stage == "total":
        total = round_half_up(total, places)
    conditions = tuple((grade.name, _condition(values, f"grade:{grade.name}"))
                       for grade in scheme.outcomes.grades if grade.when is not None and values is not None)
    return UnitResult(unit, tuple(criteria), NodeMap(item_index, tuple(items)), NodeMap(section_index, tuple(sections)),
                      totals["base"], totals["bonus"], total,
                      totals["deduction"], category, tuple(flags.vetoed), tuple(flags.falsified), tuple(flags.unmet),
                      (), tuple(flags.undecided), tuple(flags.derived), earned, applicable, conditions)


def _condition(values: UnitValues, key: str) -> bool | None:
    value = values.get(key).value
    return None if value is None else bool(value)


def _aggregate(node_id: str, limits: _Limits, score: Exact, deduct: Exact, bonus: Exact, lost: Exact, rounded: bool,
               places: int, falsified: bool, *,
               passes_up: bool) -> tuple[NodeResult, Exact, Exact, Exact]:
    """The node's result, the deductions and bonuses it leaves to its parent (an item's), and the
    points of its parts that do not apply, as its parent sees them."""
    key = (score, deduct, bonus, lost, falsified)
    known = limits.seen.get(key)
    if known is not None:
        return known
    points = limits.points
    if lost and points is not None and lost >= points:  # nothing in it applies
        result = NodeResult(node_id, ZERO, ZERO, applicable=ZERO), ZERO, ZERO, points
        if len(limits.seen) < MEMO_LIMIT:
            limits.seen[key] = result
        return result
    start = limits.start - lost if lost and limits.start else limits.start
    raw = start + score
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
    core = core - deducted if limits.negative else max(core - deducted, ZERO)
    if limits.bonus_cap is not None:
        bonus = min(bonus, limits.bonus_cap)
    elif passes_up and not limits.has_points:
        passed_bonus, bonus = bonus, ZERO
    earned = applicable = None
    lost_up = lost
    if lost and points is not None:
        applicable = points - lost
        if limits.normalise:
            earned, core = core, div(core * points, applicable)
            lost_up = ZERO
    total = core + bonus
    if falsified:
        total, bonus = ZERO, ZERO
    if rounded:
        total = round_half_up(total, places)
    result = (NodeResult(node_id, raw, total, capped, deducted, bonus, falsified, earned, applicable),
              passed_deduct, passed_bonus, lost_up)
    if len(limits.seen) < MEMO_LIMIT:
        limits.seen[key] = result
    return result


def _group(plan: _GroupPlan, score: Exact, deduct: Exact, bonus: Exact, lost: Exact,
           places: int) -> tuple[NodeResult, Exact, Exact, Exact, Exact]:
    """A group inside an item: (its result, and what it hands the item: points earned, points
    deducted, bonus, points that do not apply). A group limits its parts and passes them on: its
    earned points capped at its `cap` (its points), its deductions at its `deduct_limit` ("以下三项
    共扣不超过2.5分"), its bonuses at its `bonus_cap`; the item applies them. A group with `base: full`
    is scored like an item (its points less its deductions) and hands on its result."""
    limits = plan.limits
    if plan.group.base == "full":
        node, _, _, lost_up = _aggregate(plan.group.id, limits, score, deduct, bonus, lost, False, places, False,
                                         passes_up=False)
        return node, node.points - node.bonus, ZERO, node.bonus, lost_up
    earned, capped = score, None
    if limits.limit is not None and score > limits.limit:
        earned, capped = limits.limit, limits.limit
    deducted = deduct if plan.group.deduct_limit is None else min(deduct, plan.group.deduct_limit)
    added = bonus if limits.bonus_cap is None else min(bonus, limits.bonus_cap)
    applicable = (limits.points - lost) if lost and limits.points is not None else None
    node = NodeResult(plan.group.id, score, earned - deducted + added, capped, deducted, added, applicable=applicable,
                      asked=deduct if deducted != deduct else None)
    return node, earned, deducted, added, lost


def _contribution(section: Section, points: Exact, scheme: Scheme, category: str | None) -> Exact:
    """A weighted section counts result ÷ points × weight × full score; others count as they are."""
    if section.weight is None or not section.points:
        return points
    full = scheme.full_score_for(category) or ZERO
    return div(points * section.weight * full, section.points)


@exact_arithmetic
def score_criterion(criterion: Criterion, unit: str, evidence: Evidence, scheme: Scheme) -> CriterionResult:
    rounding = scheme.rounding
    own = _values_of(evidence, unit)
    values = UnitValues(scheme, unit, own, {}) if uses_values(scheme) else None
    return _score_planned(_planned(scheme, criterion), own,
                          rounding.stage if rounding is not None else None, rounding.places if rounding is not None else 0,
                          values, None, None)


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


def _source(plan: _Planned, index: int, spec: InputSpec, own: Mapping[str, Value],
            values: UnitValues | None) -> tuple[object, object]:
    """(source, typed value) of one input; the value is _UNSET when it is missing."""
    name = plan.bound[index]
    if name is not None and values is not None:
        source = values.get(name)
        value = source.value
        if value is None:
            return source, _UNSET
        if spec.type is ValueType.COUNT and not isinstance(value, (int, bool)) and is_whole(value):  # type: ignore[arg-type]
            value = int(value)  # type: ignore[call-overload]  # a count worked out (sum, max) is a whole number
        return source, value
    found = own.get(spec.id)
    if found is not None:
        return found, found.value
    if spec.type is ValueType.EVENTS and spec.row_value is ValueType.COUNT:
        return NO_EVENTS, []
    default = plan.defaults[index]
    if default is not _NO_DEFAULT:
        return DEFAULTED, default
    return MISSING, _UNSET


_UNSET = object()


def _score_planned(plan: _Planned, own: Mapping[str, Value], stage: str | None, places: int,
                   values: UnitValues | None = None, peers: dict[tuple[str, str | None], PeerStats] | None = None,
                   group: str | None = None) -> CriterionResult:
    """`own`: the unit's values by input id; `values`: its named values; `peers`: the other units'
    values for the rules that score against them, by (criterion id, category)."""
    criterion = plan.criterion
    if plan.single is not None:  # one input of the unit's own, given, with an outcome worked out before
        found = own.get(plan.single)
        if found is not None:
            value = found.value
            if value.__class__ in _MEMO_TYPES:
                known = plan.seen.get((value,))
                if known is not None:
                    return CriterionResult(criterion, found, known[0], known[1])
    sources: list[object] = []
    given: dict[str, object] = {}
    if plan.plain:  # own evidence only, no 不适用, no peers: as fast as it can be
        for spec, default in zip(plan.specs, plan.defaults, strict=True):
            found = own.get(spec.id)
            if found is not None:
                sources.append(found)
                given[spec.id] = found.value
            elif spec.type is ValueType.EVENTS and spec.row_value is ValueType.COUNT:
                sources.append(NO_EVENTS)
                given[spec.id] = []
            elif default is not _NO_DEFAULT:
                sources.append(DEFAULTED)
                given[spec.id] = default
            else:
                sources.append(MISSING)
    else:
        for i, spec in enumerate(plan.specs):
            source, value = _source(plan, i, spec, own, values)
            sources.append(source)
            if value is not _UNSET:
                given[spec.id] = value
    held = sources[0] if len(sources) == 1 else tuple(sources)
    if criterion.na and any(v is NOT_APPLICABLE for v in given.values()):  # one 不适用 marks the whole row
        return CriterionResult(criterion, held, ZERO, (step("step.not_applicable"),), applicable=False)
    if len(given) < len(sources):
        return CriterionResult(criterion, held, ZERO, (step("step.missing"),))
    if plan.peers:
        stats = peers.get((criterion.id, group)) or peers.get((criterion.id, None)) if peers else None
        if stats is None:  # a unit of its group has no value (reported): no reference to score against
            return CriterionResult(criterion, held, ZERO, (step("step.no_peers"),))
        given[PEERS] = stats
    key = tuple(given.values())
    memo = plan.seen if all(v.__class__ in _MEMO_TYPES for v in key) else None
    known = memo.get(key) if memo is not None else None
    if known is not None:
        return CriterionResult(criterion, held, known[0], known[1])
    points, steps = criterion.rule.evaluate(criterion.id, given, criterion.points)
    if criterion.points is not None and points > criterion.points:
        points = criterion.points
        steps = (*steps, step("step.criterion_cap", points=criterion.points))
    if stage == "criterion":
        points = round_half_up(points, places)
    if memo is not None and len(memo) < MEMO_LIMIT:
        memo[key] = (points, steps)
    return CriterionResult(criterion, held, points, steps)


def _peers(scheme: Scheme, names: list[str], evidence: Evidence, values: dict[str, UnitValues],
           problems: list[Problem]) -> dict[tuple[str, str | None], PeerStats] | None:
    """For each rule that scores a unit against the others: the values of every unit it applies
    to, by (criterion id, category — or None when the rule compares across all units). A unit of
    the group without a value would change every other unit's score: that is an error naming it
    (a unit whose criterion is 不适用 is left out)."""
    wanted = [(section, item, c) for section, item, c in scheme.criteria() if getattr(c.rule, "peers", False)]
    if not wanted:
        return None
    out: dict[tuple[str, str | None], PeerStats] = {}
    for section, item, criterion in wanted:
        plan = _planned(scheme, criterion)
        among = getattr(criterion.rule, "among", "all")
        groups: dict[str | None, list[tuple[str, Exact]]] = {}
        lacking: dict[str | None, list[str]] = {}
        for name in names:
            category = _category_of(scheme, name)
            if not (applies(section, category) and applies(item, category) and applies(criterion, category)):
                continue
            if section.tasks and item not in section.items_for(name):
                continue
            source, value = _source(plan, 0, plan.specs[0], _values_of(evidence, name), values.get(name))
            group = category if among == "category" else None
            if value is _UNSET:
                failed = isinstance(source, Computed) and source.status == "failed"
                if not failed:
                    lacking.setdefault(group, []).append(name)
                groups.setdefault(group, [])
                continue
            if value is NOT_APPLICABLE:
                continue
            number = Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value
            groups.setdefault(category if among == "category" else None, []).append((name, number))  # type: ignore[arg-type]
        for group, pairs in groups.items():
            if group in lacking:
                problems.append(Problem(Location(lacking[group][0]), t("values.peers_missing", id=criterion.id,
                                                                          units="、".join(lacking[group])),
                                        code="values.peers_missing"))
                continue
            if pairs:
                out[(criterion.id, group)] = PeerStats(pairs, scheme.ranking.method)
    return out

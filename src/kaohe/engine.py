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

from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from itertools import compress, repeat
from operator import add, attrgetter, itemgetter, mul
from typing import (
    Any,
    Callable,
    Generic,
    ItemsView,
    Iterator,
    Mapping,
    NamedTuple,
    Sequence,
    TypeVar,
    ValuesView,
    overload,
)

from kaohe.bulk import collector_paused
from kaohe.errors import Location, Problem
from kaohe.evidence import Evidence, Value, ValueTable
from kaohe.evidence.held import NONE_CODE, HeldColumn
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
_new_tuple = tuple.__new__
_S = TypeVar("_S")


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


_POINTS = attrgetter("points")


_INDEX_OF, _NODES_OF, _ROW_OF = attrgetter("_index"), attrgetter("_nodes"), attrgetter("_row")


class NodeMap(Mapping[str, NodeResult]):
    """Id -> result of a unit's items (or sections): a read-only mapping over a tuple, with the
    id -> position index shared by every unit of the same layout (a dict per unit would cost
    over a kilobyte each in a run of a hundred thousand units). Or, with `row`, over the unit's
    row of columns shared by every unit scored with it (`nodes[position][row]`): no tuple is
    made per unit."""

    __slots__ = ("_index", "_nodes", "_row")

    def __init__(self, index: dict[str, int], nodes: tuple[NodeResult, ...] | list[list[NodeResult]],
                 row: int | None = None):
        self._index = index
        self._nodes = nodes
        self._row = row

    @classmethod
    def of(cls, nodes: dict[str, NodeResult]) -> NodeMap:
        return cls({k: i for i, k in enumerate(nodes)}, tuple(nodes.values()))

    def __getitem__(self, key: str) -> NodeResult:
        at = self._index[key]
        return self._nodes[at] if self._row is None else self._nodes[at][self._row]  # type: ignore[return-value]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def _dict(self) -> dict[str, NodeResult]:
        return dict(zip(self._index, self.ordered(), strict=True))

    def ordered(self) -> list[NodeResult]:
        """The results in the order of their ids (made in C)."""
        placed = map(self._nodes.__getitem__, self._index.values())
        return list(placed if self._row is None else map(itemgetter(self._row), placed))  # type: ignore[arg-type]

    def points(self) -> dict[str, Exact]:
        """Id -> the result's points (made in C: a ranking reads every unit's)."""
        return dict(zip(self._index, map(_POINTS, self.ordered()), strict=True))

    @staticmethod
    def columns(maps: Sequence[Mapping[str, NodeResult]]) -> list[tuple[list[int], list[str], list[list[NodeResult]]]]:
        """The results of many units an id at a time (a writer of many units makes their texts
        so): for each index (and columns) some of `maps` are NodeMaps of (a category's), the
        positions of those maps, the index's ids and per id the results of those maps. A map
        that is no NodeMap is in none."""
        if maps and set(map(type, maps)) == {NodeMap}:  # the common case, found in C: one layout's row
            first = maps[0]  # maps over the same columns, a group of all
            if first._row is not None and len(set(map(id, map(_INDEX_OF, maps)))) == 1 \
                    and len(set(map(id, map(_NODES_OF, maps)))) == 1:  # type: ignore[attr-defined]
                rows = list(map(_ROW_OF, maps))
                return [(list(range(len(maps))), list(first._index), [  # type: ignore[attr-defined]
                    list(map(first._nodes[at].__getitem__, rows)) for at in first._index.values()])]  # type: ignore
        groups: dict[tuple[int, int | None], list[int]] = {}
        for at, nodes in enumerate(maps):
            if nodes.__class__ is NodeMap:
                kind = None if nodes._row is None else id(nodes._nodes)  # type: ignore[attr-defined]
                groups.setdefault((id(nodes._index), kind), []).append(at)  # type: ignore[attr-defined]
        made = []
        for (_, kind), ats in groups.items():
            first: NodeMap = maps[ats[0]]  # type: ignore[assignment]
            index = first._index
            if kind is None:
                nodes = [maps[at]._nodes for at in ats]  # type: ignore[attr-defined]
                made.append((ats, list(index), [list(map(itemgetter(at), nodes)) for at in index.values()]))
            else:
                rows = [maps[at]._row for at in ats]  # type: ignore[attr-defined]
                made.append((ats, list(index), [list(map(first._nodes[at].__getitem__, rows))  # type: ignore[union-attr]
                                                for at in index.values()]))
        return made

    def items(self) -> ItemsView[str, NodeResult]:  # made in C: a report reads every unit's
        return self._dict().items()

    def values(self) -> ValuesView[NodeResult]:
        return self._dict().values()

    def __repr__(self) -> str:
        return f"NodeMap({self._dict()!r})"


class _Column(NamedTuple):
    """One criterion's results over a category's units: per unit, the shared (points, steps) of a
    given value its rule worked out before (the unit's source is then `found[row]`), or the
    unit's CriterionResult itself."""

    criterion: Criterion
    known: Sequence[object]
    found: Sequence[Value | None] | None
    alone: list[int] | None = None
    """The rows whose result is the unit's own CriterionResult, in order (None: every row)."""
    coded: tuple[Sequence[int], list[object]] | None = None
    """Where the values were held by code: each row's code, and each code's shared result (None
    where no row shares one). `known[row]` is `by_code[codes[row]]` but at the rows of `alone`."""


class CriteriaView(Sequence[CriterionResult]):
    """A unit's criteria results, made when asked from its row of the columns they were scored in:
    two references a criterion, where a CriterionResult is a tuple of six."""

    __slots__ = ("_columns", "_row", "_alone")

    def __init__(self, columns: list[_Column], row: int, alone: tuple[int, ...] | None = None):
        self._columns = columns
        self._row = row
        self._alone = alone
        """The columns whose result at this row is the unit's own CriterionResult (None: unknown)."""

    def _at(self, column: _Column) -> CriterionResult:
        known = column.known[self._row]
        if known.__class__ is CriterionResult:
            return known  # type: ignore[return-value]
        return _new_tuple(CriterionResult, (column.criterion, column.found[self._row], known[0],  # type: ignore[index]
                                            known[1], None, True))  # type: ignore[index]

    @overload
    def __getitem__(self, index: int) -> CriterionResult: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[CriterionResult, ...]: ...

    def __getitem__(self, index: int | slice) -> CriterionResult | tuple[CriterionResult, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        return self._at(self._columns[index])

    def __iter__(self) -> Iterator[CriterionResult]:
        return map(self._at, self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (CriteriaView, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CriteriaView({tuple(self)!r})"

    def cells(self) -> Iterator[tuple[Criterion, object, Value | None]]:
        """Per criterion, without making its result: (criterion, the shared (points, steps) of the
        value `found` gave, found), or (criterion, its CriterionResult, None)."""
        row = self._row
        for column in self._columns:
            known = column.known[row]
            yield column.criterion, known, column.found[row] if known.__class__ is not CriterionResult else None  # type: ignore[index]

    def worked_out(self) -> Iterator[CriterionResult]:
        """The criteria whose result was worked out for this unit alone (every other one is a
        value given, looked up): the only ones that can be missing."""
        row = self._row
        if self._alone is not None:
            columns = self._columns
            return (columns[at].known[row] for at in self._alone)  # type: ignore[misc]
        return (known for known in (column.known[row] for column in self._columns)  # type: ignore[misc]
                if known.__class__ is CriterionResult)


class BlockColumn(NamedTuple):
    """One criterion over a block of units (see `criteria_block`), position i for the i-th unit."""

    criterion: Criterion
    known: Sequence[object]
    """Per unit: the shared (points, steps) of the value it gave, or its own CriterionResult."""
    found: Sequence[Value | None]
    """Per unit: the Value it gave (made when asked), where `known` is shared."""
    held: HeldColumn | None = None
    """Where the values are held by code: the input's column, and per unit its number there
    (`numbers`) and its value's code (`codes`); `known[i]` is the unit's own CriterionResult at
    the positions `own`, and `shared[codes[i]]` at every other."""
    numbers: list[int] | None = None
    codes: list[int] | None = None
    shared: list[object] | None = None
    own: list[int] | None = None

    def apart(self) -> list[int]:
        """Of a column held by code: the positions a writer makes one by one whatever their
        code, the units with a result of their own and those with a 备注."""
        notes = self.held.notes  # type: ignore[union-attr]
        if not notes:
            return self.own  # type: ignore[return-value]
        return self.own + [i for i, number in enumerate(self.numbers) if number in notes]  # type: ignore[arg-type,operator]


def criteria_blocks(views: Sequence[Sequence[CriterionResult]]) -> list[tuple[list[int], list[BlockColumn]]]:
    """The criteria of a block of units, a column at a time (a writer of many units makes their
    text a column at a time, in C passes): for each set of columns some of `views` were scored
    in (a category's), the positions of those views and their criteria. A view that is no
    CriteriaView is in none."""
    groups: dict[int, list[int]] = {}
    for at, view in enumerate(views):
        if view.__class__ is CriteriaView:
            groups.setdefault(id(view._columns), []).append(at)  # type: ignore[attr-defined]
    return [(ats, _block([views[at] for at in ats])) for ats in groups.values()]  # type: ignore[misc]


def _block(views: list[CriteriaView]) -> list[BlockColumn]:
    """The criteria of views of the same columns, a column at a time."""
    columns = views[0]._columns
    rows = [view._row for view in views]
    block = []
    for column in columns:
        found = column.found
        if found.__class__ is _Found and column.coded is not None:
            held, numbers = found._column, list(map(found._numbers.__getitem__, rows))  # type: ignore[union-attr]
            alone = column.known._own  # type: ignore[attr-defined]  # a coded column's results are a _Known
            own = list(compress(range(len(rows)), map(alone.__contains__, rows))) if alone else []
            block.append(BlockColumn(column.criterion, _Picked(column.known, rows), _Found(held, numbers), held,
                                     numbers, list(map(column.coded[0].__getitem__, rows)), column.coded[1], own))
        else:
            block.append(BlockColumn(column.criterion, list(map(column.known.__getitem__, rows)),
                                     [None] * len(rows) if found is None else list(map(found.__getitem__, rows))))
    return block


class _Picked(Sequence[object]):
    """`items[rows[i]]` at i, looked up when asked."""

    __slots__ = ("_items", "_rows")

    def __init__(self, items: list[object], rows: list[int]):
        self._items = items
        self._rows = rows

    def __getitem__(self, i: int) -> object:  # type: ignore[override]
        return self._items[self._rows[i]]

    def __len__(self) -> int:
        return len(self._rows)


class SharedByOutcome(Generic[_S]):
    """What every unit of the same outcome, criterion, given value and cell shares (a report's
    text of it), made once by `make` from the first unit's result: keyed by identity, with the
    objects held so that their ids stay theirs (at most `limit` kept)."""

    def __init__(self, make: Callable[[CriterionResult], _S], limit: int = 100_000):
        self.make = make
        self.limit = limit
        self.known: dict[tuple[object, ...], tuple[object, object, Criterion, _S]] = {}

    def get(self, criterion: Criterion, known: object, found: Value) -> _S | None:
        """For a cell of CriteriaView.cells(): what its outcome shares, or None when its cell
        cannot be a key (the caller writes it from its result)."""
        value, raw = found.value, found.raw
        key = (id(known), id(criterion), id(value), raw.__class__, raw)
        try:
            entry = self.known.get(key)
        except TypeError:
            return None
        if entry is None or entry[0] is not known or entry[1] is not value or entry[2] is not criterion:
            if len(self.known) >= self.limit:
                self.known.clear()
            made = self.make(_new_tuple(CriterionResult, (criterion, found, known[0], known[1], None, True)))  # type: ignore[index]
            entry = self.known[key] = (known, value, criterion, made)
        return entry[3]

    def by_code(self, column: BlockColumn) -> dict[int, _S]:
        """For a block's column held by code: what each code's outcome shares, made from its
        first unit (every unit of a code gives the same value and cell); a code with no shared
        result, or whose cell cannot be a key, is left out."""
        codes, shared, found = column.codes, column.shared, column.found
        first = dict(zip(reversed(codes), range(len(codes) - 1, -1, -1), strict=True))  # type: ignore[arg-type]
        made = {code: self.get(column.criterion, shared[code], found[at])  # type: ignore[index,arg-type]
                for code, at in first.items() if code >= 0 and shared[code] is not None}  # type: ignore[index]
        return {code: text for code, text in made.items() if text is not None}


def _worked_out(criteria: Sequence[CriterionResult]) -> Iterator[CriterionResult]:
    return criteria.worked_out() if isinstance(criteria, CriteriaView) else iter(criteria)


class UnitResult(NamedTuple):
    """One unit's result. A named tuple, not a frozen dataclass: a national run makes hundreds of
    thousands of them, and a tuple is made six times as fast (no setattr per field)."""

    unit: str
    criteria: Sequence[CriterionResult]
    """Each criterion's result, in the order they are scored: a tuple, or (scored by columns) a
    view that makes each one when asked (a large run would hold millions of them)."""
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
        [Missing(u.unit, input_id, c.period) for u in units for c in _worked_out(u.criteria) if c.missing
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
    if _by_columns(scheme):
        results = _score_columns(scheme, names, evidence, values, peers)
    else:
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


def _layout(scheme: Scheme, category: str | None,
            unit: str) -> tuple[Layout, dict[str, int], dict[str, int], list[_Planned]]:
    """The sections, items and criteria that apply to a unit, resolved once per category (and per
    unit only where a section carries per-unit task lists), with the id -> position of its items
    (and groups) and sections, and its criteria, in the order they are scored."""
    cache: dict[tuple[str | None, str | None], tuple[Layout, dict[str, int], dict[str, int], list[_Planned]]] = \
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
        plans = [plan for _, _, items in layout for _, _, children in items for child in children
                 for plan in (child.plans if isinstance(child, _GroupPlan) else [child])]
        found = (layout, {i: n for n, i in enumerate(item_ids)}, {i: n for n, i in enumerate(section_ids)}, plans)
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
    layout, item_index, section_index, plans = _layout(scheme, category, unit)
    stage, places = _rounding(scheme)
    group_of = category if peers else None
    criteria = [_score_planned(plan, own, stage, places, values, peers, group_of) for plan in plans]
    items: list[NodeResult] = []
    sections: list[NodeResult] = []
    unit_sums = _NO_TERMS
    at = 0
    for section, section_limits, item_plans in layout:
        sums = _NO_TERMS
        for item, item_limits, children in item_plans:
            outcome, at = _item_outcome(item, item_limits, children, criteria, at,
                                        bool(flags.falsified) and item.id in flags.falsified, stage, places)
            items.extend(outcome.nodes)
            sums = _plus(sums, outcome.terms)
        part = _section_outcome(scheme, category, section, section_limits, sums, stage, places)
        sections.append(part.node)
        unit_sums = _plus(unit_sums, part.terms)
    conditions = tuple((grade.name, _condition(values, f"grade:{grade.name}"))
                       for grade in scheme.outcomes.grades if grade.when is not None and values is not None)
    return _unit_result(unit, tuple(criteria), NodeMap(item_index, tuple(items)), NodeMap(section_index, tuple(sections)),
                        _totals(scheme, category, unit_sums, stage, places), category, flags, conditions)


def _rounding(scheme: Scheme) -> tuple[str | None, int]:
    """(the stage the scheme rounds at, its places)."""
    rounding = scheme.rounding
    return (rounding.stage, rounding.places) if rounding is not None else (None, 0)


_Terms = tuple[Exact, Exact, Exact, Exact]
_NO_TERMS: _Terms = (ZERO, ZERO, ZERO, ZERO)


def _plus(sums: _Terms, terms: _Terms) -> _Terms:
    return (sums[0] + terms[0], sums[1] + terms[1], sums[2] + terms[2], sums[3] + terms[3])


class _ItemOutcome(NamedTuple):
    """What an item's criteria added up to."""

    nodes: tuple[NodeResult, ...]
    """Its groups' results, then its own."""
    terms: _Terms
    """What it adds to its section's Σ score, Σ deduct, Σ bonus and points that do not apply."""


class _SectionOutcome(NamedTuple):
    node: NodeResult
    terms: _Terms
    """What it adds to the unit's 基本分, 加分, 扣分 and the base points that do not apply."""


class _Totals(NamedTuple):
    base: Exact
    bonus: Exact
    deduction: Exact
    total: Exact
    earned: Exact | None
    applicable: Exact | None


def _tally(plans: list[_Planned], criteria: list[CriterionResult], at: int) -> tuple[Exact, Exact, Exact, Exact, int]:
    """(Σ score, Σ deduct, Σ bonus, points that do not apply) of `plans`, whose results are
    criteria[at:], and the position after them."""
    got_score = got_deduct = got_bonus = lost = ZERO
    for plan in plans:
        result = criteria[at]
        at += 1
        if not result.applicable:
            lost += plan.lost
        elif plan.effect == "score":
            got_score += result.points
        elif plan.effect == "deduct":
            got_deduct += result.points
        else:
            got_bonus += result.points
    return got_score, got_deduct, got_bonus, lost, at


def _item_outcome(item: Item, limits: _Limits, children: list[Entry], criteria: list[CriterionResult], at: int,
                  falsified: bool, stage: str | None, places: int) -> tuple[_ItemOutcome, int]:
    """An item from its criteria's results, criteria[at:] in the order they are scored, and the
    position after them."""
    i_score = i_deduct = i_bonus = i_lost = ZERO
    groups: list[NodeResult] = []
    for child in children:
        if child.__class__ is _Planned:
            result = criteria[at]
            at += 1
            if not result.applicable:
                i_lost += child.lost  # type: ignore[union-attr]
            elif child.effect == "score":  # type: ignore[union-attr]
                i_score += result.points
            elif child.effect == "deduct":  # type: ignore[union-attr]
                i_deduct += result.points
            else:
                i_bonus += result.points
            continue
        g_score, g_deduct, g_bonus, g_lost, at = _tally(child.plans, criteria, at)  # type: ignore[union-attr]
        node, earned, deducted, added, lost_up = _group(child, g_score, g_deduct, g_bonus, g_lost,  # type: ignore[arg-type]
                                                        places)
        groups.append(node)
        i_score += earned
        i_deduct += deducted
        i_bonus += added
        i_lost += lost_up
    node, passed_deduct, passed_bonus, lost_up = _aggregate(
        item.id, limits, i_score, i_deduct, i_bonus, i_lost, stage == "item", places, falsified, passes_up=True)
    return _ItemOutcome((*groups, node), (node.points - node.bonus, passed_deduct, node.bonus + passed_bonus,
                                          lost_up)), at


def _section_outcome(scheme: Scheme, category: str | None, section: Section, limits: _Limits, sums: _Terms,
                     stage: str | None, places: int) -> _SectionOutcome:
    """A section from what its items added up to, and what it adds to the unit's totals."""
    node, _, _, lost_up = _aggregate(section.id, limits, *sums, stage == "section", places, False, passes_up=False)
    base = bonus = deduction = base_lost = ZERO
    if section.counted:
        if section.kind == "base" and section.weight is None and node.bonus:
            # 加分 inside a base section ("加分不封顶") is 加分, not 基本分: the total is the same
            base, bonus = node.points - node.bonus, node.bonus
        else:
            contribution = _contribution(section, node.points, scheme, category)
            if section.kind == "base":
                base = contribution
            elif section.kind == "bonus":
                bonus = contribution
            else:
                deduction = contribution
        if section.kind == "base":
            base_lost = lost_up
    return _SectionOutcome(node, (base, bonus, deduction, base_lost))


def _totals(scheme: Scheme, category: str | None, sums: _Terms, stage: str | None, places: int) -> _Totals:
    """A unit's totals from what its sections added up to."""
    base, bonus, deduction, base_lost = sums
    earned = applicable = None
    if scheme.normalise_to is not None:
        full = scheme.full_score_for(category) or ZERO
        earned, applicable = base, full - base_lost
        base = div(earned * scheme.normalise_to, applicable) if applicable > 0 else ZERO
    total = base + bonus - deduction
    if stage == "total":
        total = round_half_up(total, places)
    return _Totals(base, bonus, deduction, total, earned, applicable)


def _unit_result(unit: str, criteria: Sequence[CriterionResult], items: NodeMap, sections: NodeMap,
                 totals: _Totals, category: str | None, flags: _Flags,
                 conditions: tuple[tuple[str, bool | None], ...]) -> UnitResult:
    vetoed, falsified, unmet, undecided, derived = _flag_fields(flags)
    return UnitResult(unit, criteria, items, sections, totals.base, totals.bonus, totals.total, totals.deduction,
                      category, vetoed, falsified, unmet, (), undecided, derived, totals.earned, totals.applicable,
                      conditions)


def _by_columns(scheme: Scheme) -> bool:
    """Whether the scheme is scored a criterion at a time over all units (`_score_columns`): every
    scheme is (the units of each layout together: a scheme with per-unit task lists has one per
    unit); the tests score unit by unit (`score_unit`) to compare."""
    return True


_COLUMN_TYPES = _MEMO_TYPES | {object}
"""The classes of value a column is scored by memo (object: the marker of a value not given)."""
_NOT_APPLICABLE_KEY = object()
"""In an item's key: the criterion does not apply (不适用)."""


def _score_columns(scheme: Scheme, names: list[str], evidence: Evidence, values: dict[str, UnitValues],
                   peers: dict[tuple[str, str | None], PeerStats] | None) -> list[UnitResult]:
    """Every unit scored a criterion at a time (those of one layout together), with what
    `score_unit` gives each. Each criterion's
    rule runs once per distinct value (its plan's memo, as `_score_planned` keeps it); an item is
    added up once per distinct tuple of its criteria's points, a section once per distinct sums of
    its items and a unit's totals once per distinct sums of its sections. The sums are added up a
    column at a time in the order `score_unit` adds them: what is left per unit is looking up, in
    C-level passes over each column, what was worked out before."""
    owns = [_values_of(evidence, name) for name in names]
    categories = [_category_of(scheme, name) for name in names]
    unit_values = [values.get(name) for name in names]
    flags = ([_flags(scheme, own, v) for own, v in zip(owns, unit_values, strict=True)] if scheme.flags
             else [_NO_FLAGS] * len(names))
    results: list[UnitResult | None] = [None] * len(names)
    tasks = any(section.tasks for section in scheme.sections)
    groups: dict[tuple[str | None, str | None], list[int]] = {}  # units of one layout (see _layout)
    for i, (name, category) in enumerate(zip(names, categories, strict=True)):
        groups.setdefault((category, name if tasks else None), []).append(i)
    table = evidence.values if isinstance(evidence.values, ValueTable) else None
    for (category, _), at in groups.items():
        group = [names[i] for i in at]
        held = (table, table.numbers(group)) if table is not None else None
        scored = _score_category(scheme, category, group, [owns[i] for i in at],
                                 [unit_values[i] for i in at], peers, [flags[i] for i in at], held)
        for i, result in zip(at, scored, strict=True):
            results[i] = result
    return results  # type: ignore[return-value]


def _score_category(scheme: Scheme, category: str | None, names: list[str], owns: list[Mapping[str, Value]],
                    values: list[UnitValues | None], peers: dict[tuple[str, str | None], PeerStats] | None,
                    flags: list[_Flags], held: tuple[ValueTable, list[int]] | None = None) -> list[UnitResult]:
    """`held` is the evidence's table and each unit's number in it, where the values are held
    as columns: a criterion's values are then taken from its input's column."""
    stage, places = _rounding(scheme)
    count = len(names)
    layout, item_index, section_index, plans = _layout(scheme, category, names[0])
    group_of = category if peers else None
    columns = [_criterion_column(plan, owns, values, peers, group_of, stage, places, held) for plan in plans]
    falsified = any(f.falsified for f in flags)
    item_nodes: list[list[NodeResult]] = []
    section_nodes: list[list[NodeResult]] = []
    unit_sums = _Sums(count)
    first = 0
    for section, section_limits, item_plans in layout:
        sums = _Sums(count)
        for item, item_limits, children in item_plans:
            width = sum(len(c.plans) if isinstance(c, _GroupPlan) else 1 for c in children)
            own = columns[first:first + width]
            first += width
            points = [_points_key(column) for column in own]
            if falsified:  # 弄虚作假 found in this item takes its points
                points.append([item.id in f.falsified for f in flags])
            codes, distinct = _codes(points[0] if len(points) == 1 else _rows(points, count), partial(
                _item_at, item, item_limits, children, own, flags, stage, places))
            item_nodes.extend(_column(codes, [d.nodes[j] for d in distinct]) for j in range(len(distinct[0].nodes)))
            sums.add(codes, distinct)
        codes, parts = _codes(sums.keys(), lambda row, sums=sums, section=section, limits=section_limits:
                              _section_outcome(scheme, category, section, limits, sums.at(row), stage, places))
        section_nodes.append(_column(codes, [part.node for part in parts]))
        unit_sums.add(codes, parts)
    codes, totals = _codes(unit_sums.keys(), lambda row: _totals(scheme, category, unit_sums.at(row), stage, places))
    graded = [grade.name for grade in scheme.outcomes.grades if grade.when is not None]
    conditions = [tuple((name, _condition(v, f"grade:{name}")) for name in graded) if v is not None else ()
                  for v in values]
    alone = _alone(columns, count)
    flagged: dict[int, tuple[tuple[str, ...], ...]] = {}  # a unit's flags as UnitResult holds them, by id
    for unit_flags in flags:  # (units without flags share one _Flags)
        if id(unit_flags) not in flagged:
            flagged[id(unit_flags)] = _flag_fields(unit_flags)
    made = []
    append = made.append
    for row, (name, code, unit_flags, unit_conditions) in enumerate(zip(names, codes, flags, conditions,
                                                                         strict=True)):
        sums = totals[code]
        vetoed, falsified, unmet, undecided, derived = flagged[id(unit_flags)]
        append(_new_tuple(UnitResult, (
            name, CriteriaView(columns, row, alone[row]), NodeMap(item_index, item_nodes, row),
            NodeMap(section_index, section_nodes, row), sums.base, sums.bonus, sums.total, sums.deduction, category,
            vetoed, falsified, unmet, (), undecided, derived, sums.earned, sums.applicable, unit_conditions)))
    return made


def _flag_fields(flags: _Flags) -> tuple[tuple[str, ...], ...]:
    """(vetoed, falsified, unmet, undecided, flag_sources) as UnitResult holds them."""
    return (tuple(flags.vetoed), tuple(flags.falsified), tuple(flags.unmet), tuple(flags.undecided),
            tuple(flags.derived))  # type: ignore[arg-type]


def _alone(columns: list[_Column], count: int) -> list[tuple[int, ...]]:
    """Per row, the columns whose result there is the unit's own CriterionResult, in order."""
    every = tuple(at for at, column in enumerate(columns) if column.alone is None)
    alone = [every] * count
    more: dict[int, list[int]] = {}
    for at, column in enumerate(columns):
        for row in column.alone or ():
            more.setdefault(row, []).append(at)
    for row, ats in more.items():
        alone[row] = tuple(sorted((*every, *ats)))
    return alone


def _column(codes: list[int], by_code: list[_T]) -> list[_T]:
    return list(map(by_code.__getitem__, codes))


class _Sums:
    """Four columns of per-unit sums (a row per unit), each part's terms added a column at a time.
    A column is held as integers scaled by 10**places while every term added to it is a Decimal
    (the scale grows to the most places a term has): an integer sum of exactly scaled terms is
    exactly the scaled sum, and integers add and hash faster. A term of no finite decimal form
    (a Rational) turns its column back into exact values, which it then stays."""

    __slots__ = ("_columns", "_places", "_count")

    def __init__(self, count: int):
        self._columns: list[list[Exact | int]] = [[0] * count for _ in range(4)]
        self._places: list[int | None] = [0, 0, 0, 0]
        """Per column, the scale of its integers (None: it holds exact values)."""
        self._count = count

    def add(self, codes: list[int], parts: list[_ItemOutcome] | list[_SectionOutcome]) -> None:
        """Add each unit's part's terms (`parts[codes[row]]`). A term that is zero for every part
        is not added (x + 0 is x)."""
        for k, column in enumerate(self._columns):
            terms = [part.terms[k] for part in parts]
            if not any(terms):
                continue
            places = self._places[k]
            if places is not None:
                needed = _decimal_places(terms)
                if needed is None:
                    column[:] = map(_unscaler(places), column)
                    self._places[k] = places = None
                elif needed > places:
                    column[:] = map(mul, column, repeat(10 ** (needed - places)))
                    self._places[k] = places = needed
            if places is not None:
                terms = [int(term.scaleb(places)) for term in terms]  # type: ignore[union-attr]
            column[:] = map(add, column, map(terms.__getitem__, codes))

    def keys(self) -> list[object]:
        """Per unit, a key equal for two units exactly when their sums are: the columns added
        to (the others are zero for every unit)."""
        added = [column for column, places in zip(self._columns, self._places, strict=True)
                 if places != 0 or any(column)]
        return added[0] if len(added) == 1 else _rows(added, self._count)

    def at(self, row: int) -> _Terms:
        """One unit's four sums, as exact values."""
        return tuple(column[row] if places is None else _unscaled(column[row], places)  # type: ignore[return-value]
                     for column, places in zip(self._columns, self._places, strict=True))


def _decimal_places(terms: list[Exact]) -> int | None:
    """The most decimal places of the terms, None where one is not a finite Decimal."""
    most = 0
    for term in terms:
        if term.__class__ is not Decimal:
            return None
        exponent = term.as_tuple().exponent  # type: ignore[union-attr]
        if exponent.__class__ is not int:  # NaN or infinity: never a point value
            return None
        most = max(most, -exponent)  # type: ignore[operator]
    return most


def _unscaled(value: int, places: int) -> Decimal:
    return Decimal(value).scaleb(-places)


def _unscaler(places: int) -> Callable[[int], Decimal]:
    return lambda value: _unscaled(value, places)


def _rows(columns: list[list[_T]], count: int) -> list[tuple[_T, ...]]:
    """The rows of `count` rows of columns (`count` empty rows when there are no columns)."""
    return list(zip(*columns, strict=True)) if columns else [()] * count


def _item_at(item: Item, limits: _Limits, children: list[Entry], columns: list[_Column],
             flags: list[_Flags], stage: str | None, places: int, row: int) -> _ItemOutcome:
    falsified = flags[row].falsified
    return _item_outcome(item, limits, children, list(CriteriaView(columns, row)), 0,
                         bool(falsified) and item.id in falsified, stage, places)[0]


_T = TypeVar("_T")


def _codes(keys: list[object], work_out: Callable[[int], _T]) -> tuple[list[int], list[_T]]:
    """Per row, the position in `outcomes` of the outcome of its key: `work_out(row)` for the first
    row of each distinct key, in the order of those rows, shared by every later row with an equal
    key. Every pass over the rows runs in C: only the distinct keys are worked out in Python."""
    first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))  # a key's first row (set last)
    rows = sorted(first.values())
    outcomes = [work_out(row) for row in rows]
    index = {keys[row]: code for code, row in enumerate(rows)}
    return list(map(index.__getitem__, keys)), outcomes


def _criterion_column(plan: _Planned, owns: list[Mapping[str, Value]], values: list[UnitValues | None],
                      peers: dict[tuple[str, str | None], PeerStats] | None, group: str | None, stage: str | None,
                      places: int, held: tuple[ValueTable, list[int]] | None = None) -> _Column:
    """One criterion's results over the units. For a plain criterion of one input, a value the
    plan's memo knows is looked up and the first unit of each value not seen before works it out;
    any other criterion goes through `_score_planned` unit by unit."""
    criterion = plan.criterion
    if plan.single is not None:
        seen = plan.seen
        coded = _coded(plan.single, held) if held is not None else None
        if coded is not None:  # the values as codes: each distinct value looked up once
            codes, by_code, found = coded
            if {by_code[code].__class__ for code in set(codes)} <= _COLUMN_TYPES:
                known_by_code = [seen.get((value,)) if value.__class__ in _COLUMN_TYPES else None  # a value of
                                 for value in by_code]  # the input no unit here gave may be of any kind
                first = dict(zip(reversed(codes), range(len(codes) - 1, -1, -1), strict=True))  # a code's first row
                alone: list[tuple[int, CriterionResult]] = []
                if NONE_CODE not in first and len(seen) + len(first) < MEMO_LIMIT:
                    # each value's first unit works it out, in the order of the units, as _fill
                    # would: with every unit given a value and room in the memo, that is all it
                    # does before the rest look the value up
                    for code, row in sorted(first.items(), key=itemgetter(1)):
                        key = (by_code[code],)
                        if seen.get(key) is None:
                            alone.append((row, _score_planned(plan, owns[row], stage, places)))
                        known_by_code[code] = seen.get(key)
                known: list[object] = list(map(known_by_code.__getitem__, codes))
                for row, result in alone:
                    known[row] = result
                rows = _fill(plan, known, lambda row: (by_code[codes[row]],), owns, stage, places)
                for code in first:  # the rows of a code not worked out alone hold what the memo knows
                    if known_by_code[code] is None:
                        known_by_code[code] = seen.get((by_code[code],))
                own = sorted([row for row, _ in alone] + rows)
                return _Column(criterion, _Known(codes, known_by_code, {row: known[row] for row in own}), found,
                               own, (codes, known_by_code))
        else:
            found = [own.get(plan.single) for own in owns]
            given = [_ABSENT if f is None else f.value for f in found]
            if set(map(type, given)) <= _COLUMN_TYPES:
                keys = list(zip(given))
                known = list(map(seen.get, keys))
                return _Column(criterion, known, found, _fill(plan, known, keys.__getitem__, owns, stage, places))
    return _Column(criterion, [_score_planned(plan, own, stage, places, unit_values, peers, group)
                               for own, unit_values in zip(owns, values, strict=True)], None)


def _fill(plan: _Planned, known: list[object], key_at: Callable[[int], tuple[object, ...]],
          owns: list[Mapping[str, Value]], stage: str | None, places: int) -> list[int]:
    """Each None in `known`, front to back: the outcome of a value first seen here (a unit
    before may have worked it out since), else worked out for the unit alone (not given, or
    past the memo's limit). The rows of those worked out alone, in order."""
    seen = plan.seen
    alone = []
    for row in nones(known):
        result = known[row] = seen.get(key_at(row)) or _score_planned(plan, owns[row], stage, places)
        if result.__class__ is CriterionResult:
            alone.append(row)
    return alone


def nones(known: list[Any]) -> Iterator[int]:
    """The rows of `known` that are None, front to back, each found when the one before is
    filled in (the search runs in C: most rows are not None)."""
    row = 0
    while True:
        try:
            row = known.index(None, row)
        except ValueError:
            return
        yield row
        row += 1


def _coded(input_id: str, held: tuple[ValueTable, list[int]]
           ) -> tuple[Sequence[int], list[object], Sequence[Value | None]] | None:
    """Where the values are held as columns: each unit's code (-1: no value), each code's typed
    value (_ABSENT last, at -1), and each unit's Value made when asked. None when a value of
    the input is held whole (not by code)."""
    table, numbers = held
    column = table.column(input_id)
    if column is None:  # no unit has a value of it
        return array("i", repeat(NONE_CODE, len(numbers))), [_ABSENT], [None] * len(numbers)
    by_code = column.given(_ABSENT)
    if by_code is None:
        return None
    # an array: a column keeps its codes as long as its results (4 bytes a unit, not 8)
    return array("i", map(column.codes.__getitem__, numbers)), by_code, _Found(column, numbers)


class _Known(Sequence[object]):
    """A coded column's results without a list of them: at a row worked out alone, its own
    result; at every other, its code's shared one (a list would cost 8 bytes a unit a column)."""

    __slots__ = ("_codes", "_shared", "_own")

    def __init__(self, codes: Sequence[int], shared: list[object], own: dict[int, object]):
        self._codes = codes
        self._shared = shared
        self._own = own

    def __getitem__(self, row: int) -> object:  # type: ignore[override]
        own = self._own.get(row)
        return self._shared[self._codes[row]] if own is None else own

    def __len__(self) -> int:
        return len(self._codes)


class _Found(Sequence[Value | None]):
    """Each unit's Value of one input, made when asked from the input's column."""

    __slots__ = ("_column", "_numbers")

    def __init__(self, column: HeldColumn, numbers: list[int]):
        self._column = column
        self._numbers = numbers

    def __getitem__(self, row: int) -> Value | None:  # type: ignore[override]
        return self._column.get(self._numbers[row])

    def __len__(self) -> int:
        return len(self._numbers)


def _points_key(column: _Column) -> list[object]:
    """Per unit, what its result adds to its item: its points, or that it does not apply. Where
    the values were held by code, each code's shared result is asked once and the units look
    theirs up (in C); the units holding a result of their own are asked one by one."""
    known = column.known
    if column.coded is None:
        return list(map(_adds, known))
    codes, by_code = column.coded
    keys = list(map([None if k is None else _adds(k) for k in by_code].__getitem__, codes))
    for row in column.alone or ():
        keys[row] = _adds(known[row])
    return keys


def _adds(known: object) -> object:
    """What one unit's result adds to its item (see `_points_key`)."""
    if known.__class__ is tuple:
        return known[0]  # type: ignore[index]
    return known.points if known.applicable else _NOT_APPLICABLE_KEY  # type: ignore[attr-defined]


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
_ABSENT = object()
"""In a column of values: the unit gave none."""


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

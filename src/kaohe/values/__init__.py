"""Computed values: the layer between reading and rules. Reading names values (evidence, by input
id), values feed rules (a criterion's `of`, a flag's `when`), rules feed nodes (the engine).

For one unit, every name an expression, a condition or an `of` reads is looked up once: a
declared input (from the evidence, the scheme's `per_unit` data or its `default`), a criterion's
own input, a flag, or a computed value (worked out in the catalogue's order, after what it reads).
Each computed value keeps its trace: the expression with its operands' values and where they came
from, `完成率 = 实际节能量 ÷ 节能目标 = 12 ÷ 10 = 120%`. A value that reads a missing input is
itself missing (and so is whatever reads it); a division by zero gives the value's `if_zero`, or
is an evidence error naming the cells.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Mapping, NamedTuple

from kaohe.errors import Location, Problem
from kaohe.evidence import Value
from kaohe.i18n import t
from kaohe.numbers import ZERO, Exact, div, fmt, fmt_exact
from kaohe.rules.base import Event, PeerStats, parse_value
from kaohe.rules.events import describe, matches
from kaohe.scheme.expr import PEER_FUNCTIONS, Binary, Call, Name, Node, Num, Text, Unary, show
from kaohe.scheme.models import Flag, InputDecl, Scheme, ValueDecl
from kaohe.scheme.names import Catalogue, Entry, catalogue, declared_specs

SERIES_SHOWN = 12


class Computed(NamedTuple):
    """A named value as a unit has it, when it is not read from one evidence cell as it stands."""

    name: str
    value: object
    """The value (an exact number, a bool, a tuple for a series), or None when missing."""
    kind: str
    shown: str
    """How it came about: "实际节能量 ÷ 节能目标 = 12 ÷ 10 = 120%", "方案规定 3", "默认 0"."""
    operands: tuple[tuple[str, object], ...] = ()
    """What it read: (name, the evidence Value or the Computed it came from)."""
    status: str = "computed"
    """computed | scheme (per-unit data) | default | missing | failed (an evidence error, reported)"""
    missing: tuple[str, ...] = ()
    """The evidence ids whose absence makes this value missing."""

    @property
    def sources(self) -> list[Location]:
        """The evidence cells this value comes from, through every computed step."""
        found: list[Location] = []
        for _, source in self.operands:
            if isinstance(source, Value) and source.locate is not None:
                found.append(source.location)
            elif isinstance(source, Computed):
                found.extend(source.sources)
        return list(dict.fromkeys(found))


Source = Value | Computed
Env = dict[str, Source]


class _Absent(Exception):
    """A missing value was read where the result depends on it."""


class _DividedByZero(Exception):
    def __init__(self, node: Node):
        super().__init__("division by zero")
        self.node = node


def display(value: object, kind: str, labels: tuple[str, ...] | None = None) -> str:
    """A value as the trace shows it: 120% for a rate, 是/否, 3, ≈9.33, a series in brackets with
    its labels: [1月 3、2月 1、…]."""
    if value is None:
        return t("values.missing_mark")
    if isinstance(value, tuple):
        names = labels if labels is not None and len(labels) == len(value) else ("",) * len(value)
        shown = "、".join(f"{name} {display(v, kind)}".strip() for name, v in zip(names, value[:SERIES_SHOWN],
                                                                                strict=False))
        return f"[{shown}{'…' if len(value) > SERIES_SHOWN else ''}]"
    if isinstance(value, bool):
        return t("values.yes") if value else t("values.no")
    if isinstance(value, str):
        return value
    if kind == "rate":  # a percentage of a fraction is shown rounded only: ≈106.67%
        return f"{fmt(value * 100)}%"  # type: ignore[operator]
    return fmt_exact(value)  # type: ignore[arg-type]


class UnitValues:
    """One unit's named values, looked up (and computed) as they are asked for."""

    def __init__(self, scheme: Scheme, unit: str, own: Mapping[str, Value], memo: dict[object, object],
                 group: Callable[[str], list[UnitValues]] | None = None):
        self.scheme = scheme
        self.catalogue: Catalogue = catalogue(scheme)
        self.unit = unit
        self.own = own
        self.env: Env = {}
        self.problems: list[Problem] = []
        self.memo = memo
        self.group = group or (lambda among: [self])
        """The units max_of, mean_of… compare this one with: `group("all")` or `group("category")`."""

    def get(self, name: str) -> Source:
        known = self.env.get(name)
        if known is None:
            known = self.env[name] = self._look_up(name)
        return known

    def flag(self, flag: Flag) -> bool | None:
        """A flag set by its condition: True, False, or None when a value it reads is missing."""
        source = self.get(f"flag:{flag.id}")
        value = source.value
        return None if value is None else bool(value)

    def _look_up(self, name: str) -> Source:
        if name.startswith(("flag:", "check:", "grade:")):
            return self._computed(name, self.catalogue.trees.get(name), None, "bool")
        if name.startswith("rule:"):
            return self._computed(name, self.catalogue.trees.get(name), None, "number")
        if "(" in name:
            return self._peer(name)
        entry = self.catalogue.entries[name]
        if entry.origin == "input":
            return self._input(entry)
        if entry.origin == "criterion":
            return self._criterion_input(entry)
        if entry.origin == "flag":
            return self._flag(entry)
        decl = entry.decl
        assert isinstance(decl, ValueDecl)
        if decl.count is not None:
            return self._count(entry, decl)
        return self._computed(name, self.catalogue.trees.get(name), decl, entry.type.kind)

    def _input(self, entry: Entry) -> Source:
        decl = entry.decl
        assert isinstance(decl, InputDecl)
        specs = self.memo.get(("@specs", decl.id))
        if specs is None:
            specs = self.memo[("@specs", decl.id)] = declared_specs(decl, self.scheme.rates)
        if decl.per_unit is not None:
            raw = decl.per_unit.get(self.unit, decl.default)
            if raw is None:
                return Computed(entry.name, None, decl.type, t("values.no_unit_data"), status="missing",
                                missing=(entry.name,))
            value = parse_value(specs[0], raw)
            status = "scheme" if self.unit in decl.per_unit else "default"
            return Computed(entry.name, value, decl.type, t(f"values.{status}", value=display(value, decl.type)),
                            status=status)
        if decl.each is None:
            return self._evidence(entry.name, specs[0].id, decl.default, specs[0], decl.type)
        parts = [self._evidence(spec.id, spec.id, decl.default, spec, decl.type) for spec in specs]
        missing = tuple(m for p in parts for m in (p.missing if isinstance(p, Computed) else ()))
        if missing:
            return Computed(entry.name, None, decl.type, t("values.missing", ids="、".join(missing)),
                            tuple((p.name if isinstance(p, Computed) else s.id, p) for p, s in zip(parts, specs, strict=True)),
                            "missing", missing)
        values = tuple(p.value for p in parts)
        return Computed(entry.name, values, decl.type, "",  # shown when asked: each element has its cell
                        tuple((s.id, p) for p, s in zip(parts, specs, strict=True)))

    def _evidence(self, name: str, input_id: str, default: object, spec, kind: str) -> Source:  # type: ignore[no-untyped-def]
        found = self.own.get(input_id)
        if found is not None:
            return found
        if default is not None:
            value = parse_value(spec, default)
            return Computed(name, value, kind, t("values.default", value=display(value, kind)), status="default")
        return Computed(name, None, kind, t("values.missing", ids=input_id), status="missing", missing=(input_id,))

    def _criterion_input(self, entry: Entry) -> Source:
        assert entry.spec is not None and entry.criterion is not None
        default = entry.criterion.default
        return self._evidence(entry.name, entry.spec.id, default, entry.spec, entry.type.kind)

    def _flag(self, entry: Entry) -> Source:
        flag = entry.decl
        assert isinstance(flag, Flag)
        if flag.when is not None:
            derived = self.get(f"flag:{flag.id}")
            return derived
        found = self.own.get(flag.id)
        if found is not None:
            return found
        return Computed(flag.id, False, "bool", t("values.flag_not_given"), status="default")

    def _count(self, entry: Entry, decl: ValueDecl) -> Source:
        assert decl.count is not None
        found = self.own.get(decl.count)
        events: list[Event] = found.value if found is not None else []  # type: ignore[assignment]
        chosen = [e for e in events if decl.when is None or matches(decl.when, e.attributes)]
        if decl.distinct is not None:
            count = len({e.attributes.get(decl.distinct, f"#{i}") for i, e in enumerate(chosen)})
        else:
            count = sum(int(e.value) if e.value is not None else 1 for e in chosen)  # type: ignore[call-overload]
        when = describe(decl.when) if decl.when else ""
        rows = "; ".join("/".join(e.attributes.values()) for e in chosen[:8]) + ("…" if len(chosen) > 8 else "")
        shown = t("values.count", id=decl.count, chosen=len(chosen), total=len(events), when=when or "-",
                  rows=rows or "-", distinct=t("values.distinct", attribute=decl.distinct) if decl.distinct else "",
                  count=count)
        return Computed(entry.name, count, "count", shown, ((decl.count, found),) if found is not None else ())

    def check(self) -> None:
        """The scheme's checks on this unit's figures: each that fails is an evidence error."""
        for i, check in enumerate(self.scheme.checks):
            source = self.get(f"check:{i}")
            if source.value is False and isinstance(source, Computed):
                cells = source.sources
                where = cells[0] if cells else Location(self.unit)
                working = source.shown.split(" = ", 1)[1] if " = " in source.shown else source.shown
                self.problems.append(Problem(where, t("values.check_failed", unit=self.unit, text=check.text,
                                                      when=check.when, working=working),
                                             code="values.check_failed"))

    def _peer(self, key: str) -> Computed:
        """max_of(X), min_of, mean_of, sum_of or place_of over the unit's group."""
        function, rest = key.split("(", 1)
        name, _, among = rest.partition(")@")
        name = name.rstrip(")")
        among = among or "all"
        entry = self.catalogue.entries[name]
        kind = entry.type.kind
        shared = self.memo.setdefault("@peers", {})
        group = self.group(among)
        scope_key = (among, id(group[0]) if among == "category" and group else None)
        found = shared.get((key,) + scope_key)
        if found is not None and function != "place_of":
            return found  # the same for every unit of the group: worked out once
        stats = shared.get((name,) + scope_key)
        scope = t("values.scope_category") if among == "category" else t("values.scope_all")
        if stats is None:
            pairs, lacking, failed = [], [], False
            for other in group:
                source = other.get(name)
                value = source.value
                if value is not None:
                    pairs.append((other.unit, Decimal(value) if type(value) is int else value))
                elif isinstance(source, Computed) and source.status == "failed":
                    failed = True
                else:
                    lacking.append(other.unit)
            stats = PeerStats(pairs, self.scheme.ranking.method) if not (lacking or failed) else None
            shared[(name,) + scope_key] = stats if stats is not None else (lacking, failed)
            if lacking:  # every unit's value would move: an error, reported once
                self.problems.append(Problem(Location(lacking[0]), t("values.peer_value_missing", call=key, name=name,
                                                                      scope=scope, units="、".join(lacking)),
                                             code="values.peer_value_missing"))
        if not isinstance(stats, PeerStats):
            return Computed(key, None, kind, t("values.failed"), status="failed")
        if function == "place_of":
            own = self.get(name)
            if own.value is None:
                return Computed(key, None, "count", t("values.missing", ids=name), ((name, own),), "missing",
                                own.missing if isinstance(own, Computed) else (name,))
            mine = Decimal(own.value) if type(own.value) is int else own.value
            place = stats.place(mine)
            return Computed(key, place, "count", t("values.place", name=name, scope=scope, count=stats.count,
                                                      value=display(mine, kind), place=place), ((name, own),))
        if function in ("max_of", "min_of"):
            value = stats.highest if function == "max_of" else stats.lowest
            units = "、".join(stats.units_at(value))
            shown = t({"max_of": "values.extreme_max", "min_of": "values.extreme_min"}[function], name=name,
                      scope=scope, count=stats.count, value=display(value, kind), units=units)
            result = Computed(key, value, kind, shown)
        elif function == "sum_of":
            total = sum(stats.ascending, ZERO)
            result = Computed(key, total, kind, t("values.sum_of", name=name, scope=scope, count=stats.count,
                                                  value=display(total, kind)))
        else:
            mean = stats.mean()
            mean_kind = "rate" if kind == "rate" else "number"
            result = Computed(key, mean, mean_kind, t("values.mean_of", name=name, scope=scope, count=stats.count,
                                                      value=display(mean, mean_kind)))
        shared[(key,) + scope_key] = result
        return result

    def _computed(self, name: str, tree: Node | None, decl: ValueDecl | None, kind: str) -> Computed:
        if tree is None:  # not parsed (validate reports why)
            return Computed(name, None, kind, "", status="missing", missing=(name,))
        among = decl.among if decl is not None else "all"
        names = self.memo.get(("@names", name))
        if names is None:
            names = self.memo[("@names", name)] = [n.name for n in _unique_names(tree, among)]
        operands = [(n, self.get(n)) for n in names]
        absent = [s for _, s in operands if isinstance(s, Computed) and s.value is None]
        if absent:
            missing = tuple(dict.fromkeys(m for s in absent for m in s.missing))
            if any(s.status == "failed" for s in absent):  # reported once, where it failed
                return Computed(name, None, kind, t("values.failed"), tuple(operands), "failed", missing)
            decided = self._decided_without(tree, decl, dict(operands), missing)
            if decided is not None:
                return Computed(name, decided[0], kind, decided[1], tuple(operands))
            return Computed(name, None, kind, t("values.missing", ids="、".join(missing)), tuple(operands),
                            "missing", missing)
        values = {n: s.value for n, s in operands}
        key = tuple(values.values())
        memo = self.memo.setdefault(name, {})
        try:
            hit = memo.get(key)
        except TypeError:  # an unhashable operand (never for these kinds): no memo
            hit, memo = None, {}
        if hit is None:
            hit = self._evaluate(name, tree, decl, kind, values, operands)
            if len(memo) < 4096:
                memo[key] = hit
        value, shown, failed = hit
        labels = self.catalogue.entries[name].type.labels if name in self.catalogue.entries else None
        if labels and isinstance(value, tuple):  # a series worked out element by element: shown with its labels
            shown = shown.rsplit(" = ", 1)[0] + " = " + display(value, kind, labels)
        if failed is not None:
            self.problems.append(self._division_problem(name, failed, dict(operands)))
            return Computed(name, None, kind, shown, tuple(operands), "failed")
        return Computed(name, value, kind, shown, tuple(operands))

    def _decided_without(self, tree: Node, decl: ValueDecl | None, operands: dict[str, Source],
                         missing: tuple[str, ...]) -> tuple[object, str] | None:
        """A condition that its known values decide although another it reads is missing
        (露天煤矿 or 单班入井人数 <= 1000: a 露天 mine needs no 人数): its value and trace, else None."""
        def lookup(n: str) -> object:
            source = operands.get(n)
            value = source.value if isinstance(source, Computed) else getattr(source, "value", None)
            if value is None:
                raise _Absent(n)
            return value

        try:
            value = evaluate(tree, lookup, decl.among if decl is not None else "all", partial=True)
        except (_Absent, _DividedByZero):
            return None
        if not isinstance(value, bool):
            return None
        shown = t("values.decided_without", expr=show(tree), value=display(value, "bool"), ids="、".join(missing))
        return value, shown

    def _evaluate(self, name: str, tree: Node, decl: ValueDecl | None, kind: str, values: dict[str, object],
                  operands: list[tuple[str, Source]]) -> tuple[object, str, Node | None]:
        kinds = {n: (s.kind if isinstance(s, Computed) else self.catalogue.entries[n].type.kind) for n, s in operands}
        try:
            value = evaluate(tree, values.__getitem__, decl.among if decl is not None else "all")
        except _DividedByZero as e:
            if decl is None or decl.if_zero is None:
                return None, t("values.divided_by_zero", expr=show(tree)), e.node
            value = decl.if_zero
            shown = t("values.if_zero", expr=show(tree), value=display(value, kind))
            return value, shown, None
        substituted = render(tree, values, kinds, decl.among if decl is not None else "all")
        text = show(tree)
        shown = f"{text} = {substituted} = {display(value, kind)}" if substituted != text else \
            f"{text} = {display(value, kind)}"
        return value, shown, None

    def _division_problem(self, name: str, node: Node, operands: dict[str, Source]) -> Problem:
        cells = [s for n in _unique_names(node) for s in _cells(operands.get(n.name))]
        where = cells[0] if cells else Location(self.unit)
        return Problem(where, t("values.division_error", name=name, divisor=show(node), unit=self.unit),
                       code="values.division_error")


def _cells(source: Source | None) -> list[Location]:
    if isinstance(source, Value):
        return [source.location]
    if isinstance(source, Computed):
        return source.sources
    return []


def peer_key(function: str, name: str, among: str) -> str:
    """The name a unit's env keeps an over-all-units value under: "mean_of(增幅)"."""
    return f"{function}({name})" + ("@category" if among == "category" else "")


def _unique_names(tree: Node, among: str = "all") -> list[Name]:
    """The names an expression reads directly, over-all-units calls as one name each."""
    seen: dict[str, Name] = {}
    stack = [tree]
    order: list[Name] = []
    while stack:
        node = stack.pop()
        if isinstance(node, Call) and node.function in PEER_FUNCTIONS:
            arg = node.args[0]
            assert isinstance(arg, Name)
            node = Name(peer_key(node.function, arg.name, among), node.offset)
        if isinstance(node, Name):
            if node.name not in seen:
                seen[node.name] = node
                order.append(node)
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.right, node.left))
        elif isinstance(node, Call):
            stack.extend(reversed(node.args))
    return order


# --- evaluation -----------------------------------------------------------------------------

def _number(value: object) -> Exact:
    if isinstance(value, bool):
        raise TypeError("a bool is not a number")
    if isinstance(value, int):
        return Decimal(value)
    return value  # type: ignore[return-value]


def _each(f: Callable[..., object], *args: object) -> object:
    """Apply f element by element where any argument is a series (tuple), else once."""
    series = [a for a in args if isinstance(a, tuple)]
    if not series:
        return f(*args)
    size = len(series[0])
    return tuple(f(*(a[i] if isinstance(a, tuple) else a for a in args)) for i in range(size))


def _divide(a: object, b: object, node: Node) -> object:
    if _number(b) == 0:
        raise _DividedByZero(node)
    return div(_number(a), _number(b))


_BINARY: dict[str, Callable[[object, object], object]] = {
    "+": lambda a, b: _number(a) + _number(b),
    "-": lambda a, b: _number(a) - _number(b),
    "*": lambda a, b: _number(a) * _number(b),
    "<": lambda a, b: _number(a) < _number(b),
    "<=": lambda a, b: _number(a) <= _number(b),
    ">": lambda a, b: _number(a) > _number(b),
    ">=": lambda a, b: _number(a) >= _number(b),
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "and": lambda a, b: bool(a) and bool(b),
    "or": lambda a, b: bool(a) or bool(b),
}


def evaluate(node: Node, lookup: Callable[[str], object], among: str = "all", partial: bool = False) -> object:
    """The value of an expression, the names' values given by `lookup` (an over-all-units call by
    its `peer_key`). `partial`: `lookup` raises _Absent for a missing value, and `and`/`or` whose
    other side decides them (False and …, True or …) in either order still give their value."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Text):
        return node.value
    if isinstance(node, Name):
        return lookup(node.name)
    if isinstance(node, Call) and node.function in PEER_FUNCTIONS:
        return lookup(peer_key(node.function, node.args[0].name, among))  # type: ignore[union-attr]
    if isinstance(node, Unary):
        inner = evaluate(node.operand, lookup, among, partial)
        if node.op == "not":
            return _each(lambda a: not a, inner)
        return _each(lambda a: -_number(a), inner)
    if isinstance(node, Binary):
        if partial and node.op in ("and", "or"):
            return _decide(node, lookup, among)
        left = evaluate(node.left, lookup, among, partial)
        if node.op == "and" and left is False:
            return False
        if node.op == "or" and left is True:
            return True
        right = evaluate(node.right, lookup, among, partial)
        if node.op == "/":
            return _each(lambda a, b: _divide(a, b, node.right), left, right)
        return _each(_BINARY[node.op], left, right)
    assert isinstance(node, Call)
    if node.function == "if":
        condition = evaluate(node.args[0], lookup, among, partial)
        if isinstance(condition, tuple):
            then, other = evaluate(node.args[1], lookup, among, partial), evaluate(node.args[2], lookup, among, partial)
            return _each(lambda c, a, b: a if c else b, condition, then, other)
        return evaluate(node.args[1] if condition else node.args[2], lookup, among, partial)
    args = [evaluate(a, lookup, among, partial) for a in node.args]
    if node.function == "abs":
        return _each(lambda a: abs(_number(a)), args[0])
    if len(args) == 1:  # a series reduced to one number
        items = [_number(v) for v in args[0]]  # type: ignore[union-attr]
        if node.function == "sum":
            return sum(items, ZERO)
        return (min if node.function == "min" else max)(items) if items else ZERO
    pick = min if node.function == "min" else max
    return _each(lambda *xs: pick(_number(x) for x in xs), *args)


def _decide(node: Binary, lookup: Callable[[str], object], among: str) -> object:
    """`and`/`or` over sides that may be missing (Kleene's logic): the side that decides wins."""
    sides = []
    for side in (node.left, node.right):
        try:
            value = evaluate(side, lookup, among, True)
        except _Absent:
            sides.append(None)
            continue
        if isinstance(value, tuple):
            raise _Absent(node.op)  # a series: not decided element by element here
        if (node.op == "and" and value is False) or (node.op == "or" and value is True):
            return value
        sides.append(value)
    if None in sides:
        raise _Absent(node.op)
    return _BINARY[node.op](*sides)


def render(node: Node, values: Mapping[str, object], kinds: Mapping[str, str], among: str = "all") -> str:
    """The expression with each name replaced by its value: "12 ÷ 10"."""
    if isinstance(node, Call) and node.function in PEER_FUNCTIONS:
        key = peer_key(node.function, node.args[0].name, among)  # type: ignore[union-attr]
        return display(values[key], kinds.get(key, "number"))
    if isinstance(node, Name):
        return display(values[node.name], kinds.get(node.name, "number"))
    if isinstance(node, (Num, Text)):
        return show(node)
    if isinstance(node, Unary):
        inner = render(node.operand, values, kinds, among)
        wrap = isinstance(node.operand, Binary)
        return ("-" if node.op == "-" else "非 ") + (f"({inner})" if wrap else inner)
    if isinstance(node, Binary):
        symbol = {"*": "×", "/": "÷", "<=": "≤", ">=": "≥", "!=": "≠", "==": "=", "and": "且", "or": "或"}.get(
            node.op, node.op)
        left, right = render(node.left, values, kinds, among), render(node.right, values, kinds, among)
        if isinstance(node.left, Binary) and node.op in ("*", "/") and node.left.op in ("+", "-"):
            left = f"({left})"
        if isinstance(node.right, Binary) and (node.op in ("*", "/", "-") and node.right.op in ("+", "-", "*", "/")
                                               and not (node.op == "-" and node.right.op in ("*", "/"))):
            right = f"({right})"
        return f"{left} {symbol} {right}"
    return f"{node.function}({', '.join(render(a, values, kinds, among) for a in node.args)})"


__all__ = ["Computed", "Env", "Source", "UnitValues", "display", "evaluate", "render"]

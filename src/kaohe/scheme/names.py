"""The named values of a scheme, resolved and type-checked: what an expression, a flag's condition
or a criterion's `of` may read, and of what kind each is.

Names are: the declared `inputs` (a series contributes one name, `报送条数`, read whole), each
criterion's own evidence inputs by their ids (`2.1.1`, `7.1.1.市级`), the computed `values`, and
the flags that the evidence or a condition sets. Every expression is parsed once; every name is
resolved (a misspelt one is reported with the nearest valid name); values are ordered so that each
is computed after what it reads (a circle is an error naming it); and each value's kind is inferred
and checked against what reads it. `validate` reports the findings; the values layer evaluates in
`order`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from kaohe.rules.base import InputSpec, ValueType
from kaohe.scheme.expr import ExprError, Node, Type, infer, names, parse
from kaohe.scheme.models import Criterion, Flag, InputDecl, Scheme, ValueDecl

P = tuple[str | int, ...]

SPEC_KINDS = {ValueType.BOOL: "bool", ValueType.COUNT: "count", ValueType.NUMBER: "number",
              ValueType.RATE: "rate", ValueType.POINTS: "number", ValueType.LEVEL: "level",
              ValueType.EVENTS: "events"}
"""The kind of value each type of evidence input gives."""
READS = {ValueType.BOOL: ("bool",), ValueType.COUNT: ("count",), ValueType.NUMBER: ("count", "number", "rate"),
         ValueType.RATE: ("count", "number", "rate"), ValueType.POINTS: ("count", "number", "rate"),
         ValueType.LEVEL: ("level",)}
"""The kinds of named value a rule's input of each type may be bound to."""


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    origin: str  # "input" | "criterion" | "value" | "flag"
    type: Type
    path: P
    """Where it is declared in the scheme file."""
    spec: InputSpec | None = None
    """For a criterion's input: its spec (for a default and the evidence)."""
    criterion: Criterion | None = None
    decl: InputDecl | ValueDecl | Flag | None = None
    attributes: tuple[str, ...] = ()
    """For an events input: its attribute columns."""


@dataclass(frozen=True, slots=True)
class Finding:
    path: P
    key: str
    params: dict[str, object]
    offset: int | None = None
    """The column within the expression text, for a mistake inside one."""
    severity: str = "error"


@dataclass
class Catalogue:
    entries: dict[str, Entry] = field(default_factory=dict)
    trees: dict[str, Node] = field(default_factory=dict)
    """Parsed expressions: a value's id, `flag:<id>` for a flag's condition, `rule:<id>` for a
    formula criterion's."""
    paths: dict[str, P] = field(default_factory=dict)
    """Where each expression is written in the scheme file."""
    order: list[str] = field(default_factory=list)
    """Computed values and flag conditions, each after what it reads."""
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def needs(self, key: str) -> list[str]:
        """The names a value (or `flag:<id>`) reads directly."""
        tree = self.trees.get(key)
        if tree is not None:
            return list(dict.fromkeys(n.name for n in names(tree)))
        entry = self.entries.get(key)
        if entry is not None and isinstance(entry.decl, ValueDecl) and entry.decl.count is not None:
            return [entry.decl.count]
        return []


def evidence_behind(cat: Catalogue, name: str) -> list[str]:
    """The declared inputs and criteria's own inputs a named value is worked out from, in the
    order met (what the evidence must give for it)."""
    found: list[str] = []
    seen: set[str] = set()
    stack = [name]
    while stack:
        current = stack.pop(0)
        if current in seen:
            continue
        seen.add(current)
        entry = cat.entries.get(current)
        if entry is not None and entry.origin in ("input", "criterion"):
            found.append(current)
            continue
        if current.startswith("flag:") or (entry is not None and entry.origin == "value"):
            stack.extend(cat.needs(current))
        elif entry is not None and entry.origin == "flag" and f"flag:{current}" in cat.trees:
            stack.extend(cat.needs(f"flag:{current}"))
    return found


def first_readers(scheme: Scheme) -> dict[str, str]:
    """Declared input id → the id of the first criterion (document order) that reads it, through
    any computed values: where a template puts the input's column."""
    cat = catalogue(scheme)
    readers: dict[str, str] = {}
    for _, _, criterion in scheme.criteria():
        for name in criterion.bindings().values():
            for source in evidence_behind(cat, name):
                if cat.entries[source].origin == "input":
                    readers.setdefault(source, criterion.id)
    return readers


def declared_specs(decl: InputDecl, rates: str | None) -> list[InputSpec]:
    """The evidence inputs of a declared input: one, or one per label of a series."""
    kind = {"count": ValueType.COUNT, "number": ValueType.NUMBER, "rate": ValueType.RATE,
            "bool": ValueType.BOOL, "level": ValueType.LEVEL}[decl.type]
    ids = [f"{decl.id}.{label}" for label in decl.each] if decl.each else [decl.id]
    return [InputSpec(i, kind, label=label, choices=tuple(decl.choices or ()), maximum=decl.max,
                      negative_ok=decl.negative, bare=rates if kind is ValueType.RATE else None)
            for i, label in zip(ids, decl.each or [None], strict=True)]


def catalogue(scheme: Scheme) -> Catalogue:
    """The scheme's named values, built once per scheme (the model is frozen)."""
    cached = scheme.__dict__.get("_catalogue")
    if cached is None:
        cached = _build(scheme)
        scheme.__dict__["_catalogue"] = cached
    return cached


def uses_values(scheme: Scheme) -> bool:
    """Whether anything in the scheme reads named values (else scoring skips the values layer)."""
    known = scheme.__dict__.get("_uses_values")
    if known is None:
        known = scheme.__dict__["_uses_values"] = bool(
            scheme.inputs or scheme.values or scheme.checks or any(f.when for f in scheme.flags)
            or any(g.when for g in scheme.outcomes.grades)
            or any(c.of is not None or c.rule.kind == "formula" for _, _, c in scheme.criteria()))
    return known


def _build(scheme: Scheme) -> Catalogue:
    cat = Catalogue()
    for i, decl in enumerate(scheme.inputs):
        labels = tuple(decl.each) if decl.each else None
        choices = tuple(decl.choices) if decl.type == "level" and decl.choices else None
        cat.entries.setdefault(decl.id, Entry(decl.id, "input", Type(decl.type, labels, choices), ("inputs", i),
                                              decl=decl))
    for path, criterion in _criteria_with_paths(scheme):
        bound = criterion.bindings()
        for spec in scheme.specs(criterion):
            if spec.id in bound or spec.type is ValueType.ITEMS:
                continue
            choices = tuple(spec.choices) if spec.type is ValueType.LEVEL and spec.choices else None
            cat.entries.setdefault(spec.id, Entry(spec.id, "criterion", Type(SPEC_KINDS[spec.type], None, choices),
                                                  path + ("rule",), spec, criterion, attributes=spec.attributes))
    for i, flag in enumerate(scheme.flags):
        if flag.kind != "falsification":
            cat.entries.setdefault(flag.id, Entry(flag.id, "flag", Type("bool"), ("flags", i), decl=flag))
    for i, decl in enumerate(scheme.values):
        if decl.id in cat.entries:
            continue  # reported as a duplicate id by the scheme checks
        cat.entries[decl.id] = Entry(decl.id, "value", Type(decl.type or "number"), ("values", i), decl=decl)
        if decl.expr is not None:
            _parse_into(cat, decl.id, decl.expr, ("values", i, "expr"))
    for i, flag in enumerate(scheme.flags):
        if flag.when is not None:
            _parse_into(cat, f"flag:{flag.id}", flag.when, ("flags", i, "when"))
    for i, check in enumerate(scheme.checks):
        _parse_into(cat, f"check:{i}", check.when, ("checks", i, "when"))
    for i, grade in enumerate(scheme.outcomes.grades):
        if grade.when is not None:
            _parse_into(cat, f"grade:{grade.name}", grade.when, ("outcomes", "grades", i, "when"))
    for path, criterion in _criteria_with_paths(scheme):
        if criterion.rule.kind == "formula":
            key = f"rule:{criterion.id}"
            cat.entries.setdefault(key, Entry(key, "value", Type("number"), path + ("rule",), criterion=criterion))
            _parse_into(cat, key, criterion.rule.expr, path + ("rule", "expr"))  # type: ignore[union-attr]
    _resolve(cat, scheme)
    _order(cat, scheme)
    _types(cat, scheme)
    _bindings(cat, scheme)
    return cat


def _criteria_with_paths(scheme: Scheme) -> list[tuple[P, Criterion]]:
    out: list[tuple[P, Criterion]] = []
    for si, section in enumerate(scheme.sections):
        lists: list[tuple[P, list]] = [(("sections", si, "items"), section.items)]  # type: ignore[type-arg]
        lists += [(("sections", si, "tasks", unit), items) for unit, items in (section.tasks or {}).items()]
        for base, items in lists:
            for ii, item in enumerate(items):
                for ci, entry in enumerate(item.criteria):
                    if isinstance(entry, Criterion):
                        out.append((base + (ii, "criteria", ci), entry))
                    else:
                        out += [(base + (ii, "criteria", ci, "criteria", gi), c) for gi, c in enumerate(entry.criteria)]
    return out


def _parse_into(cat: Catalogue, key: str, text: str, path: P) -> None:
    cat.paths[key] = path
    try:
        cat.trees[key] = parse(text)
    except ExprError as e:
        cat.findings.append(Finding(path, e.key, e.params, e.offset))


def _expr_path(cat: Catalogue, key: str) -> P:
    return cat.paths[key]


def _nearest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return close[0] if close else "、".join(known[:8]) + ("…" if len(known) > 8 else "")


def _resolve(cat: Catalogue, scheme: Scheme) -> None:
    known = list(cat.entries)
    for key, tree in list(cat.trees.items()):
        for ref in names(tree):
            if ref.name not in cat.entries:
                cat.findings.append(Finding(_expr_path(cat, key), "expr.unknown_name",
                                            {"name": ref.name, "nearest": _nearest(ref.name, known)}, ref.offset))
                cat.trees.pop(key, None)
                break
            if cat.entries[ref.name].type.kind == "events":
                cat.findings.append(Finding(_expr_path(cat, key), "expr.events_name", {"name": ref.name},
                                            ref.offset))
                cat.trees.pop(key, None)
                break
    for i, decl in enumerate(scheme.values):
        if decl.count is None:
            continue
        source = cat.entries.get(decl.count)
        if source is None or source.type.kind != "events":
            events = [n for n, e in cat.entries.items() if e.type.kind == "events"]
            cat.findings.append(Finding(("values", i, "count"), "names.not_events",
                                        {"name": decl.count, "names": "、".join(events) or "-"}))
            continue
        wanted = list(decl.when or {}) + ([decl.distinct] if decl.distinct else [])
        for name in wanted:
            if name not in source.attributes:
                cat.findings.append(Finding(("values", i), "check.unknown_attribute",
                                            {"name": name, "names": "、".join(source.attributes) or "-"}))


def _order(cat: Catalogue, scheme: Scheme) -> None:
    """Depth-first order of the computed values and flag conditions; a circle is reported once."""
    keys = [v.id for v in scheme.values if cat.entries.get(v.id) and cat.entries[v.id].decl is v] + [
        f"flag:{f.id}" for f in scheme.flags if f.when is not None] + [
        k for k in cat.paths if k.startswith(("rule:", "check:", "grade:"))]
    state: dict[str, int] = {}  # 1: in progress, 2: done
    reported = False

    def visit(key: str, trail: list[str]) -> None:
        nonlocal reported
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            if not reported:
                loop = trail[trail.index(key):] + [key]
                cat.findings.append(Finding(_expr_path(cat, key), "names.circle", {"names": " → ".join(loop)}))
                reported = True
            return
        state[key] = 1
        for name in cat.needs(key):
            entry = cat.entries.get(name)
            if entry is not None and entry.origin == "value":
                visit(name, trail + [key])
            elif entry is not None and entry.origin == "flag" and f"flag:{name}" in keys:
                visit(f"flag:{name}", trail + [key])
        state[key] = 2
        cat.order.append(key)

    for key in keys:
        visit(key, [])


def _types(cat: Catalogue, scheme: Scheme) -> None:
    """Infer each value's kind in order; a declared `type` must agree with what is computed."""
    for key in cat.order:
        if key.startswith(("flag:", "check:", "grade:")):
            tree = cat.trees.get(key)
            if tree is None:
                continue
            got = _infer(cat, scheme, key, tree)
            if got is not None and (got.kind != "bool" or got.series):
                cat.findings.append(Finding(_expr_path(cat, key), "names.flag_not_bool", {"type": str(got)}, 0))
            continue
        if key.startswith("rule:"):
            tree = cat.trees.get(key)
            got = _infer(cat, scheme, key, tree) if tree is not None else None
            if got is not None and (got.kind not in ("count", "number", "rate") or got.series):
                cat.findings.append(Finding(_expr_path(cat, key), "names.formula_not_number", {"type": str(got)}, 0))
            continue
        entry = cat.entries[key]
        decl = entry.decl
        assert isinstance(decl, ValueDecl)
        if decl.count is not None:
            got: Type | None = Type("count")
        else:
            tree = cat.trees.get(key)
            got = _infer(cat, scheme, key, tree) if tree is not None else None
        if got is None:
            continue
        declared = decl.type
        kind = got.kind
        if declared is not None and declared != kind:
            fits = (declared in ("number", "rate") and kind in ("count", "number", "rate"))
            if not fits:
                cat.findings.append(Finding(_expr_path(cat, key), "names.type_mismatch",
                                            {"name": key, "declared": declared, "got": kind}, 0))
                continue
            kind = declared
        if decl.if_zero is not None and isinstance(decl.if_zero, bool) != (kind == "bool"):
            cat.findings.append(Finding(("values", _value_index(scheme, key), "if_zero"), "names.if_zero_kind",
                                        {"name": key, "type": kind}))
        cat.entries[key] = Entry(entry.name, entry.origin, Type(kind, got.labels), entry.path, decl=decl)


def _value_index(scheme: Scheme, key: str) -> int:
    return next(i for i, v in enumerate(scheme.values) if v.id == key)


def _infer(cat: Catalogue, scheme: Scheme, key: str, tree: Node) -> Type | None:
    typeof = {name: e.type for name, e in cat.entries.items()}
    try:
        return infer(tree, typeof)
    except ExprError as e:
        cat.findings.append(Finding(_expr_path(cat, key), e.key, e.params, e.offset))
        return None


def _bindings(cat: Catalogue, scheme: Scheme) -> None:
    """Each `of` names a value of a kind its rule's input can read."""
    for path, criterion in _criteria_with_paths(scheme):
        if criterion.rule.kind == "formula" and criterion.of is not None:
            cat.findings.append(Finding(path + ("of",), "names.formula_of", {"id": criterion.id}))
            continue
        if criterion.of is None:
            continue
        specs = criterion.inputs()
        if isinstance(criterion.of, str) and len(specs) != 1:
            cat.findings.append(Finding(path + ("of",), "names.of_needs_labels",
                                        {"id": criterion.id, "labels": "、".join(s.label or s.id for s in specs)}))
            continue
        if isinstance(criterion.of, dict):
            labels = [s.label for s in specs if s.label is not None]
            for label in criterion.of:
                if label not in labels:
                    cat.findings.append(Finding(path + ("of", label), "names.of_unknown_label",
                                                {"label": label, "labels": "、".join(labels) or "-"}))
        for spec in specs:
            name = criterion.bindings().get(spec.id)
            if name is None:
                continue
            where = path + ("of",) if isinstance(criterion.of, str) else path + ("of", spec.label or "")
            entry = cat.entries.get(name)
            if entry is None:
                cat.findings.append(Finding(where, "expr.unknown_name",
                                            {"name": name, "nearest": _nearest(name, list(cat.entries))}))
                continue
            if entry.type.series:
                cat.findings.append(Finding(where, "names.of_series", {"name": name}))
                continue
            allowed = READS.get(spec.type, ())
            if entry.type.kind not in allowed:
                cat.findings.append(Finding(where, "names.of_kind", {"name": name, "type": entry.type.kind,
                                                                     "wanted": "、".join(allowed) or spec.type.value}))
            elif spec.type is ValueType.LEVEL and isinstance(entry.decl, InputDecl) and tuple(
                    entry.decl.choices or ()) != spec.choices:
                cat.findings.append(Finding(where, "names.of_choices", {"name": name, "choices": "、".join(spec.choices)}))

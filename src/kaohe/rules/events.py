"""events: evidence rows that are events, scored from a table keyed by their attributes.

"获先进集体按省部级5分、地厅级3分、市级机关2分…条线先进集体的减半加分…同一项工作获多种奖项按最高
奖项加分" (常州经信委 2016, 18); "一條信息多處錄用,以錄用的最高級別進行獎勵" (湘东).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Literal, NamedTuple, Union

from pydantic import Field, model_validator

from kaohe.numbers import ZERO, fmt, normalize_text, parse_decimal
from kaohe.rules.base import (
    BadValue,
    Bound,
    Dec,
    Event,
    Finding,
    InputSpec,
    Outcome,
    RuleModel,
    Text,
    ValueType,
    refusal,
    step,
)


class Compare(RuleModel):
    lt: Bound | None = None
    le: Bound | None = None
    gt: Bound | None = None
    ge: Bound | None = None

    def holds(self, text: str) -> bool:
        number = parse_decimal(text)
        return number is not None and self.holds_number(number)

    def holds_number(self, number: object) -> bool:
        """Whether an exact number lies within the bounds (a bool or text never does)."""
        if isinstance(number, bool) or not isinstance(number, (int, Decimal, Fraction)):
            return False
        return ((self.lt is None or number < self.lt) and (self.le is None or number <= self.le)
                and (self.gt is None or number > self.gt) and (self.ge is None or number >= self.ge))

    def show(self, percent: bool = False) -> str:
        ops = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥"}
        return " ".join(f"{ops[k]}{fmt(v * 100) + '%' if percent else fmt(v)}"
                        for k, v in self.model_dump().items() if v is not None)


Condition = dict[str, Union[Text, list[Text], Compare]]
"""Attribute → the value wanted, any of a list of values ([市級, 省級, 國家級]), or a comparison."""


def matches(when: Condition, attributes: dict[str, str]) -> bool:
    for name, wanted in when.items():
        have = attributes.get(name)
        if have is None:
            return False
        if isinstance(wanted, Compare):
            if not wanted.holds(have):
                return False
        elif isinstance(wanted, list):
            if normalize_text(have) not in wanted:
                return False
        elif normalize_text(have) != wanted:
            return False
    return True


def describe(when: Condition) -> str:
    """The condition as a person reads it: "重伤/受伤人数=1", "死亡人数≥2", "市级|省级". A value in
    words names itself; a number is told with its attribute (a bare "1" says nothing)."""
    parts = []
    for name, wanted in when.items():
        if isinstance(wanted, Compare):
            ops = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥"}
            parts.append(" ".join(f"{name}{ops[k]}{fmt(v)}" for k, v in wanted.model_dump().items() if v is not None))
        elif isinstance(wanted, list):
            parts.append("|".join(wanted))
        elif parse_decimal(wanted) is not None:
            parts.append(f"{name}={wanted}")
        else:
            parts.append(f"{wanted}")
    return "/".join(parts)


class Row(RuleModel):
    when: Condition = Field(default_factory=dict)
    points: Dec | None = None
    """Fixed points per event; or, with `points_from`, the points judged for each event:"""
    points_from: Text | None = None
    """the attribute column holding each event's points ("每项加0.5-1.5分"), within min..max."""
    min: Dec | None = None
    max: Dec | None = None

    @model_validator(mode="after")
    def _fixed_or_judged(self) -> Row:
        if (self.points is None) == (self.points_from is None):
            raise refusal("model.points_or_from")
        if self.points_from is not None and (self.min is None or self.max is None or self.min > self.max):
            raise refusal("model.from_range")
        return self

    def points_for(self, attributes: dict[str, str]) -> Decimal:
        if self.points is not None:
            return self.points
        given = parse_decimal(attributes.get(self.points_from or "", ""))
        assert given is not None and self.min is not None and self.max is not None
        if not self.min <= given <= self.max:
            raise BadValue("value.out_of_range", low=fmt(self.min), high=fmt(self.max))
        return given


class Modifier(RuleModel):
    when: Condition
    factor: Dec = Field(ge=0)
    text: Text | None = None


MAX_EVENTS_PER_ROW = 1_000_000
"""The most identical events one evidence row's 值 may count: a row is typed by a person, and a
count beyond this is a slip (a number pasted into the wrong column), refused with its cell."""


class _Scored(NamedTuple):
    """One row's events as scored: the points of each, the working, the best_of group, how many."""

    each: Decimal
    notes: str
    group: str | None
    count: int

    def shown(self) -> str:
        return f"{self.count}×[{self.notes}]" if self.count > 1 else self.notes


class Events(RuleModel):
    kind: Literal["events"]
    attributes: list[Text] = Field(default_factory=list)
    """The attribute columns event rows carry (级别, 类型, 事项, 字数…)."""
    choices: dict[Text, list[Text]] = Field(default_factory=dict)
    """The values an attribute column may take ({类型: [先进集体, 个人先进]}): any other value is
    refused with its cell and the choices, so "先进个人" cannot slip past a 个人先进 modifier."""
    table: list[Row] = Field(min_length=1)
    """The first row whose `when` matches gives an event's points."""
    modifiers: list[Modifier] = Field(default_factory=list)
    """Every modifier that matches multiplies (个人减半, 字数不足500字减半)."""
    best_of: Text | None = None
    """Events sharing this attribute's value score only their best (按最高奖项)."""
    per_event_cap: Dec | None = Field(default=None, gt=0)
    cap: Dec | None = Field(default=None, gt=0)
    unit: str = "项"

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        choices = tuple((name, tuple(normalize_text(v) for v in values)) for name, values in self.choices.items())
        return [InputSpec(cid, ValueType.EVENTS, attributes=tuple(self.attributes), row_value=ValueType.COUNT,
                          maximum=Decimal(MAX_EVENTS_PER_ROW), check_event=self._check_event,
                          attribute_choices=choices)]

    def _check_event(self, attributes: dict[str, str]) -> None:
        for name, values in self.choices.items():
            have = attributes.get(name)
            if have is not None and have not in {normalize_text(v) for v in values}:
                raise BadValue("value.bad_attribute", attribute=name, value=have, choices="、".join(values))
        if self.best_of is not None and self.best_of not in attributes:
            raise BadValue("value.missing_attributes", names=self.best_of)  # else 一稿多用 would dodge best_of
        row = next((r for r in self.table if matches(r.when, attributes)), None)
        if row is None:
            choices = "; ".join(describe(r.when) or "*" for r in self.table)
            raise BadValue("value.no_event_row", choices=choices)
        if row.points_from is not None:
            if parse_decimal(attributes.get(row.points_from, "")) is None:
                raise BadValue("value.missing_attributes", names=row.points_from)
            row.points_for(attributes)

    def _score(self, event: Event) -> tuple[Decimal, list[str]]:
        row = next(r for r in self.table if matches(r.when, event.attributes))
        points = row.points_for(event.attributes)
        notes = [describe(row.when) or "", fmt(points)]
        for modifier in self.modifiers:
            if matches(modifier.when, event.attributes):
                points *= modifier.factor
                notes.append(f"×{fmt(modifier.factor)}{'(' + modifier.text + ')' if modifier.text else ''}")
        if self.per_event_cap is not None and points > self.per_event_cap:
            points = self.per_event_cap
            notes.append(f"≤{fmt(self.per_event_cap)}")
        return points, notes

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        """Each row is `count` identical events (值), counted arithmetically: n × its points, never
        a list of n entries (a row of 10⁹ events must not take 10⁹ places in memory). With
        best_of, a group of events keeps only its best one, whatever the rows' counts."""
        events = values[cid]
        assert isinstance(events, list)
        scored: list[_Scored] = []
        total_events = 0
        for event in events:
            count = int(event.value) if event.value is not None else 1  # type: ignore[call-overload]
            if count <= 0:
                continue  # 值 0: no such event happened
            each, notes = self._score(event)
            group = event.attributes.get(self.best_of) if self.best_of else None
            scored.append(_Scored(each, " ".join(n for n in notes if n), group, count))
            total_events += count
        steps = []
        if self.best_of:
            best: dict[object, _Scored] = {}
            for i, entry in enumerate(scored):
                if entry.group is None:  # no group to share: every event counts
                    best[("ungrouped", i)] = entry
                    continue
                held = best.get(entry.group)
                if held is None or entry.each > held.each:
                    best[entry.group] = entry._replace(count=1)
            scored = list(best.values())
            kept = sum(s.count for s in scored)
            if kept < total_events:
                steps.append(step("step.best_of", attribute=self.best_of, kept=kept, total=total_events))
        total = sum((s.each * s.count for s in scored), ZERO)
        steps.insert(0, step("step.events", count=sum(s.count for s in scored), unit=self.unit,
                             detail="; ".join(s.shown() for s in scored) or "-", points=total))
        if self.cap is not None and total > self.cap:
            total = self.cap
            steps.append(step("step.cap", cap=self.cap))
        return Outcome(total, tuple(steps))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return self.cap

    def check(self, points: Decimal | None) -> list[Finding]:
        found = []
        named = set(self.attributes)
        for i, row in enumerate(self.table):
            if row.points_from is not None and row.points_from not in named:
                found.append(Finding(("table", i, "points_from"), "error", "check.unknown_attribute",
                                     {"name": row.points_from, "names": "、".join(self.attributes)}))
        for part, i, conditions in ([("table", i, r.when) for i, r in enumerate(self.table)]
                                    + [("modifiers", i, m.when) for i, m in enumerate(self.modifiers)]):
            for name in conditions:
                if name not in named:
                    found.append(Finding((part, i, "when"), "error", "check.unknown_attribute",
                                         {"name": name, "names": "、".join(self.attributes)}))
        if self.best_of is not None and self.best_of not in named:
            found.append(Finding(("best_of",), "error", "check.unknown_attribute",
                                 {"name": self.best_of, "names": "、".join(self.attributes)}))
        for name in self.choices:
            if name not in named:
                found.append(Finding(("choices", name), "error", "check.unknown_attribute",
                                     {"name": name, "names": "、".join(self.attributes)}))
        for part, i, conditions in ([("table", i, r.when) for i, r in enumerate(self.table)]
                                    + [("modifiers", i, m.when) for i, m in enumerate(self.modifiers)]):
            for name, wanted in conditions.items():
                if isinstance(wanted, Compare) or name not in named:
                    continue
                allowed = self.choices.get(name)
                if allowed is None:
                    # a value written another way would silently not match, unless every table
                    # row names the attribute's value (then an unknown one matches no row: refused)
                    constrained = all(name in r.when and not isinstance(r.when[name], Compare) for r in self.table)
                    if part == "modifiers" and not constrained:
                        found.append(Finding((part, i, "when", name), "warning", "check.modifier_open",
                                             {"name": name}))
                    continue
                for value in wanted if isinstance(wanted, list) else [wanted]:
                    if value not in {normalize_text(v) for v in allowed}:
                        found.append(Finding((part, i, "when", name), "error", "check.not_a_choice",
                                             {"name": name, "value": value, "choices": "、".join(allowed)}))
        return found

"""Turning results and rules into the words people read (in the current language)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Iterable, Iterator

from kaohe.engine import CriterionResult, InputResult
from kaohe.i18n import get_lang, t
from kaohe.numbers import Rational, fmt
from kaohe.rules.bands import Interval
from kaohe.rules.base import NOT_APPLICABLE, Event, InputSpec, ValueType
from kaohe.scheme.models import Criterion, Scheme

POINTS = "分"
"""The unit the catalogue's texts count in; a money scheme (`unit: 元`) counts in its own."""
_COUNTED_IN: ContextVar[str] = ContextVar("counted_in", default=POINTS)
_AMOUNT = re.compile(r"(?<=[0-9∞])分(?![钟鐘])")
"""分 after a number ("50分", "扣100分"), not in 满分, 百分点, 分档 or 5分钟."""


@contextmanager
def counting_in(unit: str) -> Iterator[None]:
    """Explanations made inside count in `unit` (a scheme's `unit`): "3篇×50元=150元"."""
    token = _COUNTED_IN.set(unit)
    try:
        yield
    finally:
        _COUNTED_IN.reset(token)


def in_unit(text: str, unit: str | None = None) -> str:
    """The text with its amounts in `unit` (by default the one counted in) instead of 分; only
    the Chinese texts name the unit."""
    unit = _COUNTED_IN.get() if unit is None else unit
    if unit == POINTS or get_lang() != "zh" or "分" not in text:
        return text
    return _AMOUNT.sub(unit, text)


def explanation(result: CriterionResult, unit: str | None = None) -> str:
    """One line such as "3次×1分=3分,封顶2分 → 2分" ("→ 扣2分" for a deduction), its amounts in
    `unit` (by default the one counted in, see counting_in)."""
    # Units with the same outcome share one steps tuple (the engine memoises outcomes), so the
    # text is made once per distinct outcome and language. The tuple is kept with its text so
    # that its id is not reused while cached.
    lang = get_lang()
    unit = _COUNTED_IN.get() if unit is None else unit
    key = (id(result.steps), result.points, result.criterion.effect, lang, unit)
    known = _EXPLAINED.get(key)
    if known is not None and known[0] is result.steps:
        return known[1]
    sep = "," if lang == "zh" else "; "
    steps = sep.join(t(s.key, **s.params).strip() for s in result.steps)
    message = {"deduct": "explain.result_deduct", "bonus": "explain.result_bonus"}.get(result.criterion.effect,
                                                                                        "explain.result")
    text = in_unit(t(message, steps=steps, points=fmt(result.points)), unit)
    if len(_EXPLAINED) >= _EXPLAINED_LIMIT:
        _EXPLAINED.clear()
    _EXPLAINED[key] = (result.steps, text)
    return text


_EXPLAINED: dict[tuple[int, Decimal, str, str, str], tuple[tuple[object, ...], str]] = {}
_EXPLAINED_LIMIT = 100_000


def effect_mark(effect: str) -> str:
    return {"deduct": t("show.effect_deduct"), "bonus": t("show.effect_bonus")}.get(effect, "")


def show_value(value: object, kind: ValueType | None = None) -> str:
    """A typed value in words; a rate (`kind`) as a percentage, as it is entered: 79%, not 0.79."""
    if value is None:
        return ""
    if value is NOT_APPLICABLE:
        return t("values.not_applicable")
    if isinstance(value, list):
        return "; ".join(show_value(v, kind) for v in value)
    if isinstance(value, Event):
        attrs = "/".join(value.attributes.values())
        return f"{attrs}×{show_value(value.value, kind)}" if attrs else show_value(value.value, kind)
    if isinstance(value, bool):
        return ("是" if value else "否") if get_lang() == "zh" else ("yes" if value else "no")
    if isinstance(value, (Decimal, Rational)):
        return f"{fmt(value * 100)}%" if kind is ValueType.RATE else fmt(value)
    return str(value)


def show_input(result: InputResult, spec: InputSpec | None = None) -> str:
    """An input's value as entered: a cell's text as typed where it is a rate ("79%") or
    written with %, else the value in words; `spec` (the input's) tells a rate typed as a number."""
    from kaohe.evidence import Value
    from kaohe.values import Computed, display

    if isinstance(result.source, Computed) and result.value is not None:
        return display(result.value, result.source.kind)
    kind = None if spec is None else (spec.row_value if spec.type is ValueType.EVENTS else spec.type)
    raw = result.raw
    if isinstance(result.source, Value) and isinstance(raw, str) and isinstance(result.value, (Decimal, Rational)) \
            and (kind is ValueType.RATE or "%" in raw):
        return raw.strip()
    text = show_value(result.value, kind)
    if result.status == "default":
        text += t("explain.default")
    return text


def describe_rule(criterion: Criterion) -> str:
    """The rule in the document's manner ("10人以上2分;5人以上不足10人1分;不足5人0.5分"), for `show`,
    评价表 printouts and templates ("[扣分]" marks deductions), with the named values it reads
    ("读取 完成率")."""
    reads = ""
    if criterion.of is not None:
        names = [criterion.of] if isinstance(criterion.of, str) else list(criterion.of.values())
        reads = t("rule.reads", names="、".join(names))
    return effect_mark(criterion.effect) + _describe(criterion) + reads


def _describe(criterion: Criterion) -> str:
    rule = criterion.rule
    points = criterion.points
    kind = rule.kind
    if kind == "met":
        key = "rule.met_deduct" if criterion.effect == "deduct" else "rule.met"
        return t(key, points=fmt(rule.award(points)))
    if kind == "per_count":
        deducting = criterion.effect == "deduct"
        each = _each(rule.per, rule.unit, "rule.each_deduct" if deducting else "rule.each_add")
        if rule.cap is not None:
            return t("rule.per_count_cap_deduct" if deducting else "rule.per_count_cap", each=each, cap=fmt(rule.cap))
        return each
    if kind == "deduct":
        return _describe_deduct(rule, points)
    deducting = criterion.effect == "deduct"  # a clause's points are taken off: "死亡1人扣30分"
    if kind == "bands":
        percent = rule.value == "rate"
        return _joined(_clause(_band(b.interval, percent, rule.unit), fmt(b.points), deducting)
                       for b in rule.bands)
    if kind == "levels":
        key = "rule.level_deduct" if deducting else "rule.level"
        return _joined(t(key, name=lv.name, points=fmt(lv.points)) for lv in rule.levels)
    if kind == "ratio":
        return t(f"rule.ratio_{rule.mode}", target=f"{fmt(rule.target * 100)}%")
    if kind == "events":
        from kaohe.rules.events import describe

        return t("rule.events", table=_joined(
            _clause(describe(row.when) or t("rule.event_any"),
                    fmt(row.points) if row.points is not None else f"{fmt(row.min)}–{fmt(row.max)}",  # type: ignore[arg-type]
                    deducting)
            for row in rule.table))
    if kind == "panel":
        return t(f"rule.panel_{rule.method}")
    if kind == "judged":
        high = rule.max_points(points)
        if high is None:
            return t("rule.judged_open", low=fmt(rule.min))
        return t("rule.judged_zero" if rule.zero else "rule.judged", low=fmt(rule.min), high=fmt(high))
    if kind == "steps":
        return _describe_steps(rule, points)
    if kind == "table":
        return _joined(_clause(rule._describe(row), fmt(row.points), deducting) for row in rule.rows)
    if kind == "relative":
        key = {"max": "rule.relative_max", "mean": "rule.relative_mean", "min": "rule.relative_min"}[rule.to]
        cap = f"{fmt(rule.cap * 100)}%" if rule.cap is not None else ""
        return t(key, cap=t("rule.relative_cap", cap=cap) if cap else "")
    if kind == "place":
        if rule.bands is not None:
            return _joined(_clause(_places(b.first, b.last), fmt(b.points), deducting) for b in rule.bands)
        return t("rule.place_per", first=fmt(rule._first(points)), per=fmt(rule.per))
    if kind == "formula":
        return t("rule.formula", expr=rule.expr)
    return kind


def _clause(band: str, points: str, deducting: bool = False) -> str:
    """"10人以上2分"; "不超过3得2分" where the band ends in a number that would run into the points;
    "死亡人数=1扣30分" where the points are taken off."""
    if deducting:
        return t("rule.band_deduct", band=band, points=points)
    key = "rule.band_points_after_number" if band[-1:].isdigit() or band.endswith("%") else "rule.band_points"
    return t(key, band=band, points=points)


def _joined(parts: Iterable[str]) -> str:
    """Clauses one after another as a document lists them: "…2分;…1分"."""
    return t("rule.clause_sep").join(parts)


def _band(interval: Interval, percent: bool, unit: str) -> str:
    """A band as the document words it (see Interval.words)."""
    return interval.words(percent, unit)


def _places(first: int, last: int | None) -> str:
    """A band of places: "第1名", "第2–3名", "第4名及以后"."""
    if last is None:
        return t("rule.places_from", first=first)
    return t("rule.place_one", first=first) if last == first else t("rule.places", first=first, last=last)


def _describe_deduct(rule, points) -> str:  # type: ignore[no-untyped-def]
    """"得3分,每项扣1分,扣完为止" and the like."""
    each = _each(rule.per, rule.unit, "rule.each_deduct")
    void = t("rule.deduct_void", conditions="、".join(rule.void)) if rule.void else ""
    start = fmt(rule.max_points(points) or 0)
    if rule.floor is None:
        return void + t("rule.deduct_negative", start=start, each=each)
    if rule.floor == 0:
        return void + t("rule.deduct_to_zero", start=start, each=each)
    return void + t("rule.deduct", start=start, each=each, floor=fmt(rule.floor))


def _each(per: Decimal | dict[str, Decimal], unit: str, key: str) -> str:
    """"每项扣1分", or per kind of occurrence: "不按要求报送每次扣0.5分、故意虚报每次扣2分"."""
    if not isinstance(per, dict):
        return t(key, what="", unit=unit, per=fmt(per))
    return "、".join(t(key + "_kind", what=what, unit=unit, per=fmt(points)) for what, points in per.items())


def _describe_steps(rule, points) -> str:  # type: ignore[no-untyped-def]
    """"得40分,低于100%的部分每10个百分点扣4分,不足一档按一档计" and the like."""
    def show(x: Decimal) -> str:
        return f"{fmt(x * 100)}%" if rule.value == "rate" else f"{fmt(x)}{rule.unit}"

    step = t("rule.step_points", step=fmt(rule.step * 100)) if rule.value == "rate" else show(rule.step)
    reference = rule.above if rule.above is not None else rule.below
    adding = rule.add is not None
    key = ("rule.steps_above" if rule.above is not None else "rule.steps_below") + ("_add" if adding else "_take")
    text = t(key, reference=show(reference), step=step, per=fmt(rule.add or rule.take),
             start=fmt(rule._start(points)))
    extras = [t({"whole": "rule.steps_whole", "started": "rule.steps_started", "exact": "rule.steps_exact"}[rule.count])]
    if rule.limit is not None:
        extras.append(t("rule.steps_limit_add" if adding else "rule.steps_limit", limit=fmt(rule.limit)))
    if rule.zero is not None:
        bound = rule.zero.lt if rule.zero.lt is not None else rule.zero.le
        extras.append(t("rule.steps_zero_lt" if rule.zero.lt is not None else "rule.steps_zero_le", bound=show(bound)))
    return t("rule.clause_join").join([text, *extras])


def describe_input(spec: InputSpec) -> str:
    """What to type into an evidence cell."""
    if spec.type is ValueType.LEVEL:
        return t("input.level", choices="/".join(spec.choices))
    if spec.type is ValueType.EVENTS:
        return t("input.events", attributes="、".join(spec.attributes) or "-")
    if spec.type is ValueType.ITEMS:
        return t("input.items")
    if spec.type is ValueType.POINTS:
        return t("input.points", low=fmt(spec.minimum or Decimal(0)),
                 high=fmt(spec.maximum) if spec.maximum is not None else "∞")
    if spec.type is ValueType.RATE and spec.bare is not None:  # the scheme's `rates` reads a bare number
        return t(f"input.rate_{spec.bare}")
    return t(f"input.{spec.type.value}")


def flag_marks(vetoed: tuple[str, ...] | list[str], falsified: tuple[str, ...] | list[str],
               unmet: tuple[str, ...] | list[str], undecided: tuple[str, ...] | list[str] = (),
               scheme: Scheme | None = None) -> list[str]:
    """一票否决, 弄虚作假 and unmet prerequisites, each with the flags or items concerned, and the
    conditions that could not be decided (a value they read is missing). Given the scheme, each
    flag is named in the document's words (its text) and each item by its title: "一票否决: 所在部门
    工作人员因违法违纪被查处的"; without it, by id: "一票否决(否决.1)"."""
    if scheme is None:
        marks = [t("flag.vetoed", ids="、".join(vetoed))] if vetoed else []
        marks += [t("flag.undecided", ids="、".join(undecided))] if undecided else []
        marks += [t("flag.falsified", ids="、".join(falsified))] if falsified else []
        marks += [t("flag.unmet", ids="、".join(unmet))] if unmet else []
        return marks
    flags = {f.id: _trimmed(f.text) for f in scheme.flags}
    items = {i.id: f"{i.id} {i.title}" if i.title else i.id for s in scheme.sections for i in s.all_items()}

    def words(ids: tuple[str, ...] | list[str], names: dict[str, str]) -> str:
        return "; ".join(names.get(i) or i for i in ids)

    marks = [t("flag.vetoed_words", texts=words(vetoed, flags))] if vetoed else []
    marks += [t("flag.undecided_words", texts=words(undecided, flags))] if undecided else []
    marks += [t("flag.falsified_words", texts=words(falsified, items))] if falsified else []
    marks += [t("flag.unmet_words", texts=words(unmet, flags))] if unmet else []
    return marks


def _trimmed(text: str) -> str:
    """A flag's sentence without its closing mark, to be joined with others."""
    text = text.strip()
    while text and text[-1] in "。;;,,":
        text = text[:-1]
    return text

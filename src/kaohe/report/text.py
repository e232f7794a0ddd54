"""Turning results and rules into the words people read (in the current language)."""

from __future__ import annotations

from decimal import Decimal

from kaohe.engine import CriterionResult, InputResult
from kaohe.i18n import get_lang, t
from kaohe.numbers import Rational, fmt
from kaohe.rules.base import NOT_APPLICABLE, Event, InputSpec, ValueType
from kaohe.scheme.models import Criterion


def explanation(result: CriterionResult) -> str:
    """One line such as "3次×1分=3分,封顶2分 → 2分" ("→ 扣2分" for a deduction)."""
    # Units with the same outcome share one steps tuple (the engine memoises outcomes), so the
    # text is made once per distinct outcome and language. The tuple is kept with its text so
    # that its id is not reused while cached.
    lang = get_lang()
    key = (id(result.steps), result.points, result.criterion.effect, lang)
    known = _EXPLAINED.get(key)
    if known is not None and known[0] is result.steps:
        return known[1]
    sep = "," if lang == "zh" else "; "
    steps = sep.join(t(s.key, **s.params).strip() for s in result.steps)
    message = {"deduct": "explain.result_deduct", "bonus": "explain.result_bonus"}.get(result.criterion.effect,
                                                                                        "explain.result")
    text = t(message, steps=steps, points=fmt(result.points))
    if len(_EXPLAINED) >= _EXPLAINED_LIMIT:
        _EXPLAINED.clear()
    _EXPLAINED[key] = (result.steps, text)
    return text


_EXPLAINED: dict[tuple[int, Decimal, str, str], tuple[tuple[object, ...], str]] = {}
_EXPLAINED_LIMIT = 100_000


def effect_mark(effect: str) -> str:
    return {"deduct": t("show.effect_deduct"), "bonus": t("show.effect_bonus")}.get(effect, "")


def show_value(value: object) -> str:
    if value is None:
        return ""
    if value is NOT_APPLICABLE:
        return t("values.not_applicable")
    if isinstance(value, list):
        return "; ".join(show_value(v) for v in value)
    if isinstance(value, Event):
        attrs = "/".join(value.attributes.values())
        return f"{attrs}×{show_value(value.value)}" if attrs else show_value(value.value)
    if isinstance(value, bool):
        return ("是" if value else "否") if get_lang() == "zh" else ("yes" if value else "no")
    if isinstance(value, (Decimal, Rational)):
        return fmt(value)
    return str(value)


def show_input(result: InputResult) -> str:
    from kaohe.values import Computed, display

    if isinstance(result.source, Computed) and result.value is not None:
        return display(result.value, result.source.kind)
    text = show_value(result.value)
    if result.status == "default":
        text += t("explain.default")
    return text


def describe_rule(criterion: Criterion) -> str:
    """The rule in a short phrase, for 评价表 printouts and templates ("[扣分]" marks deductions),
    with the named values it reads ("读取 完成率")."""
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
        per = rule.per if not isinstance(rule.per, dict) else None
        per_text = fmt(per) if per is not None else "/".join(f"{k}{fmt(v)}" for k, v in rule.per.items())
        deducting = criterion.effect == "deduct"
        if rule.cap is not None:
            return t("rule.per_count_cap_deduct" if deducting else "rule.per_count_cap", unit=rule.unit, per=per_text,
                     cap=fmt(rule.cap))
        return t("rule.per_count_deduct" if deducting else "rule.per_count", unit=rule.unit, per=per_text)
    if kind == "deduct":
        per = fmt(rule.per) if not isinstance(rule.per, dict) else "/".join(f"{k}{fmt(v)}" for k, v in rule.per.items())
        void = t("rule.deduct_void", conditions="、".join(rule.void)) if rule.void else ""
        if rule.floor is None:
            return void + t("rule.deduct_negative", start=fmt(rule.max_points(points) or 0), unit=rule.unit, per=per)
        return void + t("rule.deduct", start=fmt(rule.max_points(points) or 0), unit=rule.unit, per=per,
                        floor=fmt(rule.floor))
    if kind == "bands":
        percent = rule.value == "rate"
        bands = "; ".join(f"{b.interval.show(percent)}→{fmt(b.points)}" for b in rule.bands)
        return t("rule.bands", bands=bands)
    if kind == "levels":
        return t("rule.levels", levels="/".join(f"{lv.name}{fmt(lv.points)}" for lv in rule.levels))
    if kind == "ratio":
        return t(f"rule.ratio_{rule.mode}", target=f"{fmt(rule.target * 100)}%")
    if kind == "events":
        from kaohe.rules.events import describe

        table = "; ".join(f"{describe(row.when) or '*'} " + (fmt(row.points) if row.points is not None
                                                            else f"{fmt(row.min)}–{fmt(row.max)}")  # type: ignore[arg-type]
                          for row in rule.table)
        return t("rule.events", table=table)
    if kind == "panel":
        return t(f"rule.panel_{rule.method}")
    if kind == "judged":
        high = rule.max_points(points)
        key = "rule.judged_zero" if rule.zero else "rule.judged"
        return t(key, low=fmt(rule.min), high=fmt(high) if high is not None else "∞")
    if kind == "steps":
        return _describe_steps(rule, points)
    if kind == "table":
        return t("rule.table", rows="; ".join(f"{rule._describe(row)} {fmt(row.points)}" for row in rule.rows))
    if kind == "relative":
        key = {"max": "rule.relative_max", "mean": "rule.relative_mean", "min": "rule.relative_min"}[rule.to]
        cap = f"{fmt(rule.cap * 100)}%" if rule.cap is not None else ""
        return t(key, cap=t("rule.relative_cap", cap=cap) if cap else "")
    if kind == "place":
        if rule.bands is not None:
            bands = "; ".join(f"{b.first}–{b.last or '∞'}→{fmt(b.points)}" for b in rule.bands)
            return t("rule.place_bands", bands=bands)
        return t("rule.place_per", first=fmt(rule._first(points)), per=fmt(rule.per))
    if kind == "formula":
        return t("rule.formula", expr=rule.expr)
    return kind


def _describe_steps(rule, points) -> str:  # type: ignore[no-untyped-def]
    """"低于100%每10个百分点扣4分(不足一档按一档),40分起" and the like."""
    def show(x: Decimal) -> str:
        return f"{fmt(x * 100)}%" if rule.value == "rate" else fmt(x)

    reference = rule.above if rule.above is not None else rule.below
    key = ("rule.steps_above" if rule.above is not None else "rule.steps_below") + (
        "_add" if rule.add is not None else "_take")
    text = t(key, reference=show(reference), step=show(rule.step), per=fmt(rule.add or rule.take),
             start=fmt(rule._start(points)))
    extras = [t({"whole": "rule.steps_whole", "started": "rule.steps_started", "exact": "rule.steps_exact"}[rule.count])]
    if rule.limit is not None:
        extras.append(t("rule.steps_limit", limit=fmt(rule.limit)))
    if rule.zero is not None:
        bound = rule.zero.lt if rule.zero.lt is not None else rule.zero.le
        extras.append(t("rule.steps_zero_lt" if rule.zero.lt is not None else "rule.steps_zero_le", bound=show(bound)))
    return text + "(" + ",".join(extras) + ")"


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
    return t(f"input.{spec.type.value}")


def flag_marks(vetoed: tuple[str, ...] | list[str], falsified: tuple[str, ...] | list[str],
               unmet: tuple[str, ...] | list[str], undecided: tuple[str, ...] | list[str] = ()) -> list[str]:
    """一票否决, 弄虚作假 and unmet prerequisites, each with the flags or items concerned, and the
    conditions that could not be decided (a value they read is missing)."""
    marks = [t("flag.vetoed", ids="、".join(vetoed))] if vetoed else []
    marks += [t("flag.undecided", ids="、".join(undecided))] if undecided else []
    marks += [t("flag.falsified", ids="、".join(falsified))] if falsified else []
    marks += [t("flag.unmet", ids="、".join(unmet))] if unmet else []
    return marks

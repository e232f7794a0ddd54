"""relative: points in proportion to the unit's value against the other units'.

"得分 = 分值 × 本单位完成值 ÷ 全市最高值" (to: max); "按与平均值之比计分,最高不超过分值的1.5倍"
(to: mean, cap: 150%); "越低越好: 分值 × 全市最低值 ÷ 本单位值" (to: min).

The reference is worked out over every unit of the group that has a value (all units, or those
of the unit's category with `among: category`), after all evidence is read; the trace names it
and the unit that set it. When the reference is 0 (no unit has any), every unit scores
`if_zero` (0 unless stated). A negative ratio scores 0.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from kaohe.numbers import ZERO, Exact, div, fmt
from kaohe.rules.base import PEERS, Bound, Dec, Finding, InputSpec, Outcome, PeerStats, RuleModel, ValueType, step

_TYPES = {"count": ValueType.COUNT, "number": ValueType.NUMBER, "rate": ValueType.RATE}


class Relative(RuleModel):
    kind: Literal["relative"]
    to: Literal["max", "mean", "min"] = "max"
    """max: value ÷ the highest; mean: value ÷ the average; min (lower is better): the lowest ÷ value."""
    among: Literal["all", "category"] = "all"
    cap: Bound | None = None
    """The most the ratio may reach (150%: "最高不超过分值的1.5倍"); 100% for max and min."""
    max: Dec | None = None
    """Points at a ratio of 100%; the criterion's points when omitted."""
    value: Literal["count", "number", "rate"] = "number"
    if_zero: Dec = ZERO
    """Points when the reference is 0."""
    rate_max: Bound | None = None

    peers: ClassVar[bool] = True

    def _full(self, points: Decimal | None) -> Decimal:
        return self.max if self.max is not None else (points or ZERO)

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(cid, _TYPES[self.value], maximum=self.rate_max if self.value == "rate" else None)]

    def _show(self, x: Exact) -> str:
        return f"{fmt(x * 100)}%" if self.value == "rate" else fmt(x)

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        x = values[cid]
        x = Decimal(x) if isinstance(x, int) else x  # type: ignore[assignment]
        stats = values.get(PEERS)
        assert isinstance(stats, PeerStats)
        full = self._full(points)
        reference = stats.highest if self.to == "max" else (stats.lowest if self.to == "min" else stats.mean())
        who = "、".join(stats.units_at(reference)) if self.to != "mean" else ""
        label = {"max": "step.relative_max", "min": "step.relative_min", "mean": "step.relative_mean"}[self.to]
        head = step(label, value=self._show(x), reference=self._show(reference), units=who,  # type: ignore[arg-type]
                    count=stats.count)
        divisor = x if self.to == "min" else reference
        if not divisor:
            return Outcome(self.if_zero, (head, step("step.relative_zero", points=self.if_zero)))
        ratio = div(reference, x) if self.to == "min" else div(x, reference)  # type: ignore[arg-type]
        steps = [head]
        if ratio < 0:
            ratio = ZERO
        cap = self.cap if self.cap is not None else (Decimal(1) if self.to != "mean" else None)
        if cap is not None and ratio > cap:
            steps.append(step("step.relative_cap", cap=f"{fmt(cap * 100)}%"))
            ratio = cap
        got = full * ratio
        steps.append(step("step.relative_points", ratio=f"{fmt(ratio * 100)}%", full=full, points=got))
        return Outcome(got, tuple(steps))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        full = self._full(points)
        cap = self.cap if self.cap is not None else (Decimal(1) if self.to != "mean" else None)
        return None if cap is None else full * cap

    def check(self, points: Decimal | None) -> list[Finding]:
        if self.max is None and points is None:
            return [Finding(("kind",), "error", "check.ratio_no_points", {})]
        if self.cap is not None and self.cap <= 0:
            return [Finding(("cap",), "error", "check.positive", {"value": str(self.cap)})]
        return []

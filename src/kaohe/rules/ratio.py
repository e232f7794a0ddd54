"""ratio: points from a rate measured against a target.

proportional: "全部完成得5分,41%-99%用系数计算得分,低于40%的不得分" (徐州 2017, 一.6);
shortfall: "抽檢合格率不低于90%…低于1個百分點扣1分,扣完為止" (徐州 2017, 一.2).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Literal

from pydantic import Field, model_validator

from kaohe.numbers import ZERO, div, floor, fmt
from kaohe.rules.base import Bound, Dec, Finding, InputSpec, Outcome, RuleModel, ValueType, refusal, step


class ZeroBound(RuleModel):
    lt: Bound | None = None
    le: Bound | None = None

    @model_validator(mode="after")
    def _one(self) -> ZeroBound:
        if (self.lt is None) == (self.le is None):
            raise refusal("model.lt_or_le")
        return self

    def contains(self, rate: Decimal) -> bool:
        return rate < self.lt if self.lt is not None else rate <= self.le  # type: ignore[operator]


def _pct(rate: Decimal) -> str:
    return f"{fmt(rate * 100)}%"


class Ratio(RuleModel):
    kind: Literal["ratio"]
    mode: Literal["proportional", "shortfall"]
    target: Bound = Field(gt=0, le=1)
    """Full points at or above this rate."""
    zero: ZeroBound | None = None
    """proportional: rates in this bound score 0."""
    per_point: Dec | None = Field(default=None, gt=0)
    """shortfall: points off per percentage point below the target."""
    whole_points: bool = False
    """shortfall: count only whole percentage points of shortfall."""
    max: Dec | None = None
    """Full points; the criterion's points when omitted."""
    rate_max: Bound | None = None
    """The largest rate the evidence may give (100% unless stated: 超额完成 150%)."""

    def _full(self, points: Decimal | None) -> Decimal:
        return self.max if self.max is not None else (points or ZERO)

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(cid, ValueType.RATE, maximum=self.rate_max)]

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        rate = values[cid]
        assert isinstance(rate, (Decimal, Fraction))  # a computed rate may be an exact fraction
        full = self._full(points)
        if rate >= self.target:
            return Outcome(full, (step("step.ratio_full", rate=_pct(rate), target=_pct(self.target)),))
        if self.mode == "proportional":
            if self.zero is not None and self.zero.contains(rate):
                return Outcome(ZERO, (step("step.ratio_zero", rate=_pct(rate)),))
            got = div(full * rate, self.target)
            return Outcome(got, (step("step.ratio_proportional", rate=_pct(rate), target=_pct(self.target),
                                      full=full, points=got),))
        gap = (self.target - rate) * 100
        short = Decimal(floor(gap)) if self.whole_points else gap
        taken = short * (self.per_point or ZERO)
        got = max(full - taken, ZERO)
        if self.whole_points and short != gap:  # say both: 0.53 points short is 0 whole points
            return Outcome(got, (step("step.ratio_shortfall_whole", rate=_pct(rate), target=_pct(self.target),
                                      gap=gap, short=short, per=self.per_point or ZERO, taken=taken),))
        return Outcome(got, (step("step.ratio_shortfall", rate=_pct(rate), target=_pct(self.target),
                                  short=short, per=self.per_point or ZERO, taken=taken),))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return self._full(points)

    def check(self, points: Decimal | None) -> list[Finding]:
        if self.max is None and points is None:
            return [Finding(("kind",), "error", "check.ratio_no_points", {})]
        if self.mode == "shortfall" and self.per_point is None:
            return [Finding(("mode",), "error", "check.ratio_needs", {"mode": "shortfall", "field": "per_point"})]
        if self.mode == "proportional" and self.per_point is not None:
            return [Finding(("per_point",), "error", "check.ratio_not_for", {"mode": "proportional", "field": "per_point"})]
        if self.mode == "shortfall" and self.zero is not None:
            return [Finding(("zero",), "error", "check.ratio_not_for", {"mode": "shortfall", "field": "zero"})]
        return []

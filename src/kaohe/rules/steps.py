"""steps: points added or taken per step of a value beyond a reference point.

"每超额完成10%加3分,最多加9分" (above 100%, step 10%, add 3, limit 9);
"完成年度计划目标得40分,完成目标的90%得36分…" (below 100%, step 10%, take 4, count started);
"费用率不高于8%,每高于1个百分点扣3分,扣完为止" (above 8%, step 1%, take 3: a ceiling);
"每低于1%减2分,完成率低于80%的此项不得分" (below 100%, step 1%, take 2, zero {lt: 80%}).

`count` says how a part of a step counts: `whole` (only completed steps: 125% has 2 whole steps of
10% above 100%), `started` (every started step counts in full: 95% is one step below 100%, so it
scores the 90% level, "依次类推" reading), `exact` (in proportion: 95% is half a step).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from kaohe.numbers import ZERO, Exact, ceil, div, floor, fmt
from kaohe.rules.base import Bound, Dec, Finding, InputSpec, Outcome, RuleModel, Span, ValueType, step
from kaohe.rules.ratio import ZeroBound

_TYPES = {"count": ValueType.COUNT, "number": ValueType.NUMBER, "rate": ValueType.RATE}
_COUNTED = {"whole": "step.steps_above_whole", "started": "step.steps_above_started", "exact": "step.steps_above_exact"}
_COUNTED_BELOW = {"whole": "step.steps_below_whole", "started": "step.steps_below_started",
                  "exact": "step.steps_below_exact"}


class Steps(RuleModel):
    kind: Literal["steps"]
    value: Literal["count", "number", "rate"] = "rate"
    """What is measured: a rate (steps such as 10% are percentage points), a number or a count."""
    above: Bound | None = None
    """Steps are counted above this value ("每超…", "每高于…")."""
    below: Bound | None = None
    """Steps are counted below this value ("每低于…", "每少…")."""
    step: Bound = Field(gt=0)
    """The size of one step: 10% (ten percentage points), 1%, or 1 (a number)."""
    add: Dec | None = Field(default=None, gt=0)
    """Points added per step."""
    take: Dec | None = Field(default=None, gt=0)
    """Points taken off per step."""
    start: Dec | None = None
    """Points at the reference (and on its other side): the criterion's points when taking, 0
    when adding."""
    count: Literal["whole", "started", "exact"] = "whole"
    limit: Dec | None = Field(default=None, gt=0)
    """The most the steps add or take in all ("最多加5分", "累计扣分不超过…")."""
    floor: Dec = ZERO
    """The result never goes below this ("扣完为止")."""
    zero: ZeroBound | None = None
    """Values here score 0 outright ("完成率低于80%的此项不得分")."""
    rate_max: Bound | None = None
    """The largest rate the evidence may give (100% unless stated; 超额完成 needs more)."""
    unit: str = ""

    def _start(self, points: Decimal | None) -> Decimal:
        if self.start is not None:
            return self.start
        return (points or ZERO) if self.take is not None else ZERO

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(cid, _TYPES[self.value], maximum=self.rate_max if self.value == "rate" else None)]

    def _show(self, x: Exact) -> str:
        return f"{fmt(x * 100)}%" if self.value == "rate" else f"{fmt(x)}{self.unit}"

    def _span(self, x: Exact) -> Span:
        """A distance or a step: percentage points for a rate."""
        return Span(x, self.unit, self.value == "rate")

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        x = values[cid]
        x = Decimal(x) if isinstance(x, int) else x  # type: ignore[assignment]
        start = self._start(points)
        if self.zero is not None and self.zero.contains(x):  # type: ignore[arg-type]
            return Outcome(ZERO, (step("step.steps_zero", value=self._show(x)),))  # type: ignore[arg-type]
        reference = self.above if self.above is not None else self.below
        assert reference is not None
        distance = x - reference if self.above is not None else reference - x  # type: ignore[operator]
        if distance <= 0:
            key = "step.steps_none_above" if self.above is not None else "step.steps_none_below"
            return Outcome(start, (step(key, value=self._show(x), reference=self._show(reference),  # type: ignore[arg-type]
                                        points=start),))
        exact = div(distance, self.step)
        counted: Exact = Decimal(floor(exact)) if self.count == "whole" else (
            Decimal(ceil(exact)) if self.count == "started" else exact)
        per = self.add if self.add is not None else self.take
        assert per is not None
        amount = counted * per
        key = _COUNTED[self.count] if self.above is not None else _COUNTED_BELOW[self.count]
        steps = [step(key, value=self._show(x), reference=self._show(reference),  # type: ignore[arg-type]
                      distance=self._span(distance), size=self._span(self.step), exact=fmt(exact),  # type: ignore[arg-type]
                      counted=counted, per=per, amount=amount,
                      sign="+" if self.add is not None else "−")]
        if self.limit is not None and amount > self.limit:
            amount = self.limit
            steps.append(step("step.steps_limit", limit=self.limit))
        result = start + amount if self.add is not None else start - amount
        if result < self.floor:
            result = self.floor
            steps.append(step("step.floor", floor=self.floor))
        steps.append(step("step.steps_result", start=start, points=result))
        return Outcome(result, tuple(steps))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        if self.take is not None:
            return self._start(points)
        return None if self.limit is None else self._start(points) + self.limit

    def check(self, points: Decimal | None) -> list[Finding]:
        if (self.above is None) == (self.below is None):
            return [Finding(("kind",), "error", "check.steps_side", {})]
        if (self.add is None) == (self.take is None):
            return [Finding(("kind",), "error", "check.steps_sign", {})]
        if self.take is not None and self.start is None and points is None:
            return [Finding(("kind",), "error", "check.deduct_no_start", {})]
        if self.floor > self._start(points):
            return [Finding(("floor",), "error", "check.floor_above_start",
                            {"floor": str(self.floor), "start": str(self._start(points))})]
        return []

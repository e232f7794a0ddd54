"""per_count: points for each occurrence, optionally capped.

"每召开一次相关会议得1分,最高得4分" (常州 1.2); "每一项得0.2分,共1分" (常州 2.3).
With `per` as a table, each label is counted in its own input and weighted:
"市级每篇0.5分,省级1分,国家级2分,可累加" (常州 7.1).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from kaohe.rules.base import Dec, Finding, InputSpec, Outcome, RuleModel, ValueType, step


class PerCount(RuleModel):
    kind: Literal["per_count"]
    per: Dec | dict[str, Dec]
    """Points per occurrence, or points per occurrence of each label."""
    cap: Dec | None = Field(default=None, gt=0)
    """"最高得N分"; without it the criterion's points (if any) still cap the result."""
    unit: str = "次"

    def _weights(self, cid: str) -> list[tuple[str, str | None, Decimal]]:
        if isinstance(self.per, dict):
            return [(f"{cid}.{label}", label, w) for label, w in self.per.items()]
        return [(cid, None, self.per)]

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(iid, ValueType.COUNT, label=label) for iid, label, _ in self._weights(cid)]

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        steps = []
        total = Decimal(0)
        for iid, label, weight in self._weights(cid):
            count = values[iid]
            assert isinstance(count, int)
            total += count * weight
            steps.append(step("step.per_count", label=label or "", count=count, unit=self.unit, per=weight,
                              points=count * weight))
        if len(steps) > 1:
            steps.append(step("step.sum", points=total))
        if self.cap is not None and total > self.cap:
            steps.append(step("step.cap", cap=self.cap))
            total = self.cap
        return Outcome(total, tuple(steps))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return self.cap

    def check(self, points: Decimal | None) -> list[Finding]:
        weights = self.per.values() if isinstance(self.per, dict) else [self.per]
        found = [Finding(("per",), "error", "check.positive", {"value": str(w)}) for w in weights if w <= 0]
        if self.cap is not None and points is not None and self.cap > points:
            found.append(Finding(("cap",), "warning", "check.cap_above_points", {"cap": str(self.cap), "points": str(points)}))
        return found


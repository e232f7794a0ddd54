"""deduct: start from a value and take points off per occurrence, never below a floor.

"管理职能健全的,得3分,每少一项扣1分" (常州 2.3); "每次扣0.1分,累计扣分不超过2.5分" (绍兴);
"扣完为止" is the default floor of 0.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from kaohe.numbers import ZERO
from kaohe.rules.base import Dec, Finding, InputSpec, Outcome, RuleModel, ValueType, step


class Deduct(RuleModel):
    kind: Literal["deduct"]
    per: Dec = Field(gt=0)
    """Points taken off per occurrence (每少一项, 每次)."""
    start: Dec | None = None
    """The value deducted from; the criterion's points when omitted."""
    limit: Dec | None = Field(default=None, gt=0)
    """"累计扣分不超过N分": the most that can be deducted in total."""
    floor: Dec | None = ZERO
    """"扣完为止": the result never goes below this; null: no floor ("可出现负分")."""
    unit: str = "次"

    def _start(self, points: Decimal | None) -> Decimal:
        return self.start if self.start is not None else (points or ZERO)

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(cid, ValueType.COUNT)]

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        count = values[cid]
        assert isinstance(count, int)
        start = self._start(points)
        taken = count * self.per
        steps = [step("step.deduct", start=start, count=count, unit=self.unit, per=self.per, taken=taken)]
        if self.limit is not None and taken > self.limit:
            taken = self.limit
            steps.append(step("step.deduct_limit", limit=self.limit))
        result = start - taken
        if self.floor is not None and result < self.floor:
            result = self.floor
            steps.append(step("step.floor", floor=self.floor))
        return Outcome(result, tuple(steps))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return self._start(points)

    def check(self, points: Decimal | None) -> list[Finding]:
        if self.start is None and points is None:
            return [Finding(("kind",), "error", "check.deduct_no_start", {})]
        if self.floor is not None and self.floor > self._start(points):
            return [Finding(("floor",), "error", "check.floor_above_start",
                            {"floor": str(self.floor), "start": str(self._start(points))})]
        return []

"""met: full points when the condition is met, none otherwise.

"制定本单位'三定方案'的,得2分" (常州 2018, 2.1).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from kaohe.numbers import ZERO
from kaohe.rules.base import Dec, Finding, InputSpec, Outcome, RuleModel, ValueType, step


class Met(RuleModel):
    kind: Literal["met"]
    points: Dec | None = None
    """Points when met; the criterion's points when omitted."""

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(cid, ValueType.BOOL)]

    def award(self, points: Decimal | None) -> Decimal:
        return self.points if self.points is not None else (points or ZERO)

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        (met,) = values.values()
        if met:
            return Outcome(self.award(points), (step("step.met", points=self.award(points)),))
        return Outcome(ZERO, (step("step.not_met"),))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return self.award(points)

    def check(self, points: Decimal | None) -> list[Finding]:
        if self.points is None and points is None:
            return [Finding(("kind",), "error", "check.met_no_points", {})]
        return []

"""judged: points set by the assessors' judgement within a stated range.

"视完成质量得分,最高得3分" (常州 6.1); "视情况加1-5分" (常州 7.2).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Literal

from kaohe.numbers import ZERO, div
from kaohe.rules.base import Dec, Finding, InputSpec, Outcome, RuleModel, Text, ValueType, step


class Judged(RuleModel):
    kind: Literal["judged"]
    min: Dec = ZERO
    max: Dec | None = None
    """The highest points the assessors may give; the criterion's points when omitted."""
    zero: bool = False
    """Also accept 0 below `min`: "(1—3分)" given only when the work was done at all."""
    scale: Dec | None = None
    """A score supplied out of `scale` (e.g. 100) is converted to points: value ÷ scale × max."""
    owner: Text | None = None
    """The office that supplies the score (由省委办公厅…提供考核分值)."""
    from_scheme: Text | None = None
    """The value is another scheme's total, read from its results file (按20%加權計入)."""

    def _max(self, points: Decimal | None) -> Decimal | None:
        return self.max if self.max is not None else points

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        if self.scale is not None:
            return [InputSpec(cid, ValueType.POINTS, minimum=ZERO, maximum=self.scale)]
        return [InputSpec(cid, ValueType.POINTS, minimum=self.min, maximum=self._max(points), zero_ok=self.zero)]

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        given = values[cid]
        assert isinstance(given, (Decimal, Fraction))
        if self.scale is not None:
            high = self._max(points) or ZERO
            got = div(given * high, self.scale)
            return Outcome(got, (step("step.supplied", value=given, scale=self.scale, full=high, points=got,
                                      owner=self.owner or ""),))
        high = self._max(points)
        if self.zero and given == 0:
            return Outcome(ZERO, (step("step.judged_none"),))
        steps = [step("step.judged", points=given, low=self.min, high=high if high is not None else "∞")]
        if given < self.min and not (self.zero and given == 0):  # a computed value (`of`): held to the range
            given = ZERO if self.zero else self.min
            steps.append(step("step.floor", floor=given))
        elif high is not None and given > high:
            given = high
            steps.append(step("step.cap", cap=high))
        return Outcome(given, tuple(steps))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return self._max(points)

    def check(self, points: Decimal | None) -> list[Finding]:
        high = self._max(points)
        if self.min < 0:
            return [Finding(("min",), "error", "check.positive", {"value": str(self.min)})]
        if high is None:
            return [Finding(("kind",), "error", "check.judged_no_max", {})]
        if self.min > high:
            return [Finding(("min",), "error", "check.judged_min_above_max", {"low": str(self.min), "high": str(high)})]
        if points is not None and high > points:
            return [Finding(("max",), "error", "check.judged_above_points", {"high": str(high), "points": str(points)})]
        return []

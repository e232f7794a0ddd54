"""formula: the criterion's points are worked out by an expression over named values.

"以2010年主营业务收入超1亿元企业数为基数,每增加1家亿元以上企业,加0.5分;2010年度1亿元企业数不足10家的
县(市、区),每增加1家亿元以上企业,加1分" (金华 2011, 2): `增加家数 * if(基数 < 10, 1, 0.5)`.

The expression is checked by `validate` like any computed value's, and the trace shows it with its
operands. The result is at least `min` (0; leave it out with `min: null` where the document
allows negative points) and capped at the criterion's points.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from kaohe.numbers import ZERO
from kaohe.rules.base import Dec, Finding, InputSpec, Outcome, RuleModel, Text, ValueType, step


class Formula(RuleModel):
    kind: Literal["formula"]
    expr: Text
    """An expression over named values (see docs/scheme-format.md, Computed values)."""
    min: Dec | None = ZERO
    """The least the points can be; null: no floor (可出现负分)."""

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(cid, ValueType.NUMBER, negative_ok=True)]

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        x = values[cid]
        got = Decimal(x) if isinstance(x, int) else x
        steps = [step("step.formula", points=got)]
        if self.min is not None and got < self.min:  # type: ignore[operator]
            got = self.min
            steps.append(step("step.floor", floor=self.min))
        return Outcome(got, tuple(steps))  # type: ignore[arg-type]

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return points

    def check(self, points: Decimal | None) -> list[Finding]:
        return []

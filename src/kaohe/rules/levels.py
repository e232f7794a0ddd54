"""levels: one of several named levels, each with its points.

"全面建立岗位责任制的,得4分;部分建立的,得2分;没建立的,不得分" (常州 4.2).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from kaohe.rules.base import Dec, Finding, InputSpec, Outcome, RuleModel, Text, ValueType, step


class Level(RuleModel):
    name: Text
    points: Dec


class Levels(RuleModel):
    kind: Literal["levels"]
    levels: list[Level] = Field(min_length=2)

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(cid, ValueType.LEVEL, choices=tuple(lv.name for lv in self.levels))]

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        name = values[cid]
        level = next(lv for lv in self.levels if lv.name == name)
        return Outcome(level.points, (step("step.level", level=level.name, points=level.points),))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return max(lv.points for lv in self.levels)

    def check(self, points: Decimal | None) -> list[Finding]:
        found = []
        seen: set[str] = set()
        for i, lv in enumerate(self.levels):
            if lv.name in seen:
                found.append(Finding(("levels", i, "name"), "error", "check.level_duplicate", {"name": lv.name}))
            seen.add(lv.name)
            if lv.points < 0:
                found.append(Finding(("levels", i, "points"), "error", "check.positive", {"value": str(lv.points)}))
        return found

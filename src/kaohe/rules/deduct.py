"""deduct: start from a value and take points off per occurrence, never below a floor.

"管理职能健全的,得3分,每少一项扣1分" (常州 2.3); "每次扣0.1分,累计扣分不超过2.5分" (绍兴);
"扣完为止" is the default floor of 0.

A row of a 评分表 often lists several kinds of shortcoming at different rates and a condition
that takes everything: "未开展辨识或辨识组织者不符合要求不得分,辨识内容缺1项扣2分,…辨识成果未体现缺1项扣1分"
(煤矿安全生产标准化 安全风险分级管控 2). `per` is then a table (each label counted in its own input
`<id>.<label>`), and `void` names the conditions (是/否 inputs `<id>.<label>`) under which the
criterion scores nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from kaohe.numbers import ZERO
from kaohe.rules.base import Dec, Finding, InputSpec, Outcome, RuleModel, Text, ValueType, step


class Deduct(RuleModel):
    kind: Literal["deduct"]
    per: Dec | dict[Text, Dec]
    """Points taken off per occurrence (每少一项, 每次), or per occurrence of each label."""
    start: Dec | None = None
    """The value deducted from; the criterion's points when omitted."""
    limit: Dec | None = Field(default=None, gt=0)
    """"累计扣分不超过N分": the most that can be deducted in total."""
    floor: Dec | None = ZERO
    """"扣完为止": the result never goes below this; null: no floor ("可出现负分")."""
    void: list[Text] = Field(default_factory=list)
    """Conditions that score the criterion 0 ("未建立制度不得分"): 是/否 inputs `<id>.<label>`."""
    unit: str = "次"

    def _start(self, points: Decimal | None) -> Decimal:
        return self.start if self.start is not None else (points or ZERO)

    def _weights(self, cid: str) -> list[tuple[str, str | None, Decimal]]:
        if isinstance(self.per, dict):
            return [(f"{cid}.{label}", label, w) for label, w in self.per.items()]
        return [(cid, None, self.per)]

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        counts = [InputSpec(iid, ValueType.COUNT, label=label) for iid, label, _ in self._weights(cid)]
        return counts + [InputSpec(f"{cid}.{label}", ValueType.BOOL, label=label) for label in self.void]

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        start = self._start(points)
        voided = [label for label in self.void if values[f"{cid}.{label}"] is True]
        if voided:
            return Outcome(ZERO, (step("step.deduct_void", conditions="、".join(voided)),))
        steps = []
        taken = ZERO
        for iid, label, per in self._weights(cid):
            count = values[iid]
            assert isinstance(count, int)
            taken += count * per
            steps.append(step("step.deduct", start=start, count=count, unit=self.unit, per=per, taken=count * per)
                         if label is None else
                         step("step.deduct_label", label=label, count=count, unit=self.unit, per=per,
                              taken=count * per))
        if len(steps) > 1:
            steps.append(step("step.deduct_total", start=start, taken=taken))
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
        weights = self.per.values() if isinstance(self.per, dict) else [self.per]
        found = [Finding(("per",), "error", "check.positive", {"value": str(w)}) for w in weights if w <= 0]
        if self.start is None and points is None:
            found.append(Finding(("kind",), "error", "check.deduct_no_start", {}))
        elif self.floor is not None and self.floor > self._start(points):
            found.append(Finding(("floor",), "error", "check.floor_above_start",
                                 {"floor": str(self.floor), "start": str(self._start(points))}))
        labels = list(self.per) if isinstance(self.per, dict) else []
        for label in self.void:
            if label in labels:
                found.append(Finding(("void",), "error", "check.duplicate_id", {"id": label, "first": "per"}))
        return found

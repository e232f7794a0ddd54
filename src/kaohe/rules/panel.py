"""panel: several raters score each unit; their scores are combined and converted to points.

"组织中层以上干部对各部门…进行民主评议" (常州经信委 2016, 四); 服务对象满意度 (安徽 2012).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from kaohe.numbers import ZERO, Exact, div, fmt, round_half_up
from kaohe.rules.base import (
    Bound,
    Dec,
    Event,
    Finding,
    InputSpec,
    Outcome,
    RuleModel,
    Text,
    ValueType,
    step,
)


class Panel(RuleModel):
    kind: Literal["panel"]
    method: Literal["mean", "trimmed_mean", "weighted"] = "mean"
    """mean; trimmed_mean: without one highest and one lowest score; weighted: by rater group."""
    scale: Dec | Literal["rate"] = Decimal(100)
    """What raters score out of (100), or `rate`: each score is a satisfaction rate."""
    group: Text | None = None
    """weighted: the column naming each rater's group."""
    weights: dict[str, Bound] | None = None
    """weighted: each group's share; renormalised over the groups present."""
    max: Dec | None = None
    """The points a perfect score converts to; the criterion's points when omitted."""

    def _full(self, points: Decimal | None) -> Decimal:
        return self.max if self.max is not None else (points or ZERO)

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        attributes = (self.group,) if self.group else ()
        row = ValueType.RATE if self.scale == "rate" else ValueType.NUMBER
        return [InputSpec(cid, ValueType.EVENTS, attributes=attributes, row_value=row,
                          maximum=None if self.scale == "rate" else self.scale, check_event=self._check_row)]

    def _check_row(self, attributes: dict[str, str]) -> None:
        from kaohe.rules.base import BadValue

        if self.method == "weighted" and self.weights is not None:
            if attributes.get(self.group or "") not in self.weights:
                raise BadValue("value.not_level", choices="、".join(self.weights))

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        rows = values[cid]
        assert isinstance(rows, list)
        scores = [Decimal(r.value) for r in rows]  # type: ignore[arg-type]
        steps = [step("step.panel_scores", count=len(scores), scores="、".join(fmt(s) for s in scores))]
        if self.method == "trimmed_mean" and len(scores) > 2:
            ordered = sorted(scores)
            scores = ordered[1:-1]
            steps.append(step("step.panel_trimmed", low=ordered[0], high=ordered[-1]))
        elif self.method == "trimmed_mean":
            steps.append(step("step.panel_too_few", count=len(scores)))
        if self.method == "weighted" and self.weights:
            score = self._weighted(rows, steps)
        else:
            score = div(sum(scores, ZERO), len(scores)) if scores else ZERO
            steps.append(step("step.panel_mean", score=_show(score)))
        scale = Decimal(1) if self.scale == "rate" else self.scale
        got = div(self._full(points) * score, scale)
        steps.append(step("step.panel_convert", score=_show(score), scale="100%" if self.scale == "rate" else scale,
                          full=self._full(points), points=_show(got)))
        return Outcome(got, tuple(steps))

    def _weighted(self, rows: list[Event], steps: list) -> Exact:  # type: ignore[type-arg]
        assert self.weights is not None
        by_group: dict[str, list[Decimal]] = {}
        for r in rows:
            by_group.setdefault(r.attributes[self.group or ""], []).append(Decimal(r.value))  # type: ignore[arg-type]
        present = {g: w for g, w in self.weights.items() if g in by_group}
        total_weight = sum(present.values(), ZERO)
        score: Exact = ZERO
        for g, w in present.items():
            mean = div(sum(by_group[g], ZERO), len(by_group[g]))
            score += div(mean * w, total_weight)
            steps.append(step("step.panel_group", group=g, score=_show(mean), weight=f"{fmt(w * 100)}%"))
        if len(present) < len(self.weights):
            steps.append(step("step.panel_renormalised", groups="、".join(present)))
        return score

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return self._full(points)

    def check(self, points: Decimal | None) -> list[Finding]:
        if self.max is None and points is None:
            return [Finding(("kind",), "error", "check.ratio_no_points", {})]
        if self.method == "weighted" and (not self.weights or not self.group):
            return [Finding(("method",), "error", "check.panel_weighted", {})]
        if self.weights and sum(self.weights.values(), ZERO) != 1:
            return [Finding(("weights",), "error", "check.weights_sum",
                            {"total": f"{fmt(sum(self.weights.values(), ZERO) * 100)}%"})]
        return []


def _show(value: Exact) -> str:
    """Means can have long expansions; show four places (the points themselves stay exact)."""
    if isinstance(value, Decimal) and value.as_tuple().exponent >= -4:  # type: ignore[operator]
        return fmt(value)
    return "≈" + fmt(round_half_up(value, 4))

"""place: points by the unit's place among the units on a value.

"第一名得满分,每后退一位扣0.5分" (first: the criterion's points, per: 0.5);
"按排名分档: 前3名得10分, 4–6名得8分…" (bands of places).

Places are counted over every unit of the group that has a value (all units, or those of the
unit's category with `among: category`), the highest first (`order: asc`: the lowest first);
equal values share a place, by the scheme's ranking method (RANK.EQ 1,1,3 or dense 1,1,2).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from kaohe.numbers import ZERO, Exact, fmt
from kaohe.rules.base import (
    PEERS,
    Bound,
    Dec,
    Finding,
    InputSpec,
    Outcome,
    PeerStats,
    RuleModel,
    ValueType,
    refusal,
    step,
)

_TYPES = {"count": ValueType.COUNT, "number": ValueType.NUMBER, "rate": ValueType.RATE}


class PlaceBand(RuleModel):
    first: int = Field(ge=1)
    last: int | None = Field(default=None, ge=1)
    """The band's last place; the band runs to the end when omitted."""
    points: Dec

    @model_validator(mode="after")
    def _ordered(self) -> PlaceBand:
        if self.last is not None and self.last < self.first:
            raise refusal("model.last_before_first", first=self.first, last=self.last)
        return self

    def holds(self, place: int) -> bool:
        return place >= self.first and (self.last is None or place <= self.last)


class Place(RuleModel):
    kind: Literal["place"]
    order: Literal["desc", "asc"] = "desc"
    """desc: the highest value is first; asc: the lowest (费用率, 投诉数)."""
    among: Literal["all", "category"] = "all"
    first: Dec | None = None
    """Points of the first place; the criterion's points when omitted (with `per`)."""
    per: Dec | None = Field(default=None, gt=0)
    """Points off for each place after the first ("每后退一位扣0.5分")."""
    floor: Dec = ZERO
    bands: list[PlaceBand] | None = None
    """Points by bands of places (前3名10分, 4–6名8分); instead of first/per."""
    otherwise: Dec = ZERO
    """Points of a place no band names."""
    value: Literal["count", "number", "rate"] = "number"
    rate_max: Bound | None = None

    peers: ClassVar[bool] = True

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(cid, _TYPES[self.value], maximum=self.rate_max if self.value == "rate" else None)]

    def _show(self, x: Exact) -> str:
        return f"{fmt(x * 100)}%" if self.value == "rate" else fmt(x)

    def _first(self, points: Decimal | None) -> Decimal:
        return self.first if self.first is not None else (points or ZERO)

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        x = values[cid]
        x = Decimal(x) if isinstance(x, int) else x  # type: ignore[assignment]
        stats = values.get(PEERS)
        assert isinstance(stats, PeerStats)
        place = stats.place(x, ascending=self.order == "asc")
        head = step("step.place", value=self._show(x), count=stats.count, place=place)  # type: ignore[arg-type]
        if self.bands is not None:
            band = next((b for b in self.bands if b.holds(place)), None)
            got = band.points if band is not None else self.otherwise
            return Outcome(got, (head, step("step.place_band", points=got,
                                            band=f"{band.first}–{band.last or '∞'}" if band else "-")))
        first = self._first(points)
        got = first - (place - 1) * (self.per or ZERO)
        steps = [head, step("step.place_per", first=first, behind=place - 1, per=self.per or ZERO, points=got)]
        if got < self.floor:
            got = self.floor
            steps.append(step("step.floor", floor=self.floor))
        return Outcome(got, tuple(steps))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        if self.bands is not None:
            return max([b.points for b in self.bands] + [self.otherwise])
        return self._first(points)

    def check(self, points: Decimal | None) -> list[Finding]:
        if self.bands is None and self.per is None:
            return [Finding(("kind",), "error", "check.place_needs", {})]
        if self.bands is not None and self.per is not None:
            return [Finding(("per",), "error", "check.place_needs", {})]
        if self.bands is None and self.first is None and points is None:
            return [Finding(("kind",), "error", "check.ratio_no_points", {})]
        return []

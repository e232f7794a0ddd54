"""bands: points by the band a number falls in; every bound states whether it is included.

"编制达到10人以上的,得2分;10-5人,得1分;5人以下的,得0.5分" (常州 2.4).
A band writes its bounds as `ge`/`gt` (lower, included/excluded) and `le`/`lt` (upper).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from pydantic import Field, model_validator

from kaohe.i18n import t
from kaohe.numbers import ZERO, fmt
from kaohe.rules.base import Bound, Dec, Finding, InputSpec, Outcome, RuleModel, ValueType, refusal, step


@dataclass(frozen=True, slots=True)
class Interval:
    low: Decimal | None  # None: unbounded
    low_in: bool
    high: Decimal | None
    high_in: bool

    def contains(self, x: Decimal) -> bool:
        if self.low is not None and (x < self.low or (x == self.low and not self.low_in)):
            return False
        if self.high is not None and (x > self.high or (x == self.high and not self.high_in)):
            return False
        return True

    def words(self, percent: bool, unit: str = "") -> str:
        """The band as the document words it. 以上 and 以下 include the number itself, 超过 and 不足
        leave it out (the convention of Chinese law, 民法典 第一千二百五十九条): [10, ∞) is "10人以上",
        [5, 10) "5人以上不足10人", (-∞, 5) "不足5人"."""
        def shown(v: Decimal) -> str:
            return f"{fmt(v * 100)}%" if percent else f"{fmt(v)}{unit}"

        low, high = self.low, self.high
        if low is None and high is None:
            return t("rule.band_any")
        if high is None:
            return t("rule.band_ge" if self.low_in else "rule.band_gt", low=shown(low))  # type: ignore[arg-type]
        if low is None:
            return t("rule.band_le" if self.high_in else "rule.band_lt", high=shown(high))
        key = "rule.band_" + ("ge" if self.low_in else "gt") + ("_le" if self.high_in else "_lt")
        bare = f"{fmt(low * 100)}%" if percent else fmt(low)
        return t(key, low=shown(low), bare=bare, high=shown(high))

    def show(self, percent: bool) -> str:
        """Interval notation, for a scheme's author (gaps and overlaps between bands)."""
        def num(v: Decimal) -> str:
            return f"{fmt(v * 100)}%" if percent else fmt(v)

        left = "(-∞" if self.low is None else ("[" if self.low_in else "(") + num(self.low)
        right = "+∞)" if self.high is None else num(self.high) + ("]" if self.high_in else ")")
        return f"{left}, {right}"


class Band(RuleModel):
    ge: Bound | None = None
    gt: Bound | None = None
    le: Bound | None = None
    lt: Bound | None = None
    points: Dec

    @model_validator(mode="after")
    def _one_bound_each_side(self) -> Band:
        if self.ge is not None and self.gt is not None:
            raise refusal("model.ge_and_gt")
        if self.le is not None and self.lt is not None:
            raise refusal("model.le_and_lt")
        return self

    @property
    def interval(self) -> Interval:
        low = self.ge if self.ge is not None else self.gt
        high = self.le if self.le is not None else self.lt
        return Interval(low, self.ge is not None, high, self.le is not None)


_TYPES = {"count": ValueType.COUNT, "number": ValueType.NUMBER, "rate": ValueType.RATE}


class Bands(RuleModel):
    kind: Literal["bands"]
    value: Literal["count", "number", "rate"] = "number"
    """What is measured: a whole count, any non-negative number, or a rate 0..100%."""
    unit: str = ""
    bands: list[Band] = Field(min_length=1)
    rate_max: Bound | None = None
    """The largest rate the evidence may give (100% unless stated: "完成率120%以上")."""

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(cid, _TYPES[self.value], maximum=self.rate_max if self.value == "rate" else None)]

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        x = values[cid]
        x = Decimal(x) if isinstance(x, int) else x  # type: ignore[assignment]
        shown = f"{fmt(x * 100)}%" if self.value == "rate" else f"{fmt(x)}{self.unit}"
        for band in self.bands:
            if band.interval.contains(x):
                return Outcome(band.points, (step("step.band", value=shown,
                                                   band=band.interval.words(self.value == "rate", self.unit),
                                                   points=band.points),))
        return Outcome(ZERO, (step("step.no_band", value=shown),))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return max(b.points for b in self.bands)

    def check(self, points: Decimal | None) -> list[Finding]:
        found = [Finding(("bands", i, "points"), "error", "check.positive", {"value": str(b.points)})
                 for i, b in enumerate(self.bands) if b.points < 0]
        return found + self._overlaps_and_gaps()

    def _overlaps_and_gaps(self) -> list[Finding]:
        """Sweep the bands in order of their lower bound across the value's domain (0 and up)."""
        percent = self.value == "rate"
        found: list[Finding] = []
        # Everything up to `end` is covered (or outside the domain, below 0); None is +infinity.
        end: Decimal | None = ZERO
        end_in, owner = False, None
        for i in sorted(range(len(self.bands)), key=lambda i: _low_key(self.bands[i].interval)):
            iv = self.bands[i].interval
            starts_inside = end is None or iv.low is None or iv.low < end or (
                iv.low == end and iv.low_in and end_in)
            if owner is not None and starts_inside:
                found.append(Finding(("bands", i), "error", "check.band_overlap",
                                     {"band": iv.show(percent),
                                      "other": self.bands[owner].interval.show(percent)}))
            elif end is not None and iv.low is not None and self._gap_has_values(
                    end, not end_in, iv.low, not iv.low_in):
                found.append(self._gap(i, Interval(end, not end_in, iv.low, not iv.low_in)))
            if end is not None and (iv.high is None or iv.high > end or (iv.high == end and iv.high_in)):
                end, end_in, owner = iv.high, iv.high_in, i
            elif owner is None:
                owner = i
        top = (self.rate_max or Decimal(1)) if percent else None
        if end is not None and self._gap_has_values(end, not end_in, top, True):
            found.append(self._gap(owner or 0, Interval(end, not end_in, top, top is not None)))
        return found

    def _gap_has_values(self, low: Decimal, low_in: bool, high: Decimal | None, high_in: bool) -> bool:
        """Whether any value of the domain lies in the gap (for counts: any whole number)."""
        if self.value != "count":
            return high is None or low < high or (low == high and low_in and high_in)

        first = low.to_integral_value(rounding=ROUND_CEILING)
        if first == low and not low_in:
            first += 1
        if high is None:
            return True
        return first < high or (first == high and high_in)

    def _gap(self, i: int, gap: Interval) -> Finding:
        return Finding(("bands", i), "warning", "check.band_gap", {"gap": gap.show(self.value == "rate")})


def _low_key(iv: Interval) -> tuple[int, Decimal, int]:
    if iv.low is None:
        return (0, ZERO, 0)
    return (1, iv.low, 0 if iv.low_in else 1)

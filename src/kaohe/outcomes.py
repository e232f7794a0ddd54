"""Ranks from exact totals: Excel RANK.EQ (1,1,3) or 中国式排名 (1,1,2)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Sequence

from kaohe.engine import Results, UnitResult
from kaohe.scheme.models import Scheme


def ranks(totals: Sequence[Decimal], method: Literal["rank_eq", "dense"] = "rank_eq") -> list[int]:
    """The rank of each total (highest first), ties sharing a rank; equal means exactly equal."""
    order = sorted(set(totals), reverse=True)
    if method == "dense":
        position = {value: i + 1 for i, value in enumerate(order)}
        return [position[v] for v in totals]
    above: dict[Decimal, int] = {}
    counts: dict[Decimal, int] = {}
    for v in totals:
        counts[v] = counts.get(v, 0) + 1
    seen = 0
    for value in order:
        above[value] = seen + 1
        seen += counts[value]
    return [above[v] for v in totals]


def ranking_order(totals: Sequence[Decimal]) -> list[int]:
    """Indexes sorted by total, highest first; ties keep the scheme's order of units."""
    return sorted(range(len(totals)), key=lambda i: -totals[i])


@dataclass(frozen=True, slots=True)
class RankedRow:
    rank: int
    result: UnitResult


def rank_results(scheme: Scheme, results: Results) -> list[RankedRow]:
    """Units in ranking order with the scheme's rank convention."""
    totals = [u.total for u in results.units]
    positions = ranks(totals, scheme.ranking.method)
    return [RankedRow(positions[i], results.units[i]) for i in ranking_order(totals)]

"""Changes between two scorings of the same scheme (自评 vs 核定, before and after an appeal)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kaohe.engine import Results


@dataclass(frozen=True, slots=True)
class Change:
    unit: str
    node: str
    """An item id, or "" for the unit's total."""
    before: Decimal
    after: Decimal


def compare(results_a: Results, results_b: Results) -> list[Change]:
    """Every item whose points differ, and every total that moved, in unit order."""
    after = {u.unit: u for u in results_b.units}
    changes = []
    for a in results_a.units:
        b = after.get(a.unit)
        if b is None:
            continue
        for item_id, node in a.items.items():
            other = b.items.get(item_id)
            if other is not None and other.points != node.points:
                changes.append(Change(a.unit, item_id, node.points, other.points))
        if a.total != b.total:
            changes.append(Change(a.unit, "", a.total, b.total))
    return changes

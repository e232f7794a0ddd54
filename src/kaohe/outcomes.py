"""Outcomes: ranks (with tie-breaks), grades, awards and most-improved, decided exactly.

Every close call is reported, never settled silently: a tie that straddles a quota, grade or
award boundary takes in every tied unit and says so; a near tie (closer than the scheme's
`near_tie`) is reported. Vetoed, falsified or ineligible units keep their score and rank but
take no award, and no grade above the scheme's `barred_grade`; quotas pass to the next units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Sequence

from kaohe.engine import Results, UnitResult
from kaohe.numbers import ZERO, exact_arithmetic
from kaohe.rules.base import Step, step
from kaohe.scheme.models import Grade, Scheme


def ranks(totals: Sequence[object], method: Literal["rank_eq", "dense"] = "rank_eq") -> list[int]:
    """The rank of each key (highest first), ties sharing a rank; equal means exactly equal."""
    order = sorted(set(totals), reverse=True)  # type: ignore[type-var]
    if method == "dense":
        position = {value: i + 1 for i, value in enumerate(order)}
        return [position[v] for v in totals]
    counts: dict[object, int] = {}
    for v in totals:
        counts[v] = counts.get(v, 0) + 1
    above: dict[object, int] = {}
    seen = 0
    for value in order:
        above[value] = seen + 1
        seen += counts[value]
    return [above[v] for v in totals]


@dataclass(frozen=True, slots=True)
class Standing:
    """What outcomes need of a unit's result (from the engine or from a results file)."""

    unit: str
    total: Decimal
    sections: dict[str, Decimal] = field(default_factory=dict)
    category: str | None = None
    vetoed: tuple[str, ...] = ()
    falsified: tuple[str, ...] = ()
    unmet: tuple[str, ...] = ()

    @property
    def barred(self) -> bool:
        return bool(self.vetoed or self.falsified or self.unmet)


def standing(result: UnitResult) -> Standing:
    return Standing(result.unit, result.total, {k: v.points for k, v in result.sections.items()},
                    result.category, result.vetoed, result.falsified, result.unmet)


@dataclass(frozen=True, slots=True)
class RankedRow:
    rank: int
    result: UnitResult


def _key(scheme: Scheme, s: Standing) -> tuple[Decimal, ...]:
    return (s.total, *(s.sections.get(sid, ZERO) for sid in scheme.ranking.tie_break))


def rank_standings(scheme: Scheme, standings: Sequence[Standing]) -> list[tuple[int, Standing]]:
    """Standings in ranking order with their ranks; ties keep the scheme's order of units."""
    keys = [_key(scheme, s) for s in standings]
    positions = ranks(keys, scheme.ranking.method)
    order = sorted(range(len(standings)), key=lambda i: tuple(-k for k in keys[i]))
    return [(positions[i], standings[i]) for i in order]


@exact_arithmetic
def rank_results(scheme: Scheme, results: Results) -> list[RankedRow]:
    """Units in ranking order with the scheme's rank convention and tie-breaks."""
    by_unit = {u.unit: u for u in results.units}
    return [RankedRow(rank, by_unit[s.unit]) for rank, s in
            rank_standings(scheme, [standing(u) for u in results.units])]


@dataclass(frozen=True, slots=True)
class Previous:
    """A unit's place in the previous results (last year), for change and 进步最快."""

    rank: int
    grade: str | None = None
    section_ranks: dict[str, int] = field(default_factory=dict)


@dataclass
class Outcome:
    rank: int
    standing: Standing
    grade: str | None = None
    awards: list[str] = field(default_factory=list)
    previous: Previous | None = None
    notes: list[Step] = field(default_factory=list)

    @property
    def change(self) -> int | None:
        """Places risen since the previous results (positive: up)."""
        return None if self.previous is None else self.previous.rank - self.rank


@dataclass
class Decision:
    rows: list[Outcome]
    notes: list[Step] = field(default_factory=list)
    """Close calls and displaced quotas, for the whole ranking."""


@exact_arithmetic
def decide(scheme: Scheme, standings: Sequence[Standing], previous: dict[str, Previous] | None = None) -> Decision:
    """Ranks, grades, awards and most-improved for every unit, with every close call reported."""
    previous = previous or {}
    rows = [Outcome(rank, s, previous=previous.get(s.unit)) for rank, s in rank_standings(scheme, standings)]
    decision = Decision(rows)
    _tie_notes(scheme, decision)
    _grades(scheme, decision)
    _awards(scheme, decision)
    _most_improved(scheme, decision)
    return decision


def _tie_notes(scheme: Scheme, decision: Decision) -> None:
    if not scheme.ranking.tie_break:
        return
    for a, b in zip(decision.rows, decision.rows[1:], strict=False):
        if a.standing.total == b.standing.total and a.rank != b.rank:
            decision.notes.append(step("outcome.tie_broken", a=a.standing.unit, b=b.standing.unit,
                                       total=a.standing.total, by="、".join(scheme.ranking.tie_break)))


def _take(scheme: Scheme, decision: Decision, pool: list[Outcome], count: int, what: str) -> list[Outcome]:
    """The first `count` of `pool`, widened to every unit tied with the last one taken, with notes."""
    if count <= 0 or not pool:
        return []
    taken = pool[:count]
    if len(pool) > count:
        edge, next_one = taken[-1], pool[count]
        if _key(scheme, edge.standing) == _key(scheme, next_one.standing):
            tied = [o for o in pool[count:] if _key(scheme, o.standing) == _key(scheme, edge.standing)]
            taken += tied
            edge_key = _key(scheme, edge.standing)
            decision.notes.append(step("outcome.tie_at_boundary", what=what, count=count,
                                       units="、".join(o.standing.unit for o in taken
                                                      if _key(scheme, o.standing) == edge_key),
                                       total=edge.standing.total))
        elif 0 < abs(edge.standing.total - next_one.standing.total) <= scheme.outcomes.near_tie:
            decision.notes.append(step("outcome.near_tie", what=what, a=edge.standing.unit, b=next_one.standing.unit,
                                       gap=abs(edge.standing.total - next_one.standing.total)))
    return taken


def _blocked(scheme: Scheme, row: Outcome, grade: Grade, index: int) -> bool:
    s = row.standing
    outcomes = scheme.outcomes
    names = [g.name for g in outcomes.grades]
    cap = names.index(outcomes.barred_grade) if outcomes.barred_grade in names else len(names)
    if (s.vetoed or s.falsified) and index < cap:
        return True
    required = grade.requires if grade.requires is not None else [f.id for f in scheme.flags if f.kind == "prerequisite"]
    return any(flag in s.unmet for flag in required)


def _step_up_allows(scheme: Scheme, row: Outcome, index: int) -> bool:
    if not scheme.outcomes.step_up:
        return True
    names = [g.name for g in scheme.outcomes.grades]
    before = row.previous.grade if row.previous else None
    best = names.index(before) - 1 if before in names else len(names) - 1
    return index >= best


def _grades(scheme: Scheme, decision: Decision) -> None:
    outcomes = scheme.outcomes
    remaining = list(decision.rows)
    for index, grade in enumerate(outcomes.grades):
        pool = []
        for row in remaining:
            reaches = grade.min is None or row.standing.total >= grade.min
            if not reaches:
                gap = grade.min - row.standing.total if grade.min is not None else None
                if gap is not None and gap <= outcomes.near_tie:
                    decision.notes.append(step("outcome.near_line", unit=row.standing.unit, grade=grade.name,
                                               line=grade.min, total=row.standing.total))
                continue
            if _blocked(scheme, row, grade, index):
                row.notes.append(step("outcome.grade_barred", grade=grade.name))
                continue
            if not _step_up_allows(scheme, row, index):
                row.notes.append(step("outcome.step_up", grade=grade.name,
                                      before=row.previous.grade if row.previous and row.previous.grade else "-"))
                continue
            pool.append(row)
        chosen = pool if grade.count is None else _take(scheme, decision, pool, grade.count, grade.name)
        if grade.min_count is not None and len(chosen) < grade.min_count:
            decision.notes.append(step("outcome.quota_short", grade=grade.name, count=len(chosen),
                                       wanted=grade.min_count))
        for row in chosen:
            row.grade = grade.name
        remaining = [r for r in remaining if r.grade is None]
    if outcomes.otherwise is not None:
        for row in remaining:
            row.grade = outcomes.otherwise


def _awards(scheme: Scheme, decision: Decision) -> None:
    eligible = [r for r in decision.rows if not r.standing.barred]
    cursor = 0
    for award in scheme.outcomes.awards:
        if award.bottom is not None:
            pool = list(reversed(decision.rows))
            chosen = _take(scheme, decision, pool, award.bottom, award.name)
        else:
            assert award.first is not None and award.last is not None
            start = max(cursor, award.first - 1)
            chosen = _take(scheme, decision, eligible[start:], award.last - start, award.name)
            cursor = start + len(chosen)
            for row in decision.rows:
                if row.standing.barred and row.rank <= award.last and row.rank >= award.first:
                    decision.notes.append(step("outcome.award_passed_on", unit=row.standing.unit, award=award.name))
        for row in chosen:
            row.awards.append(award.name)


def _most_improved(scheme: Scheme, decision: Decision) -> None:
    for rule in scheme.outcomes.most_improved:
        now = _places(scheme, decision, rule.section)
        pool = []
        for row in decision.rows:
            before = row.previous
            if before is None or row.standing.barred or row.rank <= rule.outside_top:
                continue
            previous_place = before.rank if rule.section is None else before.section_ranks.get(rule.section)
            if previous_place is None:
                continue
            rise = previous_place - now[row.standing.unit]
            if rise > 0:
                pool.append((rise, row))
        pool.sort(key=lambda pair: -pair[0])
        chosen = pool[:rule.count]
        if len(pool) > rule.count and pool[rule.count - 1][0] == pool[rule.count][0]:
            edge = chosen[-1][0]
            chosen += [p for p in pool[rule.count:] if p[0] == edge]
            decision.notes.append(step("outcome.tie_at_boundary", what=rule.name, count=rule.count,
                                       units="、".join(r.standing.unit for rise, r in chosen if rise == edge),
                                       total=f"+{edge}"))
        for rise, row in chosen:
            row.awards.append(rule.name)
            row.notes.append(step("outcome.rose", places=rise))


def _places(scheme: Scheme, decision: Decision, section: str | None) -> dict[str, int]:
    if section is None:
        return {r.standing.unit: r.rank for r in decision.rows}
    values = [r.standing.sections.get(section, ZERO) for r in decision.rows]
    return {r.standing.unit: p for r, p in zip(decision.rows, ranks(values, scheme.ranking.method), strict=True)}


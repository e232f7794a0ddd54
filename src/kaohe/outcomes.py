"""Outcomes: ranks (with tie-breaks), grades, awards and most-improved, decided exactly.

Every close call is reported, never settled silently: a tie that straddles a quota, grade or
award boundary takes in every tied unit and says so; a near tie (closer than the scheme's
`near_tie`) is reported. Vetoed, falsified or ineligible units keep their score and rank but
take no outcome their flags bar (all of them unless a flag names only some), and no grade above
the scheme's `barred_grade`; quotas pass to the next units unless an award says otherwise.

With `ranking.among: category` each category is ranked on its own: places, quotas, grades and
awards are decided within it, and the place among all units is kept beside it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Literal, Sequence

from kaohe.engine import NodeMap, Results, UnitResult
from kaohe.i18n import t
from kaohe.numbers import ZERO, Exact, exact_arithmetic, fmt
from kaohe.rules.base import Step, step
from kaohe.scheme.models import Award, Grade, Scheme


def ranks(totals: Sequence[object], method: Literal["rank_eq", "dense"] = "rank_eq") -> list[int]:
    """The rank of each key (highest first), ties sharing a rank; equal means exactly equal."""
    return _placed(totals, method)[0]


def _placed(keys: Sequence[object], method: Literal["rank_eq", "dense"]) -> tuple[list[int], list[int]]:
    """Each key's rank (as `ranks`), and the rows in ranking order: highest first, equal keys in
    the order given. The distinct keys are sorted once; every unit is then placed by its key's
    position among them, an integer (sorting and counting integers runs in C)."""
    order = sorted(set(keys), reverse=True)  # type: ignore[type-var]
    position = {value: i for i, value in enumerate(order)}
    at = list(map(position.__getitem__, keys))
    rows = sorted(range(len(at)), key=at.__getitem__)  # a stable sort: equal keys keep their order
    if method == "dense":
        return [p + 1 for p in at], rows
    counts = Counter(at)
    above = []
    seen = 0
    for p in range(len(order)):
        above.append(seen + 1)
        seen += counts[p]
    return list(map(above.__getitem__, at)), rows


@dataclass(frozen=True, slots=True)
class Standing:
    """What outcomes need of a unit's result (from the engine or from a results file)."""

    unit: str
    total: Exact
    sections: dict[str, Exact] = field(default_factory=dict)
    category: str | None = None
    vetoed: tuple[str, ...] = ()
    falsified: tuple[str, ...] = ()
    unmet: tuple[str, ...] = ()
    conditions: dict[str, bool | None] = field(default_factory=dict)
    """Grade name → whether the unit meets that grade's `when` (None: a value it reads is missing)."""

    @property
    def barred(self) -> bool:
        return bool(self.vetoed or self.falsified or self.unmet)


def standing(result: UnitResult) -> Standing:
    sections = result.sections
    return Standing(result.unit, result.total, sections.points() if isinstance(sections, NodeMap)
                    else {k: v.points for k, v in sections.items()},
                    result.category, result.vetoed, result.falsified, result.unmet, dict(result.conditions))


@dataclass(frozen=True, slots=True)
class RankedRow:
    rank: int
    result: UnitResult
    rank_in_category: int | None = None
    """The place within the unit's category, where categories are ranked on their own."""


def _key(scheme: Scheme, s: Standing) -> tuple[Exact, ...]:
    return (s.total, *(s.sections.get(sid, ZERO) for sid in scheme.ranking.tie_break))


def _result_key(scheme: Scheme, u: UnitResult) -> tuple[Exact, ...]:
    """`_key` of the unit's standing, read from its result."""
    sections = u.sections
    return (u.total, *(sections[sid].points if sid in sections else ZERO for sid in scheme.ranking.tie_break))


def rank_standings(scheme: Scheme, standings: Sequence[Standing]) -> list[tuple[int, Standing]]:
    """Standings in ranking order with their ranks among all; ties keep the scheme's order of units."""
    positions, order = _placed([_key(scheme, s) for s in standings], scheme.ranking.method)
    return [(positions[i], standings[i]) for i in order]


@exact_arithmetic
def rank_results(scheme: Scheme, results: Results) -> list[RankedRow]:
    """Units in ranking order with the scheme's rank convention and tie-breaks."""
    units = results.units
    # with no tie-break a unit's key is its total alone (ordered and equal as the 1-tuple)
    keys = ([_result_key(scheme, u) for u in units] if scheme.ranking.tie_break
            else list(map(attrgetter("total"), units)))
    positions, order = _placed(keys, scheme.ranking.method)
    if scheme.ranking.among != "category":
        return [RankedRow(positions[i], units[i]) for i in order]
    places: list[int | None] = [None] * len(units)
    for category in dict.fromkeys(units[i].category for i in order):
        members = [i for i in order if units[i].category == category]
        for i, place in zip(members, ranks([keys[i] for i in members], scheme.ranking.method), strict=True):
            places[i] = place
    return [RankedRow(positions[i], units[i], places[i]) for i in order]


@dataclass(frozen=True, slots=True)
class Previous:
    """A unit's place in the previous results (last year), for change and 进步最快."""

    rank: int
    grade: str | None = None
    section_ranks: dict[str, int] = field(default_factory=dict)


@dataclass
class Outcome:
    rank: int
    """The place among all units."""
    standing: Standing
    grade: str | None = None
    awards: list[str] = field(default_factory=list)
    previous: Previous | None = None
    notes: list[Step] = field(default_factory=list)
    rank_in_category: int | None = None
    """The place within the unit's category, where categories are ranked on their own."""
    penalties: list[str] = field(default_factory=list)
    """Marks for the last places (处理): 通报, 负责人不予评优."""

    @property
    def place(self) -> int:
        """The place outcomes are decided on: within the category where it is ranked on its own."""
        return self.rank_in_category if self.rank_in_category is not None else self.rank

    @property
    def change(self) -> int | None:
        """Places risen since the previous results (positive: up)."""
        return None if self.previous is None else self.previous.rank - self.place


@dataclass
class Decision:
    rows: list[Outcome]
    notes: list[Step] = field(default_factory=list)
    """Close calls, quotas worked out from a share and displaced places, for the whole ranking."""


@exact_arithmetic
def decide(scheme: Scheme, standings: Sequence[Standing], previous: dict[str, Previous] | None = None) -> Decision:
    """Ranks, grades, awards and most-improved for every unit, with every close call reported."""
    previous = previous or {}
    rows = [Outcome(rank, s, previous=previous.get(s.unit)) for rank, s in rank_standings(scheme, standings)]
    decision = Decision(rows)
    for group, members in _groups(scheme, rows):
        if group is not None:
            places = ranks([_key(scheme, r.standing) for r in members], scheme.ranking.method)
            for row, place in zip(members, places, strict=True):
                row.rank_in_category = place
        _tie_notes(scheme, decision, members)
        _grades(scheme, decision, members, group)
        _awards(scheme, decision, members)
        if previous:
            _most_improved(scheme, decision, members)
    if not previous:  # not "no unit improved": nobody knows, and the office is told so
        names = [rule.name for rule in scheme.outcomes.most_improved]
        if names:  # one line for all of them: one cause
            decision.notes.append(step("outcome.improved_no_previous", what="、".join(names)))
    return decision


def _groups(scheme: Scheme, rows: list[Outcome]) -> list[tuple[str | None, list[Outcome]]]:
    """The units ranked together: all of them, or each category's (in the scheme's order)."""
    if scheme.ranking.among != "category":
        return [(None, rows)]
    order = [c.id for c in scheme.categories]
    found: dict[str, list[Outcome]] = {}
    for row in rows:
        found.setdefault(row.standing.category or "", []).append(row)
    names = [c for c in order if c in found] + [c for c in found if c not in order]
    return [(name, found[name]) for name in names]


def _tie_notes(scheme: Scheme, decision: Decision, rows: list[Outcome]) -> None:
    if not scheme.ranking.tie_break:
        return
    for a, b in zip(rows, rows[1:], strict=False):
        if a.standing.total == b.standing.total and a.place != b.place:
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


def bars(scheme: Scheme, s: Standing, outcome: str) -> list[str]:
    """The flags (and 弄虚作假) that bar the unit from `outcome` (an award or grade name)."""
    flags = {f.id: f for f in scheme.flags}
    found = [flag for flag in (*s.vetoed, *s.unmet)  # a flag the scheme no longer names bars all
             if flag not in flags or flags[flag].bars == "all" or outcome in flags[flag].bars]
    return found + (["弄虚作假"] if s.falsified else [])


def _blocked(scheme: Scheme, row: Outcome, grade: Grade, index: int) -> tuple[str, str] | None:
    """Why the unit cannot take `grade`: a note key and the flags that bar it, or None."""
    s = row.standing
    outcomes = scheme.outcomes
    names = [g.name for g in outcomes.grades]
    cap = names.index(outcomes.barred_grade) if outcomes.barred_grade in names else len(names)
    flags = {f.id: f for f in scheme.flags}

    def bars_here(flag: str) -> bool:
        named = flags[flag].bars if flag in flags else "all"
        return (named == "all" and index < cap) or (named != "all" and grade.name in named)

    vetoes = [f for f in s.vetoed if bars_here(f)]
    required = grade.requires if grade.requires is not None else [f.id for f in scheme.flags if f.kind == "prerequisite"]
    unmet = [f for f in s.unmet if bars_here(f) or f in required]
    marks = [t("flag.vetoed", ids="、".join(vetoes))] if vetoes else []
    marks += [t("flag.falsified", ids="、".join(s.falsified))] if s.falsified and index < cap else []
    marks += [t("flag.unmet", ids="、".join(unmet))] if unmet else []
    if marks:
        return "outcome.grade_barred", "、".join(marks)
    if grade.when is not None:
        met = s.conditions.get(grade.name)
        if met is not True:
            return ("outcome.grade_condition" if met is False else "outcome.grade_condition_missing"), ""
    return None


def _step_up_allows(scheme: Scheme, row: Outcome, index: int) -> bool:
    if not scheme.outcomes.step_up:
        return True
    names = [g.name for g in scheme.outcomes.grades]
    before = row.previous.grade if row.previous else None
    best = names.index(before) - 1 if before in names else len(names) - 1
    return index >= best


def _grades(scheme: Scheme, decision: Decision, rows: list[Outcome], group: str | None) -> None:
    outcomes = scheme.outcomes
    remaining = list(rows)
    for index, grade in enumerate(outcomes.grades):
        pool, blocked = [], []
        for row in remaining:
            reaches = grade.min is None or row.standing.total >= grade.min
            if not reaches:
                gap = grade.min - row.standing.total if grade.min is not None else None
                if gap is not None and gap <= outcomes.near_tie:
                    decision.notes.append(step("outcome.near_line", unit=row.standing.unit, grade=grade.name,
                                               line=grade.min, total=row.standing.total))
                continue
            why = _blocked(scheme, row, grade, index)
            if why is None and not _step_up_allows(scheme, row, index):
                why = "outcome.step_up", ""
            if why is not None:
                blocked.append((row, why))
                continue
            pool.append(row)
        quota = grade.quota(group, len(rows))
        # told only to a unit the grade was within reach of: a quota's places among those reaching it
        keys = sorted(_key(scheme, r.standing) for r in [*pool, *(b for b, _ in blocked)])
        for row, (why, by) in blocked:
            ahead = len(keys) - bisect.bisect_right(keys, _key(scheme, row.standing))
            if quota is None or ahead < quota:
                before = row.previous.grade if row.previous and row.previous.grade else "-"
                row.notes.append(step(why, grade=grade.name, when=grade.when or "", before=before, by=by))
        if grade.share is not None:
            key = {"floor": "outcome.share_quota_floor", "half_up": "outcome.share_quota_half_up",
                   "ceil": "outcome.share_quota_ceil"}[grade.share_rounding or "floor"]
            decision.notes.append(step(key, grade=grade.name, units=len(rows), share=f"{fmt(grade.share * 100)}%",
                                       exact=grade.share * len(rows), count=quota, group=group or ""))
        chosen = pool if quota is None else _take(scheme, decision, pool, quota, grade.name)
        if grade.min_count is not None and len(chosen) < grade.min_count:
            decision.notes.append(step("outcome.quota_short", grade=grade.name, count=len(chosen),
                                       wanted=grade.min_count))
        for row in chosen:
            row.grade = grade.name
        remaining = [r for r in remaining if r.grade is None]
    if outcomes.otherwise is not None:
        for row in remaining:
            row.grade = outcomes.otherwise


def _awards(scheme: Scheme, decision: Decision, rows: list[Outcome]) -> None:
    given: dict[bool, set[str]] = {False: set(), True: set()}
    for award in scheme.outcomes.awards:
        if award.bottom is not None:
            chosen = _take(scheme, decision, list(reversed(rows)), award.bottom, award.name)
        else:
            chosen = _band(scheme, decision, rows, award, given[award.is_penalty])
        for row in chosen:
            (row.penalties if award.is_penalty else row.awards).append(award.name)
            given[award.is_penalty].add(row.standing.unit)


def _band(scheme: Scheme, decision: Decision, rows: list[Outcome], award: Award,
          given: set[str]) -> list[Outcome]:
    """Places first..last among the units the award is open to: a barred unit's place passes on to
    the next eligible unit (名额顺延), or with `pass_on: false` stays empty. A unit already given an
    award of the same kind (an earlier band's place passed on to it, or a tie widened it) is not
    counted again, and the band keeps the places left after those units: 前3名/4-6名 names six units
    in all, fewer only where the award's own boundary tie widens it."""
    assert award.first is not None and award.last is not None
    for row in rows:
        if award.first <= row.place <= award.last and bars(scheme, row.standing, award.name):
            key = "outcome.award_passed_on" if award.pass_on else "outcome.award_not_passed_on"
            decision.notes.append(step(key, unit=row.standing.unit, award=award.name))
    if not award.pass_on:
        return [r for r in rows if award.first <= r.place <= award.last and not bars(scheme, r.standing, award.name)]
    eligible = [r for r in rows if r.place >= award.first and r.standing.unit not in given
                and not bars(scheme, r.standing, award.name)]
    return _take(scheme, decision, eligible, award.last - max(award.first - 1, len(given)), award.name)


def _most_improved(scheme: Scheme, decision: Decision, rows: list[Outcome]) -> None:
    for rule in scheme.outcomes.most_improved:
        before_all = [r.previous for r in rows if r.previous is not None]
        if rule.section is not None and before_all and not any(rule.section in p.section_ranks for p in before_all):
            decision.notes.append(step("outcome.improved_no_sections", what=rule.name, section=rule.section))
            continue
        now = _places(scheme, rows, rule.section)
        pool = []
        for row in rows:
            before = row.previous
            if before is None or bars(scheme, row.standing, rule.name) or row.place <= rule.outside_top:
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
            row.notes.append(step("outcome.rose_section" if rule.section else "outcome.rose", places=rise,
                                  what=rule.name, section=rule.section or ""))


def _places(scheme: Scheme, rows: list[Outcome], section: str | None) -> dict[str, int]:
    if section is None:
        return {r.standing.unit: r.place for r in rows}
    values = [r.standing.sections.get(section, ZERO) for r in rows]
    return {r.standing.unit: p for r, p in zip(rows, ranks(values, scheme.ranking.method), strict=True)}


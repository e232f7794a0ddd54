"""Readings: sentences of the document a scheme marks as read one of two ways (`reading:`).

The ambiguity is kept as data. `kaohe show` lists every marked reading; where a reading gives its
`alternative` (the object as the other reading writes it), the other reading's scheme is built
from the same YAML with that object's keys replaced, scored on the same evidence and ranked, and
`score` and `rank` warn for every unit whose place, grade, award or penalty would move: what an
office needs to know before it publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kaohe.errors import Problem, Severity
from kaohe.evidence import Evidence
from kaohe.i18n import t
from kaohe.numbers import fmt
from kaohe.outcomes import Decision, Previous, Standing, decide
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Scheme
from kaohe.scheme.readings import Marked, marked, variant


@dataclass(frozen=True, slots=True)
class Move:
    unit: str
    changes: tuple[str, ...]
    """What moves, each as "名次 3 → 4", "等次 优秀 → 良好"."""


def moves(taken: Decision, other: Decision) -> list[Move]:
    """Every unit whose place, place in its category, grade, awards or penalties differ (a place
    in a category that only one reading ranks on its own is not a move: what it decides shows)."""
    theirs = {row.standing.unit: row for row in other.rows}
    found = []
    for row in taken.rows:
        alt = theirs.get(row.standing.unit)
        if alt is None:
            continue
        changes = []
        for key, a, b in (("reading.rank", row.rank, alt.rank),
                          ("reading.rank_in_category", row.rank_in_category, alt.rank_in_category),
                          ("reading.grade", row.grade, alt.grade),
                          ("reading.awards", _names(row.awards), _names(alt.awards)),
                          ("reading.penalties", _names(row.penalties), _names(alt.penalties))):
            if a != b and not (key == "reading.rank_in_category" and (a is None or b is None)):
                changes.append(t(key, before="-" if a is None else a, after="-" if b is None else b))
        if changes:
            found.append(Move(row.standing.unit, tuple(changes)))
    return found


def _names(names: list[str]) -> str | None:
    return "、".join(names) or None


MOVES_SHOWN = 10


def report(loaded: LoadedScheme, mark: Marked, taken: list[Standing], other: list[Standing] | None,
           previous: dict[str, Previous] | None = None) -> list[Problem]:
    """The warning for one reading: the units whose outcomes the other reading would move (none
    when it moves nothing). `other` None: the same standings (the reading changes outcomes only)."""
    scheme = variant(loaded, mark)
    now = decide(loaded.scheme, taken, previous)
    then = decide(scheme, taken if other is None else other, previous)
    found = moves(now, then)
    if not found:
        theirs = {s.unit: s.total for s in other or []}
        changed = [(s.unit, s.total, theirs[s.unit]) for s in taken if s.unit in theirs and theirs[s.unit] != s.total]
        if not changed:
            return []
        shown = "、".join(f"{u} {fmt(a)} → {fmt(b)}" for u, a, b in changed[:MOVES_SHOWN])
        more = t("problem.and_more", count=len(changed)) if len(changed) > MOVES_SHOWN else ""
        return [Problem(mark.location, t("reading.scores_only", owner=mark.owner, other=mark.reading.other,
                                         count=len(changed), changes=shown + more), Severity.NOTE)]
    shown = "; ".join(f"{m.unit} {'、'.join(m.changes)}" for m in found[:MOVES_SHOWN])
    more = t("problem.and_more", count=len(found)) if len(found) > MOVES_SHOWN else ""
    return [Problem(mark.location, t("reading.moves", owner=mark.owner, other=mark.reading.other,
                                     count=len(found), moves=shown + more), Severity.WARNING)]


Alternatives = dict[str, list[Standing]]
"""The other reading's standings by reading key, for the readings that change scores."""


def score_alternatives(loaded: LoadedScheme, paths: list[str], read: Evidence | None = None
                       ) -> tuple[Alternatives, list[Problem]]:
    """Each compared reading's standings, from the same evidence scored with the other reading's
    scheme: the evidence as `read` where the other reading asks for the same inputs, else the
    files read again for it; a reading whose scheme cannot take that evidence is reported, not compared."""
    from kaohe.engine import score
    from kaohe.errors import SchemeError
    from kaohe.evidence import input_index, read_evidence
    from kaohe.outcomes import standing

    def asks(scheme: Scheme) -> dict[str, tuple[object, ...]]:
        # everything the reader checks a value against; `check_event` is a rule's bound method,
        # equal only where the rule is (pydantic models compare by their fields)
        return {k: (v.type, v.choices, v.attributes, v.attribute_choices, v.minimum, v.maximum, v.zero_ok,
                    v.negative_ok, v.na_ok, v.row_value, v.bare, v.categories, v.units, v.check_event)
                for k, v in input_index(scheme).items()}

    taken = asks(loaded.scheme) if read is not None else None

    found: Alternatives = {}
    problems: list[Problem] = []
    for mark in marked(loaded):
        if mark.reading.alternative is None:
            continue
        if not mark.rescores:
            continue
        try:
            scheme = variant(loaded, mark)
        except SchemeError as e:
            problems.extend(e.problems)
            continue
        evidence = read if read is not None and asks(scheme) == taken else read_evidence(paths, scheme)
        if evidence.errors:
            problems.append(Problem(mark.location, t("reading.other_evidence", owner=mark.owner,
                                                     problem=str(evidence.errors[0])), Severity.WARNING))
            continue
        results = score(scheme, evidence)
        if results.problems:
            problems.append(Problem(mark.location, t("reading.other_failed", owner=mark.owner,
                                                     problem=str(results.problems[0])), Severity.WARNING))
            continue
        found[mark.key] = [standing(u) for u in results.units]
    return found, problems


def compares(loaded: LoadedScheme) -> bool:
    """Whether the scheme marks a reading that gives another to compare (else `warnings` has
    nothing to say, and the standings it would read need not be made)."""
    return any(mark.reading.alternative is not None for mark in marked(loaded))


def warnings(loaded: LoadedScheme, taken: list[Standing], alternatives: Alternatives,
             previous: dict[str, Previous] | None = None) -> list[Problem]:
    """The warnings of every compared reading, in the file's order."""
    found = []
    for mark in marked(loaded):
        if mark.reading.alternative is None:
            continue
        if not mark.rescores:
            found += report(loaded, mark, taken, None, previous)
        elif mark.key in alternatives:
            found += report(loaded, mark, taken, alternatives[mark.key], previous)
        else:
            found.append(Problem(mark.location, t("reading.not_in_results", owner=mark.owner), Severity.WARNING))
    return found


def standing_record(s: Standing) -> dict[str, Any]:
    """A standing as results files keep it (the fields `rank` reads back)."""
    from kaohe.numbers import exact_text

    return {"unit": s.unit, "total": exact_text(s.total), "category": s.category,
            "sections": {k: exact_text(v) for k, v in s.sections.items()}, "vetoed": list(s.vetoed),
            "falsified": list(s.falsified), "unmet": list(s.unmet), "conditions": dict(s.conditions)}

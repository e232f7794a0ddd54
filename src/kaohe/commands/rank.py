"""`kaohe rank`: results (files written by `score`, or evidence scored on the fly) → outcomes
(grades, awards, most improved) → table and files."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from kaohe.commands.common import write_reported
from kaohe.engine import combine_periods, score
from kaohe.errors import EvidenceError, KaoheError, Location, Problem, report_lines
from kaohe.evidence import read_evidence
from kaohe.evidence.results import load_results
from kaohe.i18n import t
from kaohe.numbers import ZERO, Exact, parse_exact
from kaohe.outcomes import Decision, Previous, Standing, decide, ranks, standing
from kaohe.readings import Alternatives, score_alternatives, warnings
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Periods
from kaohe.scheme.readings import marked, variant


def standings_from(document: dict[str, Any], path: Path) -> list[Standing]:
    """Each unit's record of a results document, every field checked; every problem is reported
    with the record and field it is in."""
    units = document.get("units", [])
    if not isinstance(units, list):
        raise EvidenceError([Problem(Location(str(path), sheet="units"), t("evidence.not_results"))])
    out, problems = [], []
    for i, unit in enumerate(units):
        where = f"units[{i}]"
        if not isinstance(unit, dict) or not isinstance(unit.get("unit"), str):
            problems.append(Problem(Location(str(path), sheet=where), t("results.bad_record")))
            continue
        total = _exact(unit.get("total"), path, where, "total", problems)
        sections_raw = unit.get("sections") or {}
        if not isinstance(sections_raw, dict):
            problems.append(Problem(Location(str(path), sheet=where, cell="sections"), t("results.bad_record")))
            continue
        sections = {str(k): _exact(v, path, where, f"sections.{k}", problems) for k, v in sections_raw.items()}
        flags = [unit.get(key) or [] for key in ("vetoed", "falsified", "unmet")]
        if not all(isinstance(f, list) and all(isinstance(x, str) for x in f) for f in flags) or not (
                unit.get("category") is None or isinstance(unit.get("category"), str)):
            problems.append(Problem(Location(str(path), sheet=where), t("results.bad_record")))
            continue
        conditions = unit.get("conditions") or {}
        if not isinstance(conditions, dict) or not all(v is None or isinstance(v, bool) for v in conditions.values()):
            problems.append(Problem(Location(str(path), sheet=where, cell="conditions"), t("results.bad_record")))
            continue
        if total is not None and None not in sections.values():
            out.append(Standing(unit["unit"], total, sections, unit.get("category"),  # type: ignore[arg-type]
                                *(tuple(f) for f in flags), {str(k): v for k, v in conditions.items()}))
    if problems:
        raise EvidenceError(problems)
    return out


def _exact(value: object, path: Path, where: str, field: str, problems: list[Problem]) -> Exact | None:
    """An exact number of a results file ("93", "9.5", "28/3"), or None with the problem recorded."""
    number = parse_exact(value)
    if number is None:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "…"
        problems.append(Problem(Location(str(path), sheet=where, cell=field), t("results.bad_number", value=shown)))
    return number


def gather(loaded: LoadedScheme, paths: list[Path], force: bool
           ) -> tuple[list[Standing], list[tuple[str, str]], Alternatives, list[Problem]]:
    """Standings from results files (periods combined by the scheme's rule) or from evidence, with
    the other readings' standings (see kaohe.readings) and what kept a reading from being compared."""
    documents = [(p, load_results(p)) for p in paths]
    results = [(p, d) for p, d in documents if d is not None]
    evidence = [p for p, d in documents if d is None]
    if results and evidence:
        raise KaoheError([Problem(Location(str(evidence[0])), t("rank.mixed_inputs"))])
    if evidence:
        found = read_evidence([str(p) for p in evidence], loaded.scheme)
        if found.errors:
            raise EvidenceError(found.errors)
        scored = score(loaded.scheme, found)
        if scored.problems:
            raise EvidenceError(list(scored.problems))
        alternatives, problems = score_alternatives(loaded, [str(p) for p in evidence], found)
        return [standing(u) for u in scored.units], found.files, alternatives, problems
    for path, document in results:
        digest = document.get("scheme", {}).get("sha256")
        if digest != loaded.sha256 and not force:
            raise KaoheError([Problem(Location(str(path)), t("rank.other_scheme", file=path,
                                                              scheme=loaded.path))])
    files = [(str(p), _sha256(p)) for p, _ in results]
    marks = {m.key: m for m in marked(loaded)}
    alternatives = {}
    for key, mark in marks.items():
        # a file that lacks the reading (written before it was marked) is missing it: not compared
        if mark.reading.alternative is None or not all(any(r.get("key") == key for r in _reading_records(d))
                                                         for _, d in results):
            continue
        per_file = [(p, {"units": next(r.get("units") for r in _reading_records(d) if r.get("key") == key)})
                    for p, d in results]
        alternatives[key] = _standings(per_file, variant(loaded, mark).periods)  # combined the other way too
    return _standings(results, loaded.scheme.periods), files, alternatives, []


def _reading_records(document: dict[str, Any]) -> list[dict[str, Any]]:
    records = document.get("readings") or []
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def _standings(results: list[tuple[Path, dict[str, Any]]], periods: Periods | None) -> list[Standing]:
    if len(results) == 1:
        return standings_from(results[0][1], results[0][0])
    return _combine_periods(periods, results)


def _combine_periods(periods: Periods | None, results: list[tuple[Path, dict[str, Any]]]) -> list[Standing]:
    if periods is None or periods.source != "files" or len(periods.names) != len(results):
        raise KaoheError([Problem(Location(str(results[0][0])), t("rank.periods_needed", count=len(results)))])
    per_file = [{s.unit: s for s in standings_from(d, p)} for p, d in results]
    units = list(dict.fromkeys(u for table in per_file for u in table))
    combined = []
    for unit in units:
        parts = [(name, table.get(unit)) for name, table in zip(periods.names, per_file, strict=True)]
        present = [s for _, s in parts if s is not None]
        section_ids = dict.fromkeys(k for s in present for k in s.sections)
        sections = {k: combine_periods(periods, [(name, s.sections.get(k, ZERO) if s else ZERO)
                                                 for name, s in parts]) for k in section_ids}
        first = present[0]
        total = combine_periods(periods, [(name, s.total if s else ZERO) for name, s in parts])
        combined.append(Standing(unit, total, sections,
                                 first.category, tuple(dict.fromkeys(v for s in present for v in s.vetoed)),
                                 tuple(dict.fromkeys(v for s in present for v in s.falsified)),
                                 tuple(dict.fromkeys(v for s in present for v in s.unmet))))
    return combined


def previous_from(loaded: LoadedScheme, path: Path) -> dict[str, Previous]:
    """Last time's places (and grades, if `rank` wrote the file) by unit."""
    document = load_results(path)
    if document is None:
        raise EvidenceError([Problem(Location(str(path)), t("evidence.not_results"))])
    standings = standings_from(document, path)
    section_ids = list(dict.fromkeys(k for s in standings for k in s.sections))
    section_ranks: dict[str, dict[str, int]] = {}
    for sid in section_ids:
        values = [s.sections.get(sid, ZERO) for s in standings]
        for s, place in zip(standings, ranks(values, loaded.scheme.ranking.method), strict=True):
            section_ranks.setdefault(s.unit, {})[sid] = place
    previous, problems = {}, []
    for i, (s, record) in enumerate(zip(standings, document["units"], strict=True)):
        rank, grade = record.get("rank_in_category") or record.get("rank"), record.get("grade")
        if type(rank) is not int or rank < 1 or not (grade is None or isinstance(grade, str)):
            problems.append(Problem(Location(str(path), sheet=f"units[{i}]", cell="rank"),
                                    t("results.bad_number", value=repr(rank))))
            continue
        previous[s.unit] = Previous(rank, grade, section_ranks.get(s.unit, {}))
    if problems:
        raise EvidenceError(problems)
    return previous


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_rank(loaded: LoadedScheme, paths: list[Path], previous: Path | None, output: Path | None, fmt: str,
             force: bool, timestamp: bool, echo: Callable[[str], None], err: Callable[[str], None]) -> int:
    try:
        standings, files, alternatives, problems = gather(loaded, paths, force)
        before = previous_from(loaded, previous) if previous is not None else None
    except KaoheError as e:
        for line in report_lines(e.problems):
            err(line)
        return 1
    decision = decide(loaded.scheme, standings, before)
    problems += warnings(loaded, standings, alternatives, before)
    from kaohe.report.rankout import ranking_document, ranking_table, write_ranking

    if fmt == "json":
        from kaohe.report.jsonout import dumps

        echo(dumps(ranking_document(loaded, files, decision, timestamp)).rstrip("\n"))
    else:
        from kaohe.report.terminal import console

        console().print(ranking_table(loaded.scheme, decision))
        for note in decision.notes:
            err(t("rank.note", text=t(note.key, **note.params)))
    for line in report_lines(problems):  # after the table: the last thing read before publishing
        err(line)
    if output is not None:
        return write_reported(lambda: write_ranking(output, loaded, files, decision,
                                                    [loaded.path, *map(str, paths)], timestamp), output, err)
    return 0


__all__ = ["Decision", "run_rank"]

"""`kaohe rank`: results (files written by `score`, or evidence scored on the fly) → outcomes
(grades, awards, most improved) → table and files."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from kaohe.commands.common import no_evidence, unit_place, write_reported
from kaohe.engine import combine_periods, score
from kaohe.errors import EvidenceError, KaoheError, Location, Nearest, Problem, Severity, report_lines
from kaohe.evidence import read_evidence
from kaohe.evidence.results import check_digest, open_results, shown, shown_name
from kaohe.i18n import t
from kaohe.numbers import ZERO, Exact, parse_exact
from kaohe.outcomes import Decision, Previous, Standing, decide, ranks, standing
from kaohe.readings import Alternatives, score_alternatives, warnings
from kaohe.scheme.load import LoadedScheme
from kaohe.scheme.models import Periods
from kaohe.scheme.readings import marked, variant


def standings_from(document: dict[str, Any], path: Path, known: Sequence[str] | None = None,
                   where: str = "units") -> list[Standing]:
    """Each unit's record of a results document, every field checked; every problem is reported
    with the record and field it is in (`r.json!units[3]!total`). A unit may have one record
    only, and where `known` (the scheme's units) is given, must be one of them: a results file
    is ranked as it stands, so a record copied twice or a unit from elsewhere would be ranked."""
    units = document.get("units", [])
    if not isinstance(units, list):
        raise EvidenceError([Problem(Location(str(path), sheet=where),
                                     t("results.not_list", field=where, value=shown(units)))])
    nearest = Nearest(list(known), listing=True) if known else None
    allowed = set(known or ())
    out, problems, seen = [], [], {}
    for i, unit in enumerate(units):
        record = f"{where}[{i}]"
        before = len(problems)
        name = _unit_name(unit, path, record, problems)
        if name is None:
            continue
        if name in seen:
            problems.append(Problem(Location(str(path), sheet=record, cell="unit"),
                                    t("results.duplicate_unit", unit=shown_name(name), first=seen[name])))
            continue
        seen[name] = record
        if nearest is not None and name not in allowed:
            problems.append(Problem(Location(str(path), sheet=record, cell="unit"),
                                    t("results.unknown_unit", unit=shown_name(name), hint=nearest.hint(name))))
            continue
        total = _exact(unit.get("total"), path, record, "total", problems)
        sections = _sections(unit.get("sections"), path, record, problems)
        flags = [_texts(unit.get(key), path, record, key, problems) for key in ("vetoed", "falsified", "unmet")]
        category = unit.get("category")
        if category is not None and not isinstance(category, str):
            problems.append(Problem(Location(str(path), sheet=record, cell="category"),
                                    t("results.not_text", field="category", value=shown(category))))
        conditions = _conditions(unit.get("conditions"), path, record, problems)
        if len(problems) == before:
            out.append(Standing(name, total, sections, category,  # type: ignore[arg-type]
                                *flags, conditions))
    if problems:
        raise EvidenceError(problems)
    return out


def _unit_name(unit: object, path: Path, record: str, problems: list[Problem]) -> str | None:
    if not isinstance(unit, dict):
        problems.append(Problem(Location(str(path), sheet=record),
                                t("results.not_object", field=record, value=shown(unit))))
        return None
    name = unit.get("unit")
    if "unit" not in unit:
        problems.append(Problem(Location(str(path), sheet=record, cell="unit"), t("results.missing_field", field="unit")))
    elif not isinstance(name, str) or not name.strip():
        problems.append(Problem(Location(str(path), sheet=record, cell="unit"),
                                t("results.not_text", field="unit", value=shown(name))))
    else:
        return name
    return None


def _sections(value: object, path: Path, record: str, problems: list[Problem]) -> dict[str, Exact]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(Problem(Location(str(path), sheet=record, cell="sections"),
                                t("results.not_object", field="sections", value=shown(value))))
        return {}
    found = {str(k): _exact(v, path, record, f"sections.{k}", problems) for k, v in value.items()}
    return {k: v for k, v in found.items() if v is not None}


def _texts(value: object, path: Path, record: str, field: str, problems: list[Problem]) -> tuple[str, ...]:
    """A list of flag ids (vetoed, falsified, unmet)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        problems.append(Problem(Location(str(path), sheet=record, cell=field),
                                t("results.not_texts", field=field, value=shown(value))))
        return ()
    return tuple(value)


def _conditions(value: object, path: Path, record: str, problems: list[Problem]) -> dict[str, bool | None]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(Problem(Location(str(path), sheet=record, cell="conditions"),
                                t("results.not_object", field="conditions", value=shown(value))))
        return {}
    for k, v in value.items():
        if v is not None and not isinstance(v, bool):
            problems.append(Problem(Location(str(path), sheet=record, cell=f"conditions.{k}"),
                                    t("results.bad_condition", field=f"conditions.{k}", value=shown(v))))
    return {str(k): v for k, v in value.items()}


def _exact(value: object, path: Path, where: str, field: str, problems: list[Problem]) -> Exact | None:
    """An exact number of a results file ("93", "9.5", "28/3"), or None with the problem recorded."""
    number = parse_exact(value)
    if number is None:
        problems.append(Problem(Location(str(path), sheet=where, cell=field), t("results.bad_number", value=shown(value))))
    return number


def gather(loaded: LoadedScheme, paths: list[Path], force: bool
           ) -> tuple[list[Standing], list[tuple[str, str]], Alternatives, list[Problem]]:
    """Standings from results files (periods combined by the scheme's rule) or from evidence, with
    the other readings' standings (see kaohe.readings) and what kept a reading from being compared
    or is worth a warning (a file with no digest, or forced through)."""
    found = [(p, open_results(p)) for p in paths]
    opened = [(p, f) for p, f in found if f is not None]
    evidence = [p for p, f in found if f is None]
    if opened and evidence:
        raise KaoheError([Problem(Location(str(evidence[0])), t("rank.mixed_inputs"))])
    if evidence:
        read = read_evidence([str(p) for p in evidence], loaded.scheme)
        if read.errors:
            raise EvidenceError(read.errors)
        scored = score(loaded.scheme, read)
        if scored.problems:
            raise EvidenceError(list(scored.problems))
        alternatives, problems = score_alternatives(loaded, [str(p) for p in evidence], read)
        problems += no_evidence(scored, read, unit_place(loaded))
        return [standing(u) for u in scored.units], read.files, alternatives, problems
    problems, refused = [], []
    for path, opened_file in opened:
        try:
            problems += check_digest(opened_file, str(path), force)
        except KaoheError as e:
            refused += e.problems
        digest = (opened_file.document.get("scheme") or {}).get("sha256")
        if digest != loaded.sha256 and not force:
            refused.append(Problem(Location(str(path)), t("rank.other_scheme", file=path, scheme=loaded.path)))
    if refused:
        raise KaoheError(refused)
    results = [(p, f.document) for p, f in opened]
    files = [(str(p), f.sha256) for p, f in opened]
    known = loaded.scheme.unit_names()
    marks = {m.key: m for m in marked(loaded)}
    alternatives = {}
    for key, mark in marks.items():
        # a file that lacks the reading (written before it was marked) is missing it: not compared
        per_file = [(p, _reading_record(d, key)) for p, d in results]
        if mark.reading.alternative is None or any(r is None for _, r in per_file):
            continue
        alternatives[key] = _standings([(p, r[1]) for p, r in per_file if r is not None],  # combined the other way too
                                       variant(loaded, mark).periods, known,
                                       [f"readings[{r[0]}]" for _, r in per_file if r is not None])
    return _standings(results, loaded.scheme.periods, known), files, alternatives, problems


def _reading_record(document: dict[str, Any], key: str) -> tuple[int, dict[str, Any]] | None:
    """The other reading `key` as the file keeps it: its place in `readings` and its units."""
    for i, record in enumerate(document.get("readings") or []):
        if isinstance(record, dict) and record.get("key") == key:
            return i, {"units": record.get("units")}
    return None


def _standings(results: list[tuple[Path, dict[str, Any]]], periods: Periods | None, known: Sequence[str],
               prefixes: list[str] | None = None) -> list[Standing]:
    wheres = [f"{prefix}.units" for prefix in prefixes] if prefixes else ["units"] * len(results)
    if len(results) == 1:
        return standings_from(results[0][1], results[0][0], known, wheres[0])
    return _combine_periods(periods, results, known, wheres)


def _combine_periods(periods: Periods | None, results: list[tuple[Path, dict[str, Any]]], known: Sequence[str],
                     wheres: list[str]) -> list[Standing]:
    if periods is None or periods.source != "files" or len(periods.names) != len(results):
        raise KaoheError([Problem(Location(str(results[0][0])), t("rank.periods_needed", count=len(results)))])
    per_file = [{s.unit: s for s in standings_from(d, p, known, where)}
                for (p, d), where in zip(results, wheres, strict=True)]
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


def previous_from(loaded: LoadedScheme, path: Path, force: bool = False,
                  collected: list[Problem] | None = None) -> dict[str, Previous]:
    """Last time's places (and grades, if `rank` wrote the file) by unit. A file changed since it
    was written is refused unless `force`; a unit not in the scheme (merged, renamed, misspelt)
    is left out with a warning, added to `collected` with the digest's."""
    opened = open_results(path)
    if opened is None:
        raise EvidenceError([Problem(Location(str(path)), t("evidence.not_results"))])
    notes = check_digest(opened, str(path), force)
    document = opened.document
    standings = standings_from(document, path)
    section_ids = list(dict.fromkeys(k for s in standings for k in s.sections))
    section_ranks: dict[str, dict[str, int]] = {}
    for sid in section_ids:
        values = [s.sections.get(sid, ZERO) for s in standings]
        for s, place in zip(standings, ranks(values, loaded.scheme.ranking.method), strict=True):
            section_ranks.setdefault(s.unit, {})[sid] = place
    known = set(loaded.scheme.unit_names())
    nearest = Nearest(list(known), listing=True)
    previous, problems = {}, []
    for i, (s, record) in enumerate(zip(standings, document["units"], strict=True)):
        where = f"units[{i}]"
        field = "rank_in_category" if record.get("rank_in_category") is not None else "rank"
        rank, grade = record.get(field), record.get("grade")
        if field not in record:
            problems.append(Problem(Location(str(path), sheet=where, cell=field), t("results.missing_field", field=field)))
            continue
        if type(rank) is not int or not 1 <= rank <= len(standings):
            problems.append(Problem(Location(str(path), sheet=where, cell=field),
                                    t("results.bad_rank", count=len(standings), value=shown(rank))))
            continue
        if grade is not None and not isinstance(grade, str):
            problems.append(Problem(Location(str(path), sheet=where, cell="grade"),
                                    t("results.not_text", field="grade", value=shown(grade))))
            continue
        if known and s.unit not in known:
            notes.append(Problem(Location(str(path), sheet=where, cell="unit"),
                                 t("results.unknown_previous", unit=shown_name(s.unit), hint=nearest.hint(s.unit)),
                                 Severity.WARNING))
            continue
        previous[s.unit] = Previous(rank, grade, section_ranks.get(s.unit, {}))
    if problems:
        raise EvidenceError(problems)
    if collected is not None:
        collected += notes
    return previous


def decided(loaded: LoadedScheme, paths: list[Path], previous: Path | None,
            force: bool) -> tuple[Decision, list[tuple[str, str]], list[Problem]]:
    """What `rank` and `publish` both start from: the results (or evidence) and last time's places
    read, the outcome rules applied, and the warnings (readings that would move a result among
    them); the files read with their SHA-256. KaoheError when an input is refused."""
    standings, files, alternatives, problems = gather(loaded, paths, force)
    before = previous_from(loaded, previous, force, problems) if previous is not None else None
    decision = decide(loaded.scheme, standings, before)
    return decision, files, problems + warnings(loaded, standings, alternatives, before)


def run_rank(loaded: LoadedScheme, paths: list[Path], previous: Path | None, output: Path | None, fmt: str,
             force: bool, timestamp: bool, echo: Callable[[str], None], err: Callable[[str], None]) -> int:
    try:
        decision, files, problems = decided(loaded, paths, previous, force)
    except KaoheError as e:
        for line in report_lines(e.problems):
            err(line)
        return 1
    from kaohe.report.rankout import ranking_document, ranking_table

    if fmt == "json":
        from kaohe.report.jsonout import dumps

        echo(dumps(ranking_document(loaded, files, decision, timestamp), digest=True).rstrip("\n"))
    else:
        from kaohe.report.terminal import console

        console().print(ranking_table(loaded.scheme, decision))
        for note in decision.notes:
            err(t("rank.note", text=t(note.key, **note.params)))
    for line in report_lines(problems):  # after the table: the last thing read before publishing
        err(line)
    if output is not None:
        return write_reported(lambda: _write(output, loaded, files, decision, _inputs(loaded, paths, previous),
                                             timestamp, _ranked_files(paths)), output, err)
    return 0


def _write(output: Path, loaded: LoadedScheme, files: list[tuple[str, str]], decision: Decision,
           inputs: list[str], timestamp: bool, ranked: str) -> None:
    """The ranking to `output`: JSON results as rankout writes them; a workbook with score's
    排名 sheet (title lines, chart) carrying 等次 and 奖项, and 说明 naming the `ranked` files with
    their SHA-256; a csv with its sidecar manifest."""
    from kaohe.report.rankout import in_order, ranking_rows, write_ranking
    from kaohe.report.tables import manifest_record, publication, rank_sheets

    suffix = output.suffix.lower()
    if suffix == ".json":
        write_ranking(output, loaded, files, decision, inputs, timestamp)
        return
    made = publication(files, timestamp)
    table = ranking_rows(loaded.scheme, decision)
    if suffix == ".csv":
        from kaohe.report.csvout import write_csv

        write_csv(output, table, inputs, manifest=lambda name, digest: manifest_record(loaded, made, name, digest))
        return
    from kaohe.report.xlsxout import write_xlsx

    standings = [row.standing for row in in_order(loaded.scheme, decision)]
    notes = [t(n.key, **n.params) for n in decision.notes]
    write_xlsx(output, rank_sheets(loaded, table, standings, made, notes, ranked), inputs, timestamp,
               own_places=loaded.scheme.shown_places() or 2)


def _ranked_files(paths: list[Path]) -> str:
    """What the 说明 sheet calls the files ranked: results files (JSON) or evidence."""
    return "manifest.results" if any(p.suffix.lower() == ".json" for p in paths) else "manifest.evidence"



def _inputs(loaded: LoadedScheme, paths: list[Path], previous: Path | None) -> list[str]:
    """Every file rank read, none of which its output may overwrite (last year's results given
    to --previous included)."""
    return [loaded.path, *map(str, paths), *([str(previous)] if previous is not None else [])]


__all__ = ["Decision", "run_rank"]

"""`kaohe publish`: results (as `kaohe rank` takes them) → outcomes → the 通报 an office sends, as
.docx, and as PDF through LibreOffice where it is installed."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Callable

from kaohe.commands.rank import decided
from kaohe.engine import combine_periods, score
from kaohe.errors import EvidenceError, KaoheError, Location, OutputError, Problem, report_lines
from kaohe.evidence import read_evidence
from kaohe.evidence.results import MAX_WHOLE_BYTES, open_results, shown
from kaohe.i18n import t
from kaohe.numbers import ZERO, Exact, parse_exact
from kaohe.report.atomic import atomic_path
from kaohe.scheme.load import LoadedScheme

WORDED = {"outcome.grade_barred"}
"""Notes the 通报 itself words (a veto and what it bars): not repeated for the drafter."""
PDF_SECONDS = 180
"""How long LibreOffice may take to convert the 通报 (its first start makes a profile)."""


def run_publish(loaded: LoadedScheme, paths: list[Path], previous: Path | None, output: Path, pdf: bool,
                force: bool, echo: Callable[[str], None], err: Callable[[str], None]) -> int:
    want_pdf = pdf or output.suffix.lower() == ".pdf"
    office = soffice()
    if want_pdf and office is None:
        err(f"{output}: {t('label.error')}: {t('publish.no_soffice')}")
        return 1
    try:
        decision, _files, problems = decided(loaded, paths, previous, force)
        items = unit_items(loaded, paths)
    except KaoheError as e:
        for line in report_lines(e.problems):
            err(line)
        return 1
    for line in report_lines(problems):
        err(line)
    from kaohe.report.publish import Notice

    confirm = [t(n.key, **n.params) for n in decision.notes]
    confirm += [t("rank.unit_note", unit=r.standing.unit, text=t(n.key, **n.params))
                for r in decision.rows for n in r.notes if n.key not in WORDED]
    confirm += [p.message for p in problems]
    if items is None:
        confirm.append(t("publish.no_items"))
    notice = Notice(loaded.scheme, decision, items, confirm)
    inputs = [loaded.path, *map(str, paths), *([str(previous)] if previous is not None else [])]
    try:
        _write(notice, output, want_pdf, office, inputs, lambda path: echo(t("publish.written", path=path)))
    except KaoheError as e:
        for line in report_lines(e.problems):
            err(line)
        return 1
    return 0


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _write(notice: Any, output: Path, want_pdf: bool, office: str | None, inputs: list[str],
           written: Callable[[Path], None]) -> None:
    """The .docx (unless the output is a .pdf), and the PDF beside it where asked for; `written`
    is told of each file as it is in place."""
    from kaohe.report.publish import build, write_notice

    if output.suffix.lower() == ".docx":
        write_notice(output, notice, inputs)
        written(output)
    if want_pdf:
        target = output.with_suffix(".pdf")
        with tempfile.TemporaryDirectory(prefix="kaohe-publish-") as folder:
            source = Path(folder) / f"{target.stem}.docx"
            build(notice).save(str(source))
            made = to_pdf(office or "soffice", source, Path(folder), target)
            with atomic_path(target, inputs) as tmp:
                shutil.copyfile(made, tmp)
        written(target)


def to_pdf(office: str, source: Path, folder: Path, target: Path) -> Path:
    """`source` converted by LibreOffice into `folder`, with a profile of its own (a LibreOffice
    already open on the desktop would otherwise take the job and return at once)."""
    profile = (folder / "profile").as_uri()
    command = [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
               "--outdir", str(folder), str(source)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise OutputError([Problem(Location(str(target)), t("publish.pdf_failed", detail=e))]) from e
    made = source.with_suffix(".pdf")
    if done.returncode != 0 or not made.exists():
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [str(done.returncode)]
        raise OutputError([Problem(Location(str(target)), t("publish.pdf_failed", detail=detail[0]))])
    return made


def unit_items(loaded: LoadedScheme, paths: list[Path]) -> dict[str, dict[str, Exact]] | None:
    """Each unit's points per item, for the 附件: from evidence scored again, or from the results
    files' `items` (periods combined by the scheme's rule, as their sections are); None where a
    results file carries none (a ranking written by `rank`). Read after `gather` has checked the
    files, so only the items themselves are refused here, each at its field."""
    results = [p for p in paths if p.suffix.lower() == ".json"]
    if not results:
        read = read_evidence([str(p) for p in paths], loaded.scheme)
        scored = score(loaded.scheme, read)
        return {u.unit: {k: v.points for k, v in u.items.items()} for u in scored.units}
    per_file = [_file_items(p) for p in results]
    if any(found is None for found in per_file):
        return None
    if len(per_file) == 1:
        return per_file[0]
    periods = loaded.scheme.periods
    assert periods is not None  # gather refused several files without periods by file
    units = dict.fromkeys(u for found in per_file for u in found)  # type: ignore[union-attr]
    combined = {}
    for unit in units:
        parts = [(name, found.get(unit, {})) for name, found in zip(periods.names, per_file, strict=True)]  # type: ignore[union-attr]
        ids = dict.fromkeys(k for _, mine in parts for k in mine)
        combined[unit] = {k: combine_periods(periods, [(name, mine.get(k, ZERO)) for name, mine in parts]) for k in ids}
    return combined


def _file_items(path: Path) -> dict[str, dict[str, Exact]] | None:
    opened = open_results(path)  # checked by gather: the same file, read whole for its items
    assert opened is not None
    if path.stat().st_size > MAX_WHOLE_BYTES:
        raise EvidenceError([Problem(Location(str(path)), t("results.too_large", limit=MAX_WHOLE_BYTES))])
    document = json.loads(path.read_bytes().decode("utf-8-sig"), parse_float=str, parse_constant=str)
    found, problems = {}, []
    for i, unit in enumerate(document.get("units") or []):
        if not isinstance(unit, dict) or "items" not in unit:
            return None
        items = unit["items"]
        if not isinstance(items, dict):
            problems.append(Problem(Location(str(path), sheet=f"units[{i}]", cell="items"),
                                    t("results.not_object", field="items", value=shown(items))))
            continue
        mine = {}
        for key, value in items.items():
            number = parse_exact(value)
            if number is None:
                problems.append(Problem(Location(str(path), sheet=f"units[{i}]", cell=f"items.{key}"),
                                        t("results.bad_number", value=shown(value))))
            else:
                mine[str(key)] = number
        found[str(unit.get("unit"))] = mine
    if problems:
        raise EvidenceError(problems)
    return found

"""Problems with a location, and the exceptions that carry them.

Every problem prints as one canonical line: `file:line:col: message` for YAML and CSV,
`file!sheet!cell: message` for XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kaohe.i18n import t


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int | None = None
    col: int | None = None
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            return f"{self.file}!{self.sheet}!{self.cell}" if self.cell else f"{self.file}!{self.sheet}"
        if self.line is None:
            return self.file
        if self.col is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.col}"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    """Worth knowing, nothing wrong: a marked reading that changes scores but no outcome."""


@dataclass(frozen=True, slots=True)
class Problem:
    location: Location
    message: str
    severity: Severity = Severity.ERROR
    code: str = ""
    """The catalogue key of what was wrong with a value (for scripts and tests), where there is one."""

    def __str__(self) -> str:
        label = t(f"label.{self.severity.value}")
        return f"{self.location}: {label}: {self.message}"


class Nearest:
    """The name nearest to a misspelt one among the valid names, as a hint for its message:
    "(最接近: 溧阳市)"; with `listing`, the valid names themselves when none is near (a few, then 等)."""

    LIMIT = 4096

    def __init__(self, known: list[str], listing: bool = False) -> None:
        self.known = known
        self.listing = listing
        self.seen: dict[str, str] = {}

    def hint(self, name: str) -> str:
        found = self.seen.get(name)
        if found is None:
            import difflib

            close = difflib.get_close_matches(name, self.known, n=1, cutoff=0.5)
            if close:
                found = t("problem.nearest", name=close[0])
            elif self.listing and self.known:
                more = t("problem.and_more", count=len(self.known)) if len(self.known) > SHOWN_PLACES else ""
                found = t("problem.known", names="、".join(self.known[:SHOWN_PLACES]) + more)
            else:
                found = ""
            if len(self.seen) < self.LIMIT:
                self.seen[name] = found
        return found


SHOWN_PLACES = 8
"""How many of a repeated problem's places are listed after its first."""


def report_lines(problems: list[Problem]) -> list[str]:
    """The problems as printed: one line per cause. The same message in the same file (and sheet)
    prints once, at its first place, with the count and the other places: a column of 200 cells of
    the wrong kind is one line to read, not 200."""
    groups: dict[tuple[Severity, str, str, str | None], list[Problem]] = {}
    for problem in problems:
        key = (problem.severity, problem.message, problem.location.file, problem.location.sheet)
        groups.setdefault(key, []).append(problem)
    lines = []
    for group in groups.values():
        if len(group) == 1:
            lines.append(str(group[0]))
            continue
        places = [_short(p.location) for p in group[1:SHOWN_PLACES + 1]]
        more = "…" if len(group) > SHOWN_PLACES + 1 else ""
        lines.append(f"{group[0]}" + t("problem.repeated", count=len(group), places="、".join(places) + more))
    return lines


def _short(location: Location) -> str:
    """A place within the file already named: the cell, or line:col."""
    if location.sheet is not None:
        return location.cell or location.sheet
    if location.line is None:
        return location.file
    return str(location.line) if location.col is None else f"{location.line}:{location.col}"


class KaoheError(Exception):
    """A failure reported to the user as a list of located problems, never a traceback."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class SchemeError(KaoheError):
    """The scheme file cannot be loaded."""


class EvidenceError(KaoheError):
    """One or more evidence files cannot be used."""


class OutputError(KaoheError):
    """A result file cannot be written."""

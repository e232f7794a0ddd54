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


@dataclass(frozen=True, slots=True)
class Problem:
    location: Location
    message: str
    severity: Severity = Severity.ERROR
    code: str = ""
    """The catalogue key of what was wrong with a value (for scripts and tests), where there is one."""

    def __str__(self) -> str:
        label = t("label.error") if self.severity is Severity.ERROR else t("label.warning")
        return f"{self.location}: {label}: {self.message}"


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

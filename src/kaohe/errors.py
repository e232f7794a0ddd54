"""Problems with a location, and the exceptions that carry them.

Every problem prints as one canonical line: `file:line:col: message` for YAML and CSV,
`file!sheet!cell: message` for XLSX.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from enum import Enum

from kaohe.i18n import t

_UNSHOWABLE = ((0x00, 0x1F), (0x7F, 0x9F), (0x061C, 0x061C), (0x200E, 0x200F), (0x2028, 0x202E),
               (0x2066, 0x2069), (0xD800, 0xDFFF))
"""What a terminal must never be handed raw (ranges of code points): control characters (ESC starts
the sequences that clear a screen, move the cursor or make a hyperlink), line and paragraph
separators, the bidi controls that reorder a line as shown, and lone surrogates (which no
encoding can write)."""
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
_PATTERNS: dict[str, re.Pattern[str]] = {}


def printable(text: str, keep: str = "") -> str:
    """`text` (from input: a file name, a cell, a unit's name) as it may be shown or written:
    every character of _UNSHOWABLE but those in `keep` written as its escape, visibly (`\\x1b`,
    `\\u202e`, `\\n`), so that input can neither act on the terminal nor fake a line."""
    if text.isprintable():  # a fast screen: nearly all text is
        return text
    pattern = _PATTERNS.get(keep)
    if pattern is None:
        kept = {ord(c) for c in keep}
        codes = [c for low, high in _UNSHOWABLE for c in range(low, high + 1) if c not in kept]
        spans: list[list[int]] = []
        for c in codes:
            if spans and spans[-1][1] == c - 1:
                spans[-1][1] = c
            else:
                spans.append([c, c])
        pattern = _PATTERNS[keep] = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in spans) + "]")
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return _NAMED.get(ch) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def not_a_file(path: str | os.PathLike[str], readable: bool = True) -> str | None:
    """What `path` is when it is not a regular file kaohe can use, in words ("是文件夹,不是文件"),
    or None when it is one (and, with `readable`, may be read). Found with stat, which never opens
    it: opening a named pipe would wait for a writer forever."""
    found = not_a_file_key(path, readable)
    return None if found is None else t(found[0], **found[1])


def not_a_file_key(path: str | os.PathLike[str], readable: bool = True) -> tuple[str, dict[str, object]] | None:
    """not_a_file as its catalogue key and parameters: the key is a JSON line's `code`, which a
    script tests rather than the words."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return ("file.dangling_link" if os.path.islink(path) else "file.not_found"), {}
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "file.link_loop", {}
        if e.errno == errno.ENOTDIR:  # a folder on the way is a file
            return "file.not_found", {}
        if e.errno == errno.EACCES:
            return "file.no_permission", {}
        return "file.unreadable", {"reason": e.strerror or e}
    except ValueError:  # a NUL in the name
        return "file.not_found", {}
    if stat.S_ISREG(mode):
        return ("file.no_permission", {}) if readable and not os.access(path, os.R_OK) else None
    if stat.S_ISDIR(mode):
        return "file.is_folder", {}
    if stat.S_ISFIFO(mode):
        return "file.is_fifo", {}
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "file.is_device", {}
    if stat.S_ISSOCK(mode):
        return "file.is_socket", {}
    return "file.not_regular", {}


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
        if self.line is None:  # a field of a record in memory: `<rows>[3]!值`
            return f"{self.file}!{self.cell}" if self.cell else self.file
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
        return printable(f"{self.location}: {label}: {self.message}")


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


MAX_MESSAGES = 200
"""The most message lines one report prints; a last line counts the rest. A header of a million
unknown columns is a million causes: past a screenful nobody reads them, and printing them all
took minutes and most of a gigabyte."""

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


def report_lines(problems: list[Problem], limit: int = MAX_MESSAGES) -> list[str]:
    """The problems as the current sink prints them (see Sink): text lines, or JSON lines."""
    return _sink.lines(problems, limit)


def text_lines(problems: list[Problem], limit: int = MAX_MESSAGES) -> list[str]:
    """The problems as printed: one line per cause. The same message in the same file (and sheet)
    prints once, at its first place, with the count and the other places: a column of 200 cells of
    the wrong kind is one line to read, not 200. Past `limit` lines, the errors are the ones kept
    (then warnings, then notes), in their order, and a last line says how many were left out."""
    groups: dict[tuple[Severity, str, str, str | None], list[Problem]] = {}
    for problem in problems:
        key = (problem.severity, problem.message, problem.location.file, problem.location.sheet)
        groups.setdefault(key, []).append(problem)
    shown = list(groups.values())
    if len(shown) > limit:
        kept = set(sorted(range(len(shown)), key=lambda i: (_RANK[shown[i][0].severity], i))[:limit])
        shown = [group for i, group in enumerate(shown) if i in kept]
    lines = []
    for group in shown:
        if len(group) == 1:
            lines.append(str(group[0]))
            continue
        places = [_short(p.location) for p in group[1:SHOWN_PLACES + 1]]
        more = "…" if len(group) > SHOWN_PLACES + 1 else ""
        lines.append(printable(f"{group[0]}" + t("problem.repeated", count=len(group),
                                                   places="、".join(places) + more)))
    if len(groups) > len(shown):
        lines.append(t("problem.not_shown", hidden=len(groups) - len(shown), total=len(groups)))
    return lines


def _short(location: Location) -> str:
    """A place within the file already named: the cell, or line:col."""
    if location.sheet is not None:
        return location.cell or location.sheet
    if location.line is None:
        return location.cell or location.file
    return str(location.line) if location.col is None else f"{location.line}:{location.col}"


class JsonLine(str):
    """A line that is already one JSON object (a problem's record): a sink passes it on as it is."""


LEVELS = {"error": "error", "warning": "warning", "note": "note"}
"""A problem's severity as a JSON line's `level`; a line without a place is "info" unless its
catalogue key says otherwise (_KEY_LEVELS)."""
_KEY_LEVELS = {"score.failed": "error", "explain.unknown_unit": "error", "explain.unknown_node": "error",
               "score.missing": "warning", "score.missing_others": "warning", "score.missing_more": "warning",
               "validate.invalid": "error", "validate.strict": "error", "rank.note": "info",
               "score.written": "info"}
"""Status lines the commands print as text (through an `err` callback that knows no level),
recognised by their catalogue template so that their JSON line has the level they mean and its
key as `code`. Only templates with words of their own are listed (not "{unit} {id}")."""
_UNSAFE_JSON = re.compile("[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def problem_record(problem: Problem) -> dict[str, object]:
    """A problem as a JSON object: {"file","line","col","sheet","cell","level","message","code"},
    null where a field does not apply (see docs/json-messages.md)."""
    where = problem.location
    return {"file": where.file, "line": where.line, "col": where.col, "sheet": where.sheet, "cell": where.cell,
            "level": LEVELS[problem.severity.value], "message": problem.message, "code": problem.code or None}


def json_line(record: dict[str, object]) -> JsonLine:
    """One JSON object on one line, readable (Chinese as written) and safe to show: what a terminal
    must not be handed raw (see _UNSHOWABLE) written as JSON's own \\u escapes."""
    import json

    return JsonLine(json_escaped(json.dumps(record, ensure_ascii=False)))


def json_text(document: object) -> str:
    """A JSON document (validate --format json) laid out for reading, escaped as json_line's."""
    import json

    return json_escaped(json.dumps(document, ensure_ascii=False, indent=2))


def json_escaped(text: str) -> str:
    """JSON text (from json.dumps with ensure_ascii=False, which escapes only U+0000–U+001F) with
    every other character a terminal must not be handed raw written as JSON's own \\u escape: still
    the same JSON, and nothing left for printable() to rewrite as `\\x85`, which is no JSON."""
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class Sink:
    """Where a command's problems and status lines go on stderr: text for a person (grouped, at
    most `limit` lines, see text_lines), or, under `--format json`, JSON lines for a program:
    one object per problem (at most `limit`, errors first, then one object counting the rest),
    and each status line as an object with no place."""

    def __init__(self, json_lines: bool = False) -> None:
        self.json_lines = json_lines

    def lines(self, problems: list[Problem], limit: int = MAX_MESSAGES) -> list[str]:
        if not self.json_lines:
            return text_lines(problems, limit)
        shown = list(range(len(problems)))
        if len(shown) > limit:
            shown = sorted(sorted(shown, key=lambda i: (_RANK[problems[i].severity], i))[:limit])
        lines: list[str] = [json_line(problem_record(problems[i])) for i in shown]
        if len(problems) > len(shown):
            hidden = len(problems) - len(shown)
            lines.append(json_line(placeless_record("info", t("problem.not_shown", hidden=hidden, total=len(problems)),
                                                    "problem.not_shown", omitted=hidden)))
        return lines

    def line(self, text: str, level: str | None = None, code: str | None = None) -> str:
        """A line as written: text as it is; in JSON, a problem's line as it is and any other
        line as an object with no place (its level and key given, or found from its catalogue key)."""
        if not self.json_lines or isinstance(text, JsonLine):
            return text
        message = text.strip()
        key = code or _key_of(message)
        return json_line(placeless_record(level or _KEY_LEVELS.get(key or "", "info"), message, key))


_NO_PLACE: dict[str, object] = {"file": None, "line": None, "col": None, "sheet": None, "cell": None}


def placeless_record(level: str, message: str, code: str | None, **extra: object) -> dict[str, object]:
    """A JSON line's object for what has no place in a file (a status line, a missing value):
    the fields of problem_record, the place fields null, then any fields of its own (`omitted`,
    `unit`…, see docs/json-messages.md)."""
    return {**_NO_PLACE, "level": level, "message": message, "code": code, **extra}
_TEMPLATES: dict[tuple[str, str], re.Pattern[str]] = {}


def _key_of(message: str) -> str | None:
    """The catalogue key of a status line of _KEY_LEVELS, found by its template."""
    from kaohe.i18n import get_lang
    from kaohe.messages import CATALOGUE

    lang = get_lang()
    for key in _KEY_LEVELS:
        if key not in CATALOGUE:
            continue
        pattern = _TEMPLATES.get((key, lang))
        if pattern is None:
            text = CATALOGUE[key][1 if lang == "en" else 0]
            parts = re.split(r"\{[^}]*\}", text)
            pattern = _TEMPLATES[(key, lang)] = re.compile("(?s)" + ".*?".join(map(re.escape, parts)) + "$")
        if pattern.match(message):
            return key
    return None


_sink = Sink()


def use_sink(sink: Sink) -> None:
    """Make `sink` the one report_lines formats for (the CLI's, for the whole process)."""
    global _sink
    _sink = sink


def current_sink() -> Sink:
    return _sink


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

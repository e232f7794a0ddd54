"""Results files written by `kaohe score` (format `kaohe-results`), read back for `rank` and for
schemes that take another scheme's totals.

A results file is untrusted input like any other: it may have been edited, laid out by hand,
saved by Notepad with a BOM, damaged, or made to attack the reader. Every refusal names the file
and the line (a JSON error), or the record and field (`r.json!units[3]!total`). A file kaohe wrote
carries a digest of its own content as its last field (`content_sha256`, see docs/results-json.md),
so that a file changed after it was written is told apart from one that was not.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import IO, Any, Iterator

from kaohe.errors import EvidenceError, Location, Problem, Severity
from kaohe.i18n import t

BULKY = ("criteria", "items")
"""What ranking never reads of a unit's record: left out as each record is read."""

DIGEST_KEY = "content_sha256"
"""The last field of a results file kaohe writes: the SHA-256 of the file's lines before it."""
FORMAT_VERSION = 1
"""The version of kaohe-results that kaohe.report.jsonout writes and this reads (docs/results-json.md)."""

MAX_DEPTH = 32
"""The deepest a results file's JSON may nest (kaohe writes at most 7 levels), checked on each
line's bytes before it is decoded, so that a file of a thousand `[` is a located refusal and not
a RecursionError. (Brackets inside strings are set aside when the count comes near the limit;
closing brackets inside strings can hide a depth from the quick count, and a value so deep that
the decoder cannot reach its end is then refused all the same.)"""

MAX_WHOLE_BYTES = 64 * 1024 * 1024
"""The largest results file read whole, and the longest line: a file not laid out a line at a
time as kaohe writes it (pretty-printed, one long line) must be held whole to be decoded. kaohe's
own files are read a line at a time and may be of any size."""

_BOM = b"\xef\xbb\xbf"
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256)]
_HEX64 = re.compile(r"[0-9a-f]{64}")


class BareNumber:
    """A JSON number kaohe does not take as a number: a float literal (9.5, 1e400), NaN,
    Infinity, or an integer of more digits than Python converts (4300). Results carry their numbers
    as text ("9.5"); a bare one is kept as written, so that its refusal shows it as written."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BareNumber) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def _integer(text: str) -> int | BareNumber:
    try:
        return int(text)
    except ValueError:  # more digits than int() converts
        return BareNumber(text)


_DECODER = json.JSONDecoder(parse_float=BareNumber, parse_constant=BareNumber)
_CAREFUL = json.JSONDecoder(parse_float=BareNumber, parse_constant=BareNumber, parse_int=_integer)
"""The decoder for a text with an integer too long for int() (slower: a call per integer)."""


@dataclass(frozen=True, slots=True)
class Digest:
    """A results file's own digest and the one its content gives."""

    given: str | None
    """The `content_sha256` the file carries; None when it carries none."""
    computed: str | None
    """The SHA-256 of its lines before the digest line; None when there is no such line."""
    line: int | None = None
    """The line the digest is on."""

    @property
    def matches(self) -> bool:
        return self.given is not None and self.given == self.computed


@dataclass(frozen=True, slots=True)
class ResultsFile:
    document: dict[str, Any]
    digest: Digest
    sha256: str
    """Of the file's bytes as they are (what a ranking records as its input)."""


def load_results(path: Path) -> dict[str, Any] | None:
    """A results document written by `score` (units without their criteria and items), or None
    if the file is not one (evidence, then). The digest is not checked: see `open_results`."""
    found = open_results(path)
    return found.document if found is not None else None


def open_results(path: Path) -> ResultsFile | None:
    """The results file at `path` with its digest, or None if the file is not JSON (evidence).
    Raises EvidenceError, located, when it cannot be read as a results file."""
    if path.suffix.lower() != ".json":
        return None
    name = str(path)
    try:
        with open(path, "rb") as handle:
            found = _read_by_line(handle, name)
            if found is None:  # laid out otherwise (by hand, another tool): read whole
                handle.seek(0)
                data = handle.read(MAX_WHOLE_BYTES + 1)
                if len(data) > MAX_WHOLE_BYTES:
                    raise _refusal(name, t("results.too_large", limit=MAX_WHOLE_BYTES))
                found = parse_results(data, name)
    except OSError as e:
        raise _refusal(name, t("file.unreadable", reason=e.strerror or e)) from e
    return found


def parse_results(data: bytes, name: str) -> ResultsFile:
    """A results file held whole (a BOM allowed, any layout), checked as `open_results` checks
    it; `name` is what its problems are located at."""
    sha256 = hashlib.sha256(data).hexdigest()
    stripped = data.removeprefix(_BOM)
    text = _decoded(stripped, name, len(data) - len(stripped)).replace("\r\n", "\n")
    body = stripped.replace(b"\r\n", b"\n")
    document = _decode(text, body, name)
    if not isinstance(document, dict):
        raise _refusal(name, t("evidence.not_results"))
    _check_shape(document, name)
    for unit in document["units"]:
        if isinstance(unit, dict):
            for key in BULKY:
                unit.pop(key, None)
    return ResultsFile(document, _whole_digest(body, document), sha256)


def check_digest(found: ResultsFile, name: str, force: bool) -> list[Problem]:
    """Refuse a results file changed since kaohe wrote it (its digest does not match), unless
    `force`; the warnings to print: the file was forced through, or it has no digest to check
    (written by hand or by an older kaohe)."""
    digest = found.digest
    where = Location(name, line=digest.line) if digest.line is not None else Location(name)
    if digest.given is None:
        return [Problem(where, t("results.digest_absent"), Severity.WARNING)]
    if digest.matches:
        return []
    if not force:
        raise EvidenceError([Problem(where, t("results.digest_differs"))])
    return [Problem(where, t("results.digest_forced"), Severity.WARNING)]


def results_totals(data: bytes, name: str, force: bool = False
                   ) -> tuple[str, list[tuple[Location, str, str]], list[Problem]]:
    """Another scheme's results as evidence (judged `from_scheme`): the scheme id they are of,
    each unit's total with where it is (`r.json!units[3]!total`), and warnings. Refused, located,
    like any results file read by `rank`; duplicate and unknown units are left to the evidence
    reader, which names them at their record."""
    found = parse_results(data, name)
    warnings = check_digest(found, name, force)
    scheme = found.document.get("scheme")
    source = scheme.get("id") if isinstance(scheme, dict) else None
    if not isinstance(source, str):
        raise EvidenceError([Problem(Location(name, sheet="scheme", cell="id"),
                                     t("results.missing_field", field="scheme.id"))])
    totals, problems = [], []
    for i, unit in enumerate(found.document["units"]):
        where = f"units[{i}]"
        if not isinstance(unit, dict) or not isinstance(unit.get("unit"), str):
            problems.append(Problem(Location(name, sheet=where, cell="unit"), t("results.missing_field", field="unit")))
            continue
        total = unit.get("total")
        if not isinstance(total, (str, int)) or isinstance(total, bool):
            problems.append(Problem(Location(name, sheet=where, cell="total"), t("results.bad_number",
                                                                                   value=shown(total))))
            continue
        totals.append((Location(name, sheet=where, cell="total"), unit["unit"], str(total)))
    if problems:
        raise EvidenceError(problems)
    return source, totals, warnings


def shown(value: object) -> str:
    """A value of a results file as a message shows it: short, JSON's words for null and
    booleans, and control characters escaped (a file's text never reaches the terminal raw)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    text = repr(value)  # a str's repr escapes what is not printable (\x1b, \ud800)
    return text if len(text) <= 40 else text[:37] + "…"


def shown_name(name: str) -> str:
    """A unit name from a file, for a message: control characters escaped, at most 60 characters."""
    text = name if name.isprintable() else repr(name)[1:-1]
    return text if len(text) <= 60 else text[:59] + "…"


def _check_shape(document: dict[str, Any], name: str) -> None:
    """The top-level fields rank reads are of the kind it reads them as (each refusal names the
    field), so that no later step meets a string where a record was meant."""
    if document.get("format") != "kaohe-results":
        raise _refusal(name, t("evidence.not_results"))
    version = document.get("version", FORMAT_VERSION)  # a file made by hand may leave it out
    if version != FORMAT_VERSION or version.__class__ is not int:  # True == 1: not a version
        raise _refusal(name, t("results.version", version=shown(version), expected=FORMAT_VERSION))
    problems = []
    for field, kind, required in (("units", list, True), ("scheme", dict, False), ("readings", list, False)):
        value = document.get(field)
        if value is None and not required and field not in document:
            continue
        if value is None and field not in document:
            problems.append(Problem(Location(name, sheet=field), t("results.missing_field", field=field)))
        elif not isinstance(value, kind):
            key = "results.not_list" if kind is list else "results.not_object"
            problems.append(Problem(Location(name, sheet=field), t(key, field=field, value=shown(value))))
    scheme = document.get("scheme")
    if isinstance(scheme, dict):
        for field in ("id", "sha256"):
            if scheme.get(field) is not None and not isinstance(scheme.get(field), str):
                problems.append(Problem(Location(name, sheet="scheme", cell=field),
                                        t("results.not_text", field=f"scheme.{field}", value=shown(scheme.get(field)))))
    if problems:
        raise EvidenceError(problems)


def _read_by_line(handle: IO[bytes], name: str, heads: bool = True) -> ResultsFile | None:
    """The document as `score` lays it out (a field per line, a list's records one per line),
    read a line at a time so that a large run's results are never held whole; None when the
    file is laid out any other way.

    With `heads`, a unit's record is decoded only up to its BULKY fields, which no reader of a
    results file keeps (its criteria are most of a large file). That holds only for a file as
    kaohe wrote it: where its digest does not match (or it has none), it is read again, every
    record decoded whole, so that what is wrong in it is told as before."""
    lines = _Lines(handle, name)
    first = next(lines, None)
    if first != "{\n":
        return None
    document: dict[str, Any] = {}
    given = computed = at = None
    cut = False  # a unit's record was decoded only up to its BULKY fields
    for line in lines:
        if line in ("}\n", "}"):
            if given is not None and lines.number != at + 1:  # fields after the digest: not covered
                computed = None
            if any(rest.strip() for rest in lines):  # more after the closing brace: not one document
                return None
            digest = Digest(given, computed, at)
            if cut and not digest.matches:
                handle.seek(0)
                return _read_by_line(handle, name, heads=False)
            _check_shape(document, name)
            return ResultsFile(document, digest, lines.file_digest())
        try:
            key, end = _DECODER.raw_decode(line, 2)
        except ValueError:
            return None
        if not line.startswith("  \"") or line[end:end + 2] != ": " or not isinstance(key, str):
            return None
        rest = line[end + 2:].rstrip("\n")
        if key == DIGEST_KEY:
            computed, at = lines.digest_before(), lines.number
        if rest == "[":  # records, one per line, up to "  ]"
            records = []
            for element in lines:
                if element.rstrip("\n").rstrip(",") == "  ]":
                    break
                record = _head(element) if heads and key == "units" else None
                if record is not None:
                    cut = True
                else:
                    record = _decode_piece(element.strip().removesuffix(","), name, lines)
                if record is None:
                    return None
                if key == "units" and isinstance(record, dict):
                    for bulky in BULKY:
                        record.pop(bulky, None)
                records.append(record)
            document[key] = records
        else:
            value = _decode_piece(rest.removesuffix(","), name, lines)
            if value is None:
                return None
            document[key] = value
            if key == DIGEST_KEY:
                given = value if isinstance(value, str) else ""
    return None  # no closing brace: not a whole document


_BULKY_STARTS = (', "items": {', ', "criteria": [')
"""Where a unit's BULKY fields start in its record as kaohe writes it (items, then criteria): no
field before them holds an object or a list of them, and a string cannot hold `, "` unescaped."""


_LAST_NOTE = re.compile(r'"note": (?:null|"(?:[^"\\]|\\.)*")\}\]\}\]\}')
"""How kaohe ends a unit's record: its criteria, the last field (empty, or ending in the last
criterion's last input's 备注). A record that ends otherwise may have fields after them, and is
decoded whole.
A field after them whose value is text, a number, true, false or null (or a list of them) cannot
end so: only a list of objects made to end as criteria do would be left unread."""


def _head(element: str) -> dict[str, Any] | None:
    """A unit's record without its BULKY fields, decoded from the text before them; None where
    they cannot be found, the record may have fields after them, the head is too deep, or it
    does not decode as an object."""
    found = [at for at in map(element.find, _BULKY_STARTS) if at > 0]
    if not found or not element.startswith("    {") or not _ends_as_written(element):
        return None
    head = element[:min(found)] + "}"
    if _depth(head.encode("utf-8")) > MAX_DEPTH:
        return None
    try:
        record = _loads(head)
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _ends_as_written(element: str) -> bool:
    """Whether a unit's record (a line of the file) ends with its criteria as kaohe writes them
    (_LAST_NOTE: a `"note": ` with its quotes unescaped is never inside a string)."""
    record = element.rstrip("\n").removesuffix(",")
    if record.endswith('"criteria": []}'):
        return True
    at = record.rfind('"note": ', max(0, len(record) - 4096))
    return at >= 0 and _LAST_NOTE.fullmatch(record, at) is not None


class _Lines:
    """A file's lines as text (a BOM left out, a \\r\\n end read as \\n), numbered, with the
    SHA-256 of the lines already passed (the digest a results file carries) and of the raw bytes.
    One hash serves both while the lines are as written (no BOM, \\n ends: kaohe's own files);
    the content's own starts at the first line that differs."""

    def __init__(self, handle: IO[bytes], name: str) -> None:
        self.handle, self.name = handle, name
        self.number = self.offset = 0
        self.raw = hashlib.sha256()
        self.content: Any = None  # a hash of its own once the content differs from the bytes
        self.pending_raw = self.current = b""

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        self.raw.update(self.pending_raw)  # the line before this one is now "before" the next
        if self.content is not None:
            self.content.update(self.current)
        raw = self.handle.readline(MAX_WHOLE_BYTES + 1)
        self.pending_raw = self.current = b""
        if not raw:
            raise StopIteration
        if len(raw) > MAX_WHOLE_BYTES:
            raise _refusal(self.name, t("results.line_too_long", limit=MAX_WHOLE_BYTES), self.number + 1)
        self.number += 1
        line = raw.removeprefix(_BOM) if self.number == 1 else raw
        at, self.offset = self.offset + len(raw) - len(line), self.offset + len(raw)
        if line.endswith(b"\r\n"):
            line = line[:-2] + b"\n"
        if self.content is None and len(line) != len(raw):
            self.content = self.raw.copy()  # the lines before were as written
        self.pending_raw, self.current = raw, line
        return _decoded(line, self.name, at, self.number)

    def digest_before(self) -> str:
        """The SHA-256 of the lines before the current one."""
        return (self.content if self.content is not None else self.raw).hexdigest()

    def file_digest(self) -> str:
        """The SHA-256 of the whole file's bytes (the rest is read to its end)."""
        self.raw.update(self.pending_raw)
        self.pending_raw = b""
        rest = self.handle.read(1 << 20)
        while rest:
            self.raw.update(rest)
            rest = self.handle.read(1 << 20)
        return self.raw.hexdigest()


def _whole_digest(body: bytes, document: dict[str, Any]) -> Digest:
    """The digest of a file held whole: its digest line must be the last field, as kaohe writes
    it; a file laid out otherwise (pretty-printed) no longer matches, as it was changed."""
    given = document.get(DIGEST_KEY)
    if DIGEST_KEY not in document:
        return Digest(None, None)
    given = given if isinstance(given, str) else ""
    marker = b'\n  "' + DIGEST_KEY.encode() + b'": '
    at = body.rfind(marker)
    if at < 0:
        return Digest(given, None)
    line = body.count(b"\n", 0, at) + 2
    tail = body[at + 1:].decode("utf-8", "replace")
    if tail.rstrip("\n") != f'  "{DIGEST_KEY}": "{given}"\n}}' or not _HEX64.fullmatch(given):
        return Digest(given, None, line)
    return Digest(given, hashlib.sha256(body[:at + 1]).hexdigest(), line)


def _decoded(data: bytes, name: str, offset: int, line: int | None = None) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _refusal(name, t("results.not_utf8", offset=offset + e.start), line) from e


def _decode_piece(text: str, name: str, lines: _Lines) -> Any | None:
    """One line's JSON value; None when it does not decode (the file is then read whole, which
    says where it is wrong). Too deep a value is refused here, at its line."""
    if _depth(lines.current) > MAX_DEPTH:
        raise _refusal(name, t("results.too_deep", limit=MAX_DEPTH), lines.number)
    try:
        return _loads(text)
    except RecursionError as e:  # deeper than the quick count saw (closing brackets in strings)
        raise _refusal(name, t("results.too_deep", limit=MAX_DEPTH), lines.number) from e
    except ValueError:
        return None


def _decode(text: str, body: bytes, name: str) -> Any:
    """A whole JSON text, every failure located at its line and column."""
    if _depth(body) > MAX_DEPTH:
        line, col = _too_deep_at(text)
        raise EvidenceError([Problem(Location(name, line=line, col=col), t("results.too_deep", limit=MAX_DEPTH))])
    try:
        return _loads(text)
    except json.JSONDecodeError as e:
        raise EvidenceError([Problem(Location(name, line=e.lineno, col=e.colno),
                                     t("results.not_json", detail=_json_detail(e.msg)))]) from e
    except RecursionError as e:
        line, col = _too_deep_at(text)
        raise EvidenceError([Problem(Location(name, line=line, col=col), t("results.too_deep", limit=MAX_DEPTH))]) from e


def _loads(text: str) -> Any:
    """Decoded with the fast decoder, or the careful one where an integer is too long for int()."""
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError:
        raise
    except ValueError:
        return _CAREFUL.decode(text)


_JSON_DETAILS = (("Expecting value", "value"), ("Expecting property name", "name"), ("Expecting ':'", "colon"),
                 ("Expecting ','", "comma"), ("Unterminated string", "string"), ("Invalid control", "control"),
                 ("Invalid \\", "escape"), ("Extra data", "extra"), ("Illegal trailing comma", "trailing"))
"""The JSON decoder's messages (English) and the catalogue's words for them."""


def _json_detail(message: str) -> str:
    for start, key in _JSON_DETAILS:
        if message.startswith(start):
            return t(f"results.json.{key}")
    return message


def _depth(raw: bytes) -> int:
    """How deep the JSON bytes `raw` nest (UTF-8: a bracket or quote byte is never part of another
    character), counted quickly over all brackets: innermost pairs are taken away a level at a
    time, each level a pass of bytes.replace. Where that passes MAX_DEPTH, it is counted again
    with the strings set aside (a string may hold brackets)."""
    brackets = raw.translate(None, _NOT_BRACKETS)
    if len(brackets) <= MAX_DEPTH:  # fewer brackets than the limit: no deeper than it
        return 0
    levels = 0
    while levels <= MAX_DEPTH:
        inner = brackets.replace(b"[]", b"").replace(b"{}", b"").replace(b"[}", b"").replace(b"{]", b"")
        if len(inner) == len(brackets):
            break
        brackets, levels = inner, levels + 1
    quick = levels + brackets.count(b"[") + brackets.count(b"{")  # unclosed ones nest too
    if quick <= MAX_DEPTH:
        return quick
    outside = b"".join(raw.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')[0::2])
    return max(accumulate(map(_STEP.__getitem__, outside.translate(None, _NOT_BRACKETS))), default=0)


def _too_deep_at(text: str) -> tuple[int, int]:
    """The line and column of the bracket that goes one level deeper than MAX_DEPTH (a slower
    walk, made only once the file is known to be too deep)."""
    depth = 0
    for token in _TOKEN.finditer(text):
        if token.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                at = token.start()
                line_start = text.rfind("\n", 0, at) + 1
                return text.count("\n", 0, at) + 1, at - line_start + 1
        elif token.group() in "]}":
            depth -= 1
    return 1, 1  # pragma: no cover - called only for a text deeper than the limit


def _refusal(name: str, message: str, line: int | None = None) -> EvidenceError:
    return EvidenceError([Problem(Location(name, line=line), message)])

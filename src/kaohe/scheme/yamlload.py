"""Safe, exact YAML: plain data with the source position of every node.

- Only mappings, sequences and scalars; anchors, aliases and explicit tags are refused.
- Duplicate keys are an error naming both lines.
- No YAML 1.1 guessing: `no`, `on`, `010`, `1:20` stay strings. Plain scalars become None
  (`null`, `~`, empty), bool (`true`/`false`) or Decimal (plain decimal text, exactly as
  written: `0.1` is 0.1, `1.10` keeps its text); everything else is a string.

PyYAML's pure-Python parser is the reference. When libyaml (PyYAML's C parser) is installed, its
events feed the same Python composer instead (about five times faster), with the same data,
positions and errors: libyaml words errors its own way, so any text it refuses is parsed again by
the pure parser, which reports the error; and where the two are known to read a text differently,
the pure parser composes it (see _pure_only and _CNoAliasLoader.compose_node).
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
import yaml.reader
from yaml.composer import Composer
from yaml.events import AliasEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from kaohe.errors import Location, Problem, SchemeError
from kaohe.i18n import t

try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

MAX_SCHEME_BYTES = 5 * 1024 * 1024
"""The largest YAML file read (a scheme or a case file): the biggest bundled scheme is under 100 KB.
The size is checked before reading, and no more than this (and one byte) is ever read."""
Path_ = tuple[str | int, ...]

_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_AFTER_BLOCK_HEADER_COMMENT = re.compile(r"[-+0-9]*#")


MAX_YAML_DEPTH = 64
"""The deepest nesting of mappings and lists a YAML file may have. The bundled schemes and cases
go 13 deep; a document nested hundreds deep (805 bytes of `[`) is an attack on the parser's
recursion, refused at the collection that goes past the limit."""

_MAX_FAST_DEPTH = MAX_YAML_DEPTH  # deeper documents go to the pure parser, which refuses them there


class _RefuseAliases(Composer):
    """PyYAML's composer, refusing anchors and aliases at their position, and nesting deeper than
    MAX_YAML_DEPTH at the collection that goes past it (before Python's recursion limit)."""

    file: str
    depth: int = 0

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_YAML_DEPTH:
            mark = self.peek_event().start_mark
            raise SchemeError([Problem(Location(self.file, mark.line + 1, mark.column + 1),
                                       t("yaml.too_deep", limit=MAX_YAML_DEPTH))])

    def compose_sequence_node(self, anchor: str | None) -> SequenceNode:
        self._deeper()
        node = super().compose_sequence_node(anchor)
        self.depth -= 1
        return node

    def compose_mapping_node(self, anchor: str | None) -> MappingNode:
        self._deeper()
        node = super().compose_mapping_node(anchor)
        self.depth -= 1
        return node

    def compose_node(self, parent: Node | None, index: object) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            mark = event.start_mark
            raise SchemeError(
                [Problem(Location(self.file, mark.line + 1, mark.column + 1), t("yaml.alias"))]
            )
        return super().compose_node(parent, index)


class _NoAliasLoader(Reader, Scanner, Parser, _RefuseAliases, BaseResolver):
    """Composes nodes without resolving any implicit type (everything plain is a str tag)."""

    def __init__(self, stream: str, file: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)
        self.file = file


class _Diverges(Exception):
    """libyaml reads this text otherwise than PyYAML does: the pure parser must compose it."""


if CParser is not None:

    class _CNoAliasLoader(_RefuseAliases, CParser, BaseResolver):
        """The same composer fed by libyaml's events. The composer comes first in the MRO so that
        CParser's own get_single_node (which resolves aliases) is not the one used."""

        def __init__(self, stream: str, file: str):
            CParser.__init__(self, stream)  # encodes the str as UTF-8; marks still count characters
            Composer.__init__(self)
            BaseResolver.__init__(self)
            self.file = file
            self.depth = 0

        def compose_node(self, parent: Node | None, index: object) -> Node:
            event = self.peek_event()
            if getattr(event, "tag", None) is not None:  # libyaml accepts tag handles PyYAML refuses
                raise _Diverges
            if type(event) is ScalarEvent and event.style == "":  # plain
                if parent is None:
                    if not event.value:  # an empty document: libyaml may mark it a line lower
                        raise _Diverges
                elif parent.flow_style and (not event.value or "?" in event.value):
                    # libyaml marks an empty value in a flow collection at the next token where
                    # PyYAML marks it after the `:`, and lets `?` into plain scalars there
                    raise _Diverges
            return super().compose_node(parent, index)


class Positions:
    """Where each value (and each mapping key) of the loaded document starts."""

    def __init__(self, file: str):
        self.file = file
        self.values: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, tuple[int, int]] = {}
        self.quoted: dict[Path_, bool] = {}
        """Scalars written in quotes (a column inside them counts from after the quote)."""

    def at(self, path: Path_, *, key: bool = False) -> Location:
        """The location of `path`, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        for cut in range(len(path), -1, -1):
            sub = path[:cut]
            if sub in table:
                line, col = table[sub]
                return Location(self.file, line, col)
            if key and sub in self.values:
                line, col = self.values[sub]
                return Location(self.file, line, col)
        return Location(self.file)


_REFUSED = Node(None, None, None, None)  # libyaml's answer is not used


def load_yaml(text: str, file: str, *, pure: bool = False) -> tuple[Any, Positions]:
    """Parse one YAML document into plain Python data plus positions.

    libyaml is used when installed; `pure` forces the pure-Python parser (tests compare the two)."""
    if len(text.encode("utf-8")) > MAX_SCHEME_BYTES:
        raise SchemeError([Problem(Location(file), t("yaml.too_big", limit=MAX_SCHEME_BYTES))])
    fast = not pure and CParser is not None and not _pure_only(text)
    node = _compose_fast(text, file) if fast else _REFUSED
    if node is _REFUSED:
        node = _compose_pure(text, file)
    positions = Positions(file)
    if node is None:
        return None, positions
    return _build(node, (), positions), positions


def read_yaml_file(path: str | Path, kind: str = "yaml") -> tuple[bytes, str]:
    """The bytes and text of a YAML file, refused with its place when it is too big or not UTF-8.

    The size is looked up on the opened file before anything is read, and at most
    MAX_SCHEME_BYTES + 1 bytes are read whatever it claims (a pipe or a device has no size).
    `kind` picks the words: "yaml" for a scheme file, "cases" for a case file."""
    name = str(path)
    try:
        with open(path, "rb") as stream:
            info = os.fstat(stream.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > MAX_SCHEME_BYTES:
                raw = b""
                too_big = True
            else:
                raw = stream.read(MAX_SCHEME_BYTES + 1)
                too_big = len(raw) > MAX_SCHEME_BYTES
    except OSError as e:
        raise SchemeError([Problem(Location(name), t("file.unreadable", reason=e.strerror or e))]) from e
    if too_big:
        raise SchemeError([Problem(Location(name), t(f"{kind}.too_big", limit=MAX_SCHEME_BYTES))])
    skip = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[skip:].decode("utf-8")
    except UnicodeDecodeError as e:
        offset = skip + e.start
        line_start = raw.rfind(b"\n", 0, offset) + 1
        line = raw.count(b"\n", 0, offset) + 1
        col = len(raw[line_start + (skip if line == 1 else 0):offset].decode("utf-8", "replace")) + 1
        raise SchemeError([Problem(Location(name, line, col), t(f"{kind}.not_utf8", offset=offset))]) from e
    return raw, text


def _pure_only(text: str) -> bool:
    """Text that libyaml reads differently from PyYAML, seen before parsing: tabs (libyaml takes
    them as white space where PyYAML refuses them), a BOM after the start (libyaml skips one at any
    line start), a block scalar header followed by `#` (libyaml allows it), and `?` in text that
    does not end with a line break (libyaml then marks the end of the text a line lower, and the
    empty value of an explicit `? key` is marked there). See also _CNoAliasLoader.compose_node."""
    if "\t" in text or text.find("\ufeff", 1) != -1:
        return True
    if "?" in text and not text.endswith(("\n", "\r", "\x85", "\u2028", "\u2029")):
        return True
    for indicator in "|>":  # str.find is much faster than a regex scan of the whole text
        at = text.find(indicator)
        while at != -1:
            if _AFTER_BLOCK_HEADER_COMMENT.match(text, at + 1):
                return True
            at = text.find(indicator, at + 1)
    return False


def _compose_fast(text: str, file: str) -> Node | None:
    """The document's node through libyaml, or _REFUSED for the pure parser to compose."""
    loader = _CNoAliasLoader(text, file)
    try:
        return loader.get_single_node()
    except (yaml.YAMLError, SchemeError, _Diverges):
        # libyaml words errors and places their marks its own way, and may stop elsewhere (it
        # checks for forbidden characters chunk by chunk, the pure reader all at once up front).
        return _REFUSED
    finally:
        loader.dispose()


def _compose_pure(text: str, file: str) -> Node | None:
    try:
        loader = _NoAliasLoader(text, file)
    except yaml.reader.ReaderError as e:  # a character YAML does not allow (NUL, other controls)
        raise SchemeError([Problem(Location(file), t("yaml.bad_character", code=f"U+{e.character:04X}",
                                                     offset=e.position + 1))]) from e
    try:
        return loader.get_single_node()
    except yaml.reader.ReaderError as e:
        raise SchemeError([Problem(Location(file), t("yaml.bad_character", code=f"U+{e.character:04X}",
                                                     offset=e.position + 1))]) from e
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        raise SchemeError([Problem(where, t("yaml.syntax", detail=e.problem or e))]) from e
    except yaml.YAMLError as e:
        raise SchemeError([Problem(Location(file), t("yaml.syntax", detail=e))]) from e
    finally:
        loader.dispose()


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _build(node: Node, path: Path_, pos: Positions) -> Any:
    pos.values[path] = _mark(node)
    if node.tag not in (_STR, _SEQ, _MAP):
        line, col = _mark(node)
        raise SchemeError([Problem(Location(pos.file, line, col), t("yaml.tag", tag=node.tag))])
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                line, col = _mark(key_node)
                raise SchemeError([Problem(Location(pos.file, line, col), t("yaml.complex_key"))])
            key = key_node.value
            if key in seen:
                line, col = _mark(key_node)
                raise SchemeError(
                    [Problem(Location(pos.file, line, col), t("yaml.duplicate_key", key=key, first=seen[key][0]))]
                )
            seen[key] = _mark(key_node)
            pos.keys[path + (key,)] = seen[key]
            out[key] = _build(value_node, path + (key,), pos)
        return out
    if isinstance(node, SequenceNode):
        return [_build(item, path + (i,), pos) for i, item in enumerate(node.value)]
    if node.style in ("'", '"'):
        pos.quoted[path] = True
    return _scalar(node)


def _scalar(node: ScalarNode) -> Any:
    text = node.value
    if node.style:  # quoted or block scalars are always text (plain is None in PyYAML, "" in libyaml)
        return text
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _DECIMAL.fullmatch(text):
        return Decimal(text)
    return text

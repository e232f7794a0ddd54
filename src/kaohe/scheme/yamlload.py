"""Safe, exact YAML: plain data with the source position of every node.

- Only mappings, sequences and scalars; anchors, aliases and explicit tags are refused.
- Duplicate keys are an error naming both lines.
- No YAML 1.1 guessing: `no`, `on`, `010`, `1:20` stay strings. Plain scalars become None
  (`null`, `~`, empty), bool (`true`/`false`) or Decimal (plain decimal text, exactly as
  written: `0.1` is 0.1, `1.10` keeps its text); everything else is a string.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import yaml
import yaml.reader
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from kaohe.errors import Location, Problem, SchemeError
from kaohe.i18n import t

MAX_SCHEME_BYTES = 5 * 1024 * 1024
Path_ = tuple[str | int, ...]

_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _NoAliasLoader(Reader, Scanner, Parser, Composer, BaseResolver):
    """Composes nodes without resolving any implicit type (everything plain is a str tag)."""

    def __init__(self, stream: str, file: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)
        self.file = file

    def compose_node(self, parent: Node | None, index: object) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            mark = event.start_mark
            raise SchemeError(
                [Problem(Location(self.file, mark.line + 1, mark.column + 1), t("yaml.alias"))]
            )
        return super().compose_node(parent, index)


class Positions:
    """Where each value (and each mapping key) of the loaded document starts."""

    def __init__(self, file: str):
        self.file = file
        self.values: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, tuple[int, int]] = {}

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


def load_yaml(text: str, file: str) -> tuple[Any, Positions]:
    """Parse one YAML document into plain Python data plus positions."""
    if len(text.encode("utf-8")) > MAX_SCHEME_BYTES:
        raise SchemeError([Problem(Location(file), t("yaml.too_big", limit=MAX_SCHEME_BYTES))])
    try:
        loader = _NoAliasLoader(text, file)
    except yaml.reader.ReaderError as e:  # a character YAML does not allow (NUL, other controls)
        raise SchemeError([Problem(Location(file), t("yaml.bad_character", code=f"U+{e.character:04X}",
                                                     offset=e.position))]) from e
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as e:
        raise SchemeError([Problem(Location(file), t("yaml.bad_character", code=f"U+{e.character:04X}",
                                                     offset=e.position))]) from e
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        raise SchemeError([Problem(where, t("yaml.syntax", detail=e.problem or e))]) from e
    except yaml.YAMLError as e:
        raise SchemeError([Problem(Location(file), t("yaml.syntax", detail=e))]) from e
    finally:
        loader.dispose()
    positions = Positions(file)
    if node is None:
        return None, positions
    return _build(node, (), positions), positions


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
    return _scalar(node)


def _scalar(node: ScalarNode) -> Any:
    text = node.value
    if node.style is not None:  # quoted or block scalars are always text
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

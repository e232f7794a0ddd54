"""Readings marked in a scheme (`reading:`): where they are, and the scheme as the other
reading has it (the marked object's keys replaced by its `alternative`)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Iterator

from pydantic import ValidationError

from kaohe.errors import Location, Problem
from kaohe.i18n import t
from kaohe.scheme.load import LoadedScheme, validation_problems
from kaohe.scheme.models import Reading, Scheme

OUTCOME_ONLY = ("outcomes", "ranking")
"""Objects whose other reading changes outcomes, not scores: the standings are reused."""


@dataclass(frozen=True, slots=True)
class Marked:
    """One reading marked in the scheme, with where it is."""

    path: tuple[str | int, ...]
    """The object carrying it, as a path into the YAML."""
    index: int
    """Which of the object's readings (0 where it has one)."""
    at: tuple[str | int, ...]
    """The reading itself, as a path into the YAML."""
    owner: str
    """The object's id or name (2.4.1, 先进处室), or its key (ranking)."""
    reading: Reading
    location: Location

    @property
    def key(self) -> str:
        """The reading's path as text: how results files name it."""
        return "/".join(map(str, self.path)) + f"#{self.index}"

    @property
    def rescores(self) -> bool:
        """Whether the other reading changes scores (else only outcomes, decided on the same totals)."""
        if self.path and self.path[0] in OUTCOME_ONLY:
            return False
        alternative = self.reading.alternative or {}
        return not (self.path and self.path[0] == "flags" and set(alternative) <= {"bars"})


def marked(loaded: LoadedScheme) -> list[Marked]:
    """Every reading in the scheme, in the order of the file."""
    found = []
    for path, node in _walk(loaded.data, ()):
        raw = node.get("reading")
        if raw is None:
            continue
        items = raw if isinstance(raw, list) else [raw]
        for i, item in enumerate(items):
            at = path + (("reading", i) if isinstance(raw, list) else ("reading",))
            found.append(Marked(path, i, at, _owner(node, path), Reading.model_validate(item), loaded.at(at)))
    return found


def _walk(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key != "reading":
                yield from _walk(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, path + (i,))


def _owner(node: dict[str, Any], path: tuple[str | int, ...]) -> str:
    for key in ("id", "name"):
        if isinstance(node.get(key), (str, int)):
            return str(node[key])
    return ".".join(str(p) for p in path if isinstance(p, str)) or t("reading.scheme")


def _copied_along(data: Any, path: tuple[str | int, ...]) -> tuple[Any, Any]:
    """The scheme's data with the mappings and lists from its top down to the object at `path`
    copied, one level each, and all else shared; and that object's copy. Changing the copy leaves
    `data` as it was (validation only reads what it is given): no deep copy of the whole scheme
    for each reading."""
    top = copy.copy(data)
    node = top
    for part in path:
        node[part] = copy.copy(node[part])
        node = node[part]
    return top, node


def variant(loaded: LoadedScheme, mark: Marked) -> Scheme:
    """The scheme as the other reading has it: the marked object's keys replaced by the
    alternative's. A SchemeError (located at the alternative) if that is not a valid scheme."""
    from kaohe.errors import SchemeError

    data, node = _copied_along(loaded.data, mark.path)
    node.update(copy.deepcopy(mark.reading.alternative or {}))
    node.pop("reading", None)
    try:
        return Scheme.model_validate(data)
    except ValidationError as e:
        alternative = mark.reading.alternative or {}

        def place(path: tuple[str | int, ...]) -> tuple[str | int, ...]:
            inside = path[len(mark.path):]
            if path[:len(mark.path)] == mark.path and inside and inside[0] in alternative:
                return mark.at + ("alternative",) + inside
            return mark.at

        raise SchemeError([Problem(p.location, t("reading.bad_alternative", owner=mark.owner, problem=p.message))
                           for p in validation_problems(e, data, loaded.positions, place)]) from e

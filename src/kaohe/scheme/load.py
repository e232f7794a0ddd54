"""Load a scheme file: safe YAML, then the frozen models, every error with its position."""

from __future__ import annotations

import hashlib
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from kaohe.errors import Location, Problem, SchemeError
from kaohe.i18n import join_list, t
from kaohe.messages import CATALOGUE
from kaohe.numbers import exact_arithmetic
from kaohe.rules import REGISTRY
from kaohe.scheme.models import Scheme
from kaohe.scheme.yamlload import Positions, load_yaml, read_yaml_file


@dataclass(frozen=True)
class LoadedScheme:
    scheme: Scheme
    positions: Positions
    path: str
    sha256: str
    data: Any = None
    """The YAML as read (plain values), from which a reading's alternative scheme is built."""

    def at(self, path: tuple[str | int, ...], *, key: bool = False) -> Location:
        return self.positions.at(path, key=key)

    def at_offset(self, path: tuple[str | int, ...], offset: int | None) -> Location:
        """The place of a character inside a scalar (an expression's mistake), or of the scalar."""
        where = self.positions.at(path)
        if offset is None or where.col is None or path not in self.positions.values:
            return where
        quote = 1 if self.positions.quoted.get(path) else 0
        return Location(where.file, where.line, where.col + quote + offset)


@exact_arithmetic
def load_scheme(path: str | Path) -> LoadedScheme:
    name = str(path)
    raw, text = read_yaml_file(path)  # the size checked before reading, the read bounded
    data, positions = load_yaml(text, name)
    if not isinstance(data, dict):
        raise SchemeError([Problem(Location(name, 1, 1), t("scheme.not_mapping"))])
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as e:
        raise SchemeError(validation_problems(e, data, positions)) from e
    return LoadedScheme(scheme, positions, name, hashlib.sha256(raw).hexdigest(), data)


def validation_problems(error: ValidationError, data: Any, positions: Positions,
                        place: Callable[[tuple[str | int, ...]], tuple[str | int, ...]] | None = None) -> list[Problem]:
    """Each of pydantic's errors as a located problem; `place` maps a path of `data` to the path
    in the file it came from (where `data` was built from the file's YAML, as another reading is)."""
    problems = []
    errors = [(err, *_data_path(err["loc"], data)) for err in error.errors(include_url=False)]
    # A value that fits one member of a union but is refused there (a 29-digit `per`) is also
    # "the wrong shape" for the other members: the refusal says what is wrong, the rest is noise.
    refused = {path for err, path, _ in errors if _union_member(err["loc"]) and err["type"] not in _SHAPE_KINDS}
    for err, path, tags in errors:
        if path in refused and _union_member(err["loc"]) and err["type"] in _SHAPE_KINDS:
            continue
        kind = err["type"]
        is_key = kind == "extra_forbidden"
        where = positions.at(place(path) if place is not None else path, key=is_key)
        problems.append(Problem(where, _message(err, path, tags)))
    return sorted(set(problems), key=lambda p: (p.location.line or 0, p.location.col or 0))


_SHAPE_KINDS = frozenset({"list_type", "model_type", "model_attributes_type", "dict_type", "string_type",
                          "decimal_type", "bool_type", "int_type", "literal_error", "is_instance_of"})


def _union_member(loc: tuple[int | str, ...]) -> bool:
    """Whether the loc ends in a member of a plain union, which pydantic names by its type
    (`function-after[_sized(), decimal]`, `dict[str,…]`): not a key of the file."""
    return bool(loc) and isinstance(loc[-1], str) and ("[" in loc[-1] or "(" in loc[-1])


def _data_path(loc: tuple[int | str, ...], data: Any) -> tuple[tuple[str | int, ...], list[str]]:
    """The loc's elements that exist in the data (dropping union tags such as `met`)."""
    path: list[str | int] = []
    dropped: list[str] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        else:
            dropped.append(str(part))
    return tuple(path), dropped


def _message(err: Any, path: tuple[str | int, ...], tags: list[str]) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    field = str(err["loc"][-1]) if err["loc"] else ""
    if _union_member(err["loc"]):  # the key the value was written under
        field = next((str(p) for p in reversed(path) if isinstance(p, str)), field)
    shown = _show(value)
    if kind == "number_size":
        return t("schema.number_size", key=field, value=shown, digits=ctx.get("digits"), places=ctx.get("places"))
    if kind == "scheme_rule":  # a model's own check: the object named by its id, or its place
        return t("schema.rule_broken", what=_object_named(value, path, field), reason=ctx.get("reason", ""))
    if kind == "extra_forbidden":
        return t("schema.unknown_key", key=field, keys=join_list(_fields_at(err["loc"][:-1])))
    if kind == "missing":
        return t("schema.missing_key", key=field)
    if kind == "union_tag_invalid":
        return t("schema.unknown_kind", value=ctx.get("tag"), kinds=join_list(list(REGISTRY)))
    if kind == "union_tag_not_found":
        return t("schema.missing_kind", kinds=join_list(list(REGISTRY)))
    if kind == "literal_error":
        return t("schema.bad_choice", key=field, value=shown, choices=_choices(ctx.get("expected", "")))
    if kind.startswith("decimal") or kind in ("int_type", "int_parsing", "int_from_float", "is_instance_of"):
        return t("schema.not_number", key=field, value=shown)
    if kind in ("string_type",):
        return t("schema.not_text", key=field, value=shown)
    if kind in ("bool_type",):
        return t("schema.not_bool", key=field, value=shown)
    if kind in ("list_type", "model_type", "model_attributes_type", "dict_type"):
        return t("schema.wrong_shape", key=field, value=shown)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        limit = next(iter(ctx.values()), "")
        op = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}[kind]
        return t("schema.out_of_range", key=field, value=shown, op=op, limit=limit)
    if kind in ("too_short", "string_too_short"):
        return t("schema.too_short", key=field)
    if kind in ("too_long", "string_too_long"):
        return t("schema.too_long", key=field)
    if kind.startswith("date"):
        return t("schema.not_date", key=field, value=shown)
    return t("schema.invalid", key=field, value=shown, detail=err.get("msg", ""))


def _choices(expected: str) -> str:
    """pydantic's list of a Literal's values (`'annual', 'half-year' or 'quarterly'`) as a list in
    the user's language (annual、half-year、quarterly)."""
    values = re.findall(r"'((?:[^'\\]|\\.)*)'", expected)
    return join_list(values) if values else expected


def _object_named(value: Any, path: tuple[str | int, ...], field: str) -> str:
    """The object a model's check refused: `部分 "2"` (its id), `第 2 个等次` (its place in a list
    without ids), else its key."""
    if len(path) >= 2 and isinstance(path[-1], int) and isinstance(path[-2], str):
        noun_key = f"schema.noun.{path[-2]}"
        if noun_key in CATALOGUE:
            noun = t(noun_key)
            if isinstance(value, dict) and isinstance(value.get("id"), (str, int)):
                return t("schema.object_id", noun=noun, id=value["id"])
            return t("schema.object_at", noun=noun, n=path[-1] + 1)
    return f'"{field}"' if not path or not isinstance(path[-1], str) else f'"{path[-1]}"'


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return type(value).__name__
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    """The keys accepted at `loc`, found by walking the models (union tags pick the rule kind)."""
    current: Any = Scheme
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else current
        elif isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = current.model_fields[part].annotation
        elif part in REGISTRY:
            current = REGISTRY[part]
        elif (tagged := _tagged(current, part)) is not None:
            current = tagged
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f for f in current.model_fields if f != "reading"] + ["reading"] * ("reading" in current.model_fields)
    return []


def _tagged(tp: Any, tag: object) -> Any:
    """The member of a tagged union (`Annotated[Model, Tag("criterion")] | …`) named by `tag`."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    for member in typing.get_args(tp):
        if typing.get_origin(member) is typing.Annotated:
            base, *meta = typing.get_args(member)
            if any(getattr(m, "tag", None) == tag for m in meta):
                return base
    return None


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional to the type that carries fields or items."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp

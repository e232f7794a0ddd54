"""What every rule kind shares: typed inputs, evaluation steps, value parsing.

A rule kind is one module with a frozen Pydantic model whose `kind` literal names it. The
model declares the inputs it reads, evaluates typed values to points with a trace of steps,
states the most it can ever give, and checks itself against the criterion's points.
"""

from __future__ import annotations

import datetime as _dt
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Annotated, Any, Callable, NamedTuple

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Strict
from pydantic_core import PydanticCustomError

from kaohe.i18n import t
from kaohe.numbers import (
    MAX_INTEGER_DIGITS,
    MAX_PLACES,
    ONE,
    ZERO,
    div,
    fmt,
    fmt_exact,
    foreign_character,
    from_float,
    in_range,
    is_whole,
    normalize_text,
    parse_decimal,
)


def refusal(key: str, **args: object) -> PydanticCustomError:
    """What a model's own check refuses (keys that go together, a range in order): told at the
    object that holds them, in the user's language (kaohe.scheme.load names the object)."""
    return PydanticCustomError("scheme_rule", "{reason}", {"reason": t(key, **args)})


def _percent_text(value: Any) -> Any:
    """`80%` in a scheme means 0.80 exactly."""
    if isinstance(value, str) and value.strip().endswith("%"):
        number = parse_decimal(value.strip()[:-1])
        if number is not None and in_range(number):
            return div(number, 100)
    return value


def _sized(value: Decimal) -> Decimal:
    """A number in a scheme is of a size kaohe accepts (a 29-digit full score is a mistake)."""
    if not in_range(value):
        raise PydanticCustomError("number_size", "number out of range",
                                  {"digits": MAX_INTEGER_DIGITS, "places": MAX_PLACES})
    return value


def _number_as_text(value: Any) -> Any:
    """Ids and titles such as `1.1` or `2018` are text even when YAML reads them as numbers."""
    return str(value) if isinstance(value, Decimal) else value


Text = Annotated[str, Strict(), BeforeValidator(_number_as_text)]
"""Text in the scheme; a plain number written where text is expected keeps its exact text."""
Dec = Annotated[Decimal, Strict(), AfterValidator(_sized)]
"""A number written in the scheme (the loader makes it a Decimal from its text)."""
Bound = Annotated[Decimal, Strict(), BeforeValidator(_percent_text), AfterValidator(_sized)]
"""A band bound: a number, or a percentage such as `80%`."""


class RuleModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ValueType(str, Enum):
    BOOL = "bool"  # 是/否
    COUNT = "count"  # a whole number of times, items, articles
    NUMBER = "number"  # a non-negative quantity (people, 篇 per month, ...)
    RATE = "rate"  # 0..1, written 0.85, 85 or 85%
    LEVEL = "level"  # one of named levels
    POINTS = "points"  # points given by judgement within a range
    EVENTS = "events"  # rows, each an event (or a rater's score) with attribute columns
    ITEMS = "items"  # item ids (弄虚作假: the items whose points are removed)
    COMPUTED = "computed"  # worked out or set by the scheme: the evidence does not give it


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One value the evidence must supply for a criterion (one column in wide form)."""

    id: str
    type: ValueType
    label: str | None = None
    choices: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    zero_ok: bool = False
    """POINTS: 0 is accepted even below `minimum`."""
    attributes: tuple[str, ...] = ()
    """For EVENTS: the attribute columns the rows carry."""
    row_value: ValueType | None = None
    """For EVENTS: what each row's 值 holds (COUNT of events, or a rater's NUMBER score)."""
    check_event: Callable[[dict[str, str]], None] | None = None
    """For EVENTS: raises BadValue when a row's attributes fit nothing in the rule."""
    na_ok: bool = False
    """不适用 (缺项) is accepted: the value is then NOT_APPLICABLE."""
    negative_ok: bool = False
    """NUMBER and RATE: a value below zero is accepted (energy use that rose)."""
    bare: str | None = None
    """RATE: how a bare number is read where both readings fit (the scheme's `rates`)."""
    categories: tuple[str, ...] | None = None
    """The unit categories the input exists for (None: all of them)."""
    attribute_choices: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """EVENTS: the values each attribute column may take, where the rule declares them."""
    units: tuple[str, ...] | None = None
    """The units whose own task list holds the input (None: every unit)."""


class _NotApplicable:
    """The value of an input given as 不适用 (缺项)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE = _NotApplicable()
NA_WORDS = frozenset({"不适用", "不適用", "缺项", "缺項", "无此项", "無此項", "n/a", "na"})


PEERS = "@peers"
"""The key under which a rule that scores against the other units finds their values."""


class PeerStats:
    """The values of every unit a relative rule compares (its group), worked out once for all of
    them. Compared and hashed by identity: one object serves every unit of the group."""

    __slots__ = ("pairs", "method", "ascending", "distinct", "count", "highest", "lowest", "_mean")

    def __init__(self, pairs: list[tuple[str, Any]], method: str = "rank_eq"):
        self.pairs = pairs
        """(unit, value) of every unit with a value, in the scheme's order of units."""
        self.method = method
        self.ascending = sorted(v for _, v in pairs)
        self.distinct = sorted(set(self.ascending))
        self.count = len(pairs)
        self.highest = self.ascending[-1] if pairs else None
        self.lowest = self.ascending[0] if pairs else None
        self._mean: Any = None

    def mean(self) -> Any:
        if self._mean is None:
            self._mean = div(sum(self.ascending, ZERO), self.count) if self.count else ZERO
        return self._mean

    def units_at(self, value: Any) -> list[str]:
        return [u for u, v in self.pairs if v == value]

    def place(self, value: Any, ascending: bool = False) -> int:
        """The place of `value` among the group's (1 = best), ties sharing it (RANK.EQ or dense)."""
        values = self.distinct if self.method == "dense" else self.ascending
        if ascending:  # the lowest is first: the places before are the values below
            return bisect_left(values, value) + 1
        return len(values) - bisect_right(values, value) + 1

    def __repr__(self) -> str:
        return f"PeerStats({self.count} units)"


@dataclass(frozen=True, slots=True)
class Event:
    """One evidence row of an EVENTS input: its attributes and its value."""

    attributes: dict[str, str]
    value: object
    location: object = None


class Span(NamedTuple):
    """A distance in a trace: percentage points of a rate (shown in the reader's language), or a
    number with its unit."""

    value: Any
    unit: str = ""
    points: bool = False

    def __str__(self) -> str:
        from kaohe.i18n import t

        if self.points:
            return t("unit.percentage_points", value=fmt(self.value * 100))
        return f"{fmt(self.value)}{self.unit}"


class Step(NamedTuple):
    """One line of a trace: a catalogue key and its parameters (formatted only when shown)."""

    key: str
    raw: tuple[tuple[str, object], ...] = ()

    @property
    def params(self) -> dict[str, str]:
        return {k: fmt_exact(v) if isinstance(v, (Decimal, Fraction)) else str(v) for k, v in self.raw}


class Outcome(NamedTuple):
    points: Decimal
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's own consistency finding; `path` is relative to the rule node."""

    path: tuple[str | int, ...]
    severity: str  # "error" | "warning"
    key: str
    params: dict[str, str]


def step(key: str, **params: object) -> Step:
    return Step(key, tuple(params.items()))


TRUE_WORDS = frozenset({"是", "√", "✓", "✔", "y", "yes", "true", "1", "对", "有"})
FALSE_WORDS = frozenset({"否", "×", "✗", "✘", "x", "n", "no", "false", "0", "无"})


class BadValue(ValueError):
    """An evidence value that does not fit its input; the message key says what was expected."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params


def parse_value(spec: InputSpec, raw: object) -> object:
    """Turn a raw cell (str, int, float, bool, Decimal) into the typed value `spec` wants."""
    if isinstance(raw, (_dt.date, _dt.time, _dt.timedelta)):
        raise BadValue("value.date_not_allowed")
    if isinstance(raw, str) and normalize_text(raw).lower() in NA_WORDS and normalize_text(raw) not in spec.choices:
        if spec.na_ok:
            return NOT_APPLICABLE
        raise BadValue("value.na_not_allowed")
    if spec.type is ValueType.BOOL:
        return _parse_bool(raw)
    if spec.type is ValueType.LEVEL:
        return _parse_level(spec, raw)
    if spec.type is ValueType.ITEMS:
        return _parse_items(spec, raw)
    number = _to_decimal(raw)
    if number is None:
        raise BadValue("value.not_count" if spec.type is ValueType.COUNT else "value.not_number")
    if spec.type is not ValueType.RATE and isinstance(raw, str) and normalize_text(raw).endswith("%"):
        raise BadValue("value.percent_not_here")
    if not in_range(number):
        raise BadValue("value.out_of_size", digits=MAX_INTEGER_DIGITS, places=MAX_PLACES)
    if spec.type is ValueType.COUNT:
        if number < 0 or not is_whole(number):
            raise BadValue("value.not_count")
        if spec.maximum is not None and number > spec.maximum:  # a declared max; events: MAX_EVENTS_PER_ROW
            raise BadValue("value.count_above", value=fmt(number), high=fmt(spec.maximum))
        return int(number)
    if spec.type is ValueType.RATE:
        return _rate(spec, raw, number)
    if number < 0 and not (spec.negative_ok and spec.type is ValueType.NUMBER):
        raise BadValue("value.negative")
    if spec.type is ValueType.NUMBER and spec.maximum is not None and number > spec.maximum:
        raise BadValue("value.out_of_range", low="0", high=fmt(spec.maximum))
    if spec.type is ValueType.POINTS:
        low = spec.minimum if spec.minimum is not None else ZERO
        if spec.zero_ok and number == 0:
            return number
        if number < low or (spec.maximum is not None and number > spec.maximum):
            raise BadValue("value.out_of_range", low=fmt(low), high=fmt(spec.maximum) if spec.maximum is not None else "∞")
    return number


MAX_FLOAT_PLACES = 6
"""A spreadsheet number with more decimals than this is float noise (0.1+0.2 = 0.30000000000000004)
from a formula, not a value anyone typed: it is refused rather than scored inexactly."""


def _to_decimal(raw: object) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if isinstance(raw, Fraction):  # an exact value from a results file (28/3)
        return raw  # type: ignore[return-value]
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        number = from_float(raw)
        if number is not None and -number.as_tuple().exponent > MAX_FLOAT_PLACES:  # type: ignore[operator]
            raise BadValue("value.float_noise", value=repr(raw), places=MAX_FLOAT_PLACES)
        return number
    if isinstance(raw, str):
        return _decimal_text(raw)
    return None


def _decimal_text(raw: str) -> Decimal | None:
    """A number typed as text: ASCII or full-width ("８０％" is 80%), a trailing % left to the
    caller. Other characters that NFKC folds into digits change the number (`10³` would read as
    103, `①` as 1): where the folded text would be a number, the cell is refused naming the
    character, rather than "not a number" for what looks like one."""
    text = raw.strip()
    number = parse_decimal(text[:-1] if text.endswith(("%", "％")) else text)
    if number is not None:
        return number
    folded = normalize_text(raw)
    char = foreign_character(text)
    if char is not None and parse_decimal(folded[:-1] if folded.endswith("%") else folded) is not None:
        raise BadValue("value.folded_character", char=char, code=f"U+{ord(char):04X}")
    return None


def _rate(spec: InputSpec, raw: object, number: Decimal) -> Decimal:
    """`85%` is 85%. A bare number is read as a fraction (0.85) or as a percentage (85): the one
    reading that fits the input's range (0–100% unless the scheme states a larger maximum) is
    taken; where both fit and differ, the scheme's `rates` decides, and without it the cell is
    refused naming both readings (1.5 may be 150% or 1.5%)."""
    top = spec.maximum if spec.maximum is not None else ONE
    low = -top if spec.negative_ok else ZERO

    def fits(value: Decimal) -> bool:
        return low <= value <= top

    if isinstance(raw, str) and normalize_text(raw).endswith("%"):
        value = div(number, 100)
        if not fits(value):  # type: ignore[arg-type]
            raise BadValue("value.rate_range", low=_pct(low), high=_pct(top))
        return value  # type: ignore[return-value]
    as_percent = div(number, 100)
    readings = [v for v in (number, as_percent) if fits(v)]  # type: ignore[arg-type]
    if len(readings) == 2 and number != as_percent:
        if spec.bare == "fraction":
            return number
        if spec.bare == "percent":
            return as_percent  # type: ignore[return-value]
        raise BadValue("value.rate_ambiguous", fraction=_pct(number), percent=_pct(as_percent))
    if readings:
        return readings[0]  # type: ignore[return-value]
    raise BadValue("value.rate_range", low=_pct(low), high=_pct(top))


def _pct(rate: object) -> str:
    return f"{fmt(rate * 100)}%"  # type: ignore[operator]


def _parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float, Decimal)) and raw in (0, 1):
        return raw == 1
    if isinstance(raw, str) and normalize_text(raw).lower() in TRUE_WORDS:
        return True
    if isinstance(raw, str) and normalize_text(raw).lower() in FALSE_WORDS:
        return False
    raise BadValue("value.not_bool")


def _parse_items(spec: InputSpec, raw: object) -> list[str]:
    """"2.1、3.2" or "2.1,3.2": item ids; 否/无/blank words mean none."""
    text = normalize_text(str(raw))
    if text.lower() in FALSE_WORDS:
        return []
    ids = [part.strip() for part in re.split(r"[、,，;；\s]+", text) if part.strip()]
    unknown = [i for i in ids if i not in spec.choices]
    if not ids or unknown:
        raise BadValue("value.not_items", value="、".join(unknown) or text)
    return ids


NEAREST_CUTOFF = 0.5
"""How alike (difflib's ratio) a misspelt level name must be to a choice to be named as the one
meant: the cutoff errors.Nearest uses for unit names and ids (良 is near 良好, 优 near 优秀)."""


def _parse_level(spec: InputSpec, raw: object) -> str:
    text = normalize_text(str(raw)) if raw is not None else ""
    if text in spec.choices:
        return text
    import difflib

    from kaohe.i18n import t

    near = difflib.get_close_matches(text, spec.choices, n=1, cutoff=NEAREST_CUTOFF) if text else []
    hint = t("value.level_nearest", name=near[0]) if near else ""  # the code stays value.not_level
    raise BadValue("value.not_level", choices="、".join(spec.choices) + hint)

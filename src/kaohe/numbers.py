"""Exact numbers: every point value is built from text, never from a binary float, and stays exact.

A value is a `Decimal` when it has a finite decimal form (2, 0.5, 9.25) and a `Rational` (an exact
fraction such as 28/3) when it has none. Decimals are the common case and stay fast; a division
goes through `div`, which gives a Decimal when the quotient terminates and a Rational when it
does not, so that 10 × 90% ÷ 90% is exactly 10 and three thirds add up to exactly 1. Rationals
mix with Decimals in sums, products, comparisons and hashing. Nothing is rounded unless the
scheme says where; a Rational is shown rounded to the display places, marked with "≈".

Decimal additions and products are exact only with enough precision: `EXACT` is a context with
unlimited precision (the decimal module's MAX_PREC), installed by `exact_arithmetic` around the
library's entry points and by the CLI for its whole process. A Decimal division in that context
would try to expand 1/3 for ever, which is why every division goes through `div`.
"""

from __future__ import annotations

import decimal
import functools
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Callable, TypeVar

_DECIMAL_TEXT = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")
_RATIONAL_TEXT = re.compile(r"([-+]?\d+)/(\d+)")
_NUMBER_CHARACTERS = frozenset("0123456789.+-%" "０１２３４５６７８９．＋－％" " \t\u3000\u00a0")
"""What a typed number may be made of: ASCII or full-width digits, point, sign, percent, blanks."""
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                        rounding=ROUND_HALF_UP,
                        traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
"""Unlimited precision: additions, subtractions and products of Decimals are exact."""

MAX_INTEGER_DIGITS = 15
"""The most digits a number may have before its decimal point (below 10^15: a trillion 元 fits)."""
MAX_PLACES = 10
"""The most decimals a number read from a scheme, evidence or results may have."""

F = TypeVar("F", bound=Callable[..., Any])


def exact_arithmetic(function: F) -> F:
    """Run `function` with the EXACT decimal context (a library entry point)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with decimal.localcontext(EXACT):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def use_exact_arithmetic() -> None:
    """Make the EXACT context this thread's own (the CLI, a process of kaohe work only)."""
    decimal.setcontext(decimal.Context(prec=EXACT.prec, Emax=EXACT.Emax, Emin=EXACT.Emin,
                                       rounding=EXACT.rounding, traps=[decimal.InvalidOperation,
                                                                       decimal.DivisionByZero,
                                                                       decimal.Overflow]))


def _lift(value: object) -> object:
    return Fraction(value) if isinstance(value, Decimal) else value


def _binary(name: str) -> Callable[[Rational, object], object]:
    base = getattr(Fraction, name)

    def operation(self: Rational, other: object) -> object:
        result = base(self, _lift(other))
        return settle(result) if isinstance(result, Fraction) else result

    operation.__name__ = name
    return operation


def _comparison(name: str) -> Callable[[Rational, object], object]:
    base = getattr(Fraction, name)

    def operation(self: Rational, other: object) -> object:
        return base(self, _lift(other))

    operation.__name__ = name
    return operation


class Rational(Fraction):
    """An exact value with no finite decimal form (28/3). Arithmetic with Decimals and ints is
    exact and settles back to a Decimal whenever the result has a finite decimal form."""

    __slots__ = ()

    __add__, __radd__ = _binary("__add__"), _binary("__radd__")
    __sub__, __rsub__ = _binary("__sub__"), _binary("__rsub__")
    __mul__, __rmul__ = _binary("__mul__"), _binary("__rmul__")
    __truediv__, __rtruediv__ = _binary("__truediv__"), _binary("__rtruediv__")
    __eq__ = _comparison("__eq__")  # type: ignore[assignment]
    __lt__, __le__ = _comparison("__lt__"), _comparison("__le__")
    __gt__, __ge__ = _comparison("__gt__"), _comparison("__ge__")
    __hash__ = Fraction.__hash__

    def __neg__(self) -> Rational:
        return Rational(-self.numerator, self.denominator)

    def __pos__(self) -> Rational:
        return self

    def __abs__(self) -> Rational:
        return Rational(abs(self.numerator), self.denominator)

    def __repr__(self) -> str:
        return f"Rational({self.numerator}, {self.denominator})"

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


Exact = Decimal | Rational
"""An exact value: a Decimal, or a Rational where no finite decimal form exists."""


def settle(value: Fraction | int) -> Exact:
    """The exact value as a Decimal when it has a finite decimal form, else as a Rational."""
    if isinstance(value, int):
        return Decimal(value)
    d = value.denominator
    if d == 1:
        return Decimal(value.numerator)
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return value if type(value) is Rational else Rational(value.numerator, value.denominator)
    places = max(twos, fives)
    scaled = value.numerator * (10 ** places // value.denominator)
    return Decimal(f"{scaled}E-{places}")  # constructing from text is exact in any context


def div(a: Exact | int, b: Exact | int) -> Exact:
    """a ÷ b exactly (ZeroDivisionError when b is 0)."""
    if not b:
        raise ZeroDivisionError("division by zero")
    return settle(Fraction(a) / Fraction(b))  # Fraction(Decimal) is exact


def is_whole(value: Exact | int) -> bool:
    if isinstance(value, Decimal):
        return value == value.to_integral_value()
    return isinstance(value, int) or value.denominator == 1


def floor(value: Exact | int) -> int:
    return math.floor(value)


def ceil(value: Exact | int) -> int:
    return math.ceil(value)


def normalize_text(text: str) -> str:
    """Full-width digits, letters and spaces become their ASCII forms; outer blanks go."""
    return unicodedata.normalize("NFKC", text).strip()


def in_range(value: Exact) -> bool:
    """Whether a number read from a file is of a size kaohe accepts (see MAX_INTEGER_DIGITS and
    MAX_PLACES): finite, below 10^15 in size, with at most 10 decimals (a fraction: its size only)."""
    if isinstance(value, Fraction):
        return abs(value) < 10 ** MAX_INTEGER_DIGITS
    if not value.is_finite():
        return False
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        return False
    exponent = value.normalize(EXACT).as_tuple().exponent
    return not isinstance(exponent, int) or exponent >= -MAX_PLACES


def foreign_character(text: str) -> str | None:
    """The first character of `text` that a typed number is not made of (see _NUMBER_CHARACTERS):
    a superscript or subscript digit, a circled digit, a small percent sign…, which NFKC would fold
    into a digit or sign and so change the number (`10³` is not 103)."""
    return next((c for c in text if c not in _NUMBER_CHARACTERS), None)


def parse_decimal(text: str) -> Decimal | None:
    """A Decimal from plain decimal text ("1.10", "３", " 2 "), or None if it is not one.

    Exponents, NaN, infinity and thousands separators are refused on purpose: evidence
    values are typed by people, and "1e3" or "inf" in a score cell is a mistake to report.
    Sizes are checked by the caller (`in_range`), which can say where the number was.
    """
    if not _NUMBER_CHARACTERS.issuperset(text):  # "1³" must not become "13" (NFKC folds ³ to 3)
        return None
    text = normalize_text(text)
    if not _DECIMAL_TEXT.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid text
        return None


def parse_exact(text: object) -> Exact | None:
    """A value as results files carry it: decimal text ("9.5") or an exact fraction ("28/3");
    None for anything else, including NaN, infinities, exponents and sizes out of range (at most
    15 integer digits; a computed decimal may have many places, the text at most 120 characters)."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        return None
    text = str(text).strip()
    match = _RATIONAL_TEXT.fullmatch(text)
    if match is not None:
        numerator, denominator = int(match.group(1)), int(match.group(2))
        if denominator == 0 or len(match.group(1)) > 40 or len(match.group(2)) > 40:
            return None
        value = settle(Fraction(numerator, denominator))
        return value if abs(value) < 10 ** MAX_INTEGER_DIGITS else None
    number = parse_decimal(text) if len(text) <= 120 else None
    if number is None or (number and number.adjusted() >= MAX_INTEGER_DIGITS):
        return None
    return number  # a computed value may carry more decimals than a typed one (1/2048)


def from_float(value: float) -> Decimal | None:
    """A spreadsheet float through its shortest repr (0.1 -> Decimal('0.1')), None if not finite."""
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return Decimal(repr(value))


def round_half_up(value: Exact | int, places: int) -> Decimal:
    """四舍五入: halves go away from zero (2.675 -> 2.68, -0.125 -> -0.13, 28/3 -> 9.33)."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=EXACT)
    scaled = abs(Fraction(value)) * 10 ** places
    whole = math.floor(scaled + Fraction(1, 2))
    sign = "-" if value < 0 and whole else ""
    return Decimal(f"{sign}{whole}E-{places}")


DISPLAY_PLACES = 2
"""Places shown for a value with no finite decimal form when the scheme states none."""
_display = {"places": DISPLAY_PLACES}


def set_display_places(places: int | None) -> None:
    """The places `fmt` shows for Rationals (the scheme's `display_places` or its rounding)."""
    _display["places"] = DISPLAY_PLACES if places is None else places


def display_places() -> int:
    return _display["places"]


def fmt(value: Exact | int) -> str:
    """Points as people write them: 2, 0.5, 2.25 (no exponent, no trailing zeros); a value with no
    finite decimal form rounded to the display places and marked: ≈9.33."""
    if isinstance(value, Rational):
        places = _display["places"]
        shown = round_half_up(value, places)
        while not shown and places < MAX_PLACES:  # never "≈0" for a value that is not 0 (−1/29315)
            places += 1
            shown = round_half_up(value, places)
        return "≈" + fmt(shown)
    if isinstance(value, int):
        return str(value)
    if value == value.to_integral_value():
        return str(value.quantize(ONE, context=EXACT))
    return format(value.normalize(EXACT), "f")


def fmt_exact(value: Exact | int) -> str:
    """A value in a trace: as `fmt`, with the exact fraction beside a rounded one (28/3≈9.33)."""
    if isinstance(value, Rational):
        return f"{value}{fmt(value)}"
    return fmt(value)


def exact_text(value: Exact | int) -> str:
    """The exact value as results files carry it: "9.5", "-300", or "28/3". A Decimal's text is
    kept for the few point values that recur across units: equal Decimals (1 and 1.00) have the
    same normalised text, so equal keys may share it."""
    if value.__class__ is Decimal:
        text = _DECIMAL_TEXTS.get(value)  # type: ignore[arg-type]
        if text is None:
            text = format(value.normalize(EXACT), "f") if value else "0"  # type: ignore[union-attr]
            if len(_DECIMAL_TEXTS) < 10_000:
                _DECIMAL_TEXTS[value] = text  # type: ignore[index]
        return text
    if isinstance(value, Rational):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return format(value.normalize(EXACT), "f") if value else "0"


_DECIMAL_TEXTS: dict[Decimal, str] = {}


def approximate(value: Exact | int, places: int = MAX_PLACES) -> Decimal:
    """A Decimal for a spreadsheet cell: the value itself, or a Rational rounded to `places`."""
    if isinstance(value, Rational):
        return round_half_up(value, places)
    return value if isinstance(value, Decimal) else Decimal(value)

"""Exact numbers: every point value is a Decimal built from text, never from a binary float."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_DECIMAL_TEXT = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")
ZERO = Decimal(0)


def normalize_text(text: str) -> str:
    """Full-width digits, letters and spaces become their ASCII forms; outer blanks go."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_decimal(text: str) -> Decimal | None:
    """A Decimal from plain decimal text ("1.10", "３", " 2 "), or None if it is not one.

    Exponents, NaN, infinity and thousands separators are refused on purpose: evidence
    values are typed by people, and "1e3" or "inf" in a score cell is a mistake to report.
    """
    text = normalize_text(text)
    if not _DECIMAL_TEXT.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid text
        return None


def from_float(value: float) -> Decimal | None:
    """A spreadsheet float through its shortest repr (0.1 -> Decimal('0.1')), None if not finite."""
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return Decimal(repr(value))


def round_half_up(value: Decimal, places: int) -> Decimal:
    """四舍五入: halves go away from zero (2.675 -> 2.68, -0.125 -> -0.13)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """Points as people write them: 2, 0.5, 2.25 (no exponent, no trailing zeros)."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    return text

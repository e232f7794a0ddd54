"""The message catalogue: every user-facing string, in Chinese (default) and English.

Code asks for a message by key; `KAOHE_LANG=en` or `--lang en` switches the language.
"""

from __future__ import annotations

import os
import re

from kaohe.messages import CATALOGUE

LANGS = ("zh", "en")


def parse_lang(value: str) -> str | None:
    """The interface language a value names ("en", "EN", "en_US.UTF-8", "zh-CN"), or None when it
    names one kaohe does not have ("fr")."""
    base = value.strip().lower().replace("_", "-").split(".")[0].split("-")[0]
    return base if base in LANGS else None


_lang = "en" if os.environ.get("KAOHE_LANG", "").lower().startswith("en") else "zh"


def set_lang(lang: str) -> None:
    global _lang
    if lang not in LANGS:
        raise ValueError(lang)
    _lang = lang


def get_lang() -> str:
    return _lang


_SINGULAR = {"units": "unit", "values": "value", "files": "file", "errors": "error", "warnings": "warning",
             "scores": "score", "places": "place", "results": "result", "differences": "difference",
             "cells": "cell", "arguments": "argument", "points": "point", "steps": "step", "decimals": "decimal",
             "levels": "level", "bytes": "byte", "columns": "column", "rows": "row", "inputs": "input"}
_COUNTED = re.compile(r"\{(\w+)\} (" + "|".join(_SINGULAR) + r")\b")
"""A count and the noun it counts in an English message ("{count} errors")."""


def t(msgid: str, /, **params: object) -> str:
    """The message `msgid` in the current language, with `params` filled in; in English, a noun
    counted 1 is singular ("1 error", not "1 errors")."""
    zh, en = CATALOGUE[msgid]
    if _lang != "en":
        return zh.format(**params) if params else zh
    if not params:
        return en
    if "} " in en and any(map(_is_one, params.values())):
        en = _COUNTED.sub(lambda m: f"{{{m.group(1)}}} {_SINGULAR[m.group(2)] if _is_one(params.get(m.group(1))) else m.group(2)}", en)
    return en.format(**params)


def _is_one(value: object) -> bool:
    """1, as a count or a number shown ("1", Decimal 1): not True, not 1.0 (which is plural)."""
    return value.__class__ is not bool and str(value) == "1"


def join_list(items: list[str] | tuple[str, ...]) -> str:
    return ("、" if _lang == "zh" else ", ").join(items)

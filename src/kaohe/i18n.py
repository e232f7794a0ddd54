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
             "levels": "level", "bytes": "byte", "columns": "column", "rows": "row", "inputs": "input",
             "checks": "check"}
_VERBS = {"are": "is", "have": "has", "were": "was", "qualify": "qualifies", "repeat": "repeats"}
_COUNTED = re.compile(r"\{(\w+)\} ((?:more |header )?)(" + "|".join(_SINGULAR) + r")\b(?!')(?: (" + "|".join(_VERBS) + r")\b)?")
"""A count, the noun it counts and the verb after it in an English message ("{count} cells are")."""


def _counted(params: dict[str, object], match: re.Match[str]) -> str:
    name, between, noun, verb = match.groups()
    if not _is_one(params.get(name)):
        return match.group(0)
    return f"{{{name}}} {between}{_SINGULAR[noun]}" + (f" {_VERBS[verb]}" if verb else "")


def t(msgid: str, /, **params: object) -> str:
    """The message `msgid` in the current language, with `params` filled in; in English, a noun
    counted 1 is singular, and so is its verb ("1 cell is", not "1 cells are")."""
    zh, en = CATALOGUE[msgid]
    if _lang != "en":
        return zh.format(**params) if params else zh
    if not params:
        return en
    if "} " in en and any(map(_is_one, params.values())):
        en = _COUNTED.sub(lambda m: _counted(params, m), en)
    return en.format(**params)


def _is_one(value: object) -> bool:
    """1, as a count or a number shown ("1", Decimal 1): not True, not 1.0 (which is plural)."""
    return value.__class__ is not bool and str(value) == "1"


def join_list(items: list[str] | tuple[str, ...]) -> str:
    return ("、" if _lang == "zh" else ", ").join(items)

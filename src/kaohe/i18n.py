"""The message catalogue: every user-facing string, in Chinese (default) and English.

Code asks for a message by key; `KAOHE_LANG=en` or `--lang en` switches the language.
"""

from __future__ import annotations

import os

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


def t(msgid: str, /, **params: object) -> str:
    """The message `msgid` in the current language, with `params` filled in."""
    zh, en = CATALOGUE[msgid]
    text = en if _lang == "en" else zh
    return text.format(**params) if params else text


def join_list(items: list[str] | tuple[str, ...]) -> str:
    return ("、" if _lang == "zh" else ", ").join(items)

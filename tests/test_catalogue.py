"""Every message exists in both languages with the same placeholders, and every key used exists."""

from __future__ import annotations

import re

from conftest import ROOT
from kaohe.messages import CATALOGUE

FIELDS = re.compile(r"{(\w+)}")


def test_both_languages_are_filled_with_compatible_placeholders() -> None:
    # English may leave out a Chinese measure word ({unit}: 次, 项, 篇) but needs nothing more.
    for key, (zh, en) in CATALOGUE.items():
        assert zh.strip() and en.strip(), key
        assert set(FIELDS.findall(en)) <= set(FIELDS.findall(zh)), key
        assert set(FIELDS.findall(zh)) - set(FIELDS.findall(en)) <= {"unit"}, key


def test_every_literal_key_used_in_the_code_is_in_the_catalogue() -> None:
    used: set[str] = set()
    pattern = re.compile(r"""\b(?:t|step|BadValue|Finding\([^)]*?)\(\s*["']([a-z_]+\.[a-z_.0-9]+)["']""")
    for path in (ROOT / "src" / "kaohe").rglob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
        used |= set(re.findall(r'"((?:check|step|value|values|expr|names|results|schema)\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    used -= {"kaohe.messages"}
    assert used, "the scan found the keys"
    assert sorted(k for k in used if k not in CATALOGUE) == []

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.i18n import set_lang

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = ROOT / "schemes"
EXAMPLES = ROOT / "examples"
SOURCES = ROOT / "sources"


@pytest.fixture(autouse=True)
def chinese() -> None:
    """Every test starts in the default language."""
    set_lang("zh")

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kaohe.i18n import set_lang

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = ROOT / "schemes"
EXAMPLES = ROOT / "examples"
SOURCES = ROOT / "sources"

# A table in a pipe is drawn at the width COLUMNS gives (report/terminal.py): tests that care set it
# themselves, so a terminal's exported width does not change what the others read.
os.environ.pop("COLUMNS", None)


@pytest.fixture(autouse=True)
def chinese() -> None:
    """Every test starts in the default language."""
    set_lang("zh")

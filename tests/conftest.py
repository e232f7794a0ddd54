from __future__ import annotations

import os
from pathlib import Path

import pytest

from kaohe.i18n import set_lang

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = ROOT / "schemes"
EXAMPLES = ROOT / "examples"
SOURCES = ROOT / "sources"



@pytest.fixture(autouse=True)
def chinese() -> None:
    """Every test starts in the default language, and with no terminal width inherited."""
    set_lang("zh")
    _no_inherited_width()


def _no_inherited_width() -> None:
    """A table in a pipe is drawn at the width COLUMNS gives (report/terminal.py): tests that care
    set it themselves. GNU readline, once imported, exports COLUMNS and LINES behind os.environ's
    back (setenv), and every subprocess inherits them: set and delete through os.environ so that
    the process environment itself loses them."""
    for name in ("COLUMNS", "LINES"):
        os.environ[name] = ""
        del os.environ[name]

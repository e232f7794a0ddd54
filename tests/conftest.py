from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from kaohe.i18n import set_lang

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, database=None)
settings.load_profile(os.environ.get("KAOHE_HYPOTHESIS", "dev"))
"""No generated case is held to a time (speed lives in `make bench`; a busy machine is slow). CI
(.ci/run) draws the same cases on every run, so that what it checks can be run again as it ran;
`make test` elsewhere draws new ones each time, and finds what the fixed ones would not."""

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

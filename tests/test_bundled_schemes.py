"""Every bundled scheme validates cleanly and can be checked against its source document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import SCHEMES, SOURCES
from kaohe.scheme.checks import check_scheme
from kaohe.scheme.load import load_scheme

BUNDLED = sorted(SCHEMES.glob("*.yaml"))


def _squash(text: str) -> str:
    """The seeds are PDF extractions: drop whitespace and unify quote marks before comparing."""
    text = re.sub(r"\s+", "", text)
    return text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))


def test_there_are_bundled_schemes() -> None:
    assert "changzhou-2018.yaml" in [p.name for p in BUNDLED]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scheme_has_no_findings(path: Path) -> None:
    assert [str(p) for p in check_scheme(load_scheme(path))] == []


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_criterion_text_is_in_the_source(path: Path) -> None:
    """`text` is the document's own sentence, so it must be found in the seed it names."""
    scheme = load_scheme(path).scheme
    assert scheme.source, "a bundled scheme names its source document"
    source = _squash((SOURCES / scheme.source).read_text(encoding="utf-8"))
    missing = [c.id for _, _, c in scheme.criteria() if _squash(c.text) not in source]
    assert missing == []
    titles = [i.id for s in scheme.sections for i in s.items if _squash(i.title) not in source]
    assert titles == []


def test_changzhou_structure_matches_the_document() -> None:
    """Counted from the 评价表: 7 sections, 31 items, the 100 base points and 20 bonus."""
    scheme = load_scheme(SCHEMES / "changzhou-2018.yaml").scheme
    assert [s.id for s in scheme.sections] == ["1", "2", "3", "4", "5", "6", "7"]
    # 一 3 items, 二 4, 三 3, 四 8, 五 3, 六 3, 七 3 (four 考核内容 paragraphs list them).
    assert [len(s.items) for s in scheme.sections] == [3, 4, 3, 8, 3, 3, 3]
    assert [int(s.points) for s in scheme.sections] == [10, 12, 24, 32, 10, 12, 20]
    assert scheme.sections[-1].kind == "bonus" and scheme.sections[-1].limit == 20
    assert len(scheme.units) == 7

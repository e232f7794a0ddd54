"""The layers: scheme, rules and engine never reach up into the CLI or the reporters."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "kaohe"
LOWER = [*sorted((PACKAGE / "scheme").glob("*.py")), *sorted((PACKAGE / "rules").glob("*.py")),
         PACKAGE / "engine.py", PACKAGE / "outcomes.py", *sorted((PACKAGE / "evidence").glob("*.py"))]
FORBIDDEN = ("kaohe.cli", "kaohe.report", "kaohe.scoring", "typer", "rich")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", LOWER, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_lower_layers_do_not_import_upper_ones(path: Path) -> None:
    bad = [n for n in _imports(path) if n.startswith(FORBIDDEN)]
    assert bad == []


def test_engine_does_no_io() -> None:
    source = (PACKAGE / "engine.py").read_text(encoding="utf-8")
    for word in ("open(", "print(", "sys.exit", "read_bytes", "write_"):
        assert word not in source

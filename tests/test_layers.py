"""The layers: reading names values, values feed rules, rules feed nodes; the core never reaches
up into the commands, the reporters or the CLI, and no two modules import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "kaohe"
CORE = [p for p in sorted(PACKAGE.rglob("*.py"))
        if p.relative_to(PACKAGE).parts[0] not in ("report", "commands", "cli.py", "__main__.py")]
FORBIDDEN = ("kaohe.cli", "kaohe.report", "kaohe.commands", "typer", "rich")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_does_not_import_commands_reports_or_the_cli(path: Path) -> None:
    bad = [n for n in _imports(path) if n.startswith(FORBIDDEN)]
    assert bad == []


def test_reporters_do_not_import_commands() -> None:
    for path in sorted((PACKAGE / "report").glob("*.py")):
        assert [n for n in _imports(path) if n.startswith(("kaohe.commands", "kaohe.cli"))] == [], path.name


def test_no_module_imports_itself_back() -> None:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: {m for m in (n if n in modules else n.rsplit(".", 1)[0] for n in _imports(path))
                    if m in modules and m != name and not name.startswith(m + ".") and m != "kaohe"}
             for name, path in modules.items()}
    cycles = []
    for start in graph:  # a depth-first search from each module for a path back to it
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(" → ".join(trail + [start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, trail + [nxt]))
    assert cycles == []


def test_engine_does_no_io() -> None:
    source = (PACKAGE / "engine.py").read_text(encoding="utf-8")
    for word in ("open(", "print(", "sys.exit", "read_bytes", "write_"):
        assert word not in source

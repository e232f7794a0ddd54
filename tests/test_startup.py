"""Start-up: what `import kaohe.cli`, `kaohe --help` and `kaohe validate` load, never how long they take.

Each check runs a fresh interpreter and reads its sys.modules, so a heavy import that comes back
(pydantic for the help, typer's pydantic adapters for a command, markdown-it and pygments under
typer's help module) fails here rather than only in a benchmark.

typer turns every parameter's text into its value through a pydantic adapter (typer._adapters):
a command's own help, `--version` and any command line that gives an option load pydantic for it.
Only `kaohe --help` (and `-h`, and no arguments) are spared it here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, SCHEMES

SCHEME = str(SCHEMES / "changzhou-2018.yaml")

HEAVY = ("pydantic", "pydantic_core", "yaml", "openpyxl", "python_calamine", "docx", "rich", "markdown_it",
         "pygments", "typer._adapters", "typer.rich_utils", "kaohe.scheme", "kaohe.rules", "kaohe.engine",
         "kaohe.evidence")
"""Packages and modules (with everything under them) that `import kaohe.cli` must not load."""

HELP_ONLY = ("markdown_it", "pygments", "rich.markdown", "rich.traceback", "rich.syntax")
"""What typer's help module would import and kaohe's help does not use (cli.HELP_STAND_INS)."""


def _loaded_after(code: str, *argv: str) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    """The modules loaded once `code` has run (the last line of stdout, JSON), and the run."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result


def _under(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


RUN_MAIN = ("import sys\nfrom kaohe.cli import main\nsys.argv = ['kaohe', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    print('exit', e.code)\n")
"""Runs the command line on the script's arguments and prints its exit code."""


def test_importing_the_cli_loads_nothing_heavy() -> None:
    modules, _ = _loaded_after("import kaohe.cli")
    assert _under(modules, HEAVY) == []
    assert "typer" not in modules  # typer itself comes when a command line is run


@pytest.mark.parametrize("argv", [["--help"], ["-h"], []])
def test_help_loads_neither_pydantic_nor_the_unused_help_machinery(argv: list[str]) -> None:
    modules, result = _loaded_after(RUN_MAIN, *argv)
    code = 0 if argv else 2  # no arguments: the help, and the usage exit code
    assert f"exit {code}" in result.stdout and "kaohe" in result.stdout, result.stdout + result.stderr
    assert "typer.rich_utils" in modules  # the help was drawn by typer's rich help...
    assert _under(modules, ("pydantic", "pydantic_core", "typer._adapters", *HELP_ONLY)) == []  # ...without these
    assert _under(modules, ("yaml", "openpyxl", "python_calamine", "docx", "kaohe.scheme", "kaohe.rules",
                            "kaohe.engine", "kaohe.evidence")) == []


@pytest.mark.parametrize("argv", [["validate", "--help"], ["score", "--help"]])
def test_a_commands_help_leaves_out_the_unused_help_machinery(argv: list[str]) -> None:
    modules, result = _loaded_after(RUN_MAIN, *argv)
    assert "exit 0" in result.stdout and "kaohe" in result.stdout, result.stdout + result.stderr
    assert _under(modules, HELP_ONLY) == []
    assert _under(modules, ("yaml", "openpyxl", "python_calamine", "docx", "kaohe.scheme", "kaohe.engine",
                            "kaohe.evidence")) == []


def test_version_loads_no_help_and_no_scheme() -> None:
    modules, result = _loaded_after(RUN_MAIN, "--version")
    assert "exit 0" in result.stdout
    assert _under(modules, ("typer.rich_utils", "rich", "yaml", "kaohe.scheme")) == []


@pytest.mark.parametrize("extra", [[], ["--strict"], ["--format", "json"], ["--lang", "en"]])
def test_validate_loads_no_help_and_no_writers(extra: list[str]) -> None:
    argv = ["validate", SCHEME, *extra] if extra[:1] != ["--lang"] else [*extra, "validate", SCHEME]
    modules, result = _loaded_after(RUN_MAIN, *argv)
    assert "exit 0" in result.stdout, result.stdout + result.stderr
    assert "pydantic" in modules and "kaohe.scheme.models" in modules
    assert _under(modules, ("typer.rich_utils", "rich", "openpyxl", "python_calamine", "docx")) == []
    if "json" not in extra:  # the JSON document is made by kaohe.api, which imports the engine
        assert _under(modules, ("kaohe.engine", "kaohe.evidence", "kaohe.api")) == []


def test_the_stand_ins_leave_markdown_and_tracebacks_working() -> None:
    """After the help, rich.markdown is the real module, and typer's names for it work."""
    code = (RUN_MAIN + "import rich.markdown, typer.rich_utils as r\n"
            "assert type(sys.modules['rich.markdown']).__name__ == 'module' and hasattr(rich.markdown, 'MarkdownIt')\n"
            "md = r.Markdown('# x')\n"
            "assert type(md) is rich.markdown.Markdown and isinstance(md, r.Markdown)\n"
            "import rich.traceback\n"
            "assert r.Traceback.from_exception == rich.traceback.Traceback.from_exception\n"
            "print('ok')")
    result = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stdout + result.stderr


def test_help_is_the_same_when_rich_markdown_is_already_loaded() -> None:
    """With rich.markdown imported before (a library user, a test run) no stand-in is made: same help."""
    plain = subprocess.run([sys.executable, "-c", RUN_MAIN, "--help"], capture_output=True, text=True, cwd=ROOT,
                           env={"COLUMNS": "100", "PATH": ""})
    loaded = subprocess.run([sys.executable, "-c", "import rich.markdown, rich.traceback\n" + RUN_MAIN, "--help"],
                            capture_output=True, text=True, cwd=ROOT, env={"COLUMNS": "100", "PATH": ""})
    assert plain.returncode == loaded.returncode == 0
    assert plain.stdout == loaded.stdout and "kaohe" in plain.stdout

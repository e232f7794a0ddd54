"""The README stays true: its commands run, every command is in it, the Makefile has its targets."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _tour_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith(("kaohe ", "python -m kaohe"))]


def test_readme_opens_with_the_two_setup_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, flags=re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make demo", "make test"]


def test_makefile_targets_exist() -> None:
    for target in ("demo", "test"):
        result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_shows_every_command() -> None:
    for command in ("validate", "show", "template", "score", "test", "explain", "rank", "publish", "diff"):
        assert any(c.startswith(f"kaohe {command} ") for c in _tour_commands()), command


def _tour_folders() -> list[str]:
    """The folders the tour makes (`mkdir -p out`) before its commands write into them."""
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [word for line in lines if line.startswith("mkdir -p ") for word in shlex.split(line)[2:]]


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scratch folder for the whole tour, where the README's relative paths resolve, with the
    folders the tour makes made as its `mkdir -p` lines make them."""
    folder = tmp_path_factory.mktemp("tour")
    for name in ("schemes", "examples"):
        (folder / name).symlink_to(ROOT / name)
    for name in _tour_folders():
        (folder / name).mkdir(parents=True, exist_ok=True)
    return folder


def test_the_tour_writes_into_an_ignored_folder() -> None:
    # Every file the tour writes (-o) lands in a folder the tour makes and .gitignore lists.
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    folders = _tour_folders()
    assert folders
    assert all(f"/{name.strip('/')}/" in ignored for name in folders), (folders, ignored)
    outputs = [shlex.split(c)[shlex.split(c).index("-o") + 1] for c in _tour_commands() if " -o " in c]
    assert outputs and all(Path(o).parts[0] in folders for o in outputs), outputs


def test_make_demo_writes_the_workbook_and_the_notice_into_an_ignored_folder(tmp_path: Path) -> None:
    # `make demo` runs the Makefile's lines as `make -n demo` prints them: run its kaohe lines with this
    # Python in a scratch copy of the layout, and check what it says it wrote is there and ignored.
    printed = subprocess.run(["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env={**os.environ, "MAKEFLAGS": ""})
    lines = [line for line in printed.stdout.splitlines() if line.startswith(".venv/bin/kaohe ") or
             line.startswith("mkdir ")]
    written = [shlex.split(line)[shlex.split(line).index("-o") + 1] for line in lines if " -o " in line]
    assert {"out/考核结果.xlsx", "out/通报.docx"} <= set(written), lines
    for name in ("schemes", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    for line in lines:
        args = shlex.split(line)
        command = args if args[0] == "mkdir" else [sys.executable, "-m", "kaohe", *args[1:]]
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (line, done.stderr)
    assert all((tmp_path / path).stat().st_size > 0 for path in written)
    assert "/out/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    says = [line for line in printed.stdout.splitlines() if line.startswith("echo ")]
    assert any("out/考核结果.xlsx" in line and "out/通报.docx" in line for line in says)  # and says where


@pytest.mark.parametrize("command", _tour_commands())
def test_readme_command_runs(command: str, tour: Path) -> None:
    # In README order: a later command may read what an earlier one wrote.
    tmp_path = tour
    argv = []
    for word in shlex.split(command):  # the shell would expand globs such as schemes/*.yaml
        argv += sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob(word)) if "*" in word else [word]
    argv = [sys.executable, "-m", "kaohe"] + (argv[1:] if argv[0] == "kaohe" else argv[3:])
    result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "160"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    if "-o" in argv:
        assert (tmp_path / argv[argv.index("-o") + 1]).is_file()


def test_readme_performance_figures_are_the_benchmarks() -> None:
    # The README quotes rows of bench/RESULTS.md; a rerun of `make bench` must be quoted afresh.
    section = README[README.index("## Performance"):README.index("## Exactness")]
    quoted = [line for line in section.splitlines() if line.startswith("| 1")]
    results = (ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8").splitlines()
    assert quoted and all(line in results for line in quoted)
    one_million = (ROOT / "bench" / "RESULTS-1M.md").read_text(encoding="utf-8")
    row = next(line for line in one_million.splitlines() if line.startswith("| 52,632 | 1,000,008 | csv-utf8"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert f"score in {cells[4]} s with a peak of {cells[5]} MiB" in section.replace("\n", " ")


def test_readme_outcome_example_is_what_rank_prints() -> None:
    # The README shows rank's output for examples/outcomes-demo: it must be the output, line for line.
    section = README[README.index("## Outcomes as offices declare them"):README.index("## Evidence")]
    shown = re.search(r"```text\n(.*?)```", section, flags=re.S)
    assert shown is not None
    result = subprocess.run([sys.executable, "-m", "kaohe", "rank", "examples/outcomes-demo/scheme.yaml",
                             "examples/outcomes-demo/evidence.csv"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "160"})
    assert result.returncode == 0, result.stderr
    printed = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
    assert shown.group(1).rstrip("\n").splitlines() == printed


LIMITS = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")


def _size_text(value: int) -> str:
    """A byte count as docs/limits.md writes it: 5 MiB, 2 GiB, or the number with thousands marks."""
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2)):
        if value % size == 0:
            return f"{value // size} {unit}"
    return f"{value:,}"


@pytest.mark.parametrize(("name", "text"), [
    ("kaohe.scheme.yamlload.MAX_SCHEME_BYTES", "5 MiB"),
    ("kaohe.scheme.yamlload.MAX_SCHEME_BYTES", "5,242,880"),
    ("kaohe.evidence.csvread.MAX_CSV_BYTES", "256 MiB"),
    ("kaohe.evidence.MAX_XLSX_BYTES", "256 MiB"),
    ("kaohe.evidence.xlsxread.MAX_UNCOMPRESSED", "2 GiB"),
    ("kaohe.evidence.xlsxread.MAX_RATIO", "200"),
    ("kaohe.evidence.xlsxread.RATIO_FLOOR", "10 MiB"),
    ("kaohe.evidence.results.MAX_WHOLE_BYTES", "64 MiB"),
    ("kaohe.cli.TEMPLATE_CHECK_BYTES", "20 MiB"),
    ("kaohe.scheme.yamlload.MAX_YAML_DEPTH", "64"),
    ("kaohe.evidence.results.MAX_DEPTH", "32"),
    ("kaohe.scheme.expr.MAX_DEPTH", "50"),
    ("kaohe.evidence.xlsxread.MAX_COLUMNS", "16,384"),
    ("kaohe.evidence.xlsxread.MAX_ROWS", "1,048,576"),
    ("kaohe.evidence.xlsxread.DENSE_FLOOR", "1,048,576"),
    ("kaohe.evidence.xlsxread.DENSE_RATIO", "1 cell in 16"),
    ("kaohe.evidence.layout.MAX_CELL_TEXT", "1,000"),
    ("kaohe.rules.events.MAX_EVENTS_PER_ROW", "1,000,000"),
    ("kaohe.numbers.MAX_INTEGER_DIGITS", "15"),
    ("kaohe.numbers.MAX_PLACES", "10"),
    ("kaohe.rules.base.MAX_FLOAT_PLACES", "6"),
    ("kaohe.errors.MAX_MESSAGES", "200"),
    ("kaohe.errors.SHOWN_PLACES", "8"),
    ("kaohe.evidence.layout.UNKNOWN_COLUMNS_EACH", "5"),
    ("kaohe.evidence.xlsxread.MAX_ERROR_KINDS", "16"),
])
def test_the_limits_page_gives_each_limit_s_number(name: str, text: str) -> None:
    """docs/limits.md's row that names a constant states the constant's value: the page cannot
    drift from the code. `text` is how the page writes the value; it must also be the value."""
    import importlib

    module, constant = name.rsplit(".", 1)
    value = getattr(importlib.import_module(module), constant)
    written = text.replace("1 cell in ", "")
    assert written in (str(value), f"{value:,}", _size_text(value)), (name, value, text)
    short = constant if constant in LIMITS else name
    rows = [line for line in LIMITS.splitlines() if line.startswith("|") and short in line]
    assert rows, f"docs/limits.md has no row naming {constant}"
    assert any(text in row for row in rows), (name, text, rows)


def test_the_readme_links_the_limits_page() -> None:
    assert "(docs/limits.md)" in README

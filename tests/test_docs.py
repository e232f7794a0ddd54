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
    for command in ("validate", "show", "template", "score", "test"):
        assert any(c.startswith(f"kaohe {command} ") for c in _tour_commands()), command


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scratch folder for the whole tour, where the README's relative paths resolve."""
    folder = tmp_path_factory.mktemp("tour")
    for name in ("schemes", "examples"):
        (folder / name).symlink_to(ROOT / name)
    return folder


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

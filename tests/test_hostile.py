"""The hostile corpus (tests/hostile/): every file is refused with its message and location, exit 1,
and never a traceback. See tests/hostile/make_corpus.py for how each file was made."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SCHEMES
from kaohe.scheme.yamlload import load_yaml

HOSTILE = Path(__file__).parent / "hostile"
EXPECTED, _ = load_yaml((HOSTILE / "expected.yaml").read_text(encoding="utf-8"), "expected.yaml")


def _kaohe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *args], capture_output=True, text=True, cwd=ROOT)


def test_every_corpus_file_has_an_expected_refusal() -> None:
    files = {p.name for p in HOSTILE.iterdir() if p.suffix in (".xlsx", ".xls", ".csv", ".yaml")} - {"expected.yaml"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_is_refused(name: str) -> None:
    case = EXPECTED[name]
    path = str(HOSTILE / name)
    if case["command"] == "score":
        result = _kaohe("score", str(SCHEMES / "changzhou-2018.yaml"), path)
    else:
        result = _kaohe("validate", path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    line = next((x for x in result.stderr.splitlines() if case["message"] in x), "")
    assert line, result.stderr
    assert case["where"] in line


def test_oversized_scheme_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("id: t\n# " + "x" * (5 * 1024 * 1024) + "\n", encoding="utf-8")
    result = _kaohe("validate", str(big))
    assert result.returncode == 1 and "方案文件超过 5242880 字节上限" in result.stderr


def test_openpyxl_would_parse_through_defusedxml() -> None:
    # kaohe reads with calamine and scans sheet XML with defusedxml; should openpyxl ever read,
    # it must use defusedxml too (it does when defusedxml is installed).
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True

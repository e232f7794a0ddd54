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
CORPUS_SUFFIXES = (".xlsx", ".xls", ".csv", ".yaml", ".json")


def _cases() -> dict[str, dict]:
    """Every corpus file's expected refusal: tests/hostile/expected.yaml, and each area's folder
    (tests/hostile/<area>/expected.yaml), keyed by the file's path below tests/hostile."""
    found = {}
    for expected in sorted(HOSTILE.glob("**/expected.yaml")):
        data, _ = load_yaml(expected.read_text(encoding="utf-8"), str(expected))
        folder = expected.parent.relative_to(HOSTILE)
        for name, case in (data or {}).items():
            found[str(folder / name) if str(folder) != "." else name] = case
    return found


EXPECTED = _cases()


def _kaohe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *args], capture_output=True, text=True, cwd=ROOT)


def test_every_corpus_file_has_an_expected_refusal() -> None:
    files = {str(p.relative_to(HOSTILE)) for p in HOSTILE.rglob("*")
             if p.suffix in CORPUS_SUFFIXES and p.name != "expected.yaml"}
    assert files == set(EXPECTED) | {f for name in EXPECTED for f in _helpers(name)}


def _helpers(name: str) -> set[str]:
    """Files a case reads beside its own (a scheme, a results file), listed in its `with`."""
    folder = Path(name).parent
    return {str(folder / f) for f in EXPECTED[name].get("with", [])}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_is_refused(name: str) -> None:
    """`command` is score (against schemes/changzhou-2018.yaml, or the case's `scheme`), validate,
    or any command with `args` ({file} is the corpus file, {here} its folder); `exit` is 1 unless
    stated; `message` must be on a line of stderr that also holds `where`."""
    case = EXPECTED[name]
    path = str(HOSTILE / name)
    here = str((HOSTILE / name).parent)
    scheme = str(HOSTILE / Path(name).parent / case["scheme"]) if "scheme" in case else str(SCHEMES / "changzhou-2018.yaml")
    if "args" in case:
        result = _kaohe(*[a.replace("{file}", path).replace("{here}", here).replace("{scheme}", scheme)
                          for a in case["args"]])
    elif case["command"] == "score":
        result = _kaohe("score", scheme, path)
    else:
        result = _kaohe("validate", path)
    assert result.returncode == case.get("exit", 1), result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
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

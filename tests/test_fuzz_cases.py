"""Fuzzing `kaohe test` case files (bounded, as tests/test_fuzz.py): mutated bytes of real case
files and random documents of every shape never raise anything but the project's located errors
(SchemeError / KaoheError), and the command line never ends in an internal error (exit 70)."""

from __future__ import annotations

import decimal
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLES, SCHEMES
from kaohe.cli import build_app
from kaohe.commands.test import CASE_KEYS, FIELDS, NESTED, CaseReport, run_case_file
from kaohe.errors import KaoheError, SchemeError
from kaohe.numbers import EXACT
from kaohe.scheme.load import load_scheme

SCHEME_PATH = SCHEMES / "changzhou-2018.yaml"
LOADED = load_scheme(SCHEME_PATH)
CASE = """\
name: 溧阳市的一条
why: 每次得1分,最高得2分
rows:
  - {单位: 溧阳市, 指标: 1.1.1, 值: 3}
  - {单位: 钟楼区, 指标: 4.2.1, 值: 部分建立}
units:
  溧阳市:
    total: 2
    rank: 1
    criteria: {1.1.1: 2}
    awards: [年度综合优胜奖]
    notes: []
    why: 3次封顶2分
  钟楼区: {total: 2, rank: 1, sections: {"4": 2}}
outcomes:
  年度综合优胜奖: [溧阳市, 钟楼区]
notes: [边界并列]
previous: {溧阳市: 1, 钟楼区: 2}
""".encode()
OUTCOMES = (EXAMPLES / "changzhou-2018" / "outcomes.yaml").read_bytes()
# 150 examples each in `make test`; KAOHE_FUZZ_EXAMPLES=5000 for a longer hunt.
FUZZ = settings(max_examples=int(os.environ.get("KAOHE_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _mutate(data: bytes, edits: list[tuple[int, bytes]]) -> bytes:
    out = bytearray(data)
    for position, chunk in edits:
        at = position % (len(out) + 1)
        out[at:at + len(chunk)] = chunk
    return bytes(out)


edits = st.lists(st.tuples(st.integers(min_value=0, max_value=10**6),
                           st.binary(min_size=1, max_size=8) | st.sampled_from(
                               [b"[", b"{", b"- ", b": ", b"\n", b"~", b"1e30", b"9" * 29, b"\xff", b"10\xc2\xb3",
                                b"cases:", b"units:", b"rows:", b"evidence:", b"previous:", b"&a ", b"*a"])),
                 min_size=1, max_size=6)

_words = st.sampled_from(["溧阳市", "钟楼区", "1.1.1", "4.2.1", "total", "rank", "部分建立", "年度综合优胜奖",
                          "边界并列", "", "x", "../x", "evidence.csv"])
_scalars = (st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30)
            | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(float) | _words
            | st.text(max_size=8))
_trees = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(_words | st.text(max_size=6), inner, max_size=4), max_leaves=20)
_unit = st.dictionaries(st.sampled_from(FIELDS + NESTED + ("why", "totl")), _trees, max_size=5)
_case = st.fixed_dictionaries({}, optional={
    key: (st.dictionaries(_words, _unit | _trees, max_size=3) if key == "units"
          else st.lists(st.dictionaries(st.sampled_from(["单位", "指标", "值", "备注", "级别"]), _scalars | _trees,
                                        max_size=4), max_size=3) | _trees if key == "rows"
          else _trees)
    for key in CASE_KEYS + ("extra",)})
_documents = _case | st.fixed_dictionaries({"cases": st.lists(_case | _trees, max_size=3) | _trees}) | _trees


def _run(path: Path) -> None:
    """What the command does with one case file: reports, or a located refusal in this file or
    in a file it names (beside it: a `previous` results file is told at its own line)."""
    with decimal.localcontext(EXACT):
        try:
            reports = run_case_file(LOADED, path)
        except KaoheError as e:
            assert isinstance(e, SchemeError) and e.problems
            assert all(str(p.location).startswith(str(path)) or p.location.file.startswith(f"{path.parent}{os.sep}")
                       for p in e.problems), e.problems
            return
    assert all(isinstance(r, CaseReport) for r in reports)
    for report in reports:
        for mismatch in report.mismatches:
            assert str(mismatch)  # every mismatch can be shown


def _cli(path: Path) -> None:
    """The command line on the file: exit 0 or 1, and no exception escapes (which is exit 70)."""
    with decimal.localcontext(EXACT):
        result = CliRunner().invoke(build_app(), ["test", str(SCHEME_PATH), str(path)], prog_name="kaohe")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output


@FUZZ
@given(edits)
def test_mutated_case_file_never_crashes(tmp_path: Path, changes: list[tuple[int, bytes]]) -> None:
    path = tmp_path / "case.yaml"
    path.write_bytes(_mutate(CASE, changes))
    _run(path)


@FUZZ
@given(edits)
def test_mutated_bundled_case_file_never_crashes(tmp_path: Path, changes: list[tuple[int, bytes]]) -> None:
    # beside its evidence files and last year's results, which it names
    folder = tmp_path / "case"
    folder.mkdir(exist_ok=True)
    for name in ("evidence.csv", "previous-year.json"):
        target = folder / name
        if not target.exists():
            target.write_bytes((EXAMPLES / "changzhou-2018" / name).read_bytes())
    path = folder / "outcomes.yaml"
    path.write_bytes(_mutate(OUTCOMES, changes))
    _run(path)


@FUZZ
@given(_documents)
def test_case_file_of_any_shape_never_crashes(tmp_path: Path, document: object) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _run(path)


@settings(max_examples=int(os.environ.get("KAOHE_FUZZ_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(_documents | edits.map(lambda changes: _mutate(CASE, changes)))
def test_kaohe_test_never_exits_70(tmp_path: Path, document: object) -> None:
    path = tmp_path / "case.yaml"
    if isinstance(document, bytes):
        path.write_bytes(document)
    else:
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _cli(path)


def test_the_seed_cases_pass() -> None:
    # The fuzz starts from case files that run: a mutation is then a departure from a good file.
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.yaml"
        path.write_bytes(CASE)
        with decimal.localcontext(EXACT):
            reports = run_case_file(LOADED, path)
    assert [r.passed for r in reports] == [True], [(r.problems, [str(m) for m in r.mismatches]) for r in reports]
    with decimal.localcontext(EXACT):
        assert all(r.passed for r in run_case_file(LOADED, EXAMPLES / "changzhou-2018" / "outcomes.yaml"))


def test_a_previous_file_that_cannot_be_read_is_told_in_that_file(tmp_path: Path) -> None:
    # found by the fuzzing above: `previous` naming a file beside the case that is no results
    # file (a name without .json) is refused, told at that file (as rank --previous tells it,
    # and as test_hostile_results tells an edited one at its line)
    (tmp_path / "溧阳市").write_text("x", encoding="utf-8")
    path = tmp_path / "case.yaml"
    path.write_text("units: {}\nname: null\nprevious: 溧阳市\n", encoding="utf-8")
    with decimal.localcontext(EXACT), pytest.raises(SchemeError) as raised:
        run_case_file(LOADED, path)
    (problem,) = raised.value.problems
    assert str(problem.location) == str(tmp_path / "溧阳市")
    assert problem.message == "不是 kaohe 的结果文件(JSON,format 为 kaohe-results)"
    _run(path)  # what the fuzzing asks of every refusal

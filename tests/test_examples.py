"""Every bundled example scores to the results worked out by hand beside it, via `kaohe test`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, SCHEMES
from kaohe.cli import build_app
from kaohe.commands.test import find_cases, run_case_file
from kaohe.scheme.load import load_scheme

BUNDLED = sorted(SCHEMES.glob("*.yaml"))


def test_every_bundled_scheme_has_hand_worked_cases() -> None:
    for scheme in BUNDLED:
        assert find_cases(scheme, load_scheme(scheme).scheme.id), scheme.name


@pytest.mark.parametrize("scheme", BUNDLED, ids=lambda p: p.stem)
def test_example_scores_as_worked_by_hand(scheme: Path) -> None:
    loaded = load_scheme(scheme)
    for case_file in find_cases(scheme, loaded.scheme.id):
        for report in run_case_file(loaded, case_file):
            assert [str(p) for p in report.problems] == []
            assert [str(m) for m in report.mismatches] == []
            assert report.checked > 0


def test_kaohe_test_reports_a_mismatch_with_the_working(tmp_path: Path) -> None:
    # 溧阳市 1.1.1 = 3 meetings × 1 point, capped at 2: a case claiming 3 must fail.
    case = tmp_path / "case.yaml"
    case.write_text(
        "name: 错误的预期\n"
        "rows:\n"
        "  - {单位: 溧阳市, 指标: 1.1.1, 值: 3}\n"
        "units:\n"
        "  溧阳市:\n"
        "    criteria: {1.1.1: 3}\n"
        "    why: 每次得1分,3次得3分(忘了最高得2分)\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(build_app(), ["test", str(SCHEMES / "changzhou-2018.yaml"), str(case)])
    assert result.exit_code == 1
    assert f"{case}:6:23: 错误的预期: 溧阳市 的 criteria.1.1.1 应为 3,实际为 2" in result.output
    assert "手算过程: 每次得1分,3次得3分(忘了最高得2分)" in result.output
    assert "0 个用例通过,1 个失败" in result.output


def test_kaohe_test_passes_the_bundled_example() -> None:
    result = CliRunner().invoke(build_app(), ["test", str(SCHEMES / "changzhou-2018.yaml")])
    assert result.exit_code == 0, result.output
    # expected.yaml: one case per evidence file (3); outcomes.yaml: the 3 files against last year (3)
    # and the inline tie on first place (1)
    assert "7 个用例通过,0 个失败" in result.output
    assert EXAMPLES.is_dir()


def test_a_misspelt_expected_field_is_reported(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("rows:\n  - {单位: 溧阳市, 指标: 1.1.1, 值: 3}\nunits:\n  溧阳市:\n    totl: 2\n", encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["test", str(SCHEMES / "changzhou-2018.yaml"), str(case)])
    assert result.exit_code == 1 and "溧阳市 的 totl 应为 2,实际为 未知字段" in result.output


@pytest.mark.parametrize("scheme", BUNDLED, ids=lambda p: p.stem)
def test_every_example_has_outcome_cases(scheme: Path) -> None:
    # examples/<id>/outcomes.yaml: who takes each grade and award the scheme declares (worked by
    # hand); where the document states no outcome rule, the ranking itself (a rank for every unit).
    from kaohe.scheme.yamlload import load_yaml

    loaded = load_scheme(scheme)
    path = EXAMPLES / loaded.scheme.id / "outcomes.yaml"
    assert path.is_file(), path
    data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
    cases = data["cases"] if "cases" in data else [data]
    outcomes = loaded.scheme.outcomes
    declared = [g.name for g in outcomes.grades] + [a.name for a in outcomes.awards] + \
        [m.name for m in outcomes.most_improved]
    checked = {name for case in cases for name in (case.get("outcomes") or {})}
    checked |= {name for case in cases for want in case["units"].values()
                for name in ([want.get("grade")] + list(want.get("awards") or []) + list(want.get("penalties") or []))
                if name}
    assert [name for name in declared if name not in checked] == []  # every declared outcome is checked
    ranked = {unit for case in cases for unit, want in case["units"].items() if "rank" in want}
    assert ranked >= set(loaded.scheme.unit_names()) or declared, "the ranking of every unit is checked"

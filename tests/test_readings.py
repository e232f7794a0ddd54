"""Readings (`reading:`): a sentence the document lets be read two ways is marked with the
reading taken and the other one; `show` lists them, validate checks the other reading is a
scheme, and score/rank warn where the other reading would move a unit's place, grade or award."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SCHEMES
from kaohe.cli import build_app
from kaohe.scheme.load import load_scheme
from kaohe.scheme.readings import marked

BUNDLED = sorted(SCHEMES.glob("*.yaml"))


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(build_app(), list(args), prog_name="kaohe")


# 常州 2018 2.4's sentence, on a scheme of two units: 2.4.1 (2 points) by bands, 9.1.1 judged (98).
SCHEME = """\
id: r
title: 样例
full_score: 100
units: [{name: 甲}, {name: 乙}]
sections:
  - id: "2"
    title: 机构
    points: 2
    items:
      - id: "2.4"
        title: 编制
        points: 2
        criteria:
          - id: 2.4.1
            text: 各单位核定编制达到10人以上的,得2分;10-5人,得1分;5人以下的,得0.5分。
            points: 2
            reading:
              text: 10-5人,得1分;5人以下的,得0.5分
              taken: 5人在"10-5人"之内,得1分
              other: 5人在"5人以下"之内,得0.5分
              alternative:
                rule: {kind: bands, value: count, bands: [{ge: 10, points: 2}, {gt: 5, lt: 10, points: 1}, {le: 5, points: 0.5}]}
            rule: {kind: bands, value: count, bands: [{ge: 10, points: 2}, {ge: 5, lt: 10, points: 1}, {lt: 5, points: 0.5}]}
  - id: "9"
    title: 其他
    points: 98
    items:
      - id: "9.1"
        title: 其他
        points: 98
        criteria:
          - {id: 9.1.1, text: 其他, points: 98, rule: {kind: judged}}
outcomes:
  grades: [{name: 优秀, count: 1}]
"""

# 甲: 5人 → 1 (taken) or 0.5 (other); 9.1.1 90 → 91 or 90.5. 乙: 12人 → 2 either way; 88.8 → 90.8.
# Taken: 甲 91 > 乙 90.8, 甲 1st and 优秀. Other: 乙 90.8 > 甲 90.5: 乙 1st and 优秀.
EVIDENCE = "单位,2.4.1,9.1.1\n甲,5,90\n乙,12,88.8\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    scheme, evidence = tmp_path / "s.yaml", tmp_path / "e.csv"
    scheme.write_text(SCHEME, encoding="utf-8")
    evidence.write_text(EVIDENCE, encoding="utf-8")
    return scheme, evidence


MOVES = ('2.4.1 的读法有两种: 若按另一种读法(5人在"5人以下"之内,得0.5分),2 个单位的结果会变: '
         "甲 名次 1 → 2、等次 优秀 → -; 乙 名次 2 → 1、等次 - → 优秀;发布前请考核办确认采用的读法")


def test_score_warns_where_the_other_reading_moves_a_place_and_a_grade(files: tuple[Path, Path]) -> None:
    scheme, evidence = files
    result = run("score", str(scheme), str(evidence))
    assert result.exit_code == 0, result.output
    assert f"{scheme}:18:15: 警告: {MOVES}" in result.output


def test_rank_warns_from_evidence_and_from_a_results_file(files: tuple[Path, Path], tmp_path: Path) -> None:
    scheme, evidence = files
    from_evidence = run("rank", str(scheme), str(evidence))
    assert from_evidence.exit_code == 0 and MOVES in from_evidence.output
    out = tmp_path / "r.json"
    assert run("score", str(scheme), str(evidence), "-o", str(out)).exit_code == 0
    stored = json.loads(out.read_text(encoding="utf-8"))["readings"]
    assert stored == [{"key": "sections/0/items/0/criteria/0#0", "units": [
        {"unit": "甲", "total": "90.5", "category": None, "sections": {"2": "0.5", "9": "90"}, "vetoed": [],
         "falsified": [], "unmet": [], "conditions": {}},
        {"unit": "乙", "total": "90.8", "category": None, "sections": {"2": "2", "9": "88.8"}, "vetoed": [],
         "falsified": [], "unmet": [], "conditions": {}}]}]
    from_results = run("rank", str(scheme), str(out))
    assert from_results.exit_code == 0 and MOVES in from_results.output


def test_a_reading_that_changes_a_score_but_no_outcome_is_a_note(files: tuple[Path, Path]) -> None:
    # 乙 at 80 instead: 甲 is first either way (91 or 90.5 against 82): only 甲's total changes.
    scheme, evidence = files
    evidence.write_text("单位,2.4.1,9.1.1\n甲,5,90\n乙,12,80\n", encoding="utf-8")
    result = run("score", str(scheme), str(evidence))
    assert ('提示: 2.4.1 的读法有两种: 若按另一种读法(5人在"5人以下"之内,得0.5分),1 个单位的得分会变'
            "(甲 91 → 90.5),名次、等次和奖项不变") in result.output
    assert "警告" not in result.output


def test_a_unit_where_the_readings_agree_gets_nothing(files: tuple[Path, Path]) -> None:
    # 6人 and 4人 score the same both ways (1 and 0.5): nothing to tell.
    scheme, evidence = files
    evidence.write_text("单位,2.4.1,9.1.1\n甲,6,90\n乙,4,88.8\n", encoding="utf-8")
    result = run("score", str(scheme), str(evidence))
    assert result.exit_code == 0 and "读法" not in result.output


def test_an_outcome_reading_is_compared_on_the_same_totals(tmp_path: Path) -> None:
    # 经信委's veto "当年不得评为先进": taken as barring 先进 only, the other reading bars every award.
    # 乙 97 is 1st and 先进; 甲 (vetoed) 94 is 2nd, the 表扬 place: 甲 takes it when only 先进 is
    # barred, and it passes to 丙 (3rd, 87) when the veto bars everything.
    text = SCHEME.replace("units: [{name: 甲}, {name: 乙}]", "units: [{name: 甲}, {name: 乙}, {name: 丙}]").replace(
        """outcomes:
  grades: [{name: 优秀, count: 1}]
""", """flags:
  - id: 否决
    kind: veto
    text: 当年不得评为先进
    bars: [先进]
    reading:
      text: 当年不得评为先进
      taken: 只不得评为先进,表扬照常
      other: 不得获得任何奖项
      alternative: {bars: all}
outcomes:
  awards: [{name: 先进, first: 1, last: 1}, {name: 表扬, first: 2, last: 2}]
""")
    scheme, evidence = tmp_path / "s.yaml", tmp_path / "e.csv"
    scheme.write_text(text, encoding="utf-8")
    evidence.write_text("单位,2.4.1,9.1.1,否决\n甲,12,92,是\n乙,12,95,否\n丙,12,85,否\n", encoding="utf-8")
    result = run("rank", str(scheme), str(evidence))
    assert result.exit_code == 0, result.output
    assert "否决 的读法有两种: 若按另一种读法(不得获得任何奖项),2 个单位的结果会变: 甲 奖项 表扬 → -; 丙 奖项 - → 表扬" \
        in result.output


def test_validate_refuses_an_other_reading_that_is_no_scheme(files: tuple[Path, Path]) -> None:
    scheme, _ = files
    scheme.write_text(SCHEME.replace("rule: {kind: bands, value: count, bands: [{ge: 10, points: 2}, {gt: 5",
                                     "rule: {kind: bandz, value: count, bands: [{ge: 10, points: 2}, {gt: 5"),
                      encoding="utf-8")
    result = run("validate", str(scheme))
    assert result.exit_code != 0
    # located at the alternative's own rule (line 22), not at the rule the scheme takes
    assert f"{scheme}:22:" in result.output and "2.4.1 的另一种读法(alternative)不可用: " in result.output
    assert "bandz" in result.output


def test_show_lists_every_reading_with_its_line(files: tuple[Path, Path]) -> None:
    scheme, _ = files
    result = CliRunner().invoke(build_app(), ["show", str(scheme)], prog_name="kaohe", terminal_width=200)
    assert result.exit_code == 0
    assert "读法(文件中可有两种理解的句子)" in result.output
    for text in ("2.4.1", "(第 18 行)", "10-5人,得1分;5人以下的,得0.5分", '5人在"10-5人"之内,得1分', "是"):
        assert text in result.output


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_show_lists_every_reading_a_bundled_scheme_marks(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    import kaohe.report.terminal as terminal

    monkeypatch.setattr(terminal, "console", lambda: Console(width=2000))  # no folding: whole lines
    loaded = load_scheme(path)
    result = run("show", str(path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    found = marked(loaded)
    if not found:
        assert "读法(文件中可有两种理解的句子)" not in result.output
        return
    title = next(i for i, line in enumerate(lines) if "读法(文件中可有两种理解的句子)" in line)
    rows = [line for line in lines[title:] if line.startswith("│")]
    assert len(rows) == len(found)  # one row per reading, none lost
    by_place = {[c.strip() for c in r.strip("│").split("│")][0]: r for r in rows}
    for mark in found:
        row = by_place.get(f"{mark.owner}(第 {mark.location.line} 行)")  # owner and line: one reading each
        assert row is not None, (path.name, mark.owner, mark.location.line)
        cells = [c.strip() for c in row.strip("│").split("│")]
        assert cells[1:4] == [mark.reading.text, mark.reading.taken, mark.reading.other], (path.name, cells)
        assert cells[4] == ("是" if mark.reading.alternative is not None else "否(未给出 alternative)")


PERIODS = """\
id: p
title: 样例
full_score: 100
units: [{name: 甲}, {name: 乙}]
periods:
  names: [上半年, 下半年]
  source: files
  combine: mean
  reading:
    text: 全年得分按上、下半年综合计算
    taken: 上、下半年得分的平均
    other: 上半年占90%,下半年占10%
    alternative: {combine: weighted, weights: {上半年: 90%, 下半年: 10%}}
sections:
  - id: "1"
    title: t
    points: 100
    items:
      - id: "1.1"
        title: t
        points: 100
        criteria:
          - {id: 1.1.1, text: t, points: 100, rule: {kind: judged}}
"""


def test_a_reading_on_how_periods_combine_is_compared_from_the_period_files(tmp_path: Path) -> None:
    # 甲 90 then 60, 乙 80 then 80. Mean: 甲 75, 乙 80 (乙 first). 90%/10%: 甲 87, 乙 80 (甲 first).
    scheme = tmp_path / "s.yaml"
    scheme.write_text(PERIODS, encoding="utf-8")
    files = []
    for name, (a, b) in (("h1", (90, 80)), ("h2", (60, 80))):
        evidence = tmp_path / f"{name}.csv"
        evidence.write_text(f"单位,1.1.1\n甲,{a}\n乙,{b}\n", encoding="utf-8")
        out = tmp_path / f"{name}.json"
        assert run("score", str(scheme), str(evidence), "-o", str(out)).exit_code == 0
        files.append(str(out))
    result = run("rank", str(scheme), *files)
    assert result.exit_code == 0, result.output
    assert "2 个单位的结果会变: 乙 名次 1 → 2; 甲 名次 2 → 1" in result.output

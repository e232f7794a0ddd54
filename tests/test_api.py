"""The Python API (docs/api.md): its examples run, and load_scheme / score / rank do what the
commands do, for files and for rows in memory. Expected values are the hand-worked ones of
examples/changzhou-2018/expected.yaml and outcomes.yaml, or worked out in the comments."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import kaohe
from conftest import EXAMPLES, ROOT, SCHEMES
from kaohe.i18n import set_lang

CHANGZHOU = SCHEMES / "changzhou-2018.yaml"
EXAMPLE = EXAMPLES / "changzhou-2018"
EXPECTED = yaml.safe_load((EXAMPLE / "expected.yaml").read_text(encoding="utf-8"))["units"]
OUTCOMES = yaml.safe_load((EXAMPLE / "outcomes.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def scheme() -> kaohe.CheckedScheme:
    return kaohe.load_scheme(CHANGZHOU)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _hand_totals() -> dict[str, Decimal]:
    return {unit: Decimal(str(u["total"])) for unit, u in EXPECTED.items()}


# --- the page ---------------------------------------------------------------------------------

def test_every_example_of_the_page_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # The ```python blocks in order, as one script, from the project folder; each is self-checking
    # (its asserts hold the numbers worked out on the page).
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 7
    namespace: dict[str, object] = {}
    ran = []
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"docs/api.md, example {number}", "exec"), namespace)
        ran.append(number)
    assert ran == list(range(1, len(blocks) + 1))
    assert "ranking" in namespace and "scored" in namespace


# --- load_scheme ------------------------------------------------------------------------------

def test_a_scheme_with_an_error_raises_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text('id: bad\ntitle: 坏\nfull_score: 10\nunits: [{name: 甲}]\nsections:\n  - id: "1"\n'
                    '    title: 一\n    points: 10\n    items:\n      - id: "1.1"\n        title: 甲项\n'
                    '        points: 4\n        criteria:\n'
                    '          - {id: 1.1.1, text: 评定, points: 4, rule: {kind: judged, min: 0, max: 4}}\n',
                    encoding="utf-8")
    # section 1 is 10 points, its one item 4: "各项分值之和为 4 分,与本部分 10 分不符", told at
    # the section's `points:` (line 8, column 13 is the value after "    points: ").
    with pytest.raises(kaohe.SchemeError) as caught:
        kaohe.load_scheme(path)
    assert [str(p) for p in caught.value.problems if "部分各项" in p.message] == [
        f"{path}:8:13: 错误: 第 1 部分各项分值之和为 4 分,与本部分 10 分不符"]
    assert str(caught.value).splitlines()[0].startswith(f"{path}:")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    pipe = tmp_path / "s.yaml"
    os.mkfifo(pipe)
    with pytest.raises(kaohe.SchemeError) as caught:
        kaohe.load_scheme(pipe)
    assert str(caught.value) == f"{pipe}: 错误: 是命名管道(FIFO),不是普通文件"


def test_the_checked_scheme_is_what_the_commands_use(scheme: kaohe.CheckedScheme) -> None:
    from kaohe.scheme.load import LoadedScheme

    assert isinstance(scheme, LoadedScheme)
    assert scheme.path == str(CHANGZHOU) and len(scheme.sha256) == 64
    assert scheme.units == list(EXPECTED)  # expected.yaml lists them in the scheme's order


# --- score: files and rows --------------------------------------------------------------------

@pytest.mark.parametrize("name", ["evidence.xlsx", "evidence.csv", "evidence-long.csv"])
def test_files_score_to_the_hand_worked_totals(scheme: kaohe.CheckedScheme, name: str) -> None:
    results = kaohe.score(scheme, EXAMPLE / name)
    assert results.totals == _hand_totals()
    assert results.warnings == () and results.missing == ()
    liyang = EXPECTED["溧阳市"]["sections"]
    assert {k: v.points for k, v in results.unit("溧阳市").sections.items()} == {
        k: Decimal(str(v)) for k, v in liyang.items()}


def test_rows_in_memory_score_as_the_files_do(scheme: kaohe.CheckedScheme) -> None:
    # The CSV files' rows as csv.DictReader gives them (every cell text, blanks ""), wide and long.
    from_file = kaohe.score(scheme, str(EXAMPLE / "evidence.csv"))
    for rows in (_csv_rows(EXAMPLE / "evidence.csv"), _csv_rows(EXAMPLE / "evidence-long.csv")):
        scored = kaohe.score(scheme, rows)
        assert scored.totals == _hand_totals() == from_file.totals
        assert scored.warnings == ()
        for mine, theirs in zip(scored.units, from_file.units, strict=True):
            assert [(c.criterion.id, c.points) for c in mine.criteria] == [
                (c.criterion.id, c.points) for c in theirs.criteria]


def test_a_generator_of_long_rows() -> None:
    # outcomes.yaml case 2, in long form: 溧阳市 1.2.1 4次×1 = 4 + 4.1.1 3.5 = 7.5; 钟楼区 1.3.1 3
    # + 6.1.1 2.5 = 5.5 base, 7.3.1 2 bonus → 7.5; 武进区 1.1.1 5 → capped 2; the rest 0.
    case = OUTCOMES[1]
    scheme = kaohe.load_scheme(CHANGZHOU)
    scored = kaohe.score(scheme, (row for row in case["rows"]))
    for unit, hand in case["units"].items():
        assert scored.unit(unit).total == Decimal(str(hand["total"])), unit
    assert (scored.unit("钟楼区").base, scored.unit("钟楼区").bonus) == (Decimal("5.5"), 2)
    # the four units the rows never name: one warning each, at their entry in the scheme
    assert [w.code for w in scored.warnings] == ["evidence.unit_no_evidence"] * 4
    assert {w.message.split(" ")[1] for w in scored.warnings} == {"金坛区", "新北区", "天宁区", "经开区"}
    assert all(w.location.file == str(CHANGZHOU) and w.location.line for w in scored.warnings)


def test_two_files_with_the_same_values_are_refused_as_the_command_refuses_them(scheme: kaohe.CheckedScheme) -> None:
    # evidence.csv and evidence.xlsx hold the same values: every one a duplicate, told once.
    with pytest.raises(kaohe.EvidenceError) as caught:
        kaohe.score(scheme, [EXAMPLE / "evidence.csv", str(EXAMPLE / "evidence.xlsx")])
    assert any("重复" in p.message for p in caught.value.problems)


def test_a_bad_value_in_rows_is_told_at_its_row_and_column(scheme: kaohe.CheckedScheme) -> None:
    wide = [{"单位": "溧阳市", "1.1.1": 3}, {"单位": "金坛区", "1.1.1": 2}, {"单位": "武进区", "1.1.1": -1}]
    with pytest.raises(kaohe.EvidenceError) as caught:
        kaohe.score(scheme, wide)
    assert [str(p) for p in caught.value.problems if p.severity is kaohe.Severity.ERROR] == [
        "<rows>[2]!1.1.1: 错误: 1.1.1 的值 '-1' 无效: 应为非负整数(次数、项数)"]
    long = [{"单位": "溧阳市", "指标": "1.1.1", "值": 3}, {"单位": "溧阳市", "指标": "1.2.1", "值": "两次"}]
    with pytest.raises(kaohe.EvidenceError) as caught:
        kaohe.score(scheme, long)
    assert [str(p.location) for p in caught.value.problems] == ["<rows>[1]!值"]
    assert caught.value.problems[0].code == "value.not_count"


def test_an_unknown_unit_and_an_id_the_scheme_computes_are_told_at_their_cells(scheme: kaohe.CheckedScheme) -> None:
    rows = [{"单位": "溧阳县", "指标": "1.1.1", "值": 3},  # 溧阳县: not a unit of the scheme
            {"单位": "溧阳市", "指标": "人员配备齐全率", "值": "80%"}]  # computed from 实际配备人数
    with pytest.raises(kaohe.EvidenceError) as caught:
        kaohe.score(scheme, rows)
    places = [str(p.location) for p in caught.value.problems]
    assert places == ["<rows>[0]!单位", "<rows>[1]!指标"]
    assert "溧阳市" in caught.value.problems[0].message  # the nearest name


def test_an_office_column_warns_and_an_unknown_id_column_is_an_error(scheme: kaohe.CheckedScheme) -> None:
    rows = [{"单位": "溧阳市", "1.1.1": 3, "联系人": "王某", "填报日期": "2019-01-05"}]
    scored = kaohe.score(scheme, rows)
    assert [str(w) for w in scored.warnings if w.location.file == "<rows>"] == [
        "<rows>!联系人: 警告: 这些列不是指标,其值未读取: 联系人、填报日期"]
    assert scored.unit("溧阳市").items["1.1"].points == 2  # 3 次 × 1 → capped at 2
    with pytest.raises(kaohe.EvidenceError) as caught:
        kaohe.score(scheme, [{"单位": "溧阳市", "1.1.1": 3, "1.1.9": 1}])
    assert [str(p.location) for p in caught.value.problems] == ["<rows>!1.1.9"]
    assert "(最接近: 1.1.1)" in caught.value.problems[0].message


def test_rows_that_are_not_mappings_are_told_by_index(scheme: kaohe.CheckedScheme) -> None:
    with pytest.raises(kaohe.EvidenceError) as caught:
        kaohe.score(scheme, [{"单位": "溧阳市", "1.1.1": 3}, ["溧阳市", 3]])
    assert str(caught.value) == "<rows>[1]: 错误: 每一行应为映射(列名 → 值),得到 list"


def test_no_rows_and_rows_without_a_unit_column_have_no_header(scheme: kaohe.CheckedScheme) -> None:
    for rows in ([], [{"名称": "溧阳市", "1.1.1": 3}]):
        with pytest.raises(kaohe.EvidenceError) as caught:
            kaohe.score(scheme, rows)
        assert [p.code or p.message[:6] for p in caught.value.problems] == ["没有找到表头"]
        assert str(caught.value.problems[0].location) == "<rows>"


def test_strict_makes_a_missing_value_an_error(scheme: kaohe.CheckedScheme) -> None:
    rows = [{"单位": u, "1.1.1": 1} for u in scheme.units]
    loose = kaohe.score(scheme, rows)
    assert all(u.items["1.1"].points == 1 for u in loose.units)  # 1 次 × 1 分
    assert loose.missing and loose.warnings == ()  # listed on the result, not a warning
    with pytest.raises(kaohe.EvidenceError) as caught:
        kaohe.score(scheme, rows, strict=True)
    assert {p.severity for p in caught.value.problems} == {kaohe.Severity.ERROR}
    assert len(caught.value.problems) == len(loose.missing)
    assert caught.value.problems[0].message.endswith("未提供(strict=True)")


def test_english_messages(scheme: kaohe.CheckedScheme) -> None:
    set_lang("en")
    with pytest.raises(kaohe.EvidenceError) as caught:
        kaohe.score(scheme, [{"单位": "溧阳市", "1.1.1": "x"}])
    assert str(caught.value).startswith("<rows>[0]!1.1.1: error: value 'x' for 1.1.1 is invalid")


def test_a_wrong_argument_is_a_type_error(scheme: kaohe.CheckedScheme) -> None:
    for bad in ({"单位": "溧阳市", "1.1.1": 3}, 3, b"evidence.csv"):
        with pytest.raises(TypeError):
            kaohe.score(scheme, bad)
    with pytest.raises(TypeError, match="不能把文件路径和行混在一起"):
        kaohe.score(scheme, [str(EXAMPLE / "evidence.csv"), {"单位": "溧阳市"}])
    with pytest.raises(TypeError, match="kaohe.load_scheme"):
        kaohe.score(str(CHANGZHOU), str(EXAMPLE / "evidence.csv"))
    with pytest.raises(TypeError):
        kaohe.rank(scheme, [])  # type: ignore[arg-type]


def test_nothing_is_printed(scheme: kaohe.CheckedScheme, capfd: pytest.CaptureFixture[str]) -> None:
    kaohe.rank(scheme, kaohe.score(scheme, [{"单位": "溧阳市", "1.1.1": 3, "联系人": "王某"}]))
    with pytest.raises(kaohe.EvidenceError):
        kaohe.score(scheme, [{"单位": "溧阳市", "1.1.1": "三"}])
    assert capfd.readouterr() == ("", "")


# --- rank -------------------------------------------------------------------------------------

def test_rank_eq_ties_share_a_place_and_skip_the_next(scheme: kaohe.CheckedScheme) -> None:
    ranking = kaohe.rank(scheme, kaohe.score(scheme, EXAMPLE / "evidence.xlsx"))
    # expected.yaml: 武进区 and 新北区 97.5 both 3rd, 经开区 5th (RANK.EQ)
    assert {r.standing.unit: r.rank for r in ranking.rows} == {u: v["rank"] for u, v in EXPECTED.items()}
    assert [r.standing.unit for r in ranking.rows if r.awards] == ["溧阳市"]


def test_a_tie_on_the_first_place_gives_both_the_award() -> None:
    # outcomes.yaml case 2: 溧阳市 and 钟楼区 7.5 both 1st, both 年度综合优胜奖, and a note (边界并列).
    case = OUTCOMES[1]
    scheme = kaohe.load_scheme(CHANGZHOU)
    ranking = kaohe.rank(scheme, kaohe.score(scheme, case["rows"]))
    got = {r.standing.unit: (r.rank, r.awards) for r in ranking.rows}
    assert {u: got[u] for u in case["units"]} == {u: (h["rank"], h["awards"]) for u, h in case["units"].items()}
    assert any("边界并列" in kaohe.note_text(n) for n in ranking.notes)


def test_dense_ranks_follow_the_scheme(tmp_path: Path) -> None:
    path = tmp_path / "dense.yaml"
    path.write_text('id: dense\ntitle: 连续名次\nfull_score: 5\nunits: [{name: 甲}, {name: 乙}, {name: 丙}]\n'
                    'ranking: {method: dense}\nsections:\n  - id: "1"\n    title: 一\n    points: 5\n'
                    '    items:\n      - id: "1.1"\n        title: 评定\n        points: 5\n        criteria:\n'
                    '          - {id: 1.1.1, text: 评定, points: 5, rule: {kind: judged, min: 0, max: 5}}\n',
                    encoding="utf-8")
    scheme = kaohe.load_scheme(path)
    # judged: the value is the points. 甲 4, 乙 4, 丙 2 → dense 1, 1, 2 (RANK.EQ would give 3).
    scored = kaohe.score(scheme, [{"单位": "甲", "指标": "1.1.1", "值": 4}, {"单位": "乙", "指标": "1.1.1", "值": "4"},
                                  {"单位": "丙", "指标": "1.1.1", "值": Decimal("2")}])
    assert [(r.rank, r.standing.unit) for r in kaohe.rank(scheme, scored).rows] == [(1, "甲"), (1, "乙"), (2, "丙")]


def test_previous_ranking_gives_the_most_improved_awards(scheme: kaohe.CheckedScheme) -> None:
    # Last year's ranking as kaohe.rank would have made it from previous-year.json's totals and
    # sections (hand-written); outcomes.yaml case 1 works out every 单项进步奖 against it.
    from kaohe.outcomes import Standing, decide

    document = json.loads((EXAMPLE / "previous-year.json").read_text(encoding="utf-8"))
    last = decide(scheme.scheme, [Standing(u["unit"], Decimal(u["total"]),
                                           {k: Decimal(v) for k, v in u["sections"].items()})
                                  for u in document["units"]])
    assert [r.rank for r in last.rows] == [u["rank"] for u in document["units"]]  # 1…7, no ties
    ranking = kaohe.rank(scheme, kaohe.score(scheme, EXAMPLE / "evidence.csv"), previous=last)
    case = OUTCOMES[0]
    awarded = {name: [r.standing.unit for r in ranking.rows if name in r.awards] for name in case["outcomes"]}
    assert {k: sorted(v) for k, v in awarded.items()} == {k: sorted(v) for k, v in case["outcomes"].items()}
    rows = {r.standing.unit: r for r in ranking.rows}
    assert rows["金坛区"].change == 0  # 6th last year, 6th now
    assert rows["钟楼区"].change == 0 and rows["武进区"].change == 1  # 2 → 2; 4 → 3
    with pytest.raises(TypeError):
        kaohe.rank(scheme, kaohe.score(scheme, EXAMPLE / "evidence.csv"), previous=document)  # type: ignore[arg-type]


# --- import cost ------------------------------------------------------------------------------

def test_importing_kaohe_imports_neither_openpyxl_nor_the_engine() -> None:
    code = ("import sys, kaohe\n"
            "assert 'openpyxl' not in sys.modules and 'pydantic' not in sys.modules, sorted(sys.modules)\n"
            "assert 'kaohe.api' not in sys.modules and 'kaohe.engine' not in sys.modules\n"
            "assert callable(kaohe.score) and 'kaohe.api' in sys.modules\n"
            "assert 'openpyxl' not in sys.modules\n"
            "assert set(kaohe.__all__) == set(kaohe._LAZY) | {'__version__'}\n"
            "assert set(kaohe.__all__) <= set(dir(kaohe))\n"
            "try:\n    kaohe.no_such_name\nexcept AttributeError:\n    pass\nelse:\n    raise SystemExit(1)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_evidence_split_over_two_files_scores_as_one(scheme: kaohe.CheckedScheme, tmp_path: Path) -> None:
    # evidence.csv's columns in two files, each with the 单位 column: the same hand-worked totals.
    rows = _csv_rows(EXAMPLE / "evidence.csv")
    ids = [k for k in rows[0] if k != "单位"]
    paths = []
    for name, part in (("a.csv", ids[:20]), ("b.csv", ids[20:])):
        with open(tmp_path / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, ["单位", *part])
            writer.writeheader()
            writer.writerows({"单位": r["单位"], **{k: r[k] for k in part}} for r in rows)
        paths.append(tmp_path / name)
    assert kaohe.score(scheme, paths).totals == _hand_totals()

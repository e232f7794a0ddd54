"""Computed values end to end: declared inputs, values computed from them, rules and flags that read
them, checked by validate with file:line:col, scored with every step explained down to the cells."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kaohe.engine import score
from kaohe.evidence import read_evidence
from kaohe.scheme.checks import check_scheme
from kaohe.scheme.load import load_scheme

# A county energy-saving scheme in the shape of 各县区人民政府节能目标责任评价考核计分表 row 1: the
# evidence gives the two 降低率; the scheme works out 完成率, scores it, adds the excess bonus and
# sets the veto "只要未达到年度计划确定的目标值即为未完成等级" from the same value.
ENERGY = """\
id: energy
title: 节能目标责任评价考核
full_score: 40
units: [{name: 甲县}, {name: 乙县}, {name: 丙县}]
inputs:
  - {id: 实际降低率, title: 万元GDP能耗降低率实际完成数, type: rate, negative: true}
  - {id: 目标降低率, title: 万元GDP能耗降低率目标数, type: rate}
values:
  - {id: 完成率, title: 目标完成率, expr: 实际降低率 / 目标降低率, type: rate}
  - {id: 高于平均, expr: 完成率 > mean_of(完成率)}
flags:
  - {id: 否决.节能, kind: veto, text: 只要未达到年度计划确定的目标值即为未完成等级, when: 完成率 < 100%}
sections:
  - id: "1"
    title: 节能目标
    points: 40
    items:
      - id: "1.1"
        title: 万元GDP能耗降低率
        points: 40
        criteria:
          - id: 1.1.1
            text: 完成年度计划目标得40分,完成目标的90%得36分
            points: 40
            of: 完成率
            rule: {kind: steps, below: 100%, step: 10%, take: 4, count: started, zero: {lt: 50%}}
  - id: "2"
    title: 加分
    kind: bonus
    items:
      - id: "2.1"
        title: 超额
        criteria:
          - id: 2.1.1
            text: 每超额完成10%加3分,最多加9分。
            points: 9
            of: 完成率
            rule: {kind: steps, above: 100%, step: 10%, add: 3, limit: 9}
          - id: 2.1.2
            text: 完成率高于全市平均的加1分
            points: 1
            of: 高于平均
            rule: {kind: met}
"""

EVIDENCE = "单位,实际降低率,目标降低率\n甲县,5%,4%\n乙县,3.8%,4%\n丙县,4%,4%\n"


def _files(tmp_path: Path, scheme: str = ENERGY, evidence: str = EVIDENCE) -> tuple[Path, Path]:
    (tmp_path / "s.yaml").write_text(scheme, encoding="utf-8")
    (tmp_path / "e.csv").write_text(evidence, encoding="utf-8")
    return tmp_path / "s.yaml", tmp_path / "e.csv"


def _kaohe(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *map(str, args)], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def test_one_input_feeds_the_indicator_its_bonus_and_its_veto(tmp_path: Path) -> None:
    scheme_path, evidence_path = _files(tmp_path)
    loaded = load_scheme(scheme_path)
    assert check_scheme(loaded) == []
    evidence = read_evidence([evidence_path], loaded.scheme)
    assert evidence.problems == []
    units = {u.unit: u for u in score(loaded.scheme, evidence).units}
    # 甲县: 5% ÷ 4% = 125% → 1.1.1 40 (not below 100%); bonus 2 whole steps × 3 = 6;
    #   mean of 125%, 95%, 100% = 320% ÷ 3 ≈ 106.67%: 125% is above → 1; total 40 + 7 = 47; no veto.
    # 乙县: 3.8% ÷ 4% = 95% → one started step below → 36; no bonus; 95% < mean → 0; veto (95% < 100%).
    # 丙县: 100% → 40; no bonus (0 steps above); 100% < 106.67% → 0; no veto (not below 100%).
    assert (units["甲县"].total, units["甲县"].vetoed) == (47, ())
    assert (units["乙县"].total, units["乙县"].vetoed) == (36, ("否决.节能",))
    assert (units["丙县"].total, units["丙县"].vetoed) == (40, ())


def test_explain_shows_the_working_down_to_the_cells(tmp_path: Path) -> None:
    scheme_path, evidence_path = _files(tmp_path)
    run = _kaohe("explain", scheme_path, evidence_path, "--unit", "乙县", "--format", "json")
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    criterion = document["sections"][0]["items"][0]["criteria"][0]
    working = criterion["inputs"][0]["computed"]
    assert working[0] == "完成率: 实际降低率 ÷ 目标降低率 = 3.8% ÷ 4% = 95%"
    assert working[1] == f"  实际降低率 = 3.8% ← {evidence_path}:3:2"
    assert working[2] == f"  目标降低率 = 4% ← {evidence_path}:3:3"
    condition = document["conditions"][0]
    assert (condition["id"], condition["kind"], condition["set"]) == ("否决.节能", "veto", True)
    assert condition["working"][0] == "否决.节能: 完成率 < 100% = 95% < 100% = 是"
    tree = _kaohe("explain", scheme_path, evidence_path, "--unit", "乙县")
    assert "一票否决 否决.节能(只要未达到年度计划确定的目标值即为未完成等级): 成立" in tree.stdout
    tree = _kaohe("explain", scheme_path, evidence_path, "--unit", "甲县", "--item", "2.1")
    assert "高于平均: 完成率 > mean_of(完成率) = 125% > ≈106.67% = 是" in tree.stdout, tree.stdout
    assert "mean_of(完成率): 全部 3 个单位 完成率 平均 ≈106.67%" in tree.stdout
    assert f"值: 125% ← {evidence_path}:2:2; " in tree.stdout  # the cells the value was worked out from


def test_a_zero_target_is_an_error_at_its_cell(tmp_path: Path) -> None:
    scheme_path, evidence_path = _files(tmp_path, evidence="单位,实际降低率,目标降低率\n甲县,5%,4%\n乙县,3%,0%\n丙县,4%,4%\n")
    run = _kaohe("score", scheme_path, evidence_path, "-o", tmp_path / "out.xlsx")
    assert run.returncode == 1
    assert f"{evidence_path}:3:3: 错误: 乙县 的 完成率: 除数 目标降低率 为 0" in run.stderr
    assert not (tmp_path / "out.xlsx").exists()


def test_evidence_for_a_computed_value_is_refused(tmp_path: Path) -> None:
    scheme_path, evidence_path = _files(tmp_path, evidence="单位,实际降低率,目标降低率,完成率\n甲县,5%,4%,125%\n")
    run = _kaohe("score", scheme_path, evidence_path)
    assert run.returncode == 1
    assert (f"{evidence_path}:2:4: 错误: 完成率 由方案计算,证据中不应填写;请填写它所依据的: 实际降低率、目标降低率"
            in run.stderr), run.stderr


@pytest.mark.parametrize(("change", "into", "at", "message"), [
    # A misspelt name: at the name, with the nearest valid one.
    ("实际降低率 / 目标降低率,", "实际降低率 / 目标降低,", "目标降低,", '错误: 名称 "目标降低" 未定义;最接近的是: 目标降低率'),
    # A value that reads itself through another.
    ("完成率 > mean_of(完成率)}", "完成率 > mean_of(完成率) + 高于平均}", "完成率 > mean_of", "错误: 计算值循环引用: 高于平均 → 高于平均"),
    # A condition that is a number.
    ("when: 完成率 < 100%}", "when: 完成率 * 2}", "完成率 * 2", "错误: 条件的结果应为是/否,得到 number"),
    # A met rule bound to a rate.
    ("of: 高于平均", "of: 完成率\n            rule: {kind: met}\n          - id: x\n            text: x\n            of: 高于平均",
     "完成率\n            rule: {kind: met}", "错误: 完成率 是 rate,本规则的输入需要 bool"),
    # Grammar: a doubled operator, a character that is not in the language.
    ("实际降低率 / 目标降低率,", "实际降低率 // 目标降低率,", "/ 目标降低率,", '错误: 此处应为数值、名称或括号,得到 "/"'),
    ("实际降低率 / 目标降低率,", "实际降低率 ^ 2,", "^ 2,", '错误: 表达式中不能使用字符 "^"'),
])
def test_validate_locates_every_mistake_in_names_and_kinds(tmp_path: Path, change: str, into: str, at: str,
                                                           message: str) -> None:
    assert change in ENERGY
    text = ENERGY.replace(change, into, 1)
    before = text[:text.index(at)]  # the mistake's place, counted in the test's own text
    line, col = before.count("\n") + 1, len(before) - before.rfind("\n")
    scheme_path, _ = _files(tmp_path, text)
    run = _kaohe("validate", scheme_path)
    assert run.returncode == 1
    assert f"{scheme_path}:{line}:{col}: {message}" in run.stderr, run.stderr


GROUPED = """\
id: grouped
title: 分组
full_score: 10
units: [{name: 甲}, {name: 乙}]
sections:
  - id: "1"
    title: 一
    points: 10
    items:
      - id: "1.1"
        title: 资料
        points: 10
        base: full
        criteria:
          - id: 1.1.1
            text: 台账缺1项扣1分
            points: 5
            effect: deduct
            rule: {kind: per_count, per: 1}
          - id: 3.2.g
            title: 以下两项共扣不超过2.5分
            points: 5
            deduct_limit: 2.5
            criteria:
              - {id: 1.1.2, text: 每次扣0.5分, effect: deduct, rule: {kind: per_count, per: 0.5}}
              - {id: 1.1.3, text: 每次扣1分, effect: deduct, rule: {kind: per_count, per: 1}}
"""


def test_a_group_shares_one_deduction_limit(tmp_path: Path) -> None:
    scheme_path, evidence_path = _files(tmp_path, GROUPED, "单位,1.1.1,1.1.2,1.1.3\n甲,1,4,3\n乙,0,1,1\n")
    loaded = load_scheme(scheme_path)
    units = {u.unit: u for u in score(loaded.scheme, read_evidence([evidence_path], loaded.scheme)).units}
    # 甲: the group's own deductions 4 × 0.5 + 3 × 1 = 5 → 共扣不超过2.5 → 2.5; with 1.1.1's 1 the item
    #   (10, base full) loses 1 + 2.5 = 3.5 → 6.5.
    # 乙: group 0.5 + 1 = 1.5 (under the limit) → 10 − 0 − 1.5 = 8.5.
    assert units["甲"].items["3.2.g"].deducted == 2.5
    assert units["甲"].total == 6.5 and units["乙"].total == 8.5


STANDARD = """\
id: standard
title: 标准化
full_score: 100
normalise_to: 100
units: [{name: 甲}, {name: 乙}]
sections:
  - id: "1"
    title: 一
    points: 100
    items:
      - id: "1.1"
        title: 风险
        points: 60
        criteria:
          - {id: 1.1.1, text: 建立得40分, points: 40, na: true, rule: {kind: met}}
          - {id: 1.1.2, text: 落实得20分, points: 20, na: true, rule: {kind: met}}
      - id: "1.2"
        title: 边坡
        points: 40
        criteria:
          - {id: 1.2.1, text: 监测得40分, points: 40, na: true, rule: {kind: met}}
"""


def test_not_applicable_points_are_left_out_and_the_total_converted(tmp_path: Path) -> None:
    scheme_path, evidence_path = _files(tmp_path, STANDARD, "单位,1.1.1,1.1.2,1.2.1\n甲,是,否,不适用\n乙,是,是,是\n")
    loaded = load_scheme(scheme_path)
    assert check_scheme(loaded) == []
    units = {u.unit: u for u in score(loaded.scheme, read_evidence([evidence_path], loaded.scheme)).units}
    # 甲: 实得 40 (1.1.1), 1.2.1 缺项: 应得 100 − 40 = 60 → 40 ÷ 60 × 100 = 200/3 ≈ 66.67.
    # 乙: everything applies: 100 ÷ 100 × 100 = 100.
    assert (units["甲"].earned, units["甲"].applicable) == (40, 60)
    assert str(units["甲"].total) == "200/3"
    assert units["乙"].total == 100
    run = _kaohe("explain", scheme_path, evidence_path, "--unit", "甲")
    assert "折算: 实得 40 ÷ 应得 60 × 100 = ≈66.67" in run.stdout, run.stdout
    assert "不适用(缺项),不计入应得分" in run.stdout


def test_not_applicable_is_refused_where_the_scheme_does_not_allow_it(tmp_path: Path) -> None:
    scheme_path, evidence_path = _files(tmp_path, STANDARD.replace(", na: true", ""),
                                        "单位,1.1.1,1.1.2,1.2.1\n甲,是,否,不适用\n")
    run = _kaohe("score", scheme_path, evidence_path)
    assert run.returncode == 1
    assert f"{evidence_path}:2:4: 错误: 1.2.1 的值 '不适用' 无效: 本条不允许填写\"不适用\"" in run.stderr


def test_validate_passes_the_new_forms() -> None:
    from conftest import SCHEMES

    assert all(check_scheme(load_scheme(p)) == [] for p in sorted(SCHEMES.glob("*.yaml")))


def test_a_check_on_the_figures_is_an_evidence_error(tmp_path: Path) -> None:
    # 基本药物制度考核评分标准 备注3: 门诊输液治疗比例 = 输液处方数 ÷ 门诊处方数: more infusions than
    # prescriptions is a typing mistake, not a rate of 116.67%.
    scheme = ENERGY.replace("values:\n", "checks:\n  - {when: 实际降低率 <= 目标降低率 * 3, text: 实际降低率不应超过目标的3倍}\nvalues:\n", 1)
    scheme_path, evidence_path = _files(tmp_path, scheme, "单位,实际降低率,目标降低率\n甲县,13%,4%\n乙县,3.8%,4%\n丙县,4%,4%\n")
    run = _kaohe("score", scheme_path, evidence_path)
    assert run.returncode == 1
    assert (f"{evidence_path}:2:2: 错误: 甲县: 实际降低率不应超过目标的3倍(应满足 实际降低率 <= 目标降低率 * 3,"
            f"实际 13% ≤ 4% × 3 = 否)") in run.stderr, run.stderr


LOGIC = """\
id: logic
title: t
full_score: 7
units: [{name: 甲}, {name: 乙}, {name: 丙}]
inputs:
  - {id: 露天, type: bool}
  - {id: 人数, type: count}
  - {id: 等级, type: level, choices: [省一级, 省二级]}
values:
  - {id: 达标, expr: "露天 or 人数 <= 1000", type: bool}
  - {id: 超员, expr: "not 露天 and 人数 > 1000", type: bool}
  - {id: 省一级井工, expr: "等级 == \\"省一级\\" and not 露天", type: bool}
sections:
  - id: "1"
    title: t
    points: 7
    items:
      - id: "1.1"
        title: t
        points: 7
        criteria:
          - {id: 1.1.1, text: 达标得4分, points: 4, of: 达标, rule: {kind: met}}
          - {id: 1.1.2, text: 超员得2分, points: 2, of: 超员, rule: {kind: met}}
          - {id: 1.1.3, text: 省一级井工得1分, points: 1, of: 省一级井工, rule: {kind: met}}
"""


def test_a_condition_the_known_values_decide_is_not_missing(tmp_path: Path) -> None:
    # 甲 露天 with no 人数: 达标 = 是 or ? = 是 (10 points), 超员 = not 是 and ? = 否. 乙 not 露天, no
    # 人数: 达标 = 否 or ? and 超员 = 是 and ? are both undecided: missing. 丙 gives all: 否 or 900 ≤ 1000.
    scheme_path = tmp_path / "s.yaml"
    scheme_path.write_text(LOGIC, encoding="utf-8")
    loaded = load_scheme(scheme_path)
    assert [str(p) for p in check_scheme(loaded)] == []
    evidence = tmp_path / "e.csv"
    evidence.write_text("单位,露天,人数,等级\n甲,是,,省一级\n乙,否,,省二级\n丙,否,900,省一级\n", encoding="utf-8")
    scored = score(loaded.scheme, read_evidence([evidence], loaded.scheme))
    points = {u.unit: {c.criterion.id: c.points for c in u.criteria} for u in scored.units}
    # 甲: 达标 是 (4), 超员 否 (0), 省一级井工 = 省一级 and not 是 = 否 (0).
    assert points["甲"] == {"1.1.1": 4, "1.1.2": 0, "1.1.3": 0}
    # 乙: 达标 and 超员 undecided (0; the missing 人数 reported); 省一级井工 = (省二级 == 省一级) and … = 否.
    assert points["乙"] == {"1.1.1": 0, "1.1.2": 0, "1.1.3": 0}
    assert [m.input_id for m in scored.missing if m.unit == "乙"] == ["人数"]
    assert not [m for m in scored.missing if m.unit == "甲"]  # 甲's 人数 decides nothing: not asked for
    # 丙: 达标 否 or 900 ≤ 1000 = 是 (4), 超员 是 and 900 > 1000 = 否 (0), 省一级井工 是 (1).
    assert points["丙"] == {"1.1.1": 4, "1.1.2": 0, "1.1.3": 1}


def test_a_quoted_level_must_be_one_of_its_choices(tmp_path: Path) -> None:
    scheme_path = tmp_path / "s.yaml"
    scheme_path.write_text(LOGIC.replace('等级 == \\"省一级\\"', '等级 == \\"省三级\\"'), encoding="utf-8")
    found = [str(p) for p in check_scheme(load_scheme(scheme_path))]
    assert any('"省三级" 不是该档次的取值(有: 省一级、省二级)' in f for f in found), found
    scheme_path.write_text(LOGIC.replace('等级 == \\"省一级\\"', '人数 == \\"省一级\\"'), encoding="utf-8")
    found = [str(p) for p in check_scheme(load_scheme(scheme_path))]
    assert any('文字 "省一级" 只能与档次比较' in f for f in found), found

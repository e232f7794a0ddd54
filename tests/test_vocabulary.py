"""Scheme features beyond earned points, each on a small scheme with the working beside it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from kaohe.engine import score
from kaohe.evidence import read_evidence
from kaohe.scheme.checks import check_scheme
from kaohe.scheme.load import load_scheme

D = Decimal


def _run(tmp_path: Path, scheme: str, evidence: str) -> dict[str, object]:
    (tmp_path / "s.yaml").write_text(scheme, encoding="utf-8")
    (tmp_path / "e.csv").write_text(evidence, encoding="utf-8")
    loaded = load_scheme(tmp_path / "s.yaml")
    assert [str(p) for p in check_scheme(loaded)] == []
    found = read_evidence([tmp_path / "e.csv"], loaded.scheme)
    assert [str(p) for p in found.problems] == []
    return {u.unit: u for u in score(loaded.scheme, found).units}


def _findings(tmp_path: Path, scheme: str) -> list[str]:
    (tmp_path / "s.yaml").write_text(scheme, encoding="utf-8")
    return [str(p).split(": ", 1)[1] for p in check_scheme(load_scheme(tmp_path / "s.yaml"))]


# 经信委 2016 style: "考核评分以相应分值为基础…加分不封顶,扣分以本项目分值为限,扣完为止".
FULL_BASE = """\
id: t
title: 测试
full_score: 20
units: [{name: 甲}, {name: 乙}]
sections:
  - id: "1"
    title: 业务工作
    points: 20
    base: full
    items:
      - id: "1.1"
        title: 完成年度目标任务
        criteria:
          - {id: 1.1.1, text: 每少报一次扣0.2分, effect: deduct, rule: {kind: per_count, per: 0.2}}
          - {id: 1.1.2, text: 完成不好的扣1-5分, effect: deduct, rule: {kind: judged, min: 0, max: 5}}
      - id: "1.2"
        title: 积极开展工作调研
        criteria:
          - {id: 1.2.1, text: 得到市领导批示的加1分, effect: bonus, rule: {kind: per_count, per: 1}}
"""


def test_full_base_deductions_limited_bonus_uncapped(tmp_path: Path) -> None:
    units = _run(tmp_path, FULL_BASE, "单位,1.1.1,1.1.2,1.2.1\n甲,3,2,4\n乙,10,5,0\n")
    # 甲: 20 − (3×0.2 + 2) = 17.4, + 4×1 bonus (加分不封顶) = 21.4: above the section's 20.
    assert units["甲"].sections["1"].points == D("21.4") and units["甲"].total == D("21.4")
    # 乙: deductions 10×0.2 + 5 = 7 → 20 − 7 = 13.
    assert units["乙"].total == D(13)


def test_deductions_stop_at_the_sections_points(tmp_path: Path) -> None:
    units = _run(tmp_path, FULL_BASE, "单位,1.1.1,1.1.2,1.2.1\n甲,100,5,1\n乙,0,0,0\n")
    # 甲: 100×0.2 + 5 = 25 to deduct, limited to the 20 points (扣完为止) → 0, then +1 bonus = 1.
    assert units["甲"].sections["1"].deducted == D(20) and units["甲"].total == D(1)
    assert units["乙"].total == D(20)


CATEGORIES = """\
id: t
title: 测试
full_score: 20
categories: [{id: 业务部门}, {id: 综合部门}]
units: [{name: 综合处, category: 综合部门}, {name: 运行处, category: 业务部门}]
sections:
  - id: "4"
    title: 综合测评
    points: 20
    items:
      - id: "4.1"
        title: 民主测评
        points: 10
        categories: [业务部门]
        criteria:
          - {id: 4.1.1, text: 本项10分, points: 10, rule: {kind: judged}}
      - id: "4.1b"
        title: 民主测评(综合部门)
        points: 20
        categories: [综合部门]
        criteria:
          - {id: 4.1b.1, text: 本项20分, points: 20, rule: {kind: judged}}
      - id: "4.2"
        title: 作风评议
        points: 10
        categories: [业务部门]
        criteria:
          - {id: 4.2.1, text: 本项10分, points: 10, rule: {kind: judged}}
"""


def test_categories_choose_the_items_a_unit_has(tmp_path: Path) -> None:
    units = _run(tmp_path, CATEGORIES, "单位,4.1.1,4.1b.1,4.2.1\n综合处,,18,\n运行处,9,,8.5\n")
    # 综合处 (综合部门): only 4.1b, 18 of 20. 运行处 (业务部门): 9 + 8.5 = 17.5; nothing missing.
    assert units["综合处"].total == D(18) and units["运行处"].total == D("17.5")
    assert set(units["综合处"].items) == {"4.1b"}


def test_every_unit_needs_a_declared_category(tmp_path: Path) -> None:
    text = CATEGORIES.replace("{name: 运行处, category: 业务部门}", "{name: 运行处}")
    assert "错误: 单位 \"运行处\" 的类别 - 无效: 每个单位须属于且只属于一个已声明的类别(业务部门、综合部门)" in _findings(tmp_path, text)


TASKS = """\
id: t
title: 测试
full_score: 10
units: [{name: 办公室}, {name: 财务处}]
flags:
  - {id: 否决, kind: veto, text: 出现严重违纪违法被上级查处的}
  - {id: 弄虚作假, kind: falsification, text: '扣除该项目所有得分,并取消当年评优资格'}
sections:
  - id: "1"
    title: 责任清单工作
    points: 10
    tasks:
      办公室:
        - id: 1.办公室.1
          title: 公文办理
          points: 10
          base: full
          criteria:
            - {id: 1.办公室.1.1, text: '每次扣0.1分,累计扣分不超过2.5分', effect: deduct, rule: {kind: per_count, per: 0.1, cap: 2.5}}
      财务处:
        - id: 1.财务处.1
          title: 预算执行
          points: 6
          criteria:
            - {id: 1.财务处.1.1, text: 达到得6分, points: 6, rule: {kind: met}}
        - id: 1.财务处.2
          title: 决算
          points: 4
          criteria:
            - {id: 1.财务处.2.1, text: 达到得4分, points: 4, rule: {kind: met}}
  - id: "2"
    title: 扣分
    kind: deduction
    items:
      - id: "2.1"
        title: 通报批评
        criteria:
          - id: 2.1.1
            text: '主要责任每次扣减5分,次要责任每次扣减2.5分'
            rule:
              kind: events
              attributes: [责任]
              table: [{when: {责任: 主要}, points: 5}, {when: {责任: 次要}, points: 2.5}]
"""


def test_task_lists_flags_and_deduction_events(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text(
        "单位,指标,值,责任\n"
        "办公室,1.办公室.1.1,30,\n"     # 30 × 0.1 = 3, but 累计不超过2.5 → 10 − 2.5 = 7.5
        "办公室,2.1.1,,次要\n"           # one 次要 criticism: −2.5 → total 5
        "财务处,1.财务处.1.1,是,\n"
        "财务处,1.财务处.2.1,是,\n"      # 6 + 4 = 10
        "财务处,弄虚作假,1.财务处.2,\n"  # 1.财务处.2 falsified → its 4 points removed → 6
        "财务处,否决,是,\n",
        encoding="utf-8",
    )
    (tmp_path / "s.yaml").write_text(TASKS, encoding="utf-8")
    loaded = load_scheme(tmp_path / "s.yaml")
    assert [str(p) for p in check_scheme(loaded)] == []
    found = read_evidence([tmp_path / "rows.csv"], loaded.scheme)
    assert [str(p) for p in found.problems] == []
    units = {u.unit: u for u in score(loaded.scheme, found).units}
    office, finance = units["办公室"], units["财务处"]
    assert office.base == D("7.5") and office.deduction == D("2.5") and office.total == D(5)
    assert not office.barred
    assert finance.items["1.财务处.2"].points == 0 and finance.total == D(6)
    assert finance.vetoed == ("否决",) and finance.falsified == ("1.财务处.2",) and finance.barred


def test_each_units_task_list_must_add_up(tmp_path: Path) -> None:
    text = TASKS.replace("          points: 6\n", "          points: 5\n")
    assert "错误: 财务处 在第 1 部分的责任清单合计 9 分,与本部分 10 分不符" in _findings(tmp_path, text)


WEIGHTED = """\
id: t
title: 测试
full_score: 100
units: [{name: 甲}]
sections:
  - {id: "1", title: 集中考核, points: 100, weight: 20%, items: [{id: "1.1", title: 集中考核, points: 100, criteria: [{id: 1.1.1, text: 集中考核, points: 100, rule: {kind: judged}}]}]}
  - {id: "2", title: 平时监控, points: 100, weight: 30%, items: [{id: "2.1", title: 平时监控, points: 100, criteria: [{id: 2.1.1, text: 平时监控, points: 100, rule: {kind: judged}}]}]}
  - {id: "3", title: 社会评价, points: 100, weight: 50%, items: [{id: "3.1", title: 社会评价, points: 100, criteria: [{id: 3.1.1, text: 社会评价, points: 100, rule: {kind: judged}}]}]}
"""


def test_weighted_parts(tmp_path: Path) -> None:
    units = _run(tmp_path, WEIGHTED, "单位,1.1.1,2.1.1,3.1.1\n甲,90,80,70\n")
    # 90×20% + 80×30% + 70×50% = 18 + 24 + 35 = 77.
    assert units["甲"].total == D(77)


def test_weights_must_add_to_100_percent(tmp_path: Path) -> None:
    assert "错误: 权重合计 90%,应为 100%" in _findings(tmp_path, WEIGHTED.replace("weight: 50%", "weight: 40%"))


MONEY = """\
id: t
title: 宣传工作
unit: 元
units: [{name: 办公室}]
sections:
  - id: "1"
    title: 奖励
    kind: bonus
    items:
      - id: "1.1"
        title: 采稿奖励
        criteria:
          - id: 1.1.1
            text: '一條信息多處錄用,以錄用的最高級別進行獎勵'
            rule:
              kind: events
              attributes: [级别, 信息]
              table: [{when: {级别: 区级}, points: 50}, {when: {级别: 省级}, points: 200}]
              best_of: 信息
  - id: "2"
    title: 扣减
    kind: deduction
    items:
      - id: "2.1"
        title: 少报
        criteria:
          - {id: 2.1.1, text: 每少完成1篇报送任务扣工作目标奖50元, rule: {kind: per_count, per: 50, unit: 篇}}
"""


def test_money_schemes_reward_best_level_and_deduct(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(MONEY, encoding="utf-8")
    (tmp_path / "e.csv").write_text(
        "单位,指标,值,级别,信息\n办公室,1.1.1,,区级,A\n办公室,1.1.1,,省级,A\n办公室,1.1.1,,区级,B\n办公室,2.1.1,3,,\n",
        encoding="utf-8")
    loaded = load_scheme(tmp_path / "s.yaml")
    assert [str(p) for p in check_scheme(loaded)] == []
    found = read_evidence([tmp_path / "e.csv"], loaded.scheme)
    assert [str(p) for p in found.problems] == []
    [office] = score(loaded.scheme, found).units
    # Rewards: A used twice, best 省级 200; B 区级 50 → 250 元. Deductions: 3 × 50 = 150 元. Net 100 元.
    assert (office.bonus, office.deduction, office.total) == (D(250), D(150), D(100))


def test_full_width_unit_names_in_the_scheme_match_evidence(tmp_path: Path) -> None:
    # The document writes 机关党委（机关纪委）; a CSV typed with full-width brackets, or with
    # ASCII ones, names the same unit.
    scheme = CATEGORIES.replace("{name: 综合处, category: 综合部门}", "{name: 机关党委（机关纪委）, category: 综合部门}")
    units = _run(tmp_path, scheme, "单位,4.1.1,4.1b.1,4.2.1\n机关党委(机关纪委),,18,\n运行处,9,,8.5\n")
    assert units["机关党委(机关纪委)"].total == D(18)


QUARTERLY = """\
id: t
title: 基础管理工作考评
period: quarterly
periods: {names: [一季度, 二季度, 三季度, 四季度], combine: mean}
full_score: 100
units: [{name: 谯城区}, {name: 涡阳县}]
sections:
  - id: "1"
    title: 基础管理
    points: 100
    items:
      - id: "1.1"
        title: 考评得分
        points: 100
        criteria: [{id: 1.1.1, text: 每季度考评一次, points: 100, rule: {kind: judged}}]
"""


def test_quarterly_scores_combine_into_the_year(tmp_path: Path) -> None:
    evidence = ("单位,期间,1.1.1\n谯城区,一季度,90\n谯城区,二季度,85\n谯城区,三季度,92.5\n谯城区,四季度,88\n"
                "涡阳县,一季度,80\n涡阳县,二季度,80\n涡阳县,三季度,80\n涡阳县,四季度,81\n")
    units = _run(tmp_path, QUARTERLY, evidence)
    # 谯城区: (90 + 85 + 92.5 + 88) / 4 = 355.5 / 4 = 88.875; 涡阳县: 321 / 4 = 80.25.
    assert units["谯城区"].total == D("88.875") and units["涡阳县"].total == D("80.25")
    assert dict((name, r.total) for name, r in units["谯城区"].periods)["三季度"] == D("92.5")


def test_weighted_periods_and_their_check(tmp_path: Path) -> None:
    scheme = QUARTERLY.replace("combine: mean}", "combine: weighted, weights: {一季度: 10%, 二季度: 20%, 三季度: 30%, 四季度: 40%}}")
    evidence = ("单位,期间,1.1.1\n谯城区,一季度,90\n谯城区,二季度,85\n谯城区,三季度,92.5\n谯城区,四季度,88\n"
                "涡阳县,一季度,80\n涡阳县,二季度,80\n涡阳县,三季度,80\n涡阳县,四季度,81\n")
    units = _run(tmp_path, scheme, evidence)
    # 谯城区: 9 + 17 + 27.75 + 35.2 = 88.95; 涡阳县: 8 + 16 + 24 + 32.4 = 80.4.
    assert units["谯城区"].total == D("88.95") and units["涡阳县"].total == D("80.4")
    bad = scheme.replace("四季度: 40%", "四季度: 30%")
    assert "错误: 按期间加权合并需要为每个期间给出权重,合计 100%" in _findings(tmp_path, bad)


def test_rows_need_a_known_period(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(QUARTERLY, encoding="utf-8")
    (tmp_path / "e.csv").write_text("单位,期间,1.1.1\n谯城区,五季度,90\n谯城区,,80\n", encoding="utf-8")
    loaded = load_scheme(tmp_path / "s.yaml")
    problems = [str(p).split(": ", 1)[1] for p in read_evidence([tmp_path / "e.csv"], loaded.scheme).problems]
    assert problems == ["错误: 期间 \"五季度\" 不是本方案的期间(一季度、二季度、三季度、四季度)",
                        "错误: 本方案分期考核,这一行缺少期间(期间列应为: 一季度、二季度、三季度、四季度)"]


def test_template_for_periods_has_a_row_per_unit_and_period(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from kaohe.report.template import write_template

    (tmp_path / "s.yaml").write_text(QUARTERLY, encoding="utf-8")
    loaded = load_scheme(tmp_path / "s.yaml")
    write_template(loaded.scheme, tmp_path / "t.xlsx")
    book = load_workbook(tmp_path / "t.xlsx")
    sheet = book["证据"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))  # title, header, 评分标准, then the units
    assert [r[:2] for r in rows][:5] == [("谯城区", "一季度"), ("谯城区", "二季度"), ("谯城区", "三季度"),
                                         ("谯城区", "四季度"), ("涡阳县", "一季度")]
    for r in range(4, 12):  # fill every quarter with 80: the year is 80 for both
        sheet.cell(row=r, column=3).value = 80
    book.save(tmp_path / "filled.xlsx")
    found = read_evidence([tmp_path / "filled.xlsx"], loaded.scheme)
    assert [str(p) for p in found.problems] == []
    assert {u.unit: u.total for u in score(loaded.scheme, found).units} == {"谯城区": D(80), "涡阳县": D(80)}


TARGET = """\
id: target
title: 縣區安全生產目標考評
full_score: 100
units: [{name: 譙城區}, {name: 渦陽縣}, {name: 蒙城縣}, {name: 利辛縣}]
sections:
  - id: "1"
    title: 基礎管理工作
    points: 20
    items:
      - id: "1.1"
        title: 基礎管理工作考評結果
        points: 20
        criteria:
          - id: 1.1.1
            text: 全年綜合分值按20%加權計入縣區安全生產目標考評分
            points: 20
            rule: {kind: judged, scale: 100, from_scheme: bozhou-safety-2009}
  - id: "2"
    title: 其他
    points: 80
    items:
      - id: "2.1"
        title: 其他目標
        points: 80
        criteria: [{id: 2.1.1, text: 其他目標, points: 80, rule: {kind: judged}}]
"""


def test_one_schemes_result_weighted_into_another(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from conftest import EXAMPLES, SCHEMES
    from kaohe.cli import build_app

    results = tmp_path / "bozhou.json"
    run = CliRunner().invoke(build_app(), ["score", str(SCHEMES / "bozhou-safety-2009.yaml"),
                                           str(EXAMPLES / "bozhou-safety-2009" / "evidence.csv"), "-o", str(results)])
    assert run.exit_code == 0, run.output
    (tmp_path / "t.yaml").write_text(TARGET, encoding="utf-8")
    (tmp_path / "rest.csv").write_text("单位,2.1.1\n譙城區,70\n渦陽縣,70\n蒙城縣,70\n利辛縣,70\n", encoding="utf-8")
    loaded = load_scheme(tmp_path / "t.yaml")
    assert [str(p) for p in check_scheme(loaded)] == []
    found = read_evidence([results, tmp_path / "rest.csv"], loaded.scheme)
    assert [str(p) for p in found.problems] == []
    units = {u.unit: u for u in score(loaded.scheme, found).units}
    # examples/bozhou-safety-2009/expected.yaml: 譙城區 92.5, 利辛縣 100 → ×20% = 18.5 and 20; +70 each.
    assert units["譙城區"].total == D("88.5") and units["利辛縣"].total == D(90)
    assert str(units["譙城區"].criteria[0].inputs[0].location) == f"{results}!units[1]!total"

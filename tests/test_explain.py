"""`kaohe explain` for one unit of every bundled example, checked against the hand working.

Each fact below is taken from the example's expected.yaml `why`, which works the document's rule
by hand; the test checks the explanation tree reports the same number, traced to its source.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, SCHEMES
from kaohe.cli import build_app

FACTS = [
    # scheme, unit, total, criterion, points, why (from the example's hand working)
    ("changzhou-2018", "溧阳市", "119.5", "1.1.1", "2", "3次×1分=3 > 最高得2分 → 2"),
    ("changzhou-eic-2016", "办公室", "105.6", "1.2.4", "2", "省级刊物 1200字 ≥ 1000, 不减半 → 加2"),
    ("xuzhou-stats-2017", "豐縣", "84", "1.6.1", "2", "40% is not 低于40%: 5 × 40% = 2"),
    ("xiangdong-publicity", "社救局", "560", "1.1.1", "660", "最高级别 200 + 400 + 60 = 660 元"),
    ("shaoxing-2022", "办公室", "92.5", "1.办公室.1.2", "1.5", "酌情扣分 judged 1.5"),
    ("tongshun-efficiency", "区行政服务中心", "91.9", "1.1.1", "92", "集中考核 92 (× 20% in the total)"),
    ("bozhou-safety-2009", "譙城區", "92.5", "1.1.1", "92.5", "the quarter's 評分表 score 92.5"),
    ("linxi-learning", "辦公室", "95", "1.1.1", "25", "judged 25 = the part's 25"),
    ("hubei-archives-2011", "某縣財政局", "90", "1.1.1", "90", "judged 90 on the 百分制 考評表"),
    ("anhui-efficiency-2012", "省委组织部", "950.5", "1.1.1.1", "30", "省委办公厅 supplies 30 of 30"),
    ("changqiao-efficiency-2014", "机关党委", "93", "1.1.1", "46", "民主测评 46"),
    ("energy-target-counties", "甲县", "90", "1.1.2", "9", "完成率 130%: 3 whole steps of 10% × 3 = 9, at most 9"),
    ("jinhua-industry-2011", "义乌市", "48.5", "1.2.4", "3", "规上总产值 above 500亿: 3 whole 100亿 steps → 3"),
    ("basic-drugs-clinics", "石岭镇卫生院", "4", "5.15.1", "-5", "4 drugs × 5 off 15 → −5, 可出现负分"),
    ("coal-mine-risk-2017", "南山露天煤矿", "90", "3.3.1", "4",
     "未跟踪或未及时整改 1处 × 2 → 6 − 2 = 4; 实得 63 ÷ 应得 70 × 100 = 90"),
]


def test_every_bundled_scheme_has_an_explain_fact() -> None:
    assert {f[0] for f in FACTS} == {p.stem for p in SCHEMES.glob("*.yaml")}


@pytest.mark.parametrize("scheme,unit,total,criterion,points,why", FACTS, ids=[f[0] for f in FACTS])
def test_explain_matches_the_hand_working(scheme: str, unit: str, total: str, criterion: str, points: str,
                                          why: str) -> None:
    evidence = EXAMPLES / scheme / "evidence.xlsx"
    args = ["explain", str(SCHEMES / f"{scheme}.yaml"), str(evidence), "--unit", unit]
    result = CliRunner().invoke(build_app(), [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["total"] == total, why
    found = [c for s in doc["sections"] for i in s["items"] for c in i["criteria"] if c["id"] == criterion]
    assert [c["points"] for c in found] == [points], why
    sources = [i["source"] for c in found for i in c["inputs"] if i["source"]]
    assert sources and all(s.startswith(str(evidence)) for s in sources)
    tree = CliRunner().invoke(build_app(), [*args, "--item", criterion])
    assert tree.exit_code == 0 and criterion in tree.stdout and "→" in tree.stdout


def test_explain_names_the_cell_and_the_cap() -> None:
    result = CliRunner().invoke(build_app(), ["explain", str(SCHEMES / "changzhou-2018.yaml"),
                                              str(EXAMPLES / "changzhou-2018" / "evidence.csv"), "--unit", "溧阳市",
                                              "--item", "1.1.1"])
    assert result.exit_code == 0
    assert f"值: 3 ← {EXAMPLES / 'changzhou-2018' / 'evidence.csv'}:2:2" in result.stdout
    assert "3次×1分=3分,封顶2分 → 2分" in result.stdout and "名次 1" in result.stdout


def test_explain_unknown_unit_or_id_is_a_usage_error() -> None:
    base = ["explain", str(SCHEMES / "changzhou-2018.yaml"), str(EXAMPLES / "changzhou-2018" / "evidence.csv")]
    assert CliRunner().invoke(build_app(), [*base, "--unit", "无此单位"]).exit_code == 2
    assert CliRunner().invoke(build_app(), [*base, "--unit", "溧阳市", "--item", "9.9"]).exit_code == 2


_COUNTED = """\
id: t
title: 安全生产考核(节选)
year: 2016
full_score: 60
units: [{name: 甲村}]
values:
  - id: 死亡2人以上事故数
    title: 一次死亡2人及以上的事故起数
    count: 1.1.1
    when: {死亡人数: {ge: 2}}
flags:
  - id: 否决.死亡
    kind: veto
    text: 一次死亡2人及以上实行一票否决
    when: 死亡2人以上事故数 > 0
sections:
  - id: "1"
    title: 安全生产事故
    points: 60
    base: full
    items:
      - id: "1.1"
        title: 伤亡事故
        criteria:
          - id: 1.1.1
            text: 死亡1人扣30分/次;一次死亡2人及以上实行一票否决
            effect: deduct
            rule:
              kind: events
              unit: 次
              attributes: [死亡人数]
              table:
                - {when: {死亡人数: 1}, points: 30}
                - {when: {死亡人数: {ge: 2}}, points: 0}
"""


def test_a_counted_value_tells_its_condition_as_a_person_reads_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 柳池乡 2016: two accidents of 甲村, one death and then three: 30 off for the first, and the
    # second (死亡人数 3 ≥ 2) is counted by the value, which sets the veto
    scheme = tmp_path / "s.yaml"
    scheme.write_text(_COUNTED, encoding="utf-8")
    evidence = tmp_path / "e.csv"
    evidence.write_text("单位,指标,值,死亡人数\n甲村,1.1.1,,1\n甲村,1.1.1,,3\n", encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["explain", str(scheme), str(evidence), "--unit", "甲村"])
    assert result.exit_code == 0, result.output
    assert "1.1.1 共 2 行,符合条件(死亡人数≥2)的 1 行: 3 → 1" in result.output
    assert "规则: [扣分] 按事项计分: 死亡人数=1扣30分;死亡人数≥2扣0分" in result.output
    assert "Decimal" not in result.output and "None" not in result.output
    # 乙村 has no row of 1.1.1: its value is none, not an empty text from "证据"
    evidence.write_text("单位,指标,值,死亡人数\n甲村,1.1.1,,1\n", encoding="utf-8")
    scheme.write_text(_COUNTED.replace("units: [{name: 甲村}]", "units: [{name: 甲村}, {name: 乙村}]"), encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["explain", str(scheme), str(evidence), "--unit", "乙村"])
    assert result.exit_code == 0, result.output
    assert "值: 无(证据中没有此项的行)\n" in result.output

"""Outcome rules: ranks with tie-breaks, grades by threshold and quota, awards, most improved.

Each case is worked by hand from the rule it quotes; standings are written out directly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, SCHEMES
from kaohe.cli import build_app
from kaohe.outcomes import Previous, Standing, decide
from kaohe.scheme.models import Scheme

D = Decimal
BASE = {
    "id": "t", "title": "t", "full_score": D(100),
    "sections": [{"id": "1", "title": "t", "points": D(100), "items": [
        {"id": "1.1", "title": "t", "points": D(100), "criteria": [
            {"id": "1.1.1", "text": "t", "points": D(100), "rule": {"kind": "judged"}}]}]}],
}


def _scheme(**extra: object) -> Scheme:
    return Scheme.model_validate({**BASE, **extra})


def _s(unit: str, total: str, **kw: object) -> Standing:
    return Standing(unit, D(total), **kw)  # type: ignore[arg-type]


def _notes(decision) -> list[str]:  # type: ignore[no-untyped-def]
    from kaohe.i18n import t

    return [t(n.key, **n.params) for n in decision.notes]


def test_tie_break_by_a_section_then_shared() -> None:
    scheme = _scheme(ranking={"method": "rank_eq", "tie_break": ["1"]})
    standings = [_s("甲", "90", sections={"1": D(40)}), _s("乙", "90", sections={"1": D(45)}),
                 _s("丙", "90", sections={"1": D(45)}), _s("丁", "80")]
    rows = decide(scheme, standings).rows
    # 乙 and 丙 lead 甲 on section 1 (45 > 40) and still tie with each other: 1, 1, 3, 4.
    assert [(r.standing.unit, r.rank) for r in rows] == [("乙", 1), ("丙", 1), ("甲", 3), ("丁", 4)]


def test_quota_grades_with_a_tie_on_the_boundary() -> None:
    # 徐州: 优秀2-3名、良好3-4名; the rest 合格. 丙 and 丁 tie for 3rd, the last 优秀 place.
    scheme = _scheme(outcomes={"grades": [{"name": "优秀", "count": 3, "min_count": 2},
                                          {"name": "良好", "count": 4, "min_count": 3}],
                               "otherwise": "合格"})
    standings = [_s("甲", "99"), _s("乙", "97"), _s("丙", "95"), _s("丁", "95"), _s("戊", "90"),
                 _s("己", "88"), _s("庚", "85"), _s("辛", "80"), _s("壬", "70")]
    decision = decide(scheme, standings)
    grades = {r.standing.unit: r.grade for r in decision.rows}
    # 优秀: 甲 乙 丙, and 丁 tied with 丙 is taken in too (4 > 3, reported). 良好: the next 4.
    assert [u for u, g in grades.items() if g == "优秀"] == ["甲", "乙", "丙", "丁"]
    assert [u for u, g in grades.items() if g == "良好"] == ["戊", "己", "庚", "辛"]
    assert grades["壬"] == "合格"
    assert any("边界并列: 丙、丁 同为 95" in n for n in _notes(decision))


def test_a_vetoed_unit_inside_a_quota_passes_its_place_on() -> None:
    # 经信委: 前5名 先进处室, 6-10名 表扬, 最后2名 负责人不予评优; 一票否决 "当年不得评为先进".
    scheme = _scheme(outcomes={"awards": [{"name": "先进处室", "first": 1, "last": 5},
                                          {"name": "表扬", "first": 6, "last": 10},
                                          {"name": "负责人不予评优", "bottom": 2}]})
    units = [_s(f"处{i}", str(100 - i)) for i in range(1, 13)]
    units[1] = _s("处2", "98", vetoed=("否决.2",))  # ranked 2nd, vetoed
    decision = decide(scheme, units)
    awards = {r.standing.unit: r.awards for r in decision.rows}
    # Eligible order skips 处2: 先进处室 = 处1,3,4,5,6; 表扬 = 处7..处11; the last two (处11, 处12)
    # are marked whatever their other awards.
    assert [u for u, a in awards.items() if "先进处室" in a] == ["处1", "处3", "处4", "处5", "处6"]
    assert [u for u, a in awards.items() if "表扬" in a] == ["处7", "处8", "处9", "处10", "处11"]
    # The last two are a penalty (处理), told apart from the awards.
    penalties = {r.standing.unit: r.penalties for r in decision.rows}
    assert [u for u, p in penalties.items() if "负责人不予评优" in p] == ["处11", "处12"]
    assert not any("负责人不予评优" in a for a in awards.values())
    assert awards["处2"] == [] and [r.rank for r in decision.rows if r.standing.unit == "处2"] == [2]
    assert "处2 名次在 先进处室 范围内,但被否决或取消资格,名额顺延" in _notes(decision)


def test_threshold_grades_prerequisites_and_step_up() -> None:
    # 湖北: 省一级 ≥90, 省二级 ≥80, 申报必备条件 all met, 逐级晋升.
    scheme = _scheme(flags=[{"id": "必备.1", "kind": "prerequisite", "text": "依法办理了档案登记"}],
                     outcomes={"grades": [{"name": "省一级", "min": D(90)}, {"name": "省二级", "min": D(80)}],
                               "step_up": True, "near_tie": D("0.5")})
    standings = [_s("甲", "95"), _s("乙", "95"), _s("丙", "92", unmet=("必备.1",)), _s("丁", "79.5")]
    previous = {"甲": Previous(3, "省二级"), "乙": Previous(1, None)}
    decision = decide(scheme, standings, previous)
    grades = {r.standing.unit: r.grade for r in decision.rows}
    # 甲 held 省二级 → may rise to 省一级. 乙 held none → only the lowest, 省二级 (逐级晋升).
    # 丙 misses a prerequisite → no grade. 丁 79.5 is 0.5 short of 80: no grade, reported as close.
    assert grades == {"甲": "省一级", "乙": "省二级", "丙": None, "丁": None}
    assert "丁 总分 79.5,距 省二级 分数线 80 很近" in _notes(decision)


def test_most_improved_outside_the_top_with_a_tie() -> None:
    # 经信委: "前10名以外,当年进步最快的5个部门" — here outside the top 2, the 2 fastest risers.
    scheme = _scheme(outcomes={"most_improved": [{"name": "争先进位", "count": 2, "outside_top": 2}]})
    standings = [_s("甲", "99"), _s("乙", "98"), _s("丙", "97"), _s("丁", "96"), _s("戊", "95"), _s("己", "94")]
    previous = {"甲": Previous(1), "乙": Previous(6), "丙": Previous(6), "丁": Previous(7), "戊": Previous(8),
                "己": Previous(5)}
    decision = decide(scheme, standings, previous)
    awarded = [r.standing.unit for r in decision.rows if "争先进位" in r.awards]
    # Now: 丙 3rd (from 6th, +3), 丁 4th (from 7th, +3), 戊 5th (from 8th, +3), 己 6th (from 5th, −1).
    # 乙 rose most (+4) but is in the top 2. Three tie at +3 for 2 places: all three, reported.
    assert awarded == ["丙", "丁", "戊"]
    assert any("边界并列: 丙、丁、戊 同为 +3" in n for n in _notes(decision))
    assert [r.change for r in decision.rows] == [0, 4, 3, 3, 3, -1]


def test_most_improved_without_previous_results_is_not_judged_and_says_so() -> None:
    # No --previous: nobody can be said to have improved, and "0 units" would be a silent zero.
    scheme = _scheme(outcomes={"most_improved": [{"name": "争先进位", "count": 2}, {"name": "进步奖", "count": 1}]})
    decision = decide(scheme, [_s("甲", "99"), _s("乙", "98")])
    assert all(r.awards == [] for r in decision.rows)
    said = [n for n in _notes(decision) if "未提供上次考核结果" in n]
    assert said == ["争先进位、进步奖: 未提供上次考核结果(--previous),无法比较进步,未评出"]  # one line, one cause


def test_barred_grade_caps_a_vetoed_unit() -> None:
    scheme = _scheme(outcomes={"grades": [{"name": "优秀", "min": D(90)}, {"name": "合格", "min": D(60)}],
                               "barred_grade": "合格", "otherwise": "不合格"})
    decision = decide(scheme, [_s("甲", "95", vetoed=("否决",)), _s("乙", "70"), _s("丙", "50")])
    # 甲 reaches 优秀 but is vetoed: capped at 合格; 乙 合格; 丙 below 60: 不合格.
    assert [r.grade for r in decision.rows] == ["合格", "合格", "不合格"]


def test_rank_command_applies_the_bundled_outcome_rules(tmp_path: Path) -> None:
    # examples/changzhou-eic-2016/expected.yaml: 经济运行处 117.45, 信息化推进处 111.5, 综合处 108.7,
    # 办公室 105.6, 组织人事处 = 机关党委 97.9 (both 5th), 法规处 88.3, 节能与综合利用处 82.9,
    # 监察室 74.5 (vetoed), 技术进步处 65.1 (vetoed).
    # 先进处室 前5名: the first five eligible, widened to both units tied on 97.9 (reported).
    # 表扬 6-10名: the units after them not yet awarded. The vetoes bar 先进处室 only ("当年不得评为
    # 先进"), so 监察室 and 技术进步处 (9th and 10th) take 表扬 beside 法规处 and 节能与综合利用处.
    # 最后2名: 监察室 and 技术进步处, vetoed or not, marked as a penalty, not an award.
    out = tmp_path / "rank.json"
    result = CliRunner().invoke(build_app(), ["rank", str(SCHEMES / "changzhou-eic-2016.yaml"),
                                              str(EXAMPLES / "changzhou-eic-2016" / "evidence.xlsx"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    awards = {u["unit"]: u["awards"] for u in doc["units"]}
    assert [u for u, a in awards.items() if a == ["先进处室"]] == ["经济运行处", "信息化推进处", "综合处", "办公室",
                                                                  "组织人事处", "机关党委"]
    assert [u for u, a in awards.items() if a == ["表扬"]] == ["法规处", "节能与综合利用处", "监察室", "技术进步处"]
    penalties = {u["unit"]: u["penalties"] for u in doc["units"]}
    assert penalties["监察室"] == penalties["技术进步处"] == ["负责人原则上不予评优"]
    assert any("组织人事处、机关党委 同为 97.9" in n for n in doc["notes"])
    assert doc["scheme"]["outcomes"]["awards"][0] == {"name": "先进处室", "first": 1, "last": 5}


def test_rank_from_results_refuses_another_schemes_results(tmp_path: Path) -> None:
    scheme = SCHEMES / "changzhou-2018.yaml"
    results = tmp_path / "r.json"
    runner = CliRunner()
    assert runner.invoke(build_app(), ["score", str(scheme), str(EXAMPLES / "changzhou-2018" / "evidence.csv"),
                                       "-o", str(results)]).exit_code == 0
    assert runner.invoke(build_app(), ["rank", str(scheme), str(results)]).exit_code == 0
    edited = tmp_path / "edited.yaml"
    edited.write_text(scheme.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    refused = runner.invoke(build_app(), ["rank", str(edited), str(results)])
    assert refused.exit_code == 1 and "不是由当前方案" in refused.output
    assert runner.invoke(build_app(), ["rank", "--force", str(edited), str(results)]).exit_code == 0


def test_previous_year_gives_change_and_most_improved(tmp_path: Path) -> None:
    # Last year (made up here): the same units in reverse order of this year's totals.
    this_year = ["经济运行处", "信息化推进处", "综合处", "办公室", "组织人事处", "机关党委", "法规处",
                 "节能与综合利用处", "监察室", "技术进步处"]
    previous = tmp_path / "last.json"
    previous.write_text(json.dumps({"format": "kaohe-results", "version": 1, "units": [
        {"unit": u, "rank": 10 - i, "total": "50"} for i, u in enumerate(this_year)]}, ensure_ascii=False),
        encoding="utf-8")
    out = tmp_path / "rank.json"
    result = CliRunner().invoke(build_app(), ["rank", str(SCHEMES / "changzhou-eic-2016.yaml"),
                                              str(EXAMPLES / "changzhou-eic-2016" / "evidence.xlsx"),
                                              "--previous", str(previous), "-o", str(out)])
    assert result.exit_code == 0, result.output
    units = {u["unit"]: u for u in json.loads(out.read_text(encoding="utf-8"))["units"]}
    # 经济运行处 was 10th, now 1st: up 9. 争先进位 is only for units outside the top 10 — there
    # are just 10 units, so nobody qualifies.
    assert units["经济运行处"]["change"] == 9 and units["技术进步处"]["change"] == -9
    assert not any("争先进位" in u["awards"] for u in units.values())


def _rank(scheme: str, *extra: str) -> dict[str, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(build_app(), ["rank", str(SCHEMES / f"{scheme}.yaml"),
                                              str(EXAMPLES / scheme / "evidence.xlsx"), "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    return {u["unit"]: u for u in json.loads(result.stdout)["units"]}


def test_xuzhou_quota_grades_on_the_bundled_example() -> None:
    # Totals from examples/xuzhou-stats-2017/expected.yaml: 邳州市 110, 雲龍區 107.45, 銅山區 91.375,
    # 豐縣 = 賈汪區 84, 開發區 82.5, 新沂市 78.625, 沛縣 64.05, 泉山區 54.25, 鼓樓區 47, 睢寧縣 39.
    # 優秀 (3 places): the first three. 良好 (4 places): 豐縣, 賈汪區, 開發區, 新沂市. The rest: no
    # grade (the document gives no rule between 合格 and 不合格).
    units = _rank("xuzhou-stats-2017")
    grades = {u: d["grade"] for u, d in units.items()}
    assert [u for u, g in grades.items() if g == "優秀"] == ["邳州市", "雲龍區", "銅山區"]
    assert [u for u, g in grades.items() if g == "良好"] == ["豐縣", "賈汪區", "徐州經濟技術開發區", "新沂市"]
    assert grades["沛縣"] is None and grades["睢寧縣"] is None


def test_hubei_grade_lines_prerequisites_and_the_level_applied_for_on_the_bundled_example() -> None:
    # examples/hubei-archives-2011: 某縣人民政府辦公室 100, applies for 省一級 holding a 省二級
    # certificate for over a year (第三條 "取得省二級…證書一年后…可申報上一等級") → 省一級 (≥ 90).
    # 某縣財政局 90, 復查 of its 省一級 → 省一級 (90 is on the line, included). 某縣農業局 90, applies
    # for 省一級 but 必備條件.5 is 否 → no grade. 某鎮人民政府 80, applies for 省二級 → 省二級 (≥ 80).
    # 某縣國土資源所 79.5, applies for 省二級: under the 80 line → no grade.
    units = _rank("hubei-archives-2011")
    assert {u: d["grade"] for u, d in units.items()} == {
        "某縣人民政府辦公室": "省一級", "某縣財政局": "省一級", "某縣農業局": None, "某鎮人民政府": "省二級",
        "某縣國土資源所": None}
    assert any("必备条件" in n and "省一級" in n for n in units["某縣農業局"]["notes"])


def test_rank_combines_quarterly_results_into_the_year(tmp_path: Path) -> None:
    # 亳州: "每季度考評一次", the year read as the mean of the four quarters (the scheme says so).
    # Q1 is the bundled example (譙城區 92.5, 渦陽縣 87.75, 蒙城縣 92.5, 利辛縣 100); Q2–Q4 below.
    # 譙城區: (92.5 + 90 + 90 + 91.5) / 4 = 364 / 4 = 91;   渦陽縣: (87.75 + 95 + 95 + 94.25) / 4 = 93
    # 蒙城縣: (92.5 + 80 + 80 + 80) / 4 = 83.125;           利辛縣: (100 + 85 + 85 + 86) / 4 = 89
    # Year: 渦陽縣 93, 譙城區 91, 利辛縣 89, 蒙城縣 83.125.
    scheme = str(SCHEMES / "bozhou-safety-2009.yaml")
    quarters = {"Q2": (90, 95, 80, 85), "Q3": (90, 95, 80, 85), "Q4": ("91.5", "94.25", 80, 86)}
    files = [tmp_path / "Q1.json"]
    runner = CliRunner()
    assert runner.invoke(build_app(), ["score", scheme, str(EXAMPLES / "bozhou-safety-2009" / "evidence.csv"),
                                       "-o", str(files[0])]).exit_code == 0
    for name, values in quarters.items():
        evidence = tmp_path / f"{name}.csv"
        evidence.write_text("單位,1.1.1\n" + "".join(f"{u},{v}\n" for u, v in zip(
            ["譙城區", "渦陽縣", "蒙城縣", "利辛縣"], values, strict=True)), encoding="utf-8")
        files.append(tmp_path / f"{name}.json")
        assert runner.invoke(build_app(), ["score", scheme, str(evidence), "-o", str(files[-1])]).exit_code == 0
    result = runner.invoke(build_app(), ["rank", scheme, *map(str, files), "--format", "json"])
    assert result.exit_code == 0, result.output
    year = [(u["unit"], u["total"], u["rank"]) for u in json.loads(result.stdout)["units"]]
    assert year == [("渦陽縣", "93", 1), ("譙城區", "91", 2), ("利辛縣", "89", 3), ("蒙城縣", "83.125", 4)]
    assert runner.invoke(build_app(), ["rank", scheme, *map(str, files[:3])]).exit_code == 1  # 3 of 4


def test_changzhou_section_progress_award_against_last_year(tmp_path: Path) -> None:
    # This year's section 1 (组织领导), from examples/changzhou-2018/expected.yaml: 溧阳市 10, 武进区 8,
    # 金坛区 8, 新北区 6, 经开区 6, 钟楼区 5, 天宁区 1 → places 1, 2, 2, 4, 4, 6, 7 (RANK.EQ).
    # Last year's section 1 (made up here): 溧阳市 9, 经开区 8, 武进区 7, 新北区 6, 钟楼区 5, 金坛区 2,
    # 天宁区 1 → places 1, 2, 3, 4, 5, 6, 7. Rises: 金坛区 6 → 2 = +4, 武进区 3 → 2 = +1, the rest
    # none. 单项进步奖(组织领导) → 金坛区. Sections 2–6 last year equal this year's: no rise, no award.
    # 年度综合优胜奖 → 溧阳市, first with 119.5.
    this_year = {"溧阳市": ("10", 1), "金坛区": ("8", 6), "武进区": ("8", 3), "新北区": ("6", 3), "天宁区": ("1", 7),
                 "钟楼区": ("5", 2), "经开区": ("6", 5)}
    last_year = {"溧阳市": "9", "经开区": "8", "武进区": "7", "新北区": "6", "钟楼区": "5", "金坛区": "2", "天宁区": "1"}
    expected, _ = __import__("kaohe.scheme.yamlload", fromlist=["load_yaml"]).load_yaml(
        (EXAMPLES / "changzhou-2018" / "expected.yaml").read_text(encoding="utf-8"), "e")
    units = []
    for unit, data in expected["units"].items():
        sections = {k: str(v) for k, v in data["sections"].items()}
        assert sections["1"] == this_year[unit][0]
        sections["1"] = last_year[unit]
        units.append({"unit": unit, "rank": this_year[unit][1], "total": str(data["total"]), "sections": sections})
    previous = tmp_path / "2017.json"
    previous.write_text(json.dumps({"format": "kaohe-results", "version": 1, "units": units}, ensure_ascii=False),
                        encoding="utf-8")
    ranked = _rank("changzhou-2018", "--previous", str(previous))
    awards = {u: d["awards"] for u, d in ranked.items()}
    assert awards["金坛区"] == ["单项进步奖(组织领导)"]
    assert awards["溧阳市"] == ["年度综合优胜奖"]
    assert sum(len(a) for a in awards.values()) == 2


CATEGORIES = {"categories": [{"id": "业务部门"}, {"id": "综合部门"}]}


def test_each_category_is_ranked_and_graded_on_its_own_with_a_share_quota() -> None:
    # "业务部门和综合部门分别排名", "优秀等次不超过参评单位的20%" (向下取整): 业务部门 has 6 units →
    # 6 × 20% = 1.2 → 1 优秀; 综合部门 has 4 → 0.8 → 0 优秀.
    scheme = _scheme(**CATEGORIES, ranking={"among": "category"},
                     outcomes={"grades": [{"name": "优秀", "share": "20%", "share_rounding": "floor"}],
                               "otherwise": "合格"})
    standings = [_s(f"业{i}", str(90 - i), category="业务部门") for i in range(6)] + [
        _s(f"综{i}", str(95 - i), category="综合部门") for i in range(4)]
    decision = decide(scheme, standings)
    rows = {r.standing.unit: r for r in decision.rows}
    # Overall: 综0 95, 综1 94, 综2 93, 综3 92, 业0 90 … so 业0 is 5th of all but 1st of 业务部门.
    assert (rows["业0"].rank, rows["业0"].rank_in_category, rows["业0"].grade) == (5, 1, "优秀")
    assert (rows["综0"].rank, rows["综0"].rank_in_category, rows["综0"].grade) == (1, 1, "合格")
    assert [r.standing.unit for r in decision.rows if r.grade == "优秀"] == ["业0"]
    assert "业务部门优秀: 6个单位 × 20% = 1.2,向下取整为 1名" in _notes(decision)
    assert "综合部门优秀: 4个单位 × 20% = 0.8,向下取整为 0名" in _notes(decision)


def test_a_share_rounded_half_up() -> None:
    # 8 units × 20% = 1.6 → 四舍五入 2.
    scheme = _scheme(outcomes={"grades": [{"name": "优秀", "share": "20%", "share_rounding": "half_up"}]})
    decision = decide(scheme, [_s(f"u{i}", str(90 - i)) for i in range(8)])
    assert [r.standing.unit for r in decision.rows if r.grade == "优秀"] == ["u0", "u1"]


def test_a_veto_that_bars_only_one_award() -> None:
    # 经信委: 一票否决 "当年不得评为先进": 先进处室 passes over 乙, but 乙 stays in 表扬's places (前3名 先进处室,
    # 4-6名 表扬: 乙 is 2nd, barred from 先进 only, and 表扬 is given by place among the units it is open to).
    scheme = _scheme(flags=[{"id": "否决", "kind": "veto", "text": "当年不得评为先进", "bars": ["先进处室"]}],
                     outcomes={"awards": [{"name": "先进处室", "first": 1, "last": 3},
                                          {"name": "表扬", "first": 4, "last": 6}]})
    standings = [_s("甲", "99"), _s("乙", "98", vetoed=("否决",)), _s("丙", "97"), _s("丁", "96"), _s("戊", "95"),
                 _s("己", "94"), _s("庚", "93")]
    awards = {r.standing.unit: r.awards for r in decide(scheme, standings).rows}
    # 先进处室: the eligible order without 乙 → 甲 丙 丁. 表扬: places 4–6 of the units it is open to (all,
    # 乙 included) less those already given an award: 乙 (2nd) is not in 4–6 and 丁 (4th) took 先进处室,
    # so the band's three places go to 戊 己 庚.
    assert [u for u, a in awards.items() if "先进处室" in a] == ["甲", "丙", "丁"]
    assert [u for u, a in awards.items() if "表扬" in a] == ["戊", "己", "庚"]


def test_a_place_not_passed_on() -> None:
    # "名额不顺延": 前3名 先进, 乙 (2nd) vetoed: only 甲 and 丙 take it; 丁 (4th) does not move up.
    scheme = _scheme(outcomes={"awards": [{"name": "先进", "first": 1, "last": 3, "pass_on": False}]})
    standings = [_s("甲", "99"), _s("乙", "98", vetoed=("否决",)), _s("丙", "97"), _s("丁", "96")]
    decision = decide(scheme, standings)
    assert [r.standing.unit for r in decision.rows if "先进" in r.awards] == ["甲", "丙"]
    assert "乙 名次在 先进 范围内,但被否决或取消资格,名额不顺延" in _notes(decision)


def test_a_grade_condition_on_a_value_lowers_the_grade() -> None:
    # "安全绩效: 发生死亡事故的不得评为一级": 甲 (95) had one → not 一级; it reaches 二级 (≥ 80) → 二级.
    scheme = _scheme(inputs=[{"id": "死亡事故数", "type": "count"}],
                     outcomes={"grades": [{"name": "一级", "min": D(90), "when": "死亡事故数 == 0"},
                                          {"name": "二级", "min": D(80)}]})
    standings = [_s("甲", "95", conditions={"一级": False}), _s("乙", "92", conditions={"一级": True})]
    decision = decide(scheme, standings)
    grades = {r.standing.unit: r.grade for r in decision.rows}
    assert grades == {"甲": "二级", "乙": "一级"}
    notes = {r.standing.unit: [n.key for n in r.notes] for r in decision.rows}
    assert notes["甲"] == ["outcome.grade_condition"]


@pytest.mark.parametrize(("change", "message"), [
    ({"ranking": {"tie_break": ["9"]}}, "部分 9 不存在(有: 1)"),
    ({"ranking": {"tie_break": ["1b"]}}, "部分 1b 不存在(有: 1;最接近: 1)"),
    ({"outcomes": {"most_improved": [{"name": "进步", "count": 1, "section": "2"}]}}, "部分 2 不存在"),
    ({"outcomes": {"grades": [{"name": "优秀", "min": D(90)}], "barred_grade": "良好"}}, "等次 良好 未声明(有: 优秀)"),
    ({"outcomes": {"grades": [{"name": "合格", "min": D(60)}, {"name": "优秀", "min": D(90)}]}},
     "等次应从高到低列出: 优秀 的分数线 90 高于上一等次的 60"),
    ({"units": [{"name": "甲"}, {"name": "乙"}], "outcomes": {"grades": [{"name": "优秀", "count": 3}]}},
     "优秀 名额 3 多于可参评的 2 个单位"),
    ({"flags": [{"id": "否", "kind": "veto", "text": "t", "bars": ["先进"]}]}, "先进 不是本方案的等次或奖项"),
])
def test_validate_refuses_outcome_rules_that_would_be_wrong_later(tmp_path: Path, change: dict, message: str) -> None:
    import yaml

    from kaohe.scheme.checks import check_scheme
    from kaohe.scheme.load import load_scheme

    data = {**json.loads(json.dumps(BASE, default=int)), **json.loads(json.dumps(change, default=int))}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    found = [str(p) for p in check_scheme(load_scheme(path))]
    assert any(message in f and f.startswith(f"{path}:") for f in found), found


def test_a_bonus_criterion_may_not_escape_a_capped_bonus_section(tmp_path: Path) -> None:
    from kaohe.scheme.checks import check_scheme
    from kaohe.scheme.load import load_scheme

    text = (SCHEMES / "changzhou-2018.yaml").read_text(encoding="utf-8")
    marker = "          - id: 7.1.2\n"
    assert marker in text
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(marker, marker + "            effect: bonus\n", 1), encoding="utf-8")
    found = [str(p) for p in check_scheme(load_scheme(path))]
    assert any("7.1.2 是加分(effect: bonus),在有上限(20)的加分部分 7 中会绕过上限" in f for f in found), found


def test_evidence_for_another_category_is_refused_with_the_cell(tmp_path: Path) -> None:
    # 经信委: 7.1 民主测评 has a 业务部门 item (7.1.1, 10分) and a 综合部门 one (7.1b.1, 20分); 办公室 is a
    # 综合部门, so a rating typed against 7.1.1 in its row would score nothing: it is refused with its cell.
    from kaohe.evidence import input_index, read_evidence
    from kaohe.scheme.load import load_scheme

    scheme = load_scheme(SCHEMES / "changzhou-eic-2016.yaml").scheme
    assert next(u.category for u in scheme.units if u.name == "办公室") == "综合部门"
    index = input_index(scheme)
    target = index["7.1.1"]
    assert target.categories == ("业务部门",) and index["7.1b.1"].categories == ("综合部门",)
    evidence = tmp_path / "e.csv"
    evidence.write_text("单位,指标,值\n办公室,7.1b.1,90\n办公室,7.1.1,90\n", encoding="utf-8")
    found = [str(p) for p in read_evidence([evidence], scheme).problems]
    assert found == [f"{evidence}:3:3: 错误: 办公室 属于 综合部门,7.1.1 不适用于该类别(只适用于: 业务部门),"
                     "未计分;请删去或改正"]


XUZHOU_OUTCOMES = """\
name: 徐州 2017 outcomes
evidence: [evidence.csv]
why: "優秀 3, 良好 4 by place (四、獎項設置 優秀2-3名、良好3-4名, the upper count)."
outcomes:
  優秀: [邳州市, 雲龍區, 銅山區]
  良好: [豐縣, 賈汪區, 徐州經濟技術開發區, 新沂市]
units:
  豐縣:
    grade: 良好
    rank: 4
    why: "84, tied 4th with 賈汪區: 良好 places 4–7 are 豐縣, 賈汪區 (84), 經開區 82.5, 新沂市 78.625."
  沛縣:
    grade: {grade}
    awards: []
    why: "64.05, 8th: past 優秀 (3) and 良好 (4): no grade (合格/不合格 are for the 市局)."
"""


def test_kaohe_test_checks_grades_and_who_takes_them(tmp_path: Path) -> None:
    # Totals and places are the hand-worked ones of examples/xuzhou-stats-2017/expected.yaml: 邳州市 110,
    # 雲龍區 107.45, 銅山區 91.375, 豐縣 and 賈汪區 84 (tied 4th), 經開區 82.5, 新沂市 78.625, 沛縣 64.05 (8th).
    import shutil

    from kaohe.commands.test import run_case_file
    from kaohe.scheme.load import load_scheme

    shutil.copy(EXAMPLES / "xuzhou-stats-2017" / "evidence.csv", tmp_path / "evidence.csv")
    loaded = load_scheme(SCHEMES / "xuzhou-stats-2017.yaml")
    case = tmp_path / "outcomes.yaml"
    case.write_text(XUZHOU_OUTCOMES.replace("{grade}", "null"), encoding="utf-8")
    [report] = run_case_file(loaded, case)
    assert report.problems == [] and report.mismatches == []
    assert report.checked == 6  # the 2 lists, 豐縣 grade and rank, 沛縣 grade and awards
    case.write_text(XUZHOU_OUTCOMES.replace("{grade}", "良好").replace("[豐縣, 賈汪區,", "[豐縣,"), encoding="utf-8")
    [report] = run_case_file(loaded, case)
    shown = [str(m) for m in report.mismatches]
    assert shown[0].startswith(f"{case}:13:12: 徐州 2017 outcomes [evidence.csv]: 沛縣 的 grade 应为 良好,实际为 -")
    assert "64.05, 8th" in shown[0]
    assert shown[1].startswith(f"{case}:6:7: 徐州 2017 outcomes [evidence.csv]: 良好 应为 [豐縣、徐州經濟技術開發區、"
                               "新沂市],实际为 [豐縣、賈汪區、徐州經濟技術開發區、新沂市]")
    assert "優秀 3, 良好 4 by place" in shown[1]
    assert len(shown) == 2


SMALL = """\
id: t
title: t
full_score: 100
units: [{name: 甲}, {name: 乙}, {name: 丙}]
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
outcomes:
  grades: [{name: 优秀, count: 1}]
  most_improved: [{name: 进步奖, count: 1}]
"""

SMALL_CASE = """\
name: tie
rows:
  - {单位: 甲, 指标: 1.1.1, 值: 90}
  - {单位: 乙, 指标: 1.1.1, 值: 90}
  - {单位: 丙, 指标: 1.1.1, 值: 80}
previous: {甲: 1, 乙: 3, 丙: 2}
notes: [边界并列]
outcomes: {优秀: [甲, 乙], 进步奖: [乙]}
units:
  乙: {grade: 优秀, awards: [进步奖], why: "90, tied first with 甲; 3rd last time → 1st: up 2"}
"""


def test_a_case_checks_the_boundary_notes_and_the_most_improved(tmp_path: Path) -> None:
    # 优秀 名额 1: 甲 and 乙 tie on 90 for it, so both take it and the note says 边界并列. 进步奖: 乙 rose
    # 3 → 1 (2 places), 甲 stayed 1st, 丙 fell 2 → 3: 乙 alone.
    from kaohe.commands.test import run_case_file
    from kaohe.scheme.load import load_scheme

    (tmp_path / "s.yaml").write_text(SMALL, encoding="utf-8")
    loaded = load_scheme(tmp_path / "s.yaml")
    case = tmp_path / "c.yaml"
    case.write_text(SMALL_CASE, encoding="utf-8")
    [report] = run_case_file(loaded, case)
    assert (report.problems, report.mismatches, report.checked) == ([], [], 5)
    case.write_text(SMALL_CASE.replace("进步奖: [乙]", "进步奖: [丙]").replace("[边界并列]", "[名额不顺延]"),
                    encoding="utf-8")
    [report] = run_case_file(loaded, case)
    assert [m.field for m in report.mismatches] == ["进步奖", "notes"]


def test_a_misspelt_case_key_is_an_error_not_a_case_that_checks_nothing(tmp_path: Path) -> None:
    from kaohe.commands.test import run_case_file
    from kaohe.errors import SchemeError
    from kaohe.scheme.load import load_scheme

    (tmp_path / "s.yaml").write_text(SMALL, encoding="utf-8")
    case = tmp_path / "c.yaml"
    case.write_text(SMALL_CASE.replace("outcomes:", "outcome:"), encoding="utf-8")
    with pytest.raises(SchemeError) as e:
        run_case_file(load_scheme(tmp_path / "s.yaml"), case)
    assert [str(p) for p in e.value.problems] == [
        f"{case}:8:1: 错误: 测试用例中的 \"outcome\" 不是可用的键(可用: name、why、scheme、evidence、rows、units、"
        "outcomes、notes、previous)"]


def test_a_barred_unit_is_told_only_where_the_quota_was_within_its_reach() -> None:
    # 优秀 名额 1: 甲 (99, vetoed) would have taken it: told why not; 丙 (90, vetoed) is third,
    # outside the quota either way: nothing to tell. 乙 (95) takes 优秀 in 甲's place.
    scheme = _scheme(flags=[{"id": "否决", "kind": "veto", "text": "t"}],
                     outcomes={"grades": [{"name": "优秀", "count": 1}], "otherwise": "合格"})
    standings = [_s("甲", "99", vetoed=("否决",)), _s("乙", "95"), _s("丙", "90", vetoed=("否决",))]
    rows = {r.standing.unit: r for r in decide(scheme, standings).rows}
    assert [rows[u].grade for u in "甲乙丙"] == ["合格", "优秀", "合格"]
    assert [n.key for n in rows["甲"].notes] == ["outcome.grade_barred"]
    assert rows["丙"].notes == []


def test_a_section_award_with_no_section_places_last_time_is_said_not_given() -> None:
    # 单项进步奖 on section 1, but last time's places came as `unit: place` (no sections): nobody
    # can be compared, and the ranking's notes say so instead of giving the award to nobody silently.
    from kaohe.outcomes import Previous

    scheme = _scheme(outcomes={"most_improved": [{"name": "单项进步奖", "count": 1, "section": "1"}]})
    standings = [_s("甲", "90", sections={"1": D(90)}), _s("乙", "80", sections={"1": D(80)})]
    decision = decide(scheme, standings, {"甲": Previous(2), "乙": Previous(1)})
    assert all(r.awards == [] for r in decision.rows)
    assert _notes(decision) == ["单项进步奖: 上次结果中没有第 1 部分的得分,无法比较进步,未评出"]

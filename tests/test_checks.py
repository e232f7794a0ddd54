"""Consistency checks: the document's arithmetic and the rules' own coherence."""

from __future__ import annotations

from pathlib import Path

from conftest import SCHEMES
from kaohe.scheme.checks import check_scheme
from kaohe.scheme.load import load_scheme

BUNDLED = (SCHEMES / "changzhou-2018.yaml").read_text(encoding="utf-8")


def _findings(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return [str(p).replace(str(path), "s.yaml") for p in check_scheme(load_scheme(path))]


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return text.count("\n", 0, start) + 1


def test_one_items_points_changed_names_its_line_and_its_sections(tmp_path: Path) -> None:
    # 1.2 is worth 4 in the document; make it 5. The section (10) now sums to 2+5+4 = 11.
    text = BUNDLED.replace("title: 召开机关事务专项工作会议或业务座谈会\n        points: 4",
                           "title: 召开机关事务专项工作会议或业务座谈会\n        points: 5")
    item_line = _line_of(text, "points: 5")
    section_line = _line_of(text, "    points: 10\n")
    found = _findings(tmp_path, text)
    assert f"s.yaml:{section_line}:13: 错误: 第 1 部分各项分值之和为 11 分,与本部分 10 分不符" in found
    # The item's single criterion still says 4: 4 ≠ 5.
    assert f"s.yaml:{item_line}:17: 错误: 1.2 各条评分标准分值之和为 4 分,与本项 5 分不符" in found


def test_sections_must_sum_to_the_full_score(tmp_path: Path) -> None:
    text = BUNDLED.replace("full_score: 100 ", "full_score: 110 ")
    assert f"s.yaml:{_line_of(text, 'full_score')}:13: 错误: 各部分分值之和为 100 分,与满分 110 分不符" in _findings(tmp_path, text)


def test_duplicate_ids_name_the_first_line(tmp_path: Path) -> None:
    text = BUNDLED.replace("- id: 1.3.1", "- id: 1.2.1")
    first = _line_of(text, "- id: 1.2.1")
    found = "\n".join(_findings(tmp_path, text))
    assert f"错误: 编号 1.2.1 重复,第 {first} 行已使用" in found


def test_overlapping_bands_are_errors(tmp_path: Path) -> None:
    # 10 would now be in both [10, +∞) and [5, 10].
    text = BUNDLED.replace("- {ge: 5, lt: 10, points: 1}", "- {ge: 5, le: 10, points: 1}")
    found = "\n".join(_findings(tmp_path, text))
    assert "错误: 分档 [10, +∞) 与 [5, 10] 重叠" in found


def test_gaps_between_bands_are_warnings(tmp_path: Path) -> None:
    # Counts 5..9 would be in no band.
    text = BUNDLED.replace("- {ge: 5, lt: 10, points: 1}", "- {ge: 5, lt: 5, points: 1}")
    found = "\n".join(_findings(tmp_path, text))
    assert "警告: 分档之间有空档 [5, 10),落在其中的值得 0 分" in found


def test_gap_at_the_top_of_a_rate(tmp_path: Path) -> None:
    text = BUNDLED.replace("- {ge: 80%, points: 2}", "- {ge: 80%, lt: 90%, points: 2}")
    assert any("空档 [90%, 100%]" in f for f in _findings(tmp_path, text))


def test_integer_gap_free_count_bands_are_not_reported(tmp_path: Path) -> None:
    # For whole counts, "4 or fewer" then "5 or more" leaves no count uncovered.
    text = BUNDLED.replace("- {ge: 5, lt: 10, points: 1}\n                - {lt: 5, points: 0.5}",
                           "- {ge: 5, lt: 10, points: 1}\n                - {le: 4, points: 0.5}")
    assert _findings(tmp_path, text) == []


def test_judged_range_must_sit_inside_the_points(tmp_path: Path) -> None:
    text = BUNDLED.replace("rule: {kind: judged, min: 0, max: 4}", "rule: {kind: judged, min: 0, max: 5}")
    found = "\n".join(_findings(tmp_path, text))
    assert "错误: 评定上限 5 超过本条 4 分" in found


def test_cap_that_cannot_reach_the_points_is_a_warning(tmp_path: Path) -> None:
    text = BUNDLED.replace("rule: {kind: per_count, per: 1, cap: 4}", "rule: {kind: per_count, per: 1, cap: 3}", 1)
    found = "\n".join(_findings(tmp_path, text))
    assert "警告: 1.2.1 的规则最多得 3 分,达不到本条 4 分" in found
    assert "警告: 1.2 各条评分标准最多得 3 分,达不到本项 4 分" in found


def test_criterion_numbering_is_checked(tmp_path: Path) -> None:
    text = BUNDLED.replace("- id: 2.2.2", "- id: 2.2.3")
    assert any("警告: 评分标准编号 2.2.3 应为 2.2.2" in f for f in _findings(tmp_path, text))


_FULL_TWICE = """\
id: t
title: 安全生产季度考核(节选)
full_score: 30
units: [{name: 甲镇}]
sections:
  - id: "1"
    title: 安全生产事故情况
    points: 30
    base: full
    items:
      - id: "1.1"
        title: 事故起数与死亡人数
        points: 30
        base: full
        criteria:
          - id: 1.1.1
            text: 每多一起扣0.2分
            effect: deduct
            rule: {kind: per_count, per: 0.2}
"""


def test_full_marks_on_a_section_and_on_its_item_is_warned(tmp_path: Path) -> None:
    # the section starts at 30 and adds the item's 30 − deductions, capped at 30: it is always 30
    found = _findings(tmp_path, _FULL_TWICE)
    line = _line_of(_FULL_TWICE, "    base: full")
    assert found == [f"s.yaml:{line}:11: 警告: 1 从满分起算(base: full),其下 1.1 的得分加在满分上又被满分封顶,不起作用:"
                     "本处只会因扣分失分。若应从满分扣起,请只在一处写 base: full,其下写扣分(effect: deduct)"]
    # base: full in one place (the item): nothing to warn of
    once = _FULL_TWICE.replace("    points: 30\n    base: full\n", "    points: 30\n", 1)
    assert _findings(tmp_path, once) == []

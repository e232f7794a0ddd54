"""Loading schemes: safe, exact, and every error located as file:line:col with the bad value."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conftest import SCHEMES
from kaohe.errors import SchemeError
from kaohe.scheme.load import load_scheme
from kaohe.scheme.yamlload import load_yaml

MINIMAL = """\
id: t
title: 测试
year: 2020
full_score: 2
sections:
  - id: "1"
    title: 组织领导
    points: 2
    items:
      - id: "1.1"
        title: 领导重视
        points: 2
        criteria:
          - id: 1.1.1
            text: 每次得1分,最高得2分。
            points: 2
            rule: {kind: per_count, per: 1, cap: 2}
"""


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scheme(path)


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(SchemeError) as caught:
        _load(tmp_path, text)
    return "\n".join(str(p) for p in caught.value.problems)


def test_minimal_scheme_loads(tmp_path: Path) -> None:
    scheme = _load(tmp_path, MINIMAL).scheme
    assert scheme.sections[0].items[0].criteria[0].rule.cap == Decimal("2")


def test_yaml_11_words_and_octal_like_numbers_stay_text() -> None:
    data, _ = load_yaml("a: no\nb: on\nc: 010\nd: 1:20\ne: yes\nf: off\n", "x.yaml")
    assert data == {"a": "no", "b": "on", "c": "010", "d": "1:20", "e": "yes", "f": "off"}


def test_numbers_are_exact_decimals_from_their_text() -> None:
    data, _ = load_yaml("a: 0.1\nb: 1.10\nc: 2\nd: -0.5\ne: true\nf: ~\ng: '3'\n", "x.yaml")
    assert data["a"] == Decimal("0.1") and isinstance(data["a"], Decimal)
    assert str(data["b"]) == "1.10"
    assert data["c"] == Decimal(2) and data["d"] == Decimal("-0.5")
    assert data["e"] is True and data["f"] is None and data["g"] == "3"


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    text = MINIMAL.replace("year: 2020\n", "year: 2020\nyear: 2021\n")
    assert _error(tmp_path, text) == f"{tmp_path / 's.yaml'}:4:1: 错误: 键 \"year\" 重复,第 3 行已出现过"


def test_anchors_and_aliases_are_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("rule: {kind: per_count, per: 1, cap: 2}", "rule: &r {kind: met}") + "extra: *r\n"
    message = _error(tmp_path, text)
    assert ":17:19: 错误: 不允许使用锚点或别名" in message


def test_custom_tags_are_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, "id: !!python/object:os.system x\n")
    assert "s.yaml:1:5: 错误: 不允许使用标签 tag:yaml.org,2002:python/object:os.system" in message


def test_unknown_key_is_located_and_lists_accepted_keys(tmp_path: Path) -> None:
    text = MINIMAL.replace("            points: 2\n            rule", "            pionts: 2\n            rule")
    message = _error(tmp_path, text)
    assert f"{tmp_path / 's.yaml'}:16:13: 错误: 未知的键 \"pionts\",可用的键: id、title、text、points、effect、rule、default、owner、categories、of、na" in message


def test_unknown_key_inside_a_rule_lists_that_rules_keys(tmp_path: Path) -> None:
    text = MINIMAL.replace("cap: 2}", "max: 2}")
    message = _error(tmp_path, text)
    assert ":17:45: 错误: 未知的键 \"max\",可用的键: kind、per、cap、unit" in message


def test_text_where_points_are_expected_is_reported_not_coerced(tmp_path: Path) -> None:
    text = MINIMAL.replace("    points: 2\n    items", "    points: '2'\n    items")
    message = _error(tmp_path, text)
    assert ":8:13: 错误: \"points\" 应为数字,得到 '2'" in message


def test_unknown_rule_kind_lists_the_kinds(tmp_path: Path) -> None:
    text = MINIMAL.replace("kind: per_count, per: 1, cap: 2", "kind: percount")
    message = _error(tmp_path, text)
    assert "未知的规则类型 \"percount\",可用: met、per_count、deduct、bands、levels、judged、ratio、events、panel" in message
    assert ":17:19:" in message


def test_bad_choice_names_value_and_choices(tmp_path: Path) -> None:
    text = MINIMAL.replace("year: 2020\n", "year: 2020\nperiod: monthly\n")
    message = _error(tmp_path, text)
    assert ":4:9: 错误: \"period\" 的值 'monthly' 无效,可选: annual、half-year、quarterly" in message  # the Literal's values


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    message = _error(tmp_path, "id: [1, 2\ntitle: x\n")
    assert "s.yaml:" in message and "YAML 语法错误" in message


def test_messages_switch_to_english(tmp_path: Path) -> None:
    from kaohe.i18n import set_lang

    set_lang("en")
    text = MINIMAL.replace("year: 2020\n", "year: 2020\nyear: 2021\n")
    assert _error(tmp_path, text).endswith(':4:1: error: duplicate key "year", first used on line 3')


def test_bundled_scheme_loads_with_decimals() -> None:
    scheme = load_scheme(SCHEMES / "changzhou-2018.yaml").scheme
    rule = scheme.sections[1].items[2].criteria[0].rule
    assert rule.per == Decimal("0.2") and rule.cap == Decimal(1)


# A model's own checks (keys that go together, a range in order) are told in the user's language,
# naming the object by its id, or by its place in a list without ids; never pydantic's English.
@pytest.mark.parametrize(("old", "new", "expected"), [
    # the section's `points: 2` (line 8) taken away: a base section is marked out of its points
    ("    title: 组织领导\n    points: 2\n", "    title: 组织领导\n",
     ':6:5: 错误: 部分 "1": 基础部分(kind: base)须写 points(本部分满分);只累计得分、不设上限的部分写作 kind: bonus'),
    # base: full on an item without points: there is nothing to deduct from
    ("        title: 领导重视\n        points: 2\n", "        title: 领导重视\n        base: full\n",
     ':10:9: 错误: 项目 "1.1": base: full(从满分扣起)须写 points(满分)'),
    # the first band with both ge and gt: bands have no ids, so the band is named by its place
    ("rule: {kind: per_count, per: 1, cap: 2}", "rule: {kind: bands, value: count, bands: [{ge: 1, gt: 0, points: 2}]}",
     ":17:55: 错误: 第 1 个分段: ge 与 gt 只能写一个"),  # the band's {, 12 spaces and 42 characters in
])
def test_a_model_s_own_check_names_the_object_in_chinese(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    message = _error(tmp_path, MINIMAL.replace(old, new))
    assert message.endswith(expected), message
    assert "Value error" not in message


def test_a_model_s_own_check_in_english(tmp_path: Path) -> None:
    from kaohe.i18n import set_lang

    set_lang("en")
    message = _error(tmp_path, MINIMAL.replace("    title: 组织领导\n    points: 2\n", "    title: 组织领导\n"))
    assert message.endswith(':6:5: error: section "1": a base section needs points (its full marks); '
                            "points gathered without a cap are kind: bonus"), message


def test_every_model_check_has_its_message_in_both_languages() -> None:
    import re

    from kaohe.messages import CATALOGUE

    src = Path(__file__).resolve().parent.parent / "src" / "kaohe"
    used = {key for path in src.rglob("*.py") for key in re.findall(r'refusal\("([\w.]+)"', path.read_text(encoding="utf-8"))}
    assert len(used) >= 20  # every ValueError of the models' own checks became one
    assert all(all(CATALOGUE[key]) for key in used)
    assert not [path for path in src.rglob("*.py") if 'raise ValueError("' in path.read_text(encoding="utf-8")
                and path.parent.name in ("rules", "scheme")]

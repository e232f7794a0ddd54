"""The engine's aggregation: caps at every level, bonus outside the base, rounding where stated."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from kaohe.engine import score
from kaohe.evidence import read_evidence
from kaohe.scheme.load import load_scheme

SCHEME = """\
id: t
title: 测试
year: 2020
full_score: 10
{rounding}
units: [{{name: 甲}}, {{name: 乙}}]
sections:
  - id: "1"
    title: 基础
    points: 10
    items:
      - id: "1.1"
        title: 会议
        points: 4
        criteria:
          - {{id: 1.1.1, text: '每次得0.25分,最高得1分。', points: 1, rule: {{kind: per_count, per: 0.25, cap: 1}}}}
          - {{id: 1.1.2, text: 每项得1分。, points: 4, rule: {{kind: per_count, per: 1}}}}
      - id: "1.2"
        title: 制度
        points: 6
        criteria:
          - {{id: 1.2.1, text: '得6分,每少一项扣1.5分。', points: 6, rule: {{kind: deduct, per: 1.5}}}}
  - id: "2"
    title: 加分
    kind: bonus
    points: 5
    cap: 3
    items:
      - id: "2.1"
        title: 表彰
        points: 5
        criteria:
          - {{id: 2.1.1, text: 每次加2分。, points: 5, rule: {{kind: per_count, per: 2}}}}
"""

EVIDENCE = "单位,1.1.1,1.1.2,1.2.1,2.1.1\n甲,3,4,1,2\n乙,1,1,5,1\n"


def _score(tmp_path: Path, rounding: str = "") -> dict[str, object]:
    (tmp_path / "s.yaml").write_text(SCHEME.format(rounding=rounding), encoding="utf-8")
    (tmp_path / "e.csv").write_text(EVIDENCE, encoding="utf-8")
    loaded = load_scheme(tmp_path / "s.yaml")
    found = read_evidence([tmp_path / "e.csv"], loaded.scheme)
    assert found.problems == []
    return {u.unit: u for u in score(loaded.scheme, found).units}


def test_caps_at_item_and_bonus_section(tmp_path: Path) -> None:
    units = _score(tmp_path)
    a, b = units["甲"], units["乙"]
    # 甲: 1.1.1 3×0.25 = 0.75; 1.1.2 4×1 = 4; item 1.1 = 4.75 > 4 → capped 4.
    assert a.items["1.1"].points == Decimal(4) and a.items["1.1"].capped_at == Decimal(4)
    # 1.2.1: 6 − 1×1.5 = 4.5. Base = 4 + 4.5 = 8.5.
    assert a.items["1.2"].points == Decimal("4.5") and a.base == Decimal("8.5")
    # Bonus: 2×2 = 4 (item 2.1 allows 5) but the section caps at 3 ("加分上限为3分"). Total 11.5.
    assert a.bonus == Decimal(3) and a.total == Decimal("11.5")
    # 乙: 0.25 + 1 = 1.25; 6 − 5×1.5 = −1.5 → 扣完为止 0; base 1.25; bonus 2; total 3.25.
    assert b.items["1.2"].points == Decimal(0)
    assert (b.base, b.bonus, b.total) == (Decimal("1.25"), Decimal(2), Decimal("3.25"))


def test_rounding_only_at_the_stated_stage(tmp_path: Path) -> None:
    units = _score(tmp_path, "rounding: {places: 1, stage: criterion}")
    # 乙 1.1.1: 0.25 → 0.3 (四舍五入); 1.1.2: 1; item 1.1 = 1.3; total 1.3 + 0 + 2 = 3.3.
    assert units["乙"].total == Decimal("3.3")
    units = _score(tmp_path, "rounding: {places: 1, stage: total}")
    # Unrounded total 3.25 → 3.3; 甲 11.5 stays 11.5.
    assert units["乙"].total == Decimal("3.3") and units["乙"].items["1.1"].points == Decimal("1.25")
    assert units["甲"].total == Decimal("11.5")

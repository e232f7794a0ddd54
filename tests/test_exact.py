"""Exact arithmetic from end to end: a quotient with no finite decimal form stays an exact fraction,
three thirds add up to one, ties compare exact values, and numbers of any size are read or refused
with their place."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from kaohe.engine import score
from kaohe.evidence import read_evidence
from kaohe.numbers import Rational, div, exact_text, fmt, parse_exact, round_half_up, settle
from kaohe.outcomes import rank_results
from kaohe.scheme.load import load_scheme

# Two weighted parts of 3 points each, 30% and 70% of 100 (the document's "30%/70%").
WEIGHTED = """\
id: w
title: 加权
full_score: 100
units: [{name: 甲}, {name: 乙}]
sections:
  - id: "1"
    title: 甲部分
    points: 3
    weight: 30%
    items:
      - id: "1.1"
        title: 一
        points: 3
        criteria:
          - {id: 1.1.1, text: 视情况得0-3分, points: 3, rule: {kind: judged, min: 0, max: 3}}
  - id: "2"
    title: 乙部分
    points: 3
    weight: 70%
    items:
      - id: "2.1"
        title: 二
        points: 3
        criteria:
          - {id: 2.1.1, text: 视情况得0-3分, points: 3, rule: {kind: judged, min: 0, max: 3}}
"""


def _run(tmp_path: Path, scheme: str, evidence: str):  # type: ignore[no-untyped-def]
    (tmp_path / "s.yaml").write_text(scheme, encoding="utf-8")
    (tmp_path / "e.csv").write_text(evidence, encoding="utf-8")
    loaded = load_scheme(tmp_path / "s.yaml")
    found = read_evidence([tmp_path / "e.csv"], loaded.scheme)
    assert [str(p) for p in found.problems] == []
    return loaded, score(loaded.scheme, found)


def test_weighted_parts_are_exact_and_tie(tmp_path: Path) -> None:
    # 甲: 1 of 3 in part 1 → 1 ÷ 3 × 30% × 100 = 10 exactly (28-digit division gave 9.999…9);
    #     3 of 3 in part 2 → 3 ÷ 3 × 70% × 100 = 70; total 80.
    # 乙: 3 of 3 in part 1 → 30; 2 of 3 in part 2 → 2 ÷ 3 × 70 = 140/3 ≈ 46.67;
    #     total 30 + 140/3 = 230/3 ≈ 76.67, an exact fraction (no finite decimal form).
    loaded, results = _run(tmp_path, WEIGHTED, "单位,1.1.1,2.1.1\n甲,1,3\n乙,3,2\n")
    by_unit = {u.unit: u for u in results.units}
    assert by_unit["甲"].total == 80 and isinstance(by_unit["甲"].total, Decimal)
    assert by_unit["乙"].total == Fraction(230, 3) and isinstance(by_unit["乙"].total, Rational)


def test_a_third_three_times_is_one(tmp_path: Path) -> None:
    # Three criteria each supplied out of 3 and converted to 1 point: 1 ÷ 3 × 1 = 1/3 each;
    # the item adds them to exactly 1, so 甲 ties 乙 (who gets 1 from one criterion: 3 ÷ 3 × 1).
    criteria = "\n".join(
        f"          - {{id: 1.1.{i}, text: 供给分, points: 1, rule: {{kind: judged, scale: 3, max: 1}}}}"
        for i in (1, 2, 3))
    scheme = ("id: th\ntitle: 三分之一\nfull_score: 3\nunits: [{name: 甲}, {name: 乙}]\nsections:\n"
              "  - id: \"1\"\n    title: 一\n    points: 3\n    items:\n      - id: \"1.1\"\n        title: 一\n"
              "        points: 3\n        criteria:\n" + criteria + "\n")
    loaded, results = _run(tmp_path, scheme, "单位,1.1.1,1.1.2,1.1.3\n甲,1,1,1\n乙,3,0,0\n")
    by_unit = {u.unit: u for u in results.units}
    assert [c.points for c in by_unit["甲"].criteria] == [Fraction(1, 3)] * 3
    assert by_unit["甲"].total == 1 and by_unit["乙"].total == 1
    assert [row.rank for row in rank_results(loaded.scheme, results)] == [1, 1]


def test_a_rational_total_travels_exactly_through_json_and_rank(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(WEIGHTED, encoding="utf-8")
    (tmp_path / "e.csv").write_text("单位,1.1.1,2.1.1\n甲,1,3\n乙,3,2\n", encoding="utf-8")
    out = tmp_path / "r.json"
    run = subprocess.run([sys.executable, "-m", "kaohe", "score", str(tmp_path / "s.yaml"), str(tmp_path / "e.csv"),
                          "-o", str(out), "--no-timestamp"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "≈76.67" in run.stdout  # the table shows the rounded value, marked
    units = {u["unit"]: u for u in json.loads(out.read_text(encoding="utf-8"))["units"]}
    assert units["乙"]["total"] == "230/3" and units["甲"]["total"] == "80"
    ranked = subprocess.run([sys.executable, "-m", "kaohe", "rank", str(tmp_path / "s.yaml"), str(out),
                             "--format", "json"], capture_output=True, text=True)
    assert ranked.returncode == 0, ranked.stderr
    assert [(u["unit"], u["total"], u["rank"]) for u in json.loads(ranked.stdout)["units"]] == [
        ("甲", "80", 1), ("乙", "230/3", 2)]


def test_display_rounds_a_fraction_and_marks_it() -> None:
    assert fmt(div(28, 3)) == "≈9.33"
    assert fmt(div(10, 4)) == "2.5"
    assert exact_text(div(28, 3)) == "28/3"
    assert round_half_up(div(-5, 8), 2) == Decimal("-0.63")


@given(st.integers(-10**6, 10**6), st.integers(1, 10**4))
def test_a_quotient_times_its_divisor_is_the_dividend(a: int, b: int) -> None:
    q = div(Decimal(a), Decimal(b))
    assert q * b == a
    assert (isinstance(q, Decimal)) == (settle(Fraction(a, b)) == Fraction(a, b) and not isinstance(q, Rational))


@given(st.integers(-10**6, 10**6), st.integers(1, 10**4))
def test_exact_text_reads_back_as_the_same_value(a: int, b: int) -> None:
    q = div(a, b)
    assert parse_exact(exact_text(q)) == q


def test_a_29_digit_full_score_is_refused_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(WEIGHTED.replace("full_score: 100", "full_score: 12345678901234567890123456789"),
                                     encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kaohe", "validate", str(tmp_path / "s.yaml")],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert f"{tmp_path / 's.yaml'}:3:13: 错误: \"full_score\" 的值 12345678901234567890123456789 超出可接受范围" in run.stderr


def test_a_huge_cell_is_refused_with_its_cell(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(WEIGHTED, encoding="utf-8")
    book = Workbook()
    sheet = book.active
    sheet.title = "证据"
    sheet.append(["单位", "指标", "值"])
    sheet.append(["甲", "1.1.1", 1e30])
    book.save(tmp_path / "e.xlsx")
    run = subprocess.run([sys.executable, "-m", "kaohe", "score", str(tmp_path / "s.yaml"), str(tmp_path / "e.xlsx")],
                         capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert "e.xlsx!证据!C2: 错误:" in run.stderr and "超出可接受范围" in run.stderr


def test_nan_and_infinity_in_a_results_file_are_refused_with_the_record(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(WEIGHTED, encoding="utf-8")
    sha = load_scheme(tmp_path / "s.yaml").sha256
    document = {"format": "kaohe-results", "scheme": {"sha256": sha},
                "units": [{"unit": "甲", "total": "NaN"}, {"unit": "乙", "total": "10", "sections": {"1": "Infinity"}}]}
    (tmp_path / "r.json").write_text(json.dumps(document), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kaohe", "rank", str(tmp_path / "s.yaml"), str(tmp_path / "r.json")],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "r.json!units[0]!total: 错误: 'NaN' 不是可接受的精确数值" in run.stderr
    assert "r.json!units[1]!sections.1: 错误: 'Infinity' 不是可接受的精确数值" in run.stderr
    assert "Traceback" not in run.stderr and "内部错误" not in run.stderr

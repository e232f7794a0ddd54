"""Hostile input (issue 13, area `input`): numbers that change their meaning or size, event counts
beyond reason, a misspelt level, YAML nested past the depth limit, and `kaohe test` case files of
every wrong shape. Run by tests/hostile/make_corpus.py (`main(folder)` writes the files); each is
listed in expected.yaml beside it with the refusal it gets."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

SCHEME = """\
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
            points: {points}
            rule: {{kind: per_count, per: 1, cap: 2}}
"""
CASE = "rows:\n  - {单位: 溧阳市, 指标: 1.1.1, 值: 3}\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "证据"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _nested(depth: int) -> str:
    """`a: [[[…]]]`, the mapping and `depth - 1` lists: 805 bytes at 400 levels."""
    return "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"


def main(folder: Path) -> None:
    def text(name: str, body: str) -> None:
        (folder / name).write_text(body, encoding="utf-8")

    # 1. NFKC folds ³ into 3 and ② into 2: 10³ would read as 103. Full-width digits stay accepted.
    text("superscript.csv", "单位,1.1.1\n溧阳市,10³\n")
    text("circled_digit.csv", "单位,1.1.1\n溧阳市,②\n")
    text("percent_count.csv", "单位,1.1.1\n溧阳市,300%\n")
    # 2. 29 digits, as CSV text, as an XLSX number (1E+30) and in a scheme.
    text("digits29.csv", "单位,4.1.1\n溧阳市," + "1" * 29 + "\n")
    (folder / "exponent30.xlsx").write_bytes(_xlsx([["单位", "1.1.1"], ["溧阳市", 1e30]]))
    text("points29.yaml", SCHEME.format(points="1" * 29))
    text("per29.yaml", SCHEME.format(points=2).replace("per: 1,", "per: " + "9" * 29 + ","))
    # 3. 10⁹ identical events in one row (the count once built a list of 10⁹ entries).
    text("events_count.csv", "单位,指标,值,级别,载体,字数\n办公室,1.2.4,1000000000,省级,刊物,1200\n")
    # 7. A level misspelt: the nearest choice is named.
    text("level_misspelt.csv", "单位,4.2.1\n溧阳市,部分建\n")
    # 5. YAML nested 400 deep (805 bytes), as a scheme and as a case file; a case file not UTF-8.
    text("deep_scheme.yaml", _nested(400))
    text("deep_case.yaml", "units:\n  溧阳市: " + "[" * 399 + "]" * 399 + "\n")
    (folder / "case_not_utf8.yaml").write_bytes(("units:\n  溧阳市: {total: 2}\n" + CASE).encode("gb18030"))
    # 5. Case files of the wrong shape, field by field.
    text("case_list_top.yaml", "- units: {}\n")
    text("case_cases_not_list.yaml", "cases: {a: 1}\n")
    text("case_cases_item.yaml", "cases:\n  - 3\n")
    text("case_units_list.yaml", CASE + "units: [溧阳市]\n")
    text("case_unit_fields.yaml", CASE + "units:\n  溧阳市: 2\n")
    text("case_rows_mapping.yaml", "rows: {单位: 溧阳市}\nunits: {溧阳市: {total: 2}}\n")
    text("case_row_list.yaml", "rows:\n  - [溧阳市, 1.1.1, 3]\nunits: {溧阳市: {total: 2}}\n")
    text("case_row_value.yaml", "rows:\n  - {单位: 溧阳市, 指标: 1.1.1, 值: [3]}\nunits: {溧阳市: {total: 2}}\n")
    text("case_evidence_text.yaml", "evidence: evidence.csv\nunits: {溧阳市: {total: 2}}\n")
    text("case_evidence_item.yaml", "evidence: [{file: e.csv}]\nunits: {溧阳市: {total: 2}}\n")
    text("case_criteria_list.yaml", CASE + "units:\n  溧阳市: {criteria: [1.1.1]}\n")
    text("case_total_mapping.yaml", CASE + "units:\n  溧阳市: {total: {a: 1}}\n")
    text("case_awards_text.yaml", CASE + "units:\n  溧阳市: {awards: 年度综合优胜奖}\n")
    text("case_unit_notes.yaml", CASE + "units:\n  溧阳市: {notes: [{a: 1}]}\n")
    text("case_outcomes_text.yaml", CASE + "units: {溧阳市: {total: 2}}\noutcomes: {年度综合优胜奖: 溧阳市}\n")
    text("case_outcomes_list.yaml", CASE + "units: {溧阳市: {total: 2}}\noutcomes: [年度综合优胜奖]\n")
    text("case_notes_mapping.yaml", CASE + "units: {溧阳市: {total: 2}}\nnotes: {边界并列: 1}\n")
    text("case_previous_list.yaml", CASE + "units: {溧阳市: {total: 2}}\nprevious: [1, 2]\n")
    text("case_name_list.yaml", "name: [a]\n" + CASE + "units: {溧阳市: {total: 2}}\n")

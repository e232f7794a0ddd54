"""Peer (polars): the xuzhou-stats-2017 totals as an office scripter would compute them in polars.

    python peer_polars.py EVIDENCE.csv OUT.csv

EVIDENCE.csv is long-form UTF-8 (BOM optional): columns 单位,指标,值, one row per value. OUT.csv gets
单位,总分, one row per unit that has evidence, the total as an exact decimal (no trailing zeros:
"81.5", "90").

The rules of bench/schemes/xuzhou-stats-2017.yaml are hard-coded in RULES below, one row per
criterion id. The evidence stays long: each row is joined to its rule (the file is read once and
its numbers checked), then a lazy query scores every row with one when/then expression and sums
criteria into items (capped), items into sections (capped) and sections into the total.
Arithmetic is exact: values and scores are pl.Decimal(38, 12). polars keeps the larger scale of
the two operands of `*` and `/` and truncates past it, so every operand is given 12 places, a
typed number may have at most 10, and the only operations used are +, -, ×, min, max and floor:
no score is ever truncated or a float.
"""

from __future__ import annotations

import sys
from decimal import Decimal

import polars as pl

DEC = pl.Decimal(38, 12)
NUMBER = r"^\d{1,6}(\.\d{1,10})?$"   # what a 值 may be once '%' is taken off


def dec(value: str | int) -> pl.Expr:
    return pl.lit(Decimal(value), dtype=DEC)


# 指标, item, section, rule, the criterion's points, the rule's bound (a rate in %),
# the item's points (its cap) and the section's points (its cap).
RULES = pl.DataFrame(
    [
        # (一) 重點目標考評, 50
        ("1.1.1", "1.1", "1", "met", 3, None, 10, 50),           # 保持全面合格水平 (3分)
        ("1.1.2", "1.1", "1", "met", 7, None, 10, 50),           # 創建省級示范單位 (7分)
        ("1.2.1", "1.2", "1", "shortfall", 10, 90, 10, 50),      # 抽檢合格率 ≥90% 10; 1 off per whole point below
        ("1.3.1", "1.3", "1", "met", 3, None, 3, 50),            # 開發區指導驗收 (3分)
        ("1.4.1", "1.4", "1", "at_least", 7, 95, 7, 50),         # 合格面不低于95% (7分)
        ("1.5.1", "1.5", "1", "at_least", 10, 50, 10, 50),       # 合格面不低于50% (10分)
        ("1.6.1", "1.6", "1", "proportional", 5, 40, 5, 50),     # 100% 5; 40%..100%: 5 × rate; <40% 0
        ("1.7.1", "1.7", "1", "met", 5, None, 5, 50),            # 虛擬調查隊 (5分)
        # (二) 工作環節考評, 50: points given by the 市局 within (1—N分)
        ("2.1.1", "2.1", "2", "judged", 3, None, 3, 50),
        ("2.2.1", "2.2", "2", "judged", 3, None, 3, 50),
        ("2.3.1", "2.3", "2", "judged", 15, None, 15, 50),
        ("2.4.1", "2.4", "2", "judged", 4, None, 4, 50),
        ("2.5.1", "2.5", "2", "judged", 5, None, 5, 50),
        ("2.6.1", "2.6", "2", "judged", 5, None, 5, 50),
        ("2.7.1", "2.7", "2", "judged", 5, None, 5, 50),
        ("2.8.1", "2.8", "2", "judged", 3, None, 3, 50),
        ("2.9.1", "2.9", "2", "judged", 3, None, 3, 50),
        ("2.10.1", "2.10", "2", "judged", 4, None, 4, 50),
        # (三) 工作創新創優考評, 10: judged 0..10
        ("3.1.1", "3.1", "3", "judged", 10, None, 10, 10),
    ],
    schema={"指标": pl.String, "条目": pl.String, "部分": pl.String, "规则": pl.String,
            "分值": pl.Int64, "界": pl.Int64, "条目分值": pl.Int64, "部分分值": pl.Int64},
    orient="row",
).with_columns(pl.col("分值", "界", "条目分值", "部分分值").cast(DEC))


def criterion_points() -> pl.Expr:
    """The points of one evidence row under its criterion's rule (columns of RULES joined on)."""
    rule, value, x = pl.col("规则"), pl.col("值"), pl.col("数")
    points, bound = pl.col("分值"), pl.col("界")
    earned = (
        pl.when(rule == "met").then(pl.when(value == "是").then(points).otherwise(dec(0)))
        # judged: the points given, capped at the criterion's points
        .when(rule == "judged").then(pl.min_horizontal(x, points))
        # bands {ge: bound, points} / {lt: bound, 0}
        .when(rule == "at_least").then(pl.when(x >= bound).then(points).otherwise(dec(0)))
        # ratio shortfall, per_point 1, whole_points: 89.5% → 10, 88.7% → 9, ≤80% → 0
        .when(rule == "shortfall").then(
            pl.max_horizontal(points - pl.max_horizontal((bound - x).floor(), dec(0)), dec(0)))
        # ratio proportional, target 100%, zero {lt: 40%}: points × rate, unrounded
        .when(rule == "proportional").then(
            pl.when(x >= dec(100)).then(points)
            .when(x >= bound).then(points * x * dec("0.01"))
            .otherwise(dec(0)))
        .otherwise(dec(0))
    )
    return pl.when(value.is_null()).then(dec(0)).otherwise(earned)   # no value: 0


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    rows = (
        pl.scan_csv(sys.argv[1], infer_schema=False)               # every column as text
        .select(pl.col("单位", "指标", "值").str.strip_chars())      # kaohe trims cells too
        .with_columns(pl.when(pl.col("值") != "").then(pl.col("值")).alias("值"))   # "" is no value
        .join(RULES.lazy(), on="指标", how="inner")                 # rows of other ids are dropped
        .with_columns(
            pl.when(pl.col("规则").is_in(["shortfall", "at_least", "proportional"]))
            .then(pl.col("值").str.strip_suffix("%")).otherwise(pl.col("值")).alias("文"))
        .collect()                                                   # read the file once
    )
    bad = (rows.filter((pl.col("规则") != "met") & pl.col("值").is_not_null()
                       & ~pl.col("文").str.contains(NUMBER))
           .select("单位", "指标", "值").head(1))
    if bad.height:
        unit, criterion, value = bad.row(0)
        raise SystemExit(f"{unit}, {criterion}: {value!r} is not a number with at most 10 decimals")
    # Caps are joined on after each sum (carrying them through the group_by as .first() of a
    # Decimal column costs more than the sum itself).
    item_caps = RULES.lazy().select("条目", "条目分值").unique()
    section_caps = RULES.lazy().select("部分", "部分分值").unique()
    items = (
        rows.lazy().with_columns(pl.col("文").cast(DEC, strict=False).alias("数"))
        .with_columns(criterion_points().alias("得分"))
        .group_by("单位", "部分", "条目").agg(pl.col("得分").sum())
        .join(item_caps, on="条目")
        .with_columns(pl.min_horizontal("得分", "条目分值").alias("得分"))     # item cap
    )
    sections = (
        items.group_by("单位", "部分").agg(pl.col("得分").sum())
        .join(section_caps, on="部分")
        .with_columns(pl.min_horizontal("得分", "部分分值").alias("得分"))     # section cap
    )
    totals = (
        sections.group_by("单位").agg(pl.col("得分").sum().alias("总分")).sort("单位")
        # exact decimal text, trailing zeros (and a bare point) taken off: 81.500… → 81.5
        .with_columns(pl.col("总分").cast(pl.String).str.replace(r"0+$", "").str.strip_suffix("."))
        .collect()
    )
    totals.write_csv(sys.argv[2])


if __name__ == "__main__":
    main()

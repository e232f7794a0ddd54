"""Peer (pandas): the xuzhou-stats-2017 totals as an office scripter would compute them in pandas.

    python peer_pandas.py EVIDENCE.csv OUT.csv

EVIDENCE.csv is long-form UTF-8 (BOM optional): columns 单位,指标,值, one row per value. OUT.csv gets
单位,总分, one row per unit that has evidence, the total as an exact decimal (no trailing zeros:
"81.5", "90").

The rules of bench/schemes/xuzhou-stats-2017.yaml are hard-coded below, each citing its
criterion id. The evidence is read as categories, pivoted to one column per criterion, and every
rule is one vectorised expression over a column (parsing only the distinct cells). Arithmetic is
exact: every score is an int64 count of 10^-12 points (SCALE), every rate an int64 count of
10^-10 percentage points, so a rate typed with up to 10 decimals ("41.0001%") gives an exact
1.6.1 score; no float touches a score.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

SCALE = 10**12          # one point, in the int64 unit every score is kept in
PLACES = 10             # decimals a typed number may have (kaohe's limit too)
PCT = 10**PLACES        # one percentage point, in the int64 unit rates are kept in
NUMBER = r"^(\d{1,6})(?:\.(\d{1,10}))?$"   # what a 值 may be once '%' is taken off


def trimmed(column: pd.Series) -> pd.Series:
    """A categorical column with its cells trimmed, as kaohe trims them, and "" made missing.

    Only the distinct cells are touched (the evidence repeats a few values); cells that differ
    only in spaces become one category."""
    names = column.cat.categories.str.strip()
    merged, distinct = pd.factorize(names)
    merged[names == ""] = -1
    codes = column.cat.codes.to_numpy()
    codes = np.where(codes >= 0, merged[codes], -1)
    return pd.Series(pd.Categorical.from_codes(codes, distinct), index=column.index, name=column.name)


def cells(wide: pd.DataFrame, criterion: str) -> pd.Series:
    """The criterion's column (categorical), all missing when no unit gave it."""
    if criterion in wide:
        return wide[criterion]
    return pd.Series(pd.Categorical([None] * len(wide), categories=["是"]), index=wide.index)


def fixed(column: pd.Series, what: str, percent: bool) -> pd.Series:
    """A categorical column of numbers as an Int64 count of 10^-PLACES (missing cells: <NA>).

    Each distinct cell is parsed once. A rate may be typed "85%" or "85" (read as 85%, never
    as the fraction 0.85)."""
    names = pd.Series(column.cat.categories, dtype=object)
    text = names.str.removesuffix("%") if percent else names
    parts = text.str.extract(NUMBER)
    whole = parts[0].astype("Int64")
    fraction = parts[1].fillna("").str.ljust(PLACES, "0").where(whole.notna()).astype("Int64")
    per_name = (whole * 10**PLACES + fraction).array
    codes = column.cat.codes.to_numpy()
    bad = (codes >= 0) & whole.isna().to_numpy()[codes]
    if bad.any():
        unit = column.index[bad.argmax()]
        raise SystemExit(f"{unit}, {what}: {column[unit]!r} is not a number with at most {PLACES} decimals")
    return pd.Series(per_name.take(codes, allow_fill=True), index=column.index)


def met(wide: pd.DataFrame, criterion: str, points: int) -> pd.Series:
    """kind: met — 是 earns the points, anything else (or no row) 0."""
    return (cells(wide, criterion) == "是").astype("int64") * points * SCALE


def judged(wide: pd.DataFrame, criterion: str, points: int) -> pd.Series:
    """kind: judged — the points the 市局 gave, capped at the criterion's points; missing 0."""
    given = fixed(cells(wide, criterion), criterion, percent=False) * (SCALE // 10**PLACES)
    return given.clip(upper=points * SCALE).fillna(0).astype("int64")


def rate(wide: pd.DataFrame, criterion: str) -> pd.Series:
    return fixed(cells(wide, criterion), criterion, percent=True)


def total_text(total: pd.Series) -> pd.Series:
    """int64 counts of 10^-12 points as normalised decimal text (81.5, 90)."""
    whole = (total // SCALE).astype(str)
    fraction = ("." + (total % SCALE).astype(str).str.zfill(12)).str.rstrip("0").str.rstrip(".")
    return whole + fraction


CRITERIA = ["1.1.1", "1.1.2", "1.2.1", "1.3.1", "1.4.1", "1.5.1", "1.6.1", "1.7.1",
            "2.1.1", "2.2.1", "2.3.1", "2.4.1", "2.5.1", "2.6.1", "2.7.1", "2.8.1", "2.9.1",
            "2.10.1", "3.1.1"]


def score(evidence: pd.DataFrame) -> pd.DataFrame:
    # One row per unit, one categorical column per criterion id. pivot refuses a (单位, 指标)
    # pair given twice ("Index contains duplicate entries"); rows of other ids are dropped.
    wide = evidence[evidence["指标"].isin(CRITERIA)].pivot(index="单位", columns="指标", values="值")

    c = pd.DataFrame(index=wide.index)
    # (一) 重點目標考評, 50
    c["1.1.1"] = met(wide, "1.1.1", 3)                  # 保持全面合格水平 (3分)
    c["1.1.2"] = met(wide, "1.1.2", 7)                  # 創建省級示范單位 (7分)
    r = rate(wide, "1.2.1")                             # 抽檢合格率: 90% or more 10; 1 off per
    short = ((90 * PCT - r) // PCT).clip(lower=0)       # WHOLE point below 90% (89.5% → 10,
    c["1.2.1"] = ((10 - short).clip(lower=0) * SCALE).fillna(0).astype("int64")   # 88.7% → 9)
    c["1.3.1"] = met(wide, "1.3.1", 3)                  # 開發區指導驗收 (3分)
    r = rate(wide, "1.4.1")                             # 合格面不低于95% (7分), else 0
    c["1.4.1"] = (r >= 95 * PCT).fillna(False).astype("int64") * 7 * SCALE
    r = rate(wide, "1.5.1")                             # 合格面不低于50% (10分), else 0
    c["1.5.1"] = (r >= 50 * PCT).fillna(False).astype("int64") * 10 * SCALE
    r = rate(wide, "1.6.1")                             # 首席統計員設置: 100% → 5; 40%..100%:
    # 5 × rate, unrounded (5 × R/100 percentage points in 10^-12 points is exactly 5·R); <40% → 0
    prop = (5 * r).where(r < 100 * PCT, 5 * SCALE).where(r >= 40 * PCT, 0)
    c["1.6.1"] = prop.fillna(0).astype("int64")
    c["1.7.1"] = met(wide, "1.7.1", 5)                  # 虛擬調查隊 (5分)
    # (二) 工作環節考評, 50: points given by the 市局 within (1—N分)
    for criterion, points in (("2.1.1", 3), ("2.2.1", 3), ("2.3.1", 15), ("2.4.1", 4),
                              ("2.5.1", 5), ("2.6.1", 5), ("2.7.1", 5), ("2.8.1", 3),
                              ("2.9.1", 3), ("2.10.1", 4)):
        c[criterion] = judged(wide, criterion, points)
    # (三) 工作創新創優考評, 10: judged 0..10
    c["3.1.1"] = judged(wide, "3.1.1", 10)

    # Items: the sum of their criteria, capped at the item's points (only 1.1 has two).
    item_of = c.columns.str.rsplit(".", n=1).str[0]
    items = c.T.groupby(item_of, sort=False).sum().T
    item_points = {"1.1": 10, "1.2": 10, "1.3": 3, "1.4": 7, "1.5": 10, "1.6": 5, "1.7": 5,
                   "2.1": 3, "2.2": 3, "2.3": 15, "2.4": 4, "2.5": 5, "2.6": 5, "2.7": 5,
                   "2.8": 3, "2.9": 3, "2.10": 4, "3.1": 10}
    items = items.clip(upper=pd.Series(item_points) * SCALE, axis=1)
    # Sections: the sum of their items, capped at 50 / 50 / 10; the total is their sum (110).
    section_of = items.columns.str.split(".").str[0]
    sections = items.T.groupby(section_of, sort=False).sum().T
    sections = sections.clip(upper=pd.Series({"1": 50, "2": 50, "3": 10}) * SCALE, axis=1)
    total = sections.sum(axis=1)
    return pd.DataFrame({"单位": total.index, "总分": total_text(total).to_numpy()})


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    # Read as categories: the evidence repeats a few values (and each unit's name 19 times),
    # so trimming and parsing work on the distinct cells only.
    evidence = pd.read_csv(sys.argv[1], dtype="category", encoding="utf-8-sig",
                           keep_default_na=False, usecols=["单位", "指标", "值"])
    evidence = evidence.apply(trimmed)
    score(evidence).to_csv(sys.argv[2], index=False)


if __name__ == "__main__":
    main()

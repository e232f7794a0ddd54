"""Peer (DuckDB): the xuzhou-stats-2017 totals as an office scripter would compute them in SQL.

    python peer_duckdb.py EVIDENCE.csv OUT.csv

EVIDENCE.csv is long-form UTF-8 (BOM optional): columns 单位,指标,值, one row per value. OUT.csv gets
单位,总分, one row per unit that has evidence, the total as an exact decimal (no trailing zeros:
"81.5", "90").

The rules of bench/schemes/xuzhou-stats-2017.yaml are hard-coded in the `rules` table (VALUES)
below, one row per criterion id. Each evidence row is joined to its rule into a temporary table
(its numbers are checked there), scored with one CASE, and criteria are summed into items
(capped), items into sections (capped), sections into the total. Arithmetic is exact: values are
DECIMAL(18, 10) and scores DECIMAL(38, 12), and only +, -, ×, least, greatest and floor are used
(DuckDB turns a DECIMAL division into a DOUBLE, so "5 × rate" is written 分值 × rate × 0.01, never
rate / 100).
"""

from __future__ import annotations

import sys

import duckdb

TYPED = r"""
CREATE TEMP TABLE typed AS
WITH rules(指标, 条目, 部分, 规则, 分值, 界, 条目分值, 部分分值) AS (
    -- 指标, item, section, rule, the criterion's points, the rule's bound (a rate in %),
    -- the item's points (its cap), the section's points (its cap)
    VALUES
    -- (一) 重點目標考評, 50
    ('1.1.1', '1.1', '1', 'met',          3, NULL, 10, 50),  -- 保持全面合格水平 (3分)
    ('1.1.2', '1.1', '1', 'met',          7, NULL, 10, 50),  -- 創建省級示范單位 (7分)
    ('1.2.1', '1.2', '1', 'shortfall',   10, 90,   10, 50),  -- 抽檢合格率 ≥90% 10; 1 off per whole point below
    ('1.3.1', '1.3', '1', 'met',          3, NULL,  3, 50),  -- 開發區指導驗收 (3分)
    ('1.4.1', '1.4', '1', 'at_least',     7, 95,    7, 50),  -- 合格面不低于95% (7分)
    ('1.5.1', '1.5', '1', 'at_least',    10, 50,   10, 50),  -- 合格面不低于50% (10分)
    ('1.6.1', '1.6', '1', 'proportional', 5, 40,    5, 50),  -- 100% 5; 40%..100%: 5 × rate; <40% 0
    ('1.7.1', '1.7', '1', 'met',          5, NULL,  5, 50),  -- 虛擬調查隊 (5分)
    -- (二) 工作環節考評, 50: points given by the 市局 within (1—N分)
    ('2.1.1', '2.1', '2', 'judged',       3, NULL,  3, 50),
    ('2.2.1', '2.2', '2', 'judged',       3, NULL,  3, 50),
    ('2.3.1', '2.3', '2', 'judged',      15, NULL, 15, 50),
    ('2.4.1', '2.4', '2', 'judged',       4, NULL,  4, 50),
    ('2.5.1', '2.5', '2', 'judged',       5, NULL,  5, 50),
    ('2.6.1', '2.6', '2', 'judged',       5, NULL,  5, 50),
    ('2.7.1', '2.7', '2', 'judged',       5, NULL,  5, 50),
    ('2.8.1', '2.8', '2', 'judged',       3, NULL,  3, 50),
    ('2.9.1', '2.9', '2', 'judged',       3, NULL,  3, 50),
    ('2.10.1', '2.10', '2', 'judged',     4, NULL,  4, 50),
    -- (三) 工作創新創優考評, 10: judged 0..10
    ('3.1.1', '3.1', '3', 'judged',      10, NULL, 10, 10)
),
evidence AS (
    SELECT trim(单位) AS 单位, trim(指标) AS 指标, nullif(trim(值), '') AS 值   -- "" is no value
    FROM read_csv($path, header = true, all_varchar = true)
)
-- rows of other ids are dropped by the join
SELECT e.单位, e.值, r.*,
       CASE WHEN r.规则 = 'met' THEN NULL
            WHEN r.规则 = 'judged' THEN e.值
            ELSE regexp_replace(e.值, '%$', '') END AS 文
FROM evidence e JOIN rules r USING (指标)
"""

CHECK = r"""
SELECT 单位, 指标, 值 FROM typed
WHERE 文 IS NOT NULL AND NOT regexp_full_match(文, '\d{1,6}(\.\d{1,10})?')
LIMIT 1
"""

SCORE = r"""
WITH scored AS (
    SELECT 单位, 条目, 部分, 条目分值, 部分分值, 文, CAST(
        CASE
            WHEN 值 IS NULL THEN 0                                         -- no value: 0
            WHEN 规则 = 'met' THEN CASE WHEN 值 = '是' THEN 分值 ELSE 0 END
            -- judged: the points given, capped at the criterion's points
            WHEN 规则 = 'judged' THEN least(CAST(文 AS DECIMAL(18, 10)), 分值)
            -- bands {ge: bound, points} / {lt: bound, 0}
            WHEN 规则 = 'at_least' THEN CASE WHEN CAST(文 AS DECIMAL(18, 10)) >= 界 THEN 分值 ELSE 0 END
            -- ratio shortfall, per_point 1, whole_points: 89.5% → 10, 88.7% → 9, ≤80% → 0
            WHEN 规则 = 'shortfall' THEN
                greatest(分值 - greatest(floor(界 - CAST(文 AS DECIMAL(18, 10))), 0), 0)
            -- ratio proportional, target 100%, zero {lt: 40%}: points × rate, unrounded
            WHEN 规则 = 'proportional' THEN CASE
                WHEN CAST(文 AS DECIMAL(18, 10)) >= 100 THEN 分值
                WHEN CAST(文 AS DECIMAL(18, 10)) >= 界 THEN 分值 * CAST(文 AS DECIMAL(18, 10)) * 0.01
                ELSE 0 END
        END AS DECIMAL(38, 12)) AS 得分
    FROM typed
),
items AS (   -- an item: its criteria's sum, capped at its points
    SELECT 单位, 部分, any_value(部分分值) AS 部分分值, least(sum(得分), any_value(条目分值)) AS 得分
    FROM scored GROUP BY 单位, 部分, 条目
),
sections AS (   -- a section: its items' sum, capped at its points
    SELECT 单位, least(sum(得分), any_value(部分分值)) AS 得分
    FROM items GROUP BY 单位, 部分
)
SELECT 单位,
       -- exact decimal text, trailing zeros (and a bare point) taken off: 81.500… → 81.5
       regexp_replace(regexp_replace(CAST(CAST(sum(得分) AS DECIMAL(38, 12)) AS VARCHAR),
                                     '0+$', ''), '\.$', '') AS 总分
FROM sections GROUP BY 单位 ORDER BY 单位
"""


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    evidence, out = sys.argv[1], sys.argv[2]
    db = duckdb.connect()
    db.execute(TYPED, {"path": evidence})
    # A value that is not a number with at most 10 decimals is refused before scoring:
    # CAST would round extra decimals away (or fail on text, naming no row).
    bad = db.execute(CHECK).fetchone()
    if bad:
        raise SystemExit(f"{bad[0]}, {bad[1]}: {bad[2]!r} is not a number with at most 10 decimals")
    db.sql(SCORE).write_csv(out)


if __name__ == "__main__":
    main()

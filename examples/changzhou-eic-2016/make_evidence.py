"""Generate the example evidence for schemes/changzhou-eic-2016.yaml.

The scheme has event inputs (1.2.4 articles, 1.3.3 news items, 6.18.1 honours, 2.6.2 竞赛 awards
with their 加分, and the per-case deductions 3.9.1, 3.10.1, 3.10.2, 4.12.2, 5.16.2 with their 扣分),
rater panels (7.1.1 / 7.1b.1 民主测评, 7.2.1 作风评议, 7.3.1 领导评价) and 一票否决 flags, whose rows
carry attribute columns, so the evidence is long form only (no wide evidence.csv):

  evidence-long.csv  UTF-8 with BOM: 单位,指标,值,级别,载体,字数,稿件,奖项,工作,主要职能,竞赛奖项,加分,
                     扣分,评分人,备注
  evidence.xlsx      the same rows, sheet 证据 (numbers stored as numbers)

Every value comes from the dicts below. Run with: /work/main/.venv/bin/python make_evidence.py
"""

import csv
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

HEADER = ["单位", "指标", "值", "级别", "载体", "字数", "稿件", "奖项", "工作", "主要职能", "竞赛奖项", "加分", "扣分",
          "评分人", "备注"]
ATTRS = HEADER[3:-1]
NUMBERS = {"字数", "加分", "扣分"}  # attribute columns written as numbers in the xlsx

BUSINESS = ["经济运行处", "技术进步处", "信息化推进处", "节能与综合利用处"]
GENERAL = ["办公室", "综合处", "组织人事处", "法规处", "监察室", "机关党委"]
UNITS = GENERAL + BUSINESS

# The single-value inputs, in the scheme's order, then the declared series 报送信息条数 (三、3:
# the 信息 each 处室 sent in each half year; the scheme works out 1.3.1's / 1.3.2's shortfall).
HALVES = ["报送信息条数.上半年", "报送信息条数.下半年"]
IDS = [
    "1.1.1", "1.1.2", "1.2.1", "1.2.2", "1.2.3",
    "2.4.1", "2.5.1", "2.5.2", "2.5.3", "2.6.1",
    "3.7.1", "3.7.2", "3.7.3", "3.8.1", "3.8.2",
    "3.11.1", "3.11.2", "3.11.3",
    "4.12.1", "4.12.3", "4.13.1", "4.14.1",
    "5.15.1", "5.16.1",
    "6.17.1.工信部", "6.17.1.省经信委", "6.17.2", "6.17.3",
    *HALVES,
]
YESNO = {"1.2.1", "1.2.2"}
JUDGED = {"1.1.2": (1, 5), "4.13.1": (1, 3), "5.15.1": (1, 5)}  # judged: 0, or within the range
# everything else is a whole-number count

# Only the non-zero values are listed; every other input is written as 0 (否 for 1.2.1/1.2.2),
# except the ids in OMITTED, which are left out so that the scheme's `default: 0` applies.
# 报送信息条数 is given for every 处室 (HALF_YEARS below): the shortfall it gives has no default.
VALUES = {
    "办公室": {"1.1.1": 1, "1.2.3": 1, "2.4.1": 1, "3.8.2": 1, "6.17.2": 1},
    "综合处": {"1.2.3": 2, "2.5.1": 2, "2.6.1": 2, "4.12.1": 3,
            "6.17.1.省经信委": 1, "6.17.3": 1},
    "组织人事处": {"1.1.1": 2, "1.1.2": 1, "1.2.2": "是", "2.6.1": 1,
              "3.7.3": 1, "3.11.2": 3, "4.14.1": 1},
    "法规处": {"1.2.1": "是", "4.12.1": 1, "4.13.1": 3},
    "监察室": {"2.5.3": 1, "4.12.3": 1, "5.15.1": 5, "5.16.1": 1},
    "机关党委": {"2.4.1": 1},
    "经济运行处": {"1.2.3": 1, "2.6.1": 2, "3.8.1": 1, "6.17.1.工信部": 1, "6.17.2": 1},
    "技术进步处": {"1.1.1": 1, "1.1.2": 2, "2.4.1": 6, "2.5.2": 4, "2.5.3": 2,
              "2.6.1": 1, "3.7.1": 1, "4.12.1": 5,
              "5.16.1": 2},
    "信息化推进处": {"2.6.1": 3, "3.11.1": 1, "6.17.1.省经信委": 2},
    "节能与综合利用处": {"1.1.2": 5, "1.2.2": "是", "3.7.2": 1,
                 "3.11.3": 1, "5.15.1": 2},
}
OMITTED = {"机关党委": {"4.12.1", "4.12.3", "4.13.1", "4.14.1"}}

# 报送信息条数 (上半年, 下半年). Quotas: 业务部门 6, 综合部门 2 a half year; each half year is held to its
# own quota, so a half year above it does not make up for the other.
HALF_YEARS = {
    "办公室": (3, 2),            # 0 short
    "综合处": (1, 2),            # 1 + 0 = 1 short
    "组织人事处": (0, 4),        # 2 + 0 = 2 short, though the year's 4 is 2 × 2
    "法规处": (0, 0),            # 2 + 2 = 4 short
    "监察室": (2, 2),            # exactly the quota: 0 short
    "机关党委": (2, 5),          # 0 short
    "经济运行处": (6, 8),        # 0 short
    "技术进步处": (0, 0),        # 6 + 6 = 12 short
    "信息化推进处": (3, 7),      # 3 + 0 = 3 short (the year's 10 is only 2 below 12)
    "节能与综合利用处": (5, 5),  # 1 + 1 = 2 short
}

NOTES = {
    "办公室": {"1.1.1": "半年度完成情况少报1次"},
    "综合处": {"报送信息条数.上半年": "上半年报1条,少报1条", "4.12.1": "3个双周未更新栏目"},
    "组织人事处": {"报送信息条数.下半年": "下半年报4条,多报不抵上半年的少报"},
    "法规处": {"报送信息条数.上半年": "全年未报,少报2+2条", "4.13.1": "法治机关建设未达要求,扣满3分"},
    "监察室": {"4.12.3": "泄密事件1次"},
    "机关党委": {"2.4.1": "日常政务各项未填写,按默认0计"},
    "技术进步处": {"报送信息条数.上半年": "两个半年度均未报送,少报6+6条", "2.5.2": "测试不合格4人次"},
    "节能与综合利用处": {"1.1.2": "年度目标未完成,扣满5分"},
}

# Event rows: (指标, {attribute: value}, 备注). 值 is left empty: one event per row. 2.6.2 (竞赛奖项,
# 加分 1-2) and the per-case deductions 3.9.1, 3.10.1, 3.10.2, 4.12.2 (扣分 1-5) and 5.16.2 (扣分 2-10)
# carry the points the 考核办 set for each case.
EVENTS = {
    "办公室": [
        ("1.2.4", {"级别": "省级", "载体": "刊物", "字数": "1200"}, "刊物文章1200字"),
        ("1.3.3", {"级别": "市级", "稿件": "全市工业经济稳中有进"}, "一稿多用: 市级"),
        ("1.3.3", {"级别": "省部级", "稿件": "全市工业经济稳中有进"}, "一稿多用: 省部级"),
        ("1.3.3", {"级别": "国家级", "稿件": "全市工业经济稳中有进"}, "一稿多用: 国家级"),
        ("1.3.3", {"级别": "市级", "稿件": "机关作风建设见成效"}, ""),
        ("6.18.1", {"级别": "市级机关", "奖项": "先进集体", "工作": "政务信息"}, ""),
    ],
    "综合处": [
        ("1.2.4", {"级别": "国家级", "载体": "刊物", "字数": "1000"}, "刊物文章恰好1000字"),
        ("1.2.4", {"级别": "市级", "载体": "报刊", "字数": "499"}, "报刊文章499字"),
        ("6.18.1", {"级别": "地厅级", "奖项": "条线先进集体", "工作": "经济运行分析"}, ""),
        ("6.18.1", {"级别": "省部级", "奖项": "单项先进个人", "工作": "经济运行分析"}, "同一项工作"),
        ("6.18.1", {"级别": "市级机关", "奖项": "先进工作者", "工作": "重点课题研究"}, ""),
    ],
    "组织人事处": [
        ("2.6.2", {"竞赛奖项": "先进个人", "加分": "2"}, "竞赛先进个人,加2分(区间上限)"),
        ("6.18.1", {"级别": "省部级", "奖项": "先进集体", "工作": "干部人事档案审核"}, ""),
    ],
    "法规处": [
        ("1.2.4", {"级别": "省级", "载体": "报刊", "字数": "500"}, "报刊文章恰好500字"),
        ("3.10.2", {"扣分": "2"}, "行政效能投诉查实1起"),
    ],
    "监察室": [
        ("4.12.2", {"扣分": "2"}, "依申请公开逾期未答复1起"),
        ("5.16.2", {"扣分": "4"}, "警告处分1人,扣4分"),
    ],
    "机关党委": [
        ("6.18.1", {"级别": "市级机关", "奖项": "先进集体", "工作": "机关党建"}, ""),
        ("6.18.1", {"级别": "地厅级", "奖项": "先进集体", "工作": "工会文体活动", "主要职能": "否"},
         "非本部门主要职能工作"),
    ],
    "经济运行处": [
        ("1.2.4", {"级别": "国家级", "载体": "报刊", "字数": "800"}, ""),
        ("1.3.3", {"级别": "省部级", "稿件": "一季度工业经济运行分析"}, "一稿多用"),
        ("1.3.3", {"级别": "国家级", "稿件": "一季度工业经济运行分析"}, "一稿多用"),
        ("6.18.1", {"级别": "省部级", "奖项": "先进集体", "工作": "工业经济运行监测"}, ""),
        ("6.18.1", {"级别": "地厅级", "奖项": "先进集体", "工作": "工业经济运行监测"}, "同一项工作"),
        ("6.18.1", {"级别": "省部级", "奖项": "先进工作者", "工作": "企业服务", "主要职能": "是"}, ""),
    ],
    "技术进步处": [
        ("1.2.4", {"级别": "省级", "载体": "刊物", "字数": "999"}, "刊物文章999字"),
        ("2.6.2", {"竞赛奖项": "先进集体", "加分": "1.5"}, "竞赛先进集体,加1.5分"),
        ("3.9.1", {"扣分": "3"}, "违反公德良俗查实1起"),
        ("5.16.2", {"扣分": "10"}, "处分1人,扣10分(区间上限)"),
    ],
    "信息化推进处": [
        ("1.2.4", {"级别": "市级", "载体": "报刊", "字数": "1500"}, ""),
        ("1.2.4", {"级别": "省级", "载体": "报刊", "字数": "300"}, "报刊文章300字"),
        ("1.3.3", {"级别": "国家级", "稿件": "两化融合贯标"}, ""),
        ("1.3.3", {"级别": "省部级", "稿件": "智能制造示范"}, ""),
        ("1.3.3", {"级别": "市级", "稿件": "工业互联网平台"}, ""),
        ("2.6.2", {"竞赛奖项": "先进个人", "加分": "1"}, "竞赛先进个人,加1分(区间下限)"),
        ("2.6.2", {"竞赛奖项": "先进集体", "加分": "1"}, "同一竞赛先进集体,分别加分"),
        ("6.18.1", {"级别": "地厅级", "奖项": "单项先进集体", "工作": "企业上云"}, ""),
        ("6.18.1", {"级别": "市级机关", "奖项": "单项先进个人", "工作": "信息安全"}, ""),
    ],
    "节能与综合利用处": [
        ("3.10.1", {"扣分": "1"}, "不配合监察1起,扣1分(区间下限)"),
        ("4.12.2", {"扣分": "1"}, "政务公开不及时1起"),
        ("6.18.1", {"级别": "地厅级", "奖项": "条线先进集体", "工作": "节能监察"}, ""),
    ],
}

# Rater scores out of 100: 民主测评 (5 中层干部), 作风评议 (4, 业务部门 only), 领导评价 (5 委领导).
PANELS = {
    "办公室": ([92, 88, 90, 95, 85], None, [90, 92, 88, 94, 86]),
    "综合处": ([90, 85, 88, 92, 95], None, [88, 90, 86, 92, 89]),
    "组织人事处": ([85, 80, 88, 84, 83], None, [85, 88, 82, 84, 86]),
    "法规处": ([80, 82, 78, 84, 81], None, [80, 84, 82, 78, 81]),
    "监察室": ([75, 80, 70, 78, 72], None, [76, 74, 80, 70, 75]),
    "机关党委": ([88, 86, 90, 84, 87], None, [88, 86, 84, 90, 87]),
    "经济运行处": ([92, 94, 90, 96, 88], [90, 95, 85, 92], [94, 92, 90, 96, 88]),
    "技术进步处": ([70, 72, 68, 74, 66], [80, 76, 78, 74], [72, 70, 68, 74, 66]),
    "信息化推进处": ([88, 90, 86, 92, 84], [85, 90, 88, 87], [90, 88, 86, 92, 84]),
    "节能与综合利用处": ([80, 82, 84, 78, 76], [84, 82, 86, 80], [80, 78, 82, 84, 76]),
}
RATERS = {"7.1": "中层干部", "7.2": "作风评议代表", "7.3": "委领导"}

# 一票否决: only the units where a condition applies, plus one explicit 否.
FLAGS = {
    "监察室": {"否决.1": "是"},
    "技术进步处": {"否决.1": "是", "否决.2": "是"},
    "法规处": {"否决.3": "否"},
}


def rows():
    out = []  # (unit, id, value, {attr: value}, note)
    for unit in UNITS:
        business = unit in BUSINESS
        given, notes, omitted = VALUES[unit], NOTES.get(unit, {}), OMITTED.get(unit, set())
        for key in IDS:
            if key in omitted:
                continue
            if key in HALVES:
                value = HALF_YEARS[unit][HALVES.index(key)]
            else:
                value = given.get(key, "否" if key in YESNO else 0)
            out.append((unit, key, value, {}, notes.get(key, "")))
        for input_id, attributes, note in EVENTS.get(unit, []):
            out.append((unit, input_id, None, attributes, note))
        talk, style, lead = PANELS[unit]
        for prefix, scores, input_id in (("7.1", talk, "7.1.1" if business else "7.1b.1"),
                                         ("7.2", style, "7.2.1"), ("7.3", lead, "7.3.1")):
            for n, score in enumerate(scores or [], start=1):
                out.append((unit, input_id, score, {"评分人": f"{RATERS[prefix]}{n}"}, ""))
        for flag, value in FLAGS.get(unit, {}).items():
            out.append((unit, flag, value, {}, ""))
    return out


def check():
    assert set(VALUES) == set(UNITS) == set(PANELS) == set(HALF_YEARS)
    assert all(isinstance(n, int) and n >= 0 for pair in HALF_YEARS.values() for n in pair)
    for unit, given in VALUES.items():
        for key, value in given.items():
            assert key in IDS, (unit, key)
            if key in YESNO:
                assert value in ("是", "否"), (unit, key, value)
            elif key in JUDGED:
                low, high = JUDGED[key]
                assert value == 0 or low <= value <= high, (unit, key, value)
            else:
                assert isinstance(value, int), (unit, key, value)
    ranges = {"2.6.2": ("加分", 1, 2), "3.9.1": ("扣分", 1, 5), "3.10.1": ("扣分", 1, 5),
              "3.10.2": ("扣分", 1, 5), "4.12.2": ("扣分", 1, 5), "5.16.2": ("扣分", 2, 10)}
    for unit, events in EVENTS.items():
        for input_id, attributes, _ in events:
            if input_id in ranges:
                column, low, high = ranges[input_id]
                assert low <= Decimal(attributes[column]) <= high, (unit, input_id, attributes)
    for unit, (talk, style, lead) in PANELS.items():
        assert (style is None) == (unit in GENERAL), unit
        for scores in (talk, style or [], lead):
            assert all(0 <= s <= 100 for s in scores)


def number(text):
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def text(value):
    return "" if value is None else str(value)


def main():
    check()
    data = rows()
    with open(HERE / "evidence-long.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for unit, input_id, value, attributes, note in data:
            w.writerow([unit, input_id, text(value), *(attributes.get(a, "") for a in ATTRS), note])

    wb = Workbook()
    ws = wb.active
    ws.title = "证据"
    ws.append(HEADER)
    for unit, input_id, value, attributes, note in data:
        if isinstance(value, float):
            value = float(Decimal(str(value)))
        cells = []
        for a in ATTRS:
            v = attributes.get(a)
            cells.append(number(v) if a in NUMBERS and v is not None else v)
        ws.append([unit, input_id, value, *cells, note or None])
    wb.save(HERE / "evidence.xlsx")


if __name__ == "__main__":
    main()

"""Generate the example evidence for schemes/shaoxing-2022.yaml.

The scheme has event inputs (4.1.1 先进荣誉, 4.3.1 专项评比, 5.1.1 / 5.2.1 通报批评) whose rows carry
attribute columns, and flags (否决.1, 弄虚作假), so the evidence is long form only (no wide
evidence.csv):

  evidence-long.csv  UTF-8 with BOM: 单位,指标,值,发文机关,类型,加分,责任,扣分,备注
  evidence.xlsx      the same rows, sheet 证据 (numbers stored as numbers)

The scheme gives every deduction criterion `default: 0` / 否, so only the deductions that happened
are listed, plus a few explicit 0 / 否 rows; 3.1.1 (综合评价) and the two budget figures 年度预算 and
实际支出 (万元, from which the scheme works out 2.5.1's 预算执行率 = 实际支出 ÷ 年度预算) are given
for every unit. The figures are chosen so that each unit's rate falls on the same side of 91% as
the rate the evidence used to give directly (91%, 90.99%, 100%, 95%, 91.5%, 92%, 90%, 91), with
the boundary kept exact (182 ÷ 200 = 91%, 90.99 ÷ 100 = 90.99%) and three new readings: spending
above the budget (102%), a rate with no finite decimal (3004 ÷ 3300) and a budget of 0 (counted
as 100%). Every value comes from ROWS below. Run with: /work/main/.venv/bin/python make_evidence.py
"""

import csv
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

HEADER = ["单位", "指标", "值", "发文机关", "类型", "加分", "责任", "扣分", "备注"]
ATTRS = HEADER[3:8]

UNITS = [
    "办公室", "机关党委(机关纪委)", "综合业务处/公务用车处", "计划财务处",
    "房产基建处", "公共机构节能处", "市机关后勤保障中心", "市机关资产事务中心",
]


def task(unit: str, rest: str) -> str:
    """The input id of a 责任清单 criterion: 1.<unit>.<序号>.<N>."""
    return f"1.{unit}.{rest}"


# (指标, 值, {attribute: value}, 备注). A task id written as "T:1.2" is task(unit, "1.2").
# 值 None: an event row (one event); a number on an event row: that many identical events.
ROWS = {
    "办公室": [
        ("T:1.1", "否", {}, "回访整改已落实"),
        ("T:1.2", "1.5", {}, "整改落实部分未达到要求"),
        ("T:1.3", "是", {}, "台账资料逾期报送"),
        ("T:5.1", "1", {}, "中心组学习计划未印发"),
        ("T:5.2", "0", {}, "组织到位: 0 (扣1-4分只在不到位时)"),
        ("T:7.1", "是", {}, ""),
        ("T:7.2", "是", {}, ""),
        ("T:7.3", "是", {}, "三项合计6分,超过任务4分"),
        ("T:8.2", "3", {}, "3项未按计划推进"),
        ("T:12.2", "3", {}, "视情扣满3分"),
        ("2.1.1", "1", {}, "作风督查通报问题1个"),
        ("2.3.1", "0.5", {}, "按信息工作考核办法扣0.5分"),
        ("年度预算", "200", {}, "万元"),
        ("实际支出", "182", {}, "182 ÷ 200 = 91%, 恰好91%"),
        ("3.1.1", "8.5", {}, ""),
        ("4.1.1", None, {"发文机关": "省政府", "类型": "先进集体"}, ""),
        ("4.3.1", None, {"加分": "1.5"}, "专项评比第一名"),
        ("5.2.1", None, {"责任": "次要责任"}, "提醒谈话,次要责任"),
        ("否决.1", "否", {}, ""),
    ],
    "机关党委(机关纪委)": [
        ("T:1.1", "5", {}, "未完成,扣满5分"),
        ("T:2.1", "0", {}, ""),
        ("T:3.1", "2.5", {}, ""),
        ("T:4.1", "是", {}, ""),
        ("T:4.2", "4", {}, ""),
        ("T:5.1", "2", {}, ""),
        ("T:5.2", "2", {}, ""),
        ("2.1.2", "2", {}, "第一种形态2人次"),
        ("2.1.3", "是", {}, "后三种形态,直接扣完"),
        ("2.4.2", "是", {}, ""),
        ("2.4.3", "是", {}, ""),
        ("年度预算", "100", {}, "万元"),
        ("实际支出", "90.99", {}, "90.99 ÷ 100 = 90.99%, 未达到91%"),
        ("2.6.2", "是", {}, "年度总体情况不佳"),
        ("3.1.1", "6", {}, ""),
        ("5.1.1", None, {"责任": "主要责任"}, "市纪委通报批评,主要责任"),
        ("否决.1", "是", {}, "干部严重违纪被查处"),
    ],
    "综合业务处/公务用车处": [
        ("T:1.1", "是", {}, ""),
        ("T:3.2", "是", {}, ""),
        ("T:3.3", "是", {}, ""),
        ("T:4.1", "否", {}, ""),
        ("T:4.2", "2", {}, "发现2起"),
        ("T:4.3", "1", {}, "发现1起"),
        ("T:5.1", "6", {}, "6次,超过任务5分"),
        ("T:6.1", "0", {}, ""),
        ("2.3.1", "4", {}, "扣满4分"),
        ("年度预算", "350", {}, "万元"),
        ("实际支出", "357", {}, "357 ÷ 350 = 102%, 超预算支出"),
        ("3.1.1", "9", {}, ""),
        ("4.1.1", None, {"发文机关": "市政府", "类型": "个人先进"}, "个人先进减半"),
        ("4.2.1", "2", {}, "市级领导批示肯定2项"),
        ("5.1.1", None, {"责任": "次要责任"}, ""),
        ("5.2.1", None, {"责任": "主要责任", "扣分": "2"}, "中心通报批评,主要责任扣2分"),
    ],
    "计划财务处": [
        ("T:1.1", "3", {}, ""),
        ("T:2.1", "0", {}, ""),
        ("T:3.1", "5", {}, "5次×2=10,恰好扣完"),
        ("T:4.1", "5", {}, "5次,小计4分封顶"),
        ("T:4.2", "是", {}, ""),
        ("T:5.1", "8", {}, "8次×1=8,恰好扣完"),
        ("T:6.1", "1", {}, ""),
        ("2.2.1", "3", {}, ""),
        ("2.2.2", "5", {}, "合计8分,超过7分"),
        ("2.4.1", "2", {}, ""),
        ("年度预算", "80", {}, "万元"),
        ("实际支出", "76", {}, "76 ÷ 80 = 95%"),
        ("3.1.1", "10", {}, ""),
        ("4.1.1", None, {"发文机关": "国家", "类型": "先进集体"}, ""),
        ("4.1.1", None, {"发文机关": "省级部门", "类型": "个人先进"}, "个人先进减半"),
        ("4.3.1", None, {"加分": "0.5"}, ""),
        ("弄虚作假", "1.计划财务处.2", {}, "任务2台账弄虚作假"),
    ],
    "房产基建处": [
        ("T:1.1", "1", {}, ""),
        ("T:2.1", "0", {}, ""),
        ("T:3.1", "3", {}, "3项×5=15,超过任务10分"),
        ("T:4.1", "1", {}, "端午节前督查未完成"),
        ("T:5.1", "否", {}, ""),
        ("T:6.1", "是", {}, ""),
        ("2.1.4", "3", {}, ""),
        ("2.6.1", "是", {}, ""),
        ("2.6.2", "是", {}, "合计3分,超过2分"),
        ("年度预算", "1200", {}, "万元"),
        ("实际支出", "1098", {}, "1098 ÷ 1200 = 91.5%"),
        ("3.1.1", "7.5", {}, ""),
        ("4.2.1", "1", {}, "召开现场会"),
    ],
    "公共机构节能处": [
        ("T:1.1", "2", {}, ""),
        ("T:2.1", "1", {}, ""),
        ("T:3.1", "3", {}, "第1-3项均未完成"),
        ("T:3.2", "否", {}, ""),
        ("T:4.1", "3", {}, ""),
        ("T:4.2", "是", {}, ""),
        ("T:5.1", "2", {}, "2项×2=4,超过任务2分"),
        ("T:7.1", "1", {}, ""),
        ("T:8.1", "是", {}, ""),
        ("T:9.1", "1", {}, "10月份会议未组织"),
        ("T:9.2", "2", {}, ""),
        ("T:10.1", "3", {}, ""),
        ("T:10.2", "1", {}, "合计4分,超过任务3分"),
        ("2.4.4", "1.5", {}, "考核办决定扣1.5分"),
        ("年度预算", "0", {}, "万元; 本年度无单列预算"),
        ("实际支出", "0", {}, "预算为0: 按执行到位计(100%)"),
        ("3.1.1", "8", {}, ""),
        ("4.3.1", None, {"加分": "1"}, ""),
    ],
    "市机关后勤保障中心": [
        ("T:1.1", "0.5", {}, ""),
        ("T:1.4", "3", {}, ""),
        ("T:2.1", "1.5", {}, ""),
        ("T:2.2", "是", {}, ""),
        ("T:2.6", "是", {}, ""),
        ("T:2.10", "1", {}, ""),
        ("T:2.13", "是", {}, ""),
        ("T:3.2", "30", {}, "30次×0.1=3,累计不超过2.5"),
        ("T:3.3", "25", {}, "25次×0.1=2.5,恰好2.5"),
        ("T:3.5", "2", {}, ""),
        ("T:4.1", "是", {}, ""),
        ("T:4.6", "6", {}, "6次×0.1=0.6,累计不超过0.5"),
        ("T:4.7", "5", {}, "5次×0.1=0.5,恰好0.5"),
        ("T:4.8", "2", {}, ""),
        ("T:5.1", "0.1", {}, ""),
        ("T:5.3", "是", {}, ""),
        ("T:6.2.反恐演练", "2", {}, "反恐演练2次均未开展"),
        ("T:6.2.消防演练", "3", {}, ""),
        ("T:6.4", "是", {}, ""),
        ("T:7.1", "0.5", {}, ""),
        ("T:7.2", "0.5", {}, ""),
        ("T:7.4", "1", {}, ""),
        ("T:7.5", "0.5", {}, "第1部分合计2.5分,共扣2分为限"),
        ("T:7.7", "4", {}, ""),
        ("T:7.8", "3", {}, "第2部分合计0.7分,不到共扣1.5分"),
        ("T:8.2", "0.3", {}, ""),
        ("T:8.4", "0.5", {}, ""),
        ("T:9.3", "是", {}, ""),
        ("T:10.1", "1", {}, ""),
        ("年度预算", "2600", {}, "万元"),
        ("实际支出", "2340", {}, "2340 ÷ 2600 = 90%"),
        ("3.1.1", "9.5", {}, ""),
        ("4.1.1", None, {"发文机关": "市委", "类型": "先进集体"}, ""),
        ("4.1.1", None, {"发文机关": "省委", "类型": "个人先进"}, "个人先进减半"),
        ("5.2.1", None, {"责任": "主要责任", "扣分": "1"}, ""),
        ("5.2.1", 2, {"责任": "次要责任"}, "2次次要责任"),
    ],
    "市机关资产事务中心": [
        ("T:1.1", "0", {}, ""),
        ("T:1.2", "20", {}, "扣满20分"),
        ("T:2.2", "2.5", {}, ""),
        ("T:3.1", "5", {}, ""),
        ("T:3.2", "5", {}, "合计10分,超过任务5分"),
        ("T:4.2", "1", {}, "视情扣1-5分的下限"),
        ("2.2.2", "1", {}, ""),
        ("年度预算", "3300", {}, "万元"),
        ("实际支出", "3004", {}, "3004 ÷ 3300 ≈ 91.03%, 不是整除"),
        ("3.1.1", "0", {}, ""),
    ],
}


def rows():
    out = []  # (unit, id, value, {attr: value}, note)
    for unit in UNITS:
        for key, value, attributes, note in ROWS[unit]:
            input_id = task(unit, key[2:]) if key.startswith("T:") else key
            out.append((unit, input_id, value, attributes, note))
    return out


def check():
    assert list(ROWS) == UNITS
    for unit, given in ROWS.items():
        keys = [r[0] for r in given if r[2] == {}]
        assert len(keys) == len(set(keys)), unit
        assert {"年度预算", "实际支出", "3.1.1"} <= set(keys), unit
        for _, value, attributes, _ in given:
            assert set(attributes) <= set(ATTRS), (unit, attributes)
            assert (value is None or isinstance(value, int)) == bool(attributes), (unit, value, attributes)


def text(value):
    return "" if value is None else str(value)


def xlsx_value(value):
    """Numbers as numbers (as a user's sheet holds them); 是/否, rates with %, and ids stay text."""
    if value is None or isinstance(value, int):
        return value
    try:
        d = Decimal(value)
    except ArithmeticError:
        return value
    return int(d) if d == d.to_integral_value() else float(value)


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
        cells = [xlsx_value(attributes.get(a)) for a in ATTRS]
        ws.append([unit, input_id, xlsx_value(value), *cells, note or None])
    wb.save(HERE / "evidence.xlsx")


if __name__ == "__main__":
    main()

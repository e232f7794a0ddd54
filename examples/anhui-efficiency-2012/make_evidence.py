"""Generate the example evidence for schemes/anhui-efficiency-2012.yaml.

The scheme's 3.1.1 (服务对象测评) is a panel: one evidence row per 满意度测评 with a 组别 column,
so the evidence can only be long form. Writes, from the DATA and PANEL dicts below:
  evidence-long.csv  long form, UTF-8 with BOM: 单位,指标,值,组别,备注
  evidence.xlsx      long form, sheet 证据: 单位 | 指标 | 值 | 组别 | 备注

Ten of the 113 units of 附件1, at least two per category (the scheme lists these ten).

Run with: /work/main/.venv/bin/python make_evidence.py
"""

import csv
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

CATEGORY = {
    "省委组织部": "综合部门",
    "省高级人民法院": "综合部门",
    "省委党校": "综合部门",
    "省发改委": "行政管理部门",
    "省教育厅": "行政管理部门",
    "省财政厅": "行政管理部门",
    "省国税局": "中央驻皖单位",
    "合肥海关": "中央驻皖单位",
    "中国工商银行安徽省分行": "金融服务机构",
    "徽商银行股份有限责任公司": "金融服务机构",
}

# The single-value inputs each category is assessed on, in the scheme's order (3.1.1 is the panel).
COMMON = ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.2.1", "1.1.2.2", "1.1.3.1", "1.1.3.2"]
IDS = {
    "综合部门": COMMON + ["1.2.1.1", "2.1.1", "4.1.1"],
    "行政管理部门": COMMON + ["1.2b.1", "2.1.1", "4.1.1"],
    "中央驻皖单位": COMMON + ["1.2.1.1", "2.1.1", "4.1.1"],
    "金融服务机构": ["1b.1.1"],
}
OPTIONAL = {"1.1.1.3"}  # default 0 (no 保密 violation found): may be left out

# unit -> {input id: points supplied, as written in the CSV}
DATA = {
    "省委组织部": {"1.1.1.1": "30", "1.1.1.2": "30", "1.1.1.3": "0", "1.1.2.1": "10", "1.1.2.2": "10",
                  "1.1.3.1": "10", "1.1.3.2": "9.5", "1.2.1.1": "188", "2.1.1": "192", "4.1.1": "95"},
    "省高级人民法院": {"1.1.1.1": "28", "1.1.1.2": "29", "1.1.1.3": "5", "1.1.2.1": "9", "1.1.2.2": "10",
                     "1.1.3.1": "10", "1.1.3.2": "10", "1.2.1.1": "175", "2.1.1": "200", "4.1.1": "90"},
    "省委党校": {"1.1.1.1": "25", "1.1.1.2": "26", "1.1.1.3": "1", "1.1.2.1": "8", "1.1.2.2": "8",
                "1.1.3.1": "0", "1.1.3.2": "0", "1.2.1.1": "160", "2.1.1": "170", "4.1.1": "80"},
    "省发改委": {"1.1.1.1": "29", "1.1.1.2": "30", "1.1.2.1": "10", "1.1.2.2": "9",
                "1.1.3.1": "9", "1.1.3.2": "10", "1.2b.1": "190", "2.1.1": "185", "4.1.1": "92"},
    "省教育厅": {"1.1.1.1": "27", "1.1.1.2": "28", "1.1.1.3": "2", "1.1.2.1": "10", "1.1.2.2": "10",
                "1.1.3.1": "10", "1.1.3.2": "9", "1.2b.1": "180", "2.1.1": "188", "4.1.1": "88"},
    "省财政厅": {"1.1.1.1": "30", "1.1.1.2": "30", "1.1.1.3": "0", "1.1.2.1": "10", "1.1.2.2": "10",
                "1.1.3.1": "10", "1.1.3.2": "10", "1.2b.1": "200", "2.1.1": "195", "4.1.1": "98"},
    "省国税局": {"1.1.1.1": "28", "1.1.1.2": "28", "1.1.2.1": "9", "1.1.2.2": "9",
                "1.1.3.1": "10", "1.1.3.2": "10", "1.2.1.1": "185", "2.1.1": "190", "4.1.1": "97"},
    "合肥海关": {"1.1.1.1": "26", "1.1.1.2": "27", "1.1.1.3": "3", "1.1.2.1": "9", "1.1.2.2": "8",
                "1.1.3.1": "8", "1.1.3.2": "9", "1.2.1.1": "170", "2.1.1": "180", "4.1.1": "85"},
    "中国工商银行安徽省分行": {"1b.1.1": "560"},
    "徽商银行股份有限责任公司": {"1b.1.1": "600"},
}

# unit -> [(组别, satisfaction rate as written)] for 3.1.1
PANEL = {
    "省委组织部": [("固定服务对象", "96%"), ("非固定服务对象", "92%")],
    "省高级人民法院": [("固定服务对象", "100%"), ("非固定服务对象", "0.9")],
    "省委党校": [("固定服务对象", "88"), ("非固定服务对象", "85")],
    "省发改委": [("固定服务对象", "93%"), ("非固定服务对象", "91%")],
    "省教育厅": [("固定服务对象", "95%"), ("非固定服务对象", "89%")],
    "省财政厅": [("固定服务对象", "97%"), ("非固定服务对象", "95%")],
    "省国税局": [("固定服务对象", "98%"), ("非固定服务对象", "94%")],
    "合肥海关": [("固定服务对象", "90%"), ("非固定服务对象", "86%")],
    "中国工商银行安徽省分行": [("固定服务对象", "95%"), ("非固定服务对象", "93%")],
    "徽商银行股份有限责任公司": [("固定服务对象", "0.99"), ("非固定服务对象", "0.97")],
}

NOTES = {
    "省委组织部": {"1.1.1.1": "省委办公厅给满分30", "1.1.3.2": "省政协办公厅给9.5分"},
    "省高级人民法院": {"1.1.1.3": "违反保密规定,省委办公厅扣5分(最高)", "2.1.1": "专项考核满分200",
                     "3.1.1.固定服务对象": "满意度100%"},
    "省委党校": {"1.1.1.3": "违反保密规定,扣1分(最低)", "1.1.3.1": "省人大办公厅给0分",
                "3.1.1.固定服务对象": "88即88%", "3.1.1.非固定服务对象": "85即85%"},
    "省发改委": {"1.2b.1": "核心指标完成情况"},
    "省财政厅": {"1.2b.1": "核心指标满分200"},
    "合肥海关": {"1.1.1.3": "违反保密规定,扣3分"},
    "徽商银行股份有限责任公司": {"1b.1.1": "服务地方经济发展满分600",
                               "3.1.1.固定服务对象": "0.99即99%"},
}


def rate_as_percent(text: str) -> str:
    """'96%' stays; '0.9' (a fraction) -> '90%'; '88' (a percent) -> '88%'."""
    if text.endswith("%"):
        return text
    d = Decimal(text)
    if d <= 1:
        d = d * 100
    return f"{d.normalize():f}%"


def number(text: str):
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() else float(text)


def check():
    assert set(DATA) == set(CATEGORY) == set(PANEL)
    assert set(CATEGORY.values()) == set(IDS)
    for unit, row in DATA.items():
        wanted = IDS[CATEGORY[unit]]
        assert set(row) <= set(wanted), unit
        assert set(wanted) - set(row) <= OPTIONAL, unit
        assert [k for k in wanted if k in row] == list(row), unit
        for v in row.values():
            Decimal(v)
        assert [g for g, _ in PANEL[unit]] == ["固定服务对象", "非固定服务对象"], unit


def rows():
    """(单位, 指标, 值 as in the CSV, 值 for the xlsx, 组别, 备注) in the scheme's order."""
    out = []
    for unit, row in DATA.items():
        notes = NOTES.get(unit, {})
        ids = [k for k in IDS[CATEGORY[unit]] if k in row]
        before = [k for k in ids if k < "3"]
        after = [k for k in ids if k >= "3"]
        for k in before + ["3.1.1"] + after:
            if k == "3.1.1":
                for group, v in PANEL[unit]:
                    out.append((unit, k, v, rate_as_percent(v), group, notes.get(f"3.1.1.{group}", "")))
            else:
                out.append((unit, k, row[k], number(row[k]), "", notes.get(k, "")))
    return out


def main():
    check()
    long_rows = rows()
    with open(HERE / "evidence-long.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["单位", "指标", "值", "组别", "备注"])
        w.writerows((u, k, v, g, n) for u, k, v, _, g, n in long_rows)

    wb = Workbook()
    ws = wb.active
    ws.title = "证据"
    ws.append(["单位", "指标", "值", "组别", "备注"])
    for u, k, _, x, g, n in long_rows:
        ws.append([u, k, x, g or None, n or None])
    wb.save(HERE / "evidence.xlsx")


if __name__ == "__main__":
    main()

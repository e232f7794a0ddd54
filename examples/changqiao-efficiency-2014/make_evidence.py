"""Generate the example evidence for schemes/changqiao-efficiency-2014.yaml.

3.2.1 (先进荣誉) and 3.3.1 (创新工作) are events: one evidence row per honour or recognition, with
attribute columns, so the evidence can only be long form. Writes, from the dicts below:
  evidence-long.csv  long form, UTF-8 with BOM: 单位,指标,值,级别,类别,认定,事项,备注
  evidence.xlsx      long form, sheet 证据, the same columns

Inputs with a default (3.1.1 → 0, 3.2.1 / 3.3.1 → no events, 3.4.1 → 否) may be left out.

Run with: /work/main/.venv/bin/python make_evidence.py
"""

import csv
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

COLUMNS = ["单位", "指标", "值", "级别", "类别", "认定", "事项", "备注"]
SINGLE = ["1.1.1", "2.1.1", "3.1.1", "3.4.1"]  # judged, judged, 万元, 是/否

# unit -> {input id: value as written}
DATA = {
    "机关党委": {"1.1.1": "46", "2.1.1": "47", "3.4.1": "是"},
    "党政办": {"1.1.1": "45", "2.1.1": "48", "3.1.1": "49.9", "3.4.1": "否"},
    "组织人社局": {"1.1.1": "48", "2.1.1": "46.5", "3.1.1": "50", "3.4.1": "是"},
    "财政和资产管理局": {"1.1.1": "50", "2.1.1": "50", "3.1.1": "620", "3.4.1": "是"},
    "监察室": {"1.1.1": "44", "2.1.1": "45", "3.1.1": "230"},
    "苏苑管理办": {"1.1.1": "47", "2.1.1": "44", "3.1.1": "500", "3.4.1": "是"},
    "龙西管理办": {"1.1.1": "42", "2.1.1": "43.5", "3.1.1": "99", "3.4.1": "否"},
    "城建公司": {"1.1.1": "40.5", "2.1.1": "0", "3.1.1": "1000", "3.4.1": "是"},
}

# unit -> [(值, 级别, 类别, 备注)] for 3.2.1 先进荣誉
HONOURS = {
    "机关党委": [("", "区级", "文明单位", ""), ("", "市级", "文明单位", "同类荣誉,按最高档市级")],
    "党政办": [("", "省级", "先进集体", ""), ("", "区级", "工会工作先进", "")],
    "组织人社局": [("", "国家级", "先进集体", "")],
    "苏苑管理办": [("", "市级", "先进基层党组织", ""), ("", "区级", "综治工作先进", "")],
}

# unit -> [(认定, 事项, 备注)] for 3.3.1 创新工作
INNOVATIONS = {
    "党政办": [("城区", "公文流转网上办理", "")],
    "组织人社局": [("城区", "干部实绩档案", ""), ("区级", "干部实绩档案", "同一创新,按区级认定"),
                   ("区级", "一站式人事服务", "")],
    "监察室": [("城区", "效能投诉快速处理", ""), ("城区", "廉政风险点公示", "")],
}

NOTES = {
    "党政办": {"3.1.1": "49.9万元,不满50万元"},
    "组织人社局": {"3.1.1": "恰好50万元"},
    "财政和资产管理局": {"1.1.1": "民主测评满分50", "3.1.1": "620万元,超过最高10分"},
    "监察室": {"3.1.1": "230万元"},
    "苏苑管理办": {"3.1.1": "恰好500万元"},
    "龙西管理办": {"3.1.1": "99万元"},
    "城建公司": {"2.1.1": "重点工作考核得0分", "3.1.1": "1000万元"},
}


def number(text: str):
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() else float(text)


def check():
    for unit, row in DATA.items():
        assert [k for k in SINGLE if k in row] == list(row), unit
        assert {"1.1.1", "2.1.1"} <= set(row), unit
        for k, v in row.items():
            if k == "3.4.1":
                assert v in ("是", "否")
            else:
                Decimal(v)
    assert set(HONOURS) <= set(DATA) and set(INNOVATIONS) <= set(DATA)


def single(out, unit, k):
    if k in DATA[unit]:
        out.append({"单位": unit, "指标": k, "值": DATA[unit][k], "备注": NOTES.get(unit, {}).get(k, "")})


def rows():
    out = []
    for unit in DATA:
        for k in ("1.1.1", "2.1.1", "3.1.1"):
            single(out, unit, k)
        for v, level, kind, note in HONOURS.get(unit, []):
            out.append({"单位": unit, "指标": "3.2.1", "值": v, "级别": level, "类别": kind, "备注": note})
        for by, what, note in INNOVATIONS.get(unit, []):
            out.append({"单位": unit, "指标": "3.3.1", "值": "", "认定": by, "事项": what, "备注": note})
        single(out, unit, "3.4.1")
    return out


def main():
    check()
    long_rows = rows()
    with open(HERE / "evidence-long.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in long_rows:
            w.writerow([r.get(c, "") for c in COLUMNS])

    wb = Workbook()
    ws = wb.active
    ws.title = "证据"
    ws.append(COLUMNS)
    for r in long_rows:
        cells = []
        for c in COLUMNS:
            v = r.get(c, "")
            if c == "值" and v not in ("", "是", "否"):
                v = number(v)
            cells.append(v if v != "" else None)
        ws.append(cells)
    wb.save(HERE / "evidence.xlsx")


if __name__ == "__main__":
    main()

"""Generate the example evidence for schemes/energy-target-counties.yaml.

Writes, from the single DATA dict below:
  evidence.csv       wide form, UTF-8 with BOM: 单位 + one column per input id
  evidence-long.csv  long form, UTF-8 with BOM: 单位,指标,值,备注
  evidence.xlsx      long form, sheet 证据: 单位 | 指标 | 值 | 备注

The figures are invented (so are the units: 甲县 … 壬县). The evidence gives only what the
计分表 names: the two 万元GDP能耗降低率 (actual and target) and, for the four share criteria, the
two figures of each share for 上年 and 本年. The scheme works out 完成率 and the shares.

Run with: /work/main/.venv/bin/python make_evidence.py
"""

import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # examples/evidence_files.py
from evidence_files import write_evidence  # noqa: E402

MET = [
    "2.1.1", "2.1.2", "2.2.1", "2.2.2", "2.2.3", "2.3.3", "2.3.4",
    "2.4.1", "2.4.3", "2.5.1", "2.5.3", "2.5.4",
]
RATE = ["实际降低率", "目标降低率"]
FIGURES = [
    "第三产业增加值.上年", "第三产业增加值.本年", "地区生产总值.上年", "地区生产总值.本年",
    "高技术产业增加值.上年", "高技术产业增加值.本年", "地区工业增加值.上年", "地区工业增加值.本年",
    "节能减排专项资金.上年", "节能减排专项资金.本年",
    "节能减排技术研发资金.上年", "节能减排技术研发资金.本年",
    "财政收入.上年", "财政收入.本年",
]
IDS = MET + RATE + FIGURES
assert len(IDS) == 28

UNITS = ["甲县", "乙区", "丙县", "丁区", "戊县", "己县", "庚区", "辛县", "壬县"]

# Per unit: the 是/否 criteria that are NOT met (all others are 是, written 是 or √).
NOT_MET = {
    "甲县": [],
    "乙区": ["2.2.3"],
    "丙县": ["2.3.4", "2.5.3"],
    "丁区": [],
    "戊县": ["2.1.2", "2.4.1"],
    "己县": ["2.3.3", "2.5.1", "2.5.4"],
    "庚区": ["2.2.2"],
    "辛县": ["2.2.3", "2.3.4", "2.4.1", "2.4.3"],
    "壬县": ["2.1.1", "2.3.3", "2.5.3"],
}
TICKS = {"乙区", "戊县", "辛县"}  # these write √ / × instead of 是 / 否

# (实际降低率, 目标降低率): 完成率 = actual ÷ target.
REDUCTION = {
    "甲县": ("5.85%", "4.5%"),   # 130%: 3 whole steps above → +9, exactly the limit
    "乙区": ("4.9%", "4.2%"),    # 116 2/3%: 1 whole step → +3
    "丙县": ("4.2%", "3.5%"),    # 120%: 2 steps → +6
    "丁区": ("8%", "5%"),        # 160%: 6 steps = 18 → 最多加9分 → +9
    "戊县": ("4%", "4%"),        # 100%: 40, no bonus, no veto
    "己县": ("3.8%", "4%"),      # 95%: between the levels → 36; veto
    "庚区": ("4.5%", "5%"),      # 90% exactly → 36; veto
    "辛县": ("1.8%", "4%"),      # 45% < 50% → 0; veto
    "壬县": ("-0.7%", "3.5%"),   # energy intensity rose: −20% → 0; veto
}

# (上年, 本年) of each figure: 亿元 for 增加值 and GDP, 万元 for funds and 财政收入.
FIGURE_DATA = {
    "甲县": {"第三产业增加值": ("60", "70"), "地区生产总值": ("150", "164"),
             "高技术产业增加值": ("8", "10"), "地区工业增加值": ("64", "72"),
             "节能减排专项资金": ("400", "552"), "节能减排技术研发资金": ("160", "184"),
             "财政收入": ("80000", "92000")},
    "乙区": {"第三产业增加值": ("120", "132"), "地区生产总值": ("300", "330"),
             "高技术产业增加值": ("15", "18"), "地区工业增加值": ("120", "130"),
             "节能减排专项资金": ("900", "1008"), "节能减排技术研发资金": ("300", "420"),
             "财政收入": ("150000", "168000")},
    "丙县": {"第三产业增加值": ("45", "48"), "地区生产总值": ("120", "132"),
             "高技术产业增加值": ("5.4", "6"), "地区工业增加值": ("54", "60"),
             "节能减排专项资金": ("300", "396"), "节能减排技术研发资金": ("120", "99"),
             "财政收入": ("60000", "66000")},
    "丁区": {"第三产业增加值": ("210", "240"), "地区生产总值": ("420", "460"),
             "高技术产业增加值": ("30", "33"), "地区工业增加值": ("150", "170"),
             "节能减排专项资金": ("1800", "2208"), "节能减排技术研发资金": ("720", "966"),
             "财政收入": ("240000", "276000")},
    "戊县": {"第三产业增加值": ("33.6", "38.5"), "地区生产总值": ("96", "105"),
             "高技术产业增加值": ("3", "3.6"), "地区工业增加值": ("40", "45"),
             "节能减排专项资金": ("250", "243"), "节能减排技术研发资金": ("100", "135"),
             "财政收入": ("50000", "54000")},
    "己县": {"第三产业增加值": ("28", "30.6"), "地区生产总值": ("80", "90"),
             "高技术产业增加值": ("2.4", "2.5"), "地区工业增加值": ("32", "36"),
             "节能减排专项资金": ("200", "270"), "节能减排技术研发资金": ("0", "0"),
             "财政收入": ("40000", "45000")},
    "庚区": {"第三产业增加值": ("150", "175"), "地区生产总值": ("250", "285"),
             "高技术产业增加值": ("12", "14.4"), "地区工业增加值": ("80", "90"),
             "节能减排专项资金": ("720", "650"), "节能减排技术研发资金": ("240", "260"),
             "财政收入": ("120000", "130000")},
    "辛县": {"第三产业增加值": ("20.5", "23.4"), "地区生产总值": ("82", "90"),
             "高技术产业增加值": ("1.2", "1.3"), "地区工业增加值": ("30", "33"),
             "节能减排专项资金": ("0", "160"), "节能减排技术研发资金": ("30", "32"),
             "财政收入": ("30000", "32000")},
    "壬县": {"第三产业增加值": ("18", "19"), "地区生产总值": ("72", "80"),
             "高技术产业增加值": ("1", "1.5"), "地区工业增加值": ("25", "28"),
             "节能减排专项资金": ("125", "117"), "节能减排技术研发资金": ("25", "39"),
             "财政收入": ("25000", "26000")},
}

NOTES = {
    "甲县": {"实际降低率": "完成率130%"},
    "乙区": {"第三产业增加值.本年": "比重与上年持平(40%)", "节能减排专项资金.本年": "比重与上年持平(0.6%)"},
    "丙县": {"高技术产业增加值.本年": "比重与上年持平(10%)", "2.3.4": "淘汰落后产能目标未完成"},
    "丁区": {"实际降低率": "完成率160%,加分超过9分上限"},
    "戊县": {"实际降低率": "恰好完成目标"},
    "己县": {"实际降低率": "完成率95%", "节能减排技术研发资金.本年": "未安排技术研发资金"},
    "庚区": {"实际降低率": "完成率恰好90%"},
    "辛县": {"实际降低率": "完成率45%", "节能减排专项资金.上年": "上年未设专项资金"},
    "壬县": {"实际降低率": "万元GDP能耗上升0.7%"},
}


def build() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = {}
    for unit in UNITS:
        yes, no = ("√", "×") if unit in TICKS else ("是", "否")
        row = {k: (no if k in NOT_MET[unit] else yes) for k in MET}
        row["实际降低率"], row["目标降低率"] = REDUCTION[unit]
        for name, (last, this) in FIGURE_DATA[unit].items():
            row[f"{name}.上年"], row[f"{name}.本年"] = last, this
        data[unit] = {k: row[k] for k in IDS}
    return data


TO_YESNO = {"是": "是", "√": "是", "否": "否", "×": "否"}


def xlsx_value(input_id: str, text: str):
    if input_id in MET:
        return TO_YESNO[text]
    if input_id in RATE:
        return text  # "3.8%" as text: unambiguous
    d = Decimal(text)
    if d == d.to_integral_value():
        return int(d)
    return float(text)


def check(data: dict[str, dict[str, str]]) -> None:
    assert list(data) == UNITS
    for unit, row in data.items():
        assert list(row) == IDS, unit
        for k, v in row.items():
            if k in MET:
                assert v in TO_YESNO, (unit, k, v)
            elif k in RATE:
                assert v.endswith("%"), (unit, k, v)
                Decimal(v[:-1])
            else:
                assert Decimal(v) >= 0, (unit, k, v)
        for k in NOTES.get(unit, {}):
            assert k in row, (unit, k)
        for k in NOT_MET[unit]:
            assert k in MET, (unit, k)


def main() -> None:
    data = build()
    check(data)
    write_evidence(HERE, data, IDS, NOTES, xlsx_value)


if __name__ == "__main__":
    main()

"""Generate the example evidence for schemes/jinhua-industry-2011.yaml.

Writes, from the single DATA dict below:
  evidence.csv       wide form, UTF-8 with BOM: 单位 + one column per input id
  evidence-long.csv  long form, UTF-8 with BOM: 单位,指标,值,备注
  evidence.xlsx      long form, sheet 证据: 单位 | 指标 | 值 | 备注

The figures are invented but of a plausible size for 金华市 in 2010–2011 (亿元; counts in 家). They
are chosen to reach every rule's edges: completion below, exactly at and above the 考核指标 (by a
part of a point, and by more than the 10-point limit), a growth just above and just below the
city's, a share that fell, a ratio that stayed the same, the 500亿元 threshold, and the
"不足10家" rate (2010 count 8, 9, exactly 10).

Run with: /work/main/.venv/bin/python make_evidence.py
"""

import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # examples/evidence_files.py
from evidence_files import write_evidence  # noqa: E402

# The 12 declared inputs and 1.1.6's own (the judged 特别加分), in the scheme's order.
IDS = [
    "工业增加值", "工业增加值指标", "上年工业增加值", "生产总值", "上年生产总值",
    "规上增加值", "上年规上增加值", "规上总产值", "规上总产值指标", "上年规上总产值",
    "亿元企业数", "上年亿元企业数", "1.1.6",
]
COUNTS = {"亿元企业数", "上年亿元企业数"}

# unit -> the 13 values, in IDS order
TABLE = {
    "婺城区":             ("114",    "120", "104",   "250", "232", "68",  "62",    "320", "320", "290", "24", "21", "0"),
    "金东区":             ("60",     "60",  "53",    "125", "110", "31",  "26.5",  "150", "155", "130", "12", "9",  "0"),
    "兰溪市":             ("103.6",  "100", "91",    "200", "185", "55",  "48",    "250", "240", "220", "13", "10", "0"),
    "东阳市":             ("163.2",  "160", "143.1", "400", "360", "108", "96",    "500", "490", "440", "31", "28", "0"),
    "义乌市":             ("306.9",  "300", "268",   "640", "580", "172", "150",   "820", "800", "715", "42", "37", "3"),
    "永康市":             ("167.45", "170", "150",   "320", "290", "130", "117",   "650", "660", "580", "33", "33", "0"),
    "浦江县":             ("60.8",   "60",  "53",    "125", "112", "34",  "30",    "160", "156", "140", "11", "8",  "0"),
    "武义县":             ("66",     "65",  "58",    "128", "116", "41",  "36.08", "200", "195", "176", "11", "12", "0"),
    "磐安县":             ("14",     "15",  "13",    "40",  "37",  "7.5", "6.8",   "40",  "42",  "36",  "5",  "3",  "0"),
    "金华经济技术开发区": ("61",     "50",  "45",    "100", "90",  "45",  "30.94", "180", "144", "130", "20", "16", "0"),
}
DATA = {unit: dict(zip(IDS, values)) for unit, values in TABLE.items()}

NOTES = {
    "婺城区": {"工业增加值": "完成考核指标的95%", "规上总产值": "恰好完成考核指标"},
    "金东区": {"工业增加值": "恰好完成考核指标", "生产总值": "工业占比比上年下降",
               "上年亿元企业数": "2010年不足10家"},
    "兰溪市": {"工业增加值": "超额3.6个百分点", "上年亿元企业数": "2010年恰好10家"},
    "东阳市": {"上年工业增加值": "增幅略低于全市", "规上总产值": "恰好500亿元"},
    "义乌市": {"上年工业增加值": "增幅略高于全市", "规上总产值": "超过500亿元3个100亿元有余",
               "1.1.6": "市政府认定的特别加分"},
    "永康市": {"规上总产值": "650亿元", "亿元企业数": "与上年持平"},
    "浦江县": {"上年亿元企业数": "2010年不足10家", "上年规上总产值": "增幅略低于全市"},
    "武义县": {"上年规上增加值": "比率与上年持平", "亿元企业数": "比上年减少1家"},
    "磐安县": {"工业增加值": "完成考核指标的14/15"},
    "金华经济技术开发区": {"工业增加值": "超额22个百分点,超过最高加分", "上年规上增加值": "比率提高1.2个百分点"},
}


def xlsx_value(input_id: str, text: str):
    d = Decimal(text)
    if d == d.to_integral_value():
        return int(d)
    return float(text)


def check():
    assert list(DATA) == ["婺城区", "金东区", "兰溪市", "东阳市", "义乌市", "永康市", "浦江县", "武义县",
                          "磐安县", "金华经济技术开发区"]
    for unit, row in DATA.items():
        assert list(row) == IDS, unit
        for k, v in row.items():
            d = Decimal(v)
            assert d >= 0, (unit, k)
            if k in COUNTS:
                assert v.isdigit(), (unit, k, v)
        assert Decimal(row["1.1.6"]) <= 10, unit
        for k in NOTES.get(unit, {}):
            assert k in row, (unit, k)


def main():
    check()
    write_evidence(HERE, DATA, IDS, NOTES, xlsx_value)


if __name__ == "__main__":
    main()

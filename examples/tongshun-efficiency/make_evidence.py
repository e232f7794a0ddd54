"""Generate the example evidence for schemes/tongshun-efficiency.yaml.

Every input is a single value (a score out of 100 per method), so all three forms are written,
from the single DATA dict below:
  evidence.csv       wide form, UTF-8 with BOM: 单位 + one column per input id
  evidence-long.csv  long form, UTF-8 with BOM: 单位,指标,值,备注
  evidence.xlsx      long form, sheet 证据: 单位 | 指标 | 值 | 备注

The units are the scheme's: 区行政服务中心 (named in the document) and four placeholders.

Run with: /work/main/.venv/bin/python make_evidence.py
"""

import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # examples/evidence_files.py
from evidence_files import write_evidence  # noqa: E402

IDS = ["1.1.1", "2.1.1", "3.1.1"]  # 集中考核, 平时监控, 社会评价: each 0–100

DATA = {
    "区行政服务中心": {"1.1.1": "92", "2.1.1": "95", "3.1.1": "90"},
    "某乡镇": {"1.1.1": "88", "2.1.1": "100", "3.1.1": "85"},
    "某街道": {"1.1.1": "100", "2.1.1": "90", "3.1.1": "88"},
    "某人民团体": {"1.1.1": "85", "2.1.1": "0", "3.1.1": "91.8"},
    "某条管单位": {"1.1.1": "95", "2.1.1": "90", "3.1.1": "90"},
}

NOTES = {
    "某乡镇": {"2.1.1": "平时监控无扣分,满分100"},
    "某街道": {"1.1.1": "集中考核满分100"},
    "某人民团体": {"2.1.1": "平时监控得0分", "3.1.1": "社会评价91.8分"},
}


def number(text: str):
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() else float(text)


def check():
    for unit, row in DATA.items():
        assert list(row) == IDS, unit
        for v in row.values():
            assert 0 <= Decimal(v) <= 100, (unit, v)
        for k in NOTES.get(unit, {}):
            assert k in row, (unit, k)


def main():
    check()
    write_evidence(HERE, DATA, IDS, NOTES, lambda k, v: number(v))


if __name__ == "__main__":
    main()

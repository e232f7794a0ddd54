"""Generate the example evidence for schemes/linxi-learning.yaml.

One half-year check (invented scores) for six 站股室 — the 站股室 themselves are invented too: the
document names none. Each input is the points the 檢查考評領導小組 gives for one of the four parts
(1.1.1 行政推動工作 0–25, 2.1.1 學習載體建設 0–30, 3.1.1 學習機制建立 0–15, 4.1.1 學習成效體現 0–30).

Writes, from the single DATA dict below:
  evidence.csv       wide form, UTF-8 with BOM: 單位 + one column per input id
  evidence-long.csv  long form, UTF-8 with BOM: 單位,指標,值,備註
  evidence.xlsx      long form, sheet 證據: 單位 | 指標 | 值 | 備註

Run with: /work/main/.venv/bin/python make_evidence.py
"""

import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # examples/evidence_files.py
from evidence_files import TRADITIONAL, write_evidence  # noqa: E402

IDS = ["1.1.1", "2.1.1", "3.1.1", "4.1.1"]
JUDGED = {  # input id -> (min, max): the part's points
    "1.1.1": (Decimal(0), Decimal(25)),
    "2.1.1": (Decimal(0), Decimal(30)),
    "3.1.1": (Decimal(0), Decimal(15)),
    "4.1.1": (Decimal(0), Decimal(30)),
}

# unit -> {input id: value as written in the CSV}
DATA = {
    "辦公室": {"1.1.1": "25", "2.1.1": "28", "3.1.1": "15", "4.1.1": "27"},
    "農業技術推廣站": {"1.1.1": "22", "2.1.1": "27.5", "3.1.1": "12", "4.1.1": "28"},
    "植物保護站": {"1.1.1": "20", "2.1.1": "24", "3.1.1": "10", "4.1.1": "25.5"},
    "土壤肥料工作站": {"1.1.1": "23", "2.1.1": "26", "3.1.1": "13", "4.1.1": "27.5"},
    "農村經營管理站": {"1.1.1": "18.5", "2.1.1": "20", "3.1.1": "0", "4.1.1": "22"},
    "計劃財務股": {"1.1.1": "24", "2.1.1": "30", "3.1.1": "14", "4.1.1": "30"},
}

NOTES = {
    "辦公室": {"1.1.1": "滿分25,恰為上限", "3.1.1": "滿分15,恰為上限"},
    "農村經營管理站": {"3.1.1": "未建立學習制度,0分(下限)"},
    "計劃財務股": {"2.1.1": "滿分30,恰為上限", "4.1.1": "滿分30,恰為上限"},
    "土壤肥料工作站": {"4.1.1": "總分與農業技術推廣站相同"},
}


def xlsx_value(text: str):
    d = Decimal(text)
    if d == d.to_integral_value():
        return int(d)
    return float(text)


def check():
    assert list(DATA) == ["辦公室", "農業技術推廣站", "植物保護站", "土壤肥料工作站",
                          "農村經營管理站", "計劃財務股"]
    for unit, row in DATA.items():
        assert list(row) == IDS, unit
        for k, v in row.items():
            low, high = JUDGED[k]
            assert low <= Decimal(v) <= high, (unit, k, v)
        for k in NOTES.get(unit, {}):
            assert k in row, (unit, k)


def main():
    check()
    write_evidence(HERE, DATA, IDS, NOTES, lambda k, v: xlsx_value(v), TRADITIONAL)


if __name__ == "__main__":
    main()

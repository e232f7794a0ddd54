"""Generate the example evidence for schemes/bozhou-safety-2009.yaml.

One quarter (2009年第一季度, invented scores) for the four 縣區 of 亳州市. The scheme has a single
input, 1.1.1: the score the 市局考評組 set on the 考核評分表 (0–100).

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

IDS = ["1.1.1"]
JUDGED = {"1.1.1": (Decimal(0), Decimal(100))}

# unit -> {input id: value as written in the CSV}
DATA = {
    "譙城區": {"1.1.1": "92.5"},
    "渦陽縣": {"1.1.1": "87.75"},
    "蒙城縣": {"1.1.1": "92.5"},
    "利辛縣": {"1.1.1": "100"},
}

NOTES = {
    "譙城區": {"1.1.1": "第一季度考核評分表得分"},
    "渦陽縣": {"1.1.1": "第一季度,兩位小數"},
    "蒙城縣": {"1.1.1": "與譙城區同分"},
    "利辛縣": {"1.1.1": "滿分100,恰為上限"},
}


def xlsx_value(text: str):
    d = Decimal(text)
    if d == d.to_integral_value():
        return int(d)
    return float(text)


def check():
    assert list(DATA) == ["譙城區", "渦陽縣", "蒙城縣", "利辛縣"]
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

"""Generate the example evidence for schemes/hubei-archives-2011.yaml.

Five ILLUSTRATIVE applying 機關 (invented names and scores: the document names no applicant), each
with the six 申報必備條件 of 第五條 (flags 必備條件.1–6: 是/√ = met, 否/× = not met), the answers of
its 申報審批表 (申報等級: 省二級 or 省一級, the level applied for; 持有等級: 無, 省二級 or 省一級,
the certificate it holds in force; 持證滿一年: 是/√ or 否/×, whether it has held it a year) and the
評審組's score on the 考評表 of 附件2 (1.1.1, 0–100).

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

FLAGS = [f"必備條件.{n}" for n in range(1, 7)]
LEVELS = {"申報等級": ["省二級", "省一級"], "持有等級": ["無", "省二級", "省一級"]}
YESNO = [*FLAGS, "持證滿一年"]
IDS = [*FLAGS, *LEVELS, "持證滿一年", "1.1.1"]
JUDGED = {"1.1.1": (Decimal(0), Decimal(100))}
TO_YESNO = {"是": "是", "√": "是", "否": "否", "×": "否"}

# unit -> {input id: value as written in the CSV}
DATA = {
    # applies for 省一級 as the 復查 of the 省一級 it holds (第十一條), scores exactly 90
    "某縣財政局": {
        "必備條件.1": "是", "必備條件.2": "是", "必備條件.3": "是", "必備條件.4": "是",
        "必備條件.5": "是", "必備條件.6": "是",
        "申報等級": "省一級", "持有等級": "省一級", "持證滿一年": "是", "1.1.1": "90",
    },
    # holds a 省二級 certificate from before any result of the tool, for more than a year, and
    # applies for 省一級 (第三條)
    "某縣人民政府辦公室": {
        "必備條件.1": "√", "必備條件.2": "√", "必備條件.3": "√", "必備條件.4": "√",
        "必備條件.5": "√", "必備條件.6": "√",
        "申報等級": "省一級", "持有等級": "省二級", "持證滿一年": "√", "1.1.1": "100",
    },
    # a first application, for 省二級, with no certificate
    "某鎮人民政府": {
        "必備條件.1": "是", "必備條件.2": "是", "必備條件.3": "是", "必備條件.4": "是",
        "必備條件.5": "是", "必備條件.6": "是",
        "申報等級": "省二級", "持有等級": "無", "持證滿一年": "否", "1.1.1": "80",
    },
    "某縣國土資源所": {
        "必備條件.1": "是", "必備條件.2": "是", "必備條件.3": "是", "必備條件.4": "是",
        "必備條件.5": "是", "必備條件.6": "√",
        "申報等級": "省二級", "持有等級": "無", "持證滿一年": "×", "1.1.1": "79.5",
    },
    # may apply for 省一級 (省二級 held over a year) but misses 必備條件.5
    "某縣農業局": {
        "必備條件.1": "是", "必備條件.2": "是", "必備條件.3": "是", "必備條件.4": "是",
        "必備條件.5": "否", "必備條件.6": "是",
        "申報等級": "省一級", "持有等級": "省二級", "持證滿一年": "是", "1.1.1": "90",
    },
}

NOTES = {
    "某縣財政局": {"持有等級": "省一級證書有效期滿當年申請復查", "1.1.1": "恰為省一級達標分數線90分"},
    "某縣人民政府辦公室": {"持有等級": "2009年取得省二級證書", "1.1.1": "滿分100,恰為上限"},
    "某鎮人民政府": {"必備條件.3": "非應向國家綜合檔案館移交檔案的機關,不涉及,按具備計",
                     "必備條件.4": "非應報送政府公開信息的機關,不涉及,按具備計",
                     "1.1.1": "恰為省二級達標分數線80分"},
    "某縣國土資源所": {"1.1.1": "差0.5分未達省二級分數線"},
    "某縣農業局": {"必備條件.5": "兩年內發生檔案損毀事故,不具備", "1.1.1": "與某縣財政局同分"},
}


def xlsx_value(input_id: str, text: str):
    if input_id in YESNO:
        return TO_YESNO[text]
    if input_id in LEVELS:
        return text
    d = Decimal(text)
    if d == d.to_integral_value():
        return int(d)
    return float(text)


def check():
    assert list(DATA) == ["某縣財政局", "某縣人民政府辦公室", "某鎮人民政府", "某縣國土資源所",
                          "某縣農業局"]
    for unit, row in DATA.items():
        assert list(row) == IDS, unit
        for k, v in row.items():
            if k in YESNO:
                assert v in TO_YESNO, (unit, k, v)
            elif k in LEVELS:
                assert v in LEVELS[k], (unit, k, v)
            else:
                low, high = JUDGED[k]
                assert low <= Decimal(v) <= high, (unit, k, v)
        for k in NOTES.get(unit, {}):
            assert k in row, (unit, k)


def main():
    check()
    write_evidence(HERE, DATA, IDS, NOTES, xlsx_value, TRADITIONAL)


if __name__ == "__main__":
    main()

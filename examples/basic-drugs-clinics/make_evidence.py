"""Generate the example evidence for schemes/basic-drugs-clinics.yaml.

Writes, from the single DATA dict below:
  evidence.csv       wide form, UTF-8 with BOM: 单位 + one column per input id
  evidence-long.csv  long form, UTF-8 with BOM: 单位,指标,值,备注
  evidence.xlsx      long form, sheet 证据: 单位 | 指标 | 值 | 备注
and, for outcomes.yaml, ties.csv (wide form): DATA with two units given another unit's figures
(TIES), so that their totals are equal.

The seven 乡镇卫生院 / 社区卫生服务中心 and all their figures are invented. Units give counts
(prescriptions, people, 人次) and amounts (元); the scheme computes every rate and change.

Run with: /work/main/.venv/bin/python make_evidence.py
"""

import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # examples/evidence_files.py
from evidence_files import write_evidence  # noqa: E402

# The 21 inputs, in the document's order: the figures of items 10–12 (备注2–4), the criteria
# the unit answers itself (13–17), then the figures of items 18–21.
IDS = [
    "联用处方数", "抗生素处方数", "门诊处方数", "输液处方数", "输液含激素处方数",
    "4.13.1",
    "5.14.1", "5.14.2", "5.15.1",
    "6.16.1.不按要求报送", "6.16.1.故意虚报",
    "7.17.1", "7.17.2",
    "调查人数", "满意人数",
    "门诊人次", "上年同期门诊人次",
    "住院人次", "上年同期住院人次",
    "住院药品费用", "上年同期住院药品费用",
]
assert len(IDS) == 21

YESNO = {"4.13.1", "5.14.1", "7.17.1", "7.17.2"}   # 是 = the failing the document deducts for
JUDGED = {"5.14.2"}                                 # the assessor's deduction, 0 or 1–2
MONEY = {"住院药品费用", "上年同期住院药品费用"}      # 元
# everything else is a whole-number count


def row(*values: str) -> dict[str, str]:
    assert len(values) == len(IDS)
    return dict(zip(IDS, values))


DATA = {
    #                 联用  抗生素  门诊处方 输液  激素  13   14无  14不全 15  16不按 16虚报 17箱 17记录 调查 满意
    #                 门诊人次 上年   住院  上年   住院药品费用 上年
    "青禾镇卫生院": row("240", "1200", "6000", "1800", "270", "否", "否", "0", "0", "0", "0", "否", "否",
                    "50", "45", "15000", "12000", "1100", "1000", "1100000", "1000000"),
    "柳泉乡卫生院": row("164", "800", "3000", "1010", "202", "是", "否", "1.5", "1", "3", "0", "否", "是",
                    "12", "9", "10800", "12000", "650", "1000", "780000", "1000000"),
    "石岭镇卫生院": row("330", "1000", "4000", "1800", "450", "是", "是", "0", "4", "2", "1", "是", "是",
                    "8", "8", "6500", "12500", "900", "900", "1000000", "900000"),
    "南河社区卫生服务中心": row("129", "600", "5000", "0", "0", "否", "否", "2", "0", "0", "2", "否", "否",
                          "10", "8", "13200", "12000", "120", "100", "114000", "100000"),
    "北苑社区卫生服务中心": row("90", "900", "7000", "2205", "300", "否", "否", "1", "2", "12", "0", "是", "否",
                          "40", "28", "18000", "12000", "300", "400", "291000", "400000"),
    "杏园乡卫生院": row("310", "1500", "4500", "1350", "216", "否", "否", "0", "0", "1", "0", "否", "否",
                    "30", "23", "12000", "12000", "500", "625", "325000", "625000"),
    "西坪镇卫生院": row("231", "1100", "5000", "1600", "248", "否", "否", "1", "5", "0", "0", "是", "否",
                    "20", "17", "11400", "12000", "880", "800", "1540000", "1000000"),
}

NOTES = {
    "青禾镇卫生院": {"联用处方数": "联用率恰好20%", "输液处方数": "输液比例恰好30%",
                "输液含激素处方数": "激素比例恰好15%", "门诊人次": "比上年同期上升25%"},
    "柳泉乡卫生院": {"联用处方数": "联用率20.5%", "输液处方数": "输液比例101/3%(除不尽)",
                "输液含激素处方数": "激素比例20%,恰好扣完", "5.14.2": "公示不全,扣1.5分",
                "5.15.1": "1个药品未实行零差率", "调查人数": "满意率75%",
                "门诊人次": "下降10%", "住院人次": "下降35%"},
    "石岭镇卫生院": {"联用处方数": "联用率33%", "输液处方数": "输液比例45%", "输液含激素处方数": "激素比例25%",
                "5.15.1": "4个药品未实行零差率,可出现负分", "6.16.1.故意虚报": "故意虚报1次",
                "调查人数": "只调查8人,少于10名", "门诊人次": "下降48%",
                "住院药品费用": "人均药费10000/9元(除不尽)"},
    "南河社区卫生服务中心": {"输液处方数": "已停止门诊输液", "输液含激素处方数": "无输液处方,激素比例按0%",
                      "调查人数": "恰好10人,满意率恰好80%", "住院药品费用": "人均药费950元,下降5%"},
    "北苑社区卫生服务中心": {"输液处方数": "输液比例31.5%", "6.16.1.不按要求报送": "12次,扣完为止",
                      "调查人数": "满意率70%", "门诊人次": "上升50%,最多加3分",
                      "住院药品费用": "人均药费970元,下降3%不足一档"},
    "杏园乡卫生院": {"联用处方数": "联用率62/3%(除不尽)", "调查人数": "满意率230/3%(除不尽)",
                "住院药品费用": "人均药费650元,下降35%,最多加6分"},
    "西坪镇卫生院": {"5.15.1": "5个药品未实行零差率,可出现负分", "门诊人次": "下降5%,不足一档",
                "住院药品费用": "人均药费1750元,上升40%,最多扣6分"},
}


def xlsx_value(input_id: str, text: str):
    if input_id in YESNO:
        return text
    d = Decimal(text)
    if d == d.to_integral_value():
        return int(d)
    return float(text)


def check():
    for unit, values in DATA.items():
        assert list(values) == IDS, unit
        for k, v in values.items():
            if k in YESNO:
                assert v in ("是", "否"), (unit, k, v)
            elif k in JUDGED:
                d = Decimal(v)
                assert d == 0 or 1 <= d <= 2, (unit, k, v)
            elif k in MONEY:
                assert Decimal(v) >= 0, (unit, k, v)
            else:
                assert v.isdigit(), (unit, k, v)
        # a part never exceeds its whole
        assert int(values["联用处方数"]) <= int(values["抗生素处方数"]), unit
        assert int(values["输液处方数"]) <= int(values["门诊处方数"]), unit
        assert int(values["输液含激素处方数"]) <= int(values["输液处方数"]), unit
        assert int(values["满意人数"]) <= int(values["调查人数"]), unit
        for k in NOTES.get(unit, {}):
            assert k in values, (unit, k)


# ties.csv: unit -> the unit whose figures it takes (so its total is that unit's, as hand-worked
# in expected.yaml): a tie at the top (71) and one lower down (193/6).
TIES = {"杏园乡卫生院": "青禾镇卫生院", "西坪镇卫生院": "柳泉乡卫生院"}


def write_ties():
    import csv
    with open(HERE / "ties.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["单位", *IDS])
        for unit in DATA:
            source = DATA[TIES.get(unit, unit)]
            w.writerow([unit, *(source[k] for k in IDS)])


def main():
    check()
    write_evidence(HERE, DATA, IDS, NOTES, xlsx_value)
    write_ties()


if __name__ == "__main__":
    main()

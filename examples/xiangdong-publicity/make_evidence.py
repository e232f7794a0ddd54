"""Generate the example evidence for schemes/xiangdong-publicity.yaml.

Writes, from the EVENTS, MONTHLY and ARTICLES below:
  evidence-long.csv  long form, UTF-8 with BOM: 单位,指标,值,級別,渠道,信息,备注
  evidence.xlsx      the same rows, sheet 证据

1.1.1 (采稿獎勵) is an events input: one row per article and place of acceptance, with the
attribute columns 級別, 渠道 and 信息 (the article, so that "一條信息多處錄用" can be grouped).
So there is no wide evidence.csv. The other rows give the figures the document names, with the
attribute columns left empty: 報送條數.1月 … 報送條數.12月 (the 信息 sent each month) and
調研文章篇數 (the year's 調研文章). The scheme holds each unit's monthly quota and works out the
shortfalls for 2.1.1–2.3.1 itself (2.2.1 from the 1.1.1 rows); check() asserts that they come to
SHORTFALLS. The figures are invented for the example.

Run with: /work/main/.venv/bin/python make_evidence.py
"""

import csv
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

UNITS = ["社救局", "扶貧和移民辦", "辦公室", "救災股(減災辦)", "優撫安置股", "基層政權與社區建設股",
         "社會事務股", "社會福利股"]

# (unit, 級別, 渠道, 信息, 值, 备注) — 值 "" is one event.
EVENTS = [
    ("社救局", "區級", "政務信息", "城鄉低保資金按月足額發放", "", "同一信息三處錄用"),
    ("社救局", "市級", "民政網", "城鄉低保資金按月足額發放", "", ""),
    ("社救局", "省級", "民政網", "城鄉低保資金按月足額發放", "", "最高級別:省級"),
    ("社救局", "國家級", "民政報刊", "臨時救助“一門受理”", "", ""),
    ("社救局", "市級", "黨報黨刊", "醫療救助一站式結算", "", ""),
    ("扶貧和移民辦", "區級", "政務信息", "移民后扶項目開工", "", ""),
    ("扶貧和移民辦", "區級", "政務信息", "精準扶貧入戶核查", "1", "值填1,即1篇"),
    ("辦公室", "市級", "黨報黨刊", "民政服務窗口提速", "", "同一信息兩處錄用"),
    ("辦公室", "省級", "黨報黨刊", "民政服務窗口提速", "", "最高級別:省級"),
    ("辦公室", "市級", "民政網", "民政干部業務培訓", "", ""),
    ("辦公室", "區級", "政務信息", "局機關作風建設", "", ""),
    ("救災股(減災辦)", "國家級", "民政網", "防汛救災物資前置", "", "同一信息兩處錄用"),
    ("救災股(減災辦)", "省級", "民政報刊", "防汛救災物資前置", "", ""),
    ("救災股(減災辦)", "省級", "民政網", "綜合減災示范社區創建", "", ""),
    ("優撫安置股", "市級", "民政網", "重點優撫對象走訪慰問", "", ""),
    ("優撫安置股", "市級", "民政網", "退役士兵技能培訓", "", ""),
    ("優撫安置股", "區級", "政務信息", "烈士紀念設施修繕", "", ""),
    ("社會事務股", "省級", "黨報黨刊", "殯葬改革移風易俗", "", ""),
    ("社會事務股", "區級", "政務信息", "婚姻登記頒證服務", "", "同一信息兩處錄用"),
    ("社會事務股", "市級", "民政網", "婚姻登記頒證服務", "", "最高級別:市級"),
    ("社會事務股", "市級", "民政網", "流浪乞討人員救助", "", ""),
    ("社會事務股", "區級", "政務信息", "殘疾人兩項補貼發放", "", ""),
    ("社會福利股", "市級", "民政網", "居家養老服務中心運營", "", "同一信息三處錄用"),
    ("社會福利股", "省級", "民政網", "居家養老服務中心運營", "", ""),
    ("社會福利股", "國家級", "民政網", "居家養老服務中心運營", "", "最高級別:國家級"),
    ("社會福利股", "市級", "黨報黨刊", "兒童福利保障", "", ""),
]

MONTHS = [f"{m}月" for m in range(1, 13)]

# 報送條數.1月 … 報送條數.12月: the 信息 each unit sent each month.
MONTHLY = {
    "社救局": [4, 3, 2, 3, 3, 4, 3, 2, 3, 3, 3, 3],
    "扶貧和移民辦": [1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1],
    "辦公室": [2, 3, 2, 2, 2, 3, 2, 2, 2, 2, 2, 3],
    "救災股(減災辦)": [2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 1, 2],
    "優撫安置股": [2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2],
    "基層政權與社區建設股": [2, 1, 2, 0, 2, 2, 1, 2, 2, 1, 2, 2],
    "社會事務股": [3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
    "社會福利股": [3, 2, 1, 2, 2, 1, 2, 2, 3, 2, 1, 2],
}

# 調研文章篇數: the unit's 調研文章 for the year.
ARTICLES = {
    "社救局": 1,
    "扶貧和移民辦": 0,
    "辦公室": 2,
    "救災股(減災辦)": 1,
    "優撫安置股": 1,
    "基層政權與社區建設股": 0,
    "社會事務股": 0,
    "社會福利股": 1,
}

# Not written to the evidence: the scheme holds the quota (月定額, per_unit) and works out the
# shortfalls. Kept here only to check the figures above give the example's intended shortfalls.
QUOTA = {"社救局": 3, "扶貧和移民辦": 1}  # every other unit: 2
MINZHENG_LEVELS, MINZHENG_CHANNELS = {"市級", "省級", "國家級"}, {"民政網", "民政報刊"}

# unit -> (少報送條數, 少民政系統采稿篇數, 少調研文章篇數) as the scheme computes them (2.1.1–2.3.1).
SHORTFALLS = {
    "社救局": (2, 0, 0),
    "扶貧和移民辦": (0, 2, 1),
    "辦公室": (0, 1, 0),
    "救災股(減災辦)": (1, 0, 0),
    "優撫安置股": (0, 0, 0),
    "基層政權與社區建設股": (5, 2, 1),
    "社會事務股": (0, 0, 1),
    "社會福利股": (3, 1, 0),
}

EXTRA_NOTES = {
    ("社救局", "1月"): "超出定額1條,不抵其他月份",
    ("社救局", "6月"): "超出定額1條,不抵其他月份",
    ("社會福利股", "1月"): "超出定額1條,不抵其他月份",
    ("社會福利股", "9月"): "超出定額1條,不抵其他月份",
}


def quota(unit):
    return QUOTA.get(unit, 2)


def month_note(unit, month, count):
    short = quota(unit) - count
    if short > 0:
        return f"月定額{quota(unit)}條,少{short}條"
    return EXTRA_NOTES.get((unit, month), "")


def article_note(unit):
    return "未交調研文章,少1篇" if ARTICLES[unit] == 0 else "已完成(每年不少于1篇)"


HEADER = ["单位", "指标", "值", "級別", "渠道", "信息", "备注"]


def rows():
    out = []
    for unit in UNITS:
        for u, level, channel, info, value, note in EVENTS:
            if u == unit:
                out.append([unit, "1.1.1", value, level, channel, info, note])
        for month, count in zip(MONTHS, MONTHLY[unit], strict=True):
            out.append([unit, f"報送條數.{month}", str(count), "", "", "", month_note(unit, month, count)])
        out.append([unit, "調研文章篇數", str(ARTICLES[unit]), "", "", "", article_note(unit)])
    return out


def minzheng_articles(unit):
    """市級以上民政系統 (民政網或民政報刊) articles, each 信息 once."""
    return len({info for u, level, channel, info, _, _ in EVENTS
                if u == unit and level in MINZHENG_LEVELS and channel in MINZHENG_CHANNELS})


def check():
    assert list(MONTHLY) == list(ARTICLES) == list(SHORTFALLS) == UNITS
    assert {e[0] for e in EVENTS} <= set(UNITS)
    for key in EXTRA_NOTES:
        assert key[0] in UNITS and key[1] in MONTHS and MONTHLY[key[0]][MONTHS.index(key[1])] > quota(key[0]), key
    for unit in UNITS:
        counts = MONTHLY[unit]
        assert len(counts) == 12 and all(c >= 0 for c in counts), unit
        got = (sum(max(quota(unit) - c, 0) for c in counts),
               max(2 - minzheng_articles(unit), 0),
               max(1 - ARTICLES[unit], 0))
        assert got == SHORTFALLS[unit], (unit, got, SHORTFALLS[unit])


def main():
    check()
    body = rows()
    with open(HERE / "evidence-long.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(body)

    wb = Workbook()
    ws = wb.active
    ws.title = "证据"
    ws.append(HEADER)
    for unit, input_id, value, level, channel, info, note in body:
        ws.append([unit, input_id, int(value) if value else None, level or None, channel or None,
                   info or None, note or None])
    wb.save(HERE / "evidence.xlsx")


if __name__ == "__main__":
    main()

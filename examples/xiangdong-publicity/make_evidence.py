"""Generate the example evidence for schemes/xiangdong-publicity.yaml.

Writes, from the EVENTS and SHORTFALLS below:
  evidence-long.csv  long form, UTF-8 with BOM: 单位,指标,值,級別,渠道,信息,备注
  evidence.xlsx      the same rows, sheet 证据

1.1.1 (采稿獎勵) is an events input: one row per article and place of acceptance, with the
attribute columns 級別, 渠道 and 信息 (the article, so that "一條信息多處錄用" can be grouped).
So there is no wide evidence.csv. 2.1.1–2.3.1 are the shortfall counts (少完成的篇數), one row
each with the attribute columns left empty. The figures are invented for the example.

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

# unit -> (2.1.1 少報送條數, 2.2.1 少市級以上民政系統采稿篇數, 2.3.1 少調研文章篇數)
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

SHORTFALL_NOTES = {
    ("社救局", "2.1.1"): "月定額3條,3月、8月各少1條",
    ("社救局", "2.2.1"): "民政系統采稿2篇(省級民政網、國家級民政報刊),已完成",
    ("扶貧和移民辦", "2.2.1"): "民政系統采稿0篇,少2篇",
    ("扶貧和移民辦", "2.3.1"): "未交調研文章",
    ("辦公室", "2.2.1"): "民政系統采稿1篇(市級民政網),少1篇",
    ("救災股(減災辦)", "2.1.1"): "月定額2條,11月少1條",
    ("基層政權與社區建設股", "2.1.1"): "月定額2條,全年各月少報合計5條",
    ("基層政權與社區建設股", "2.2.1"): "民政系統采稿0篇,少2篇",
    ("基層政權與社區建設股", "2.3.1"): "未交調研文章",
    ("社會事務股", "2.3.1"): "未交調研文章",
    ("社會福利股", "2.1.1"): "月定額2條,全年各月少報合計3條",
    ("社會福利股", "2.2.1"): "民政系統采稿1篇(同一信息三處錄用,按1篇計),少1篇",
}

HEADER = ["单位", "指标", "值", "級別", "渠道", "信息", "备注"]


def rows():
    out = []
    for unit in UNITS:
        for u, level, channel, info, value, note in EVENTS:
            if u == unit:
                out.append([unit, "1.1.1", value, level, channel, info, note])
        for input_id, count in zip(("2.1.1", "2.2.1", "2.3.1"), SHORTFALLS[unit]):
            out.append([unit, input_id, str(count), "", "", "", SHORTFALL_NOTES.get((unit, input_id), "")])
    return out


def check():
    assert list(SHORTFALLS) == UNITS
    assert {e[0] for e in EVENTS} <= set(UNITS)
    for key in SHORTFALL_NOTES:
        assert key[0] in UNITS and key[1] in ("2.1.1", "2.2.1", "2.3.1"), key


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

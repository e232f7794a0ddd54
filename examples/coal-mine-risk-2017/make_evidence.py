"""Generate the example evidence for schemes/coal-mine-risk-2017.yaml.

Six INVENTED mines (the document names none) assessed on 第1部分 安全风险分级管控 评分表: the
assessors' findings for each of the 17 rows, as the scheme asks for them:
  <row>.<clause>    a whole count (矿领导不清楚职责 1人, 辨识内容缺少 2项, 超出人数上限 3人, …);
  <row>.<condition> 是/否 for each "X不得分" condition (是: the condition holds, the row scores 0);
  1.1.2             是/否 (是: 已明确管理部门);
  不适用 / 缺项      in every input of a row that is 缺项 at the mine (2.2.1–2.2.4, 3.1.2 only);
and the mine's own figures the grades read (定级办法 第四条、第五条; MINE below):
  基本条件           是/否 (是: every 基本条件 is met);
  露天煤矿           是/否 (否: a 井工 mine);
  单班入井人数        正常工作时单班入井人数 (a whole count);
  生产能力           万吨/年.

Writes, from BASE and the per-mine CHANGES below:
  evidence.csv       wide form, UTF-8 with BOM: 单位 + one column per input id
  evidence-long.csv  long form, UTF-8 with BOM: 单位,指标,值,备注
  evidence.xlsx      long form, sheet 证据: 单位 | 指标 | 值 | 备注
and, for outcomes.yaml, grades.csv (wide form): the grade boundaries (GRADE_CASES below).

Run with: /work/main/.venv/bin/python make_evidence.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # examples/evidence_files.py
from evidence_files import write_evidence  # noqa: E402

# Each row: (criterion id, its count labels, its 不得分 conditions); 1.1.2 is the one `met` row.
ROWS = [
    ("1.1.1", ["矿领导不清楚职责"], ["未建立责任体系"]),
    ("1.1.2", [], []),
    ("1.2.1", ["辨识范围方法或流程不明确"], ["未建立制度"]),
    ("2.1.1", ["辨识内容缺少", "报告清单措施缺少", "成果未体现"], ["未开展辨识", "组织者不符合要求"]),
    *[(f"2.2.{k}", ["组织者不符合要求", "辨识内容缺少", "清单措施成果未体现"], ["未开展辨识"]) for k in (1, 2, 3, 4)],
    ("3.1.1", ["人员技术资金不明确不到位"], ["组织者不符合要求", "未制定方案"]),
    ("3.1.2", ["超出人数上限"], ["未设定人数上限"]),
    ("3.2.1", ["缺分析评估", "措施未调整或重点不明确", "责任不明确"], ["未组织分析评估"]),
    ("3.2.2", ["缺分析评估", "措施未调整"], ["未组织分析评估"]),
    ("3.3.1", ["未跟踪或未及时整改"], ["未执行领导带班制度"]),
    ("3.4.1", ["公告内容和位置不符合要求"], ["未公示"]),
    ("4.1.1", ["功能缺少"], ["未实现信息化管理"]),
    ("4.2.1", ["培训内容不符合要求"], []),
    ("4.2.2", ["未参加学习"], ["未组织学习"]),
]
NA_ROWS = {"2.2.1", "2.2.2", "2.2.3", "2.2.4", "3.1.2"}   # the rows with `na: true`

IDS: list[str] = []
COUNTS: set[str] = set()
YESNO: set[str] = set()
for cid, counts, conditions in ROWS:
    if not counts and not conditions:
        IDS.append(cid)
        YESNO.add(cid)
        continue
    for label in counts:
        IDS.append(f"{cid}.{label}")
        COUNTS.add(f"{cid}.{label}")
    for label in conditions:
        IDS.append(f"{cid}.{label}")
        YESNO.add(f"{cid}.{label}")
assert len(IDS) == 47
ROW_IDS = list(IDS)
MINE_IDS = ["基本条件", "露天煤矿", "单班入井人数", "生产能力"]
IDS += MINE_IDS
YESNO |= {"基本条件", "露天煤矿"}

# Everything in place: no shortcoming found, no 不得分 condition, the 管理部门 明确.
BASE = {i: ("0" if i in COUNTS else "否") for i in IDS}
BASE["1.1.2"] = "是"


def not_applicable(cid: str, word: str = "不适用") -> dict[str, str]:
    """Every input of row `cid` marked 缺项."""
    assert cid in NA_ROWS
    return {i: word for i in IDS if i == cid or i.startswith(cid + ".")}


# mine -> {input id: value as written in the CSV}, on top of BASE
CHANGES = {
    # 100: everything in place, every 专项辨识 trigger occurred and was handled.
    "青石岭煤矿": {},
    # 缺项 2.2.4 (6) and 3.1.2 (4): 应得 90; 5 points off elsewhere: 实得 85 → 850/9.
    "北坡煤矿": {
        **not_applicable("2.2.4"), **not_applicable("3.1.2"),
        "1.1.1.矿领导不清楚职责": "1",
        "2.1.1.成果未体现": "2",
        "3.4.1.公告内容和位置不符合要求": "1",
        "4.2.1.培训内容不符合要求": "1",
    },
    # 89.5, just under the 90 line (no 缺项).
    "东沟煤矿": {
        "2.2.2.辨识内容缺少": "1",
        "3.1.2.超出人数上限": "1",
        "3.2.2.缺分析评估": "2",
        "4.2.1.培训内容不符合要求": "2",
    },
    # 不得分 conditions take three rows (2.1.1 with a count also found, 3.1.1, and the met row 1.1.2).
    "红柳湾煤矿": {
        "1.1.2": "否",
        "2.1.1.组织者不符合要求": "是",
        "2.1.1.辨识内容缺少": "1",
        "3.1.1.未制定方案": "是",
        "4.2.2.未参加学习": "2",
    },
    # Deductions beyond a row's points in three rows (2.2.2, 3.1.2, 3.2.1): each stops at 0.
    "白杨河煤矿": {
        "2.2.2.组织者不符合要求": "1",
        "2.2.2.辨识内容缺少": "3",
        "2.2.2.清单措施成果未体现": "1",
        "3.1.2.超出人数上限": "10",
        "3.2.1.缺分析评估": "2",
        "3.2.1.措施未调整或重点不明确": "1",
        "3.2.1.责任不明确": "2",
        "4.1.1.功能缺少": "1",
    },
    # An open-pit mine with no 专项辨识 trigger in the period: all of 2.2 (30) 缺项, 应得 70;
    # 7 points off: 实得 63 → exactly 90.
    "南山露天煤矿": {
        **not_applicable("2.2.1", "缺项"), **not_applicable("2.2.2", "缺项"),
        **not_applicable("2.2.3", "缺项"), **not_applicable("2.2.4", "缺项"),
        "1.1.1.矿领导不清楚职责": "1",
        "2.1.1.辨识内容缺少": "1",
        "2.1.1.报告清单措施缺少": "1",
        "3.3.1.未跟踪或未及时整改": "1",
    },
}

# mine -> (基本条件, 露天煤矿, 单班入井人数, 生产能力 万吨/年): every mine meets its 基本条件 and its
# 人数 limit, so the grades are those of the scores alone (一级 at ≥ 90, 二级 at ≥ 80).
MINE = {
    "青石岭煤矿": ("是", "否", "620", "240"),
    "北坡煤矿": ("是", "否", "85", "21"),        # a small mine (≤ 30万吨/年): 85 ≤ 100
    "东沟煤矿": ("是", "否", "400", "90"),
    "红柳湾煤矿": ("是", "否", "300", "120"),
    "白杨河煤矿": ("是", "否", "150", "60"),
    "南山露天煤矿": ("是", "是", "0", "300"),     # 露天: no 入井 limit
}


def rows_for(changes: dict[str, str], mine: tuple[str, str, str, str]) -> dict[str, str]:
    row = {i: changes.get(i, BASE[i]) for i in ROW_IDS}
    row.update(zip(MINE_IDS, mine, strict=True))
    return row


DATA = {mine: rows_for(changes, MINE[mine]) for mine, changes in CHANGES.items()}

# grades.csv: mine -> (the mine whose 评分表 findings it takes, its own figures). Scores are those
# hand-worked in expected.yaml for the mine named first (青石岭 100, 北坡 850/9, 南山 90).
GRADE_CASES = {
    "青石岭煤矿": ("青石岭煤矿", ("是", "否", "1000", "240")),   # exactly 1000: 不超过 includes it
    "北坡煤矿": ("北坡煤矿", ("是", "否", "101", "30")),         # 30 is 以下: limit 100, 101 over
    "东沟煤矿": ("青石岭煤矿", ("是", "否", "", "90")),           # 单班入井人数 missing
    "红柳湾煤矿": ("青石岭煤矿", ("否", "否", "500", "120")),      # a 基本条件 not met
    "白杨河煤矿": ("青石岭煤矿", ("是", "否", "1001", "500")),     # over 1000
    "南山露天煤矿": ("南山露天煤矿", ("是", "是", "1200", "10")),   # 露天: the 人数 limit does not apply
}
GRADE_DATA = {mine: rows_for(CHANGES[source], figures) for mine, (source, figures) in GRADE_CASES.items()}

NOTES = {
    "北坡煤矿": {
        "2.2.4.未开展辨识": "本期未发生死亡事故、涉险事故、重大事故隐患,所在省份未发生重特大事故,缺项",
        "3.1.2.未设定人数上限": "未划定重大安全风险区域,缺项",
        "1.1.1.矿领导不清楚职责": "随机抽查4名矿领导,1人不清楚职责",
        "2.1.1.成果未体现": "生产计划、应急救援预案未体现辨识成果",
    },
    "东沟煤矿": {
        "3.1.2.超出人数上限": "综采工作面超上限1人",
        "3.2.2.缺分析评估": "分管负责人缺2旬检查分析",
    },
    "红柳湾煤矿": {
        "1.1.2": "未明确管理部门",
        "2.1.1.组织者不符合要求": "年度辨识由总工程师组织,非矿长组织",
        "2.1.1.辨识内容缺少": "另缺冲击地压辨识(本条已不得分)",
        "3.1.1.未制定方案": "无具体工作方案",
    },
    "白杨河煤矿": {
        "2.2.2.辨识内容缺少": "缺作业环境、设施设备运行、重大灾害因素3项",
        "3.1.2.超出人数上限": "两个区域合计超上限10人",
        "3.2.1.缺分析评估": "缺2个月检查分析",
    },
    "南山露天煤矿": {
        "2.2.1.未开展辨识": "本期无新采(盘)区设计,缺项",
        "2.2.2.未开展辨识": "本期生产系统等无重大变化,缺项",
        "2.2.3.未开展辨识": "本期无高危作业、新技术新材料、停工停产,缺项",
        "2.2.4.未开展辨识": "本期未发生事故及重大事故隐患,缺项",
        "2.1.1.辨识内容缺少": "露天煤矿缺爆破风险辨识",
    },
}


def xlsx_value(input_id: str, text: str):
    if text in ("不适用", "缺项") or input_id in YESNO:
        return text
    return int(text)


def write_grades():
    import csv
    with open(HERE / "grades.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["单位", *IDS])
        for mine, row in GRADE_DATA.items():
            w.writerow([mine, *(row[k] for k in IDS)])


def check():
    assert list(DATA) == ["青石岭煤矿", "北坡煤矿", "东沟煤矿", "红柳湾煤矿", "白杨河煤矿", "南山露天煤矿"]
    for mine, changes in CHANGES.items():
        assert set(changes) <= set(IDS), mine
    for mine, row in DATA.items():
        assert row["基本条件"] in ("是", "否") and row["露天煤矿"] in ("是", "否"), mine
        assert row["单班入井人数"].isdigit() and row["生产能力"].isdigit(), mine
        for cid, _, _ in ROWS:
            inputs = [i for i in IDS if i == cid or i.startswith(cid + ".")]
            na = [row[i] in ("不适用", "缺项") for i in inputs]
            assert all(na) or not any(na), (mine, cid)   # a 缺项 row is 缺项 in every input
            assert not any(na) or cid in NA_ROWS, (mine, cid)
            if any(na):
                continue
            for i in inputs:
                assert row[i].isdigit() if i in COUNTS else row[i] in ("是", "否"), (mine, i, row[i])
        for k in NOTES.get(mine, {}):
            assert k in row, (mine, k)


def main():
    check()
    write_evidence(HERE, DATA, IDS, NOTES, xlsx_value)
    write_grades()


if __name__ == "__main__":
    main()

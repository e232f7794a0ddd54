"""Messages a person can act on (issue 14, §4): a unit without evidence, an office's extra
columns, ids a spreadsheet turned into numbers, the id's own cell, rates as entered and 元.

Every expected message is worked out from the example files and the scheme by hand; the working
is beside it.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from openpyxl import Workbook, load_workbook

from conftest import EXAMPLES, ROOT, SCHEMES

CHANGZHOU = str(SCHEMES / "changzhou-2018.yaml")
XUZHOU = str(SCHEMES / "xuzhou-stats-2017.yaml")
XIANGDONG = str(SCHEMES / "xiangdong-publicity.yaml")


def _kaohe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *args], capture_output=True, text=True, cwd=ROOT)


def _first(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    """The first problem of a --format json run (stderr is JSON lines)."""
    return json.loads(result.stderr.splitlines()[0])


def _without(tmp_path: Path, unit: str) -> Path:
    """changzhou-2018's long evidence with every row of `unit` left out."""
    lines = (EXAMPLES / "changzhou-2018" / "evidence-long.csv").read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "evidence.csv"
    path.write_text("\n".join(line for line in lines if not line.startswith(unit + ",")) + "\n", encoding="utf-8")
    return path


# 天宁区 is the 5th unit of changzhou-2018.yaml's `units:` (lines 21–27, `  - name: 天宁区` on line 25,
# its mapping at column 5). The example gives it 64 values (64 rows in evidence-long.csv, one per
# id column of evidence.csv). Six of them have `default: 0` in the scheme (section 7 加分:
# 7.1.1's 市级/省级/国家级, 7.1.2, 7.2.1, 7.3.1), so without its rows 64 − 6 = 58 values are missing.
NO_EVIDENCE = "单位 天宁区 没有任何证据(58 项未提供)"
UNIT_LINE = f"{CHANGZHOU}:25:5"


def test_a_unit_without_evidence_is_one_line_not_one_per_value(tmp_path: Path) -> None:
    result = _kaohe("score", CHANGZHOU, str(_without(tmp_path, "天宁区")))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert f"{UNIT_LINE}: 警告: {NO_EVIDENCE},按 0 分计;加 --strict 视为错误" in lines
    # The other six units are complete: no other missing value, so no listing at all.
    assert not any("未提供,按 0 分计(加 --strict" in line or line.startswith("  天宁区") for line in lines)
    assert "天宁区" in result.stdout  # still ranked, with its 0


def test_a_unit_without_evidence_is_one_error_under_strict(tmp_path: Path) -> None:
    result = _kaohe("score", CHANGZHOU, str(_without(tmp_path, "天宁区")), "--strict")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{UNIT_LINE}: 错误: {NO_EVIDENCE}(--strict)",
                                          "证据有 1 个错误,未计分,未写入任何文件"]


def test_a_unit_without_evidence_is_told_in_english(tmp_path: Path) -> None:
    result = _kaohe("--lang", "en", "score", CHANGZHOU, str(_without(tmp_path, "天宁区")))
    assert (f"{UNIT_LINE}: warning: unit 天宁区 has no evidence at all (58 values missing) and scores 0; "
            "--strict makes this an error") in result.stderr.splitlines()


def test_rank_and_explain_tell_a_unit_without_evidence_the_same_way(tmp_path: Path) -> None:
    evidence = _without(tmp_path, "天宁区")
    rank = _kaohe("rank", CHANGZHOU, str(evidence))
    assert rank.returncode == 0, rank.stderr
    assert f"{UNIT_LINE}: 警告: {NO_EVIDENCE},按 0 分计" in rank.stderr.splitlines()
    explain = _kaohe("explain", CHANGZHOU, str(evidence), "--unit", "天宁区")
    assert explain.returncode == 0, explain.stderr
    # explain is not given the scheme's place of the unit: the line names the evidence read.
    assert f"{evidence}: 警告: {NO_EVIDENCE},按 0 分计" in explain.stderr.splitlines()


def test_a_unit_missing_some_values_is_still_listed_value_by_value(tmp_path: Path) -> None:
    # 溧阳市's row 1.1.1 (line 2 of evidence-long.csv) left out: one value missing, listed as before.
    lines = (EXAMPLES / "changzhou-2018" / "evidence-long.csv").read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "e.csv"
    path.write_text("\n".join(lines[:1] + lines[2:]) + "\n", encoding="utf-8")
    result = _kaohe("score", CHANGZHOU, str(path))
    assert result.returncode == 0
    assert result.stderr.splitlines()[:2] == ["1 个值未提供,按 0 分计(加 --strict 则视为错误):", "  溧阳市 1.1.1"]
    assert "没有任何证据" not in result.stderr


def _wide_rows() -> list[list[str]]:
    text = (EXAMPLES / "changzhou-2018" / "evidence.csv").read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_an_office_s_extra_columns_are_one_warning_and_not_read(tmp_path: Path) -> None:
    rows = _wide_rows()
    extended = [["序号", *rows[0], "联系人", "联系电话", "填报日期"]]
    extended += [[str(n), *row, "张三", "0519-1234567", "2019-01-05"] for n, row in enumerate(rows[1:], 1)]
    path = _write_csv(tmp_path / "e.csv", extended)
    result = _kaohe("score", CHANGZHOU, str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    # 序号 is the header's first cell (1:1); the other three follow the 64 id columns.
    # Under --format json, stderr is JSON lines: the warning at the header's first cell (1:1).
    assert {"file": str(path), "line": 1, "col": 1, "level": "warning",
            "message": "这些列不是指标,其值未读取: 序号、联系人、联系电话、填报日期"}.items() <= _first(result).items()
    # The scores are the example's own: 溧阳市 119.5 (examples/changzhou-2018/expected.yaml).
    assert '"unit": "溧阳市"' in result.stdout and '"total": "119.5"' in result.stdout


def test_an_unknown_header_that_looks_like_an_id_suggests_the_nearest(tmp_path: Path) -> None:
    rows = _wide_rows()
    header = list(rows[0])
    # Columns 2–4 are 1.1.1, 1.2.1, 1.3.1: the only ids under 1.1, 1.2 and 1.3.
    header[1], header[2], header[3] = "1.1.9", "1.2.1领导重视", "1.3.11 会议"
    path = _write_csv(tmp_path / "e.csv", [header, *rows[1:]])
    result = _kaohe("score", CHANGZHOU, str(path))
    assert result.returncode == 1
    hint = "(应写作 1.1.1 或 \"1.1.1 标题\")"
    assert result.stderr.splitlines()[:3] == [
        f"{path}:1:2: 错误: 表头 \"1.1.9\" 不是本方案的指标编号{hint}(最接近: 1.1.1)",
        f"{path}:1:3: 错误: 表头 \"1.2.1领导重视\" 不是本方案的指标编号{hint}(最接近: 1.2.1)",
        f"{path}:1:4: 错误: 表头 \"1.3.11 会议\" 不是本方案的指标编号{hint}(最接近: 1.3.1)",
    ]


def test_a_long_form_id_error_names_the_id_s_cell(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("单位,指标,值\n溧阳市,9.9.9,3\n", encoding="utf-8")
    result = _kaohe("score", CHANGZHOU, str(path))
    assert result.returncode == 1
    # Line 2, column 2 (指标), not column 3 (值).
    assert result.stderr.splitlines()[0] == f"{path}:2:2: 错误: 指标编号 \"9.9.9\" 不在本方案中"


def _long_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "证据"
    sheet.append(["单位", "指标", "值"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_number_id_where_the_scheme_has_both_is_warned_at_its_cell(tmp_path: Path) -> None:
    # xuzhou-stats-2017 has items 2.1 and 2.10 (each one criterion, judged 0 or 1–3 / 1–4). A cell
    # typed 2.10 as a number is kept as 2.1: read as 2.1, and the cell (B2) is named.
    path = _long_xlsx(tmp_path / "e.xlsx", [["豐縣", 2.1, 3]])
    result = _kaohe("score", XUZHOU, str(path))
    assert result.stderr.splitlines()[0] == (
        f"{path}!证据!B2: 警告: 指标编号是数字 2.1,按 2.1 读取;本方案也有 2.10,若填的是 2.10,"
        "表格软件已去掉末尾的 0,请把此列设为文本后重填")


def test_a_csv_id_stays_text_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("单位,指标,值\n豐縣,2.10,3\n豐縣,2.1,2\n", encoding="utf-8")
    result = _kaohe("score", XUZHOU, str(path))
    assert "数字" not in result.stderr and "重复" not in result.stderr


MINI = """\
id: mini
title: 小方案
full_score: 10
units: [{name: 甲}]
sections:
  - id: "1"
    title: 一
    points: 10
    items:
      - id: "1.9"
        title: 九
        points: 5
        criteria:
          - {id: 1.9.1, text: 评定, points: 5, rule: {kind: judged, min: 0, max: 5}}
      - id: "1.10"
        title: 十
        points: 5
        criteria:
          - {id: 1.10.1, text: 评定, points: 5, rule: {kind: judged, min: 0, max: 5}}
"""


def test_a_number_id_the_scheme_has_only_with_its_zero_is_read_so_and_said(tmp_path: Path) -> None:
    scheme = tmp_path / "mini.yaml"
    scheme.write_text(MINI, encoding="utf-8")
    # 1.10 typed as a number reads 1.1; the scheme has no 1.1, only 1.10 → read as 1.10.
    path = _long_xlsx(tmp_path / "e.xlsx", [["甲", "1.9", 4], ["甲", 1.1, 3]])
    result = _kaohe("score", str(scheme), str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert {"file": str(path), "sheet": "证据", "cell": "B3", "level": "warning",
            "message": "指标编号是数字 1.1,本方案没有 1.1,按 1.10 读取(表格软件去掉了末尾的 0);请把此列设为文本"
            }.items() <= _first(result).items()
    assert '"total": "7"' in result.stdout  # 1.9 judged 4 + 1.10 judged 3


def test_a_number_header_the_scheme_has_only_with_its_zero_is_read_so(tmp_path: Path) -> None:
    scheme = tmp_path / "mini.yaml"
    scheme.write_text(MINI, encoding="utf-8")
    book = Workbook()
    sheet = book.active
    sheet.title = "证据"
    sheet.append(["单位", "1.9", 1.1])  # C1: 1.10 kept as the number 1.1
    sheet.append(["甲", 2, 5])
    book.save(tmp_path / "w.xlsx")
    result = _kaohe("score", str(scheme), str(tmp_path / "w.xlsx"), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert {"sheet": "证据", "cell": "C1", "level": "warning",
            "message": "指标编号是数字 1.1,本方案没有 1.1,按 1.10 读取(表格软件去掉了末尾的 0);请把此列设为文本"
            }.items() <= _first(result).items()
    assert '"total": "7"' in result.stdout  # 2 + 5


RATES = """\
id: rates
title: 比率
full_score: 40
rates: fraction  # a bare number is a fraction: 0.88 is 88%
units: [{name: 甲}]
sections:
  - id: "1"
    title: 一
    points: 40
    items:
      - id: "1.1"
        title: 完成率
        points: 40
        criteria:
          - id: 1.1.1
            text: 每低于1%减2分,完成率低于80%的此项不得分
            points: 40
            rule: {kind: steps, below: 100%, step: 1%, take: 2, zero: {lt: 80%}}
"""


def test_explain_shows_a_rate_as_entered(tmp_path: Path) -> None:
    scheme = tmp_path / "rates.yaml"
    scheme.write_text(RATES, encoding="utf-8")
    typed = tmp_path / "e.csv"
    typed.write_text("单位,指标,值\n甲,1.1.1,88%\n", encoding="utf-8")
    result = _kaohe("explain", str(scheme), str(typed), "--unit", "甲")
    assert result.returncode == 0, result.stderr
    assert f"值: 88% ← {typed}:2:3" in result.stdout  # not 0.88
    # A cell of a workbook formatted as a percentage holds the number 0.88 and shows 88%.
    book = tmp_path / "e.xlsx"
    _long_xlsx(book, [["甲", "1.1.1", 0.88]])
    result = _kaohe("explain", str(scheme), str(book), "--unit", "甲")
    assert result.returncode == 0, result.stderr
    assert f"值: 88% ← {book}!证据!C2" in result.stdout


def test_explain_shows_panel_rates_as_entered() -> None:
    # anhui-efficiency-2012: 省委组织部's 3.1.1 rows are 96% (固定服务对象) and 92% (非固定).
    result = _kaohe("explain", str(SCHEMES / "anhui-efficiency-2012.yaml"),
                    str(EXAMPLES / "anhui-efficiency-2012" / "evidence-long.csv"), "--unit", "省委组织部",
                    "--item", "3.1.1")
    assert result.returncode == 0, result.stderr
    assert "值: 固定服务对象×96%; 非固定服务对象×92%" in result.stdout


def test_a_money_scheme_says_yuan_in_explain() -> None:
    # xiangdong-publicity counts in 元 (unit: 元). 社救局 (expected.yaml): 奖励 660, 扣减 100, 合计
    # 560; 2.1.1 short by 2 條 × 50 元 = 100 元; no base section, so no base is named.
    result = _kaohe("explain", XIANGDONG, str(EXAMPLES / "xiangdong-publicity" / "evidence-long.csv"),
                    "--unit", "社救局")
    assert result.returncode == 0, result.stderr
    lines = [line.strip("│├└─ ") for line in result.stdout.splitlines()]
    assert lines[0] == "社救局: 合计 560元(奖励 660元,扣减 100元)"
    assert "2篇×50元=100元 → 100元" in lines
    # The rule's words are another part's (report/text.py describe_rule); its amount says 元.
    assert any(line.startswith("规则: ") and "50元" in line and "少報送條數" in line for line in lines)
    assert "1 獎勵 660元" in lines
    assert not any(f"{amount}分" in line for line in lines for amount in ("50", "100", "560", "660"))


def test_a_money_scheme_says_yuan_in_the_assessment_and_detail_sheets(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = _kaohe("score", XIANGDONG, str(EXAMPLES / "xiangdong-publicity" / "evidence-long.csv"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    book = load_workbook(out, read_only=True)
    texts = {ws.title: [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
             for ws in book.worksheets}
    # 社救局 2.1.1: 2 條 short × 50 元 = 100 元 (expected.yaml), in its 评价表 and in 明细.
    assessment = next(text for title, text in texts.items() if "社救局" in title)  # the unit's 评价表
    assert "2篇×50元=100元 → 100元" in assessment
    assert "2篇×50元=100元 → 100元" in texts["明细"]
    assert not any("50分" in text for text in texts["明细"])


def test_a_points_scheme_still_says_fen() -> None:
    # changzhou-2018 溧阳市 1.1.1: 3 次批示 × 1分 = 3, capped at 2 (expected.yaml).
    result = _kaohe("explain", CHANGZHOU, str(EXAMPLES / "changzhou-2018" / "evidence.csv"), "--unit", "溧阳市",
                    "--item", "1.1.1")
    assert "3次×1分=3分,封顶2分 → 2分" in result.stdout
    assert result.stdout.splitlines()[0].startswith("溧阳市: 总分 119.5(")


def test_explain_words_a_band_as_the_document_does() -> None:
    # 常州 2.4.1 "核定编制达到10人以上的,得2分;10-5人,得1分;5人以下的,得0.5分": 溧阳市 has 10 (the
    # example's cell I2), in "10人以上" (以上 includes the number itself), so 2分 — said in those words,
    # not as the interval [10, +∞).
    result = _kaohe("explain", str(SCHEMES / "changzhou-2018.yaml"), str(EXAMPLES / "changzhou-2018" / "evidence.csv"),
                    "--unit", "溧阳市", "--item", "2.4")
    assert result.returncode == 0, result.stderr
    assert "10人属于“10人以上”档 → 2分" in result.stdout
    assert "+∞" not in result.stdout and "[10," not in result.stdout

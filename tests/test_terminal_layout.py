"""What the terminal shows: rankings that never hide or cut 名次, 单位 and 总分 at any width, empty
columns left out, flags in the document's words, rules written as the document writes them and
wrapped without splitting a number, and help that reads as words."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from conftest import EXAMPLES, ROOT, SCHEMES
from kaohe.i18n import set_lang
from kaohe.numbers import set_display_places, use_exact_arithmetic
from kaohe.report.terminal import Column, Fitted, Wrapped, ranking_table, wrap_cells
from kaohe.report.text import describe_rule, flag_marks
from kaohe.scheme.load import load_scheme
from kaohe.scheme.models import Scheme

WIDTHS = (60, 80, 100, 120, 140)
EIC = SCHEMES / "changzhou-eic-2016.yaml"
EIC_EVIDENCE = EXAMPLES / "changzhou-eic-2016" / "evidence.xlsx"
# Totals and places worked out by hand in examples/changzhou-eic-2016/expected.yaml (RANK.EQ).
EIC_RANKS = {"经济运行处": (1, "117.45"), "组织人事处": (5, "97.9"), "机关党委": (5, "97.9"),
             "节能与综合利用处": (8, "82.9"), "监察室": (9, "74.5"), "技术进步处": (10, "65.1")}
# The scheme's flags (schemes/changzhou-eic-2016.yaml): 否决.1 "所在部门工作人员因违法违纪被查处的",
# 否决.2 "被通报批评的"; 监察室 has 否决.1, 技术进步处 both (expected.yaml, line 27).
VETO_1, VETO_2 = "所在部门工作人员因违法违纪被查处的", "被通报批评的"


def drawn(renderable: object, width: int) -> list[str]:
    out = io.StringIO()
    Console(width=width, file=out, color_system=None, legacy_windows=False).print(renderable)
    return out.getvalue().splitlines()


def cells(line: str) -> list[str]:
    """A table line's cells (body rows rule with │, the header with ┃)."""
    rule = line[:1]
    return [c.strip() for c in line.strip(rule).split(rule)] if rule in ("│", "┃") else []


@pytest.fixture(scope="module")
def eic() -> tuple[Scheme, Any, Any]:
    """changzhou-eic-2016 scored (for `score`'s table) and decided (for `rank`'s)."""
    from kaohe.commands.rank import gather
    from kaohe.engine import score
    from kaohe.evidence import read_evidence
    from kaohe.outcomes import decide, rank_results

    use_exact_arithmetic()
    loaded = load_scheme(EIC)
    set_display_places(loaded.scheme.shown_places())
    results = score(loaded.scheme, read_evidence([str(EIC_EVIDENCE)], loaded.scheme))
    standings = gather(loaded, [EIC_EVIDENCE], False)[0]
    return loaded.scheme, rank_results(loaded.scheme, results), decide(loaded.scheme, standings, None)


def _rank_table(eic: tuple[Scheme, Any, Any]) -> object:
    from kaohe.report.rankout import ranking_table as rank_table

    return rank_table(eic[0], eic[2])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["score", "rank"])
def test_rank_unit_and_total_are_whole_at_every_width(eic: tuple[Scheme, Any, Any], which: str, width: int) -> None:
    table = ranking_table(eic[0], eic[1]) if which == "score" else _rank_table(eic)
    lines = drawn(table, width)
    assert all(cell_len(line) <= width for line in lines), [line for line in lines if cell_len(line) > width]
    assert not any("…" in line for line in lines)
    rows = {c[1]: c for c in map(cells, lines) if len(c) > 2 and c[0].isdigit()}
    for unit, (place, total) in EIC_RANKS.items():
        assert rows[unit][0] == str(place) and total in rows[unit], (unit, rows.get(unit))


@pytest.mark.parametrize("which", ["score", "rank"])
def test_a_narrow_terminal_gets_the_narrow_layout_and_says_how_to_see_the_rest(
        eic: tuple[Scheme, Any, Any], which: str) -> None:
    table = ranking_table(eic[0], eic[1]) if which == "score" else _rank_table(eic)
    text = "\n".join(drawn(table, 60))
    header = next(cells(line) for line in text.splitlines() if line.startswith("┃") and "名次" in line)
    assert header == ["名次", "单位", "总分"]  # no grades in this scheme: the narrow layout is the key columns
    note = "终端宽度不足,只显示名次、单位、总分和等次;其余各列请用 --format json 查看,或用 -o 结果.xlsx 写入文件"
    assert note.replace(" ", "") in text.replace("\n", "").replace(" ", "")
    # The vetoes are not lost with their column: one line per vetoed unit, in the document's words.
    assert f"监察室: 一票否决: {VETO_1}" in text
    assert f"技术进步处: 一票否决: {VETO_1}; {VETO_2}".replace(" ", "") in text.replace("\n", "").replace(" ", "")


def test_a_wide_terminal_shows_every_column_and_no_note(eic: tuple[Scheme, Any, Any]) -> None:
    text = "\n".join(drawn(_rank_table(eic), 140))
    for head in ("名次", "单位", "总分", "奖项", "处理", "否决/标记"):
        assert head in text
    assert "终端宽度不足" not in text


def test_vetoes_are_in_the_documents_words_not_ids(eic: tuple[Scheme, Any, Any]) -> None:
    for table in (ranking_table(eic[0], eic[1]), _rank_table(eic)):
        text = "".join(line.replace("│", "").replace(" ", "") for line in drawn(table, 140))
        assert VETO_1 in text and VETO_2 in text
        assert "否决.1" not in text and "否决.2" not in text


def test_flag_marks_name_flags_by_their_text_and_items_by_their_title() -> None:
    scheme = load_scheme(EIC).scheme
    item = scheme.sections[0].items[0]
    marks = flag_marks(["否决.1", "否决.2"], [item.id], [], scheme=scheme)
    assert marks == [f"一票否决: {VETO_1}; {VETO_2}", f"弄虚作假: {item.id} {item.title}"]
    assert flag_marks(["否决.1"], [], []) == ["一票否决(否决.1)"]  # without the scheme: by id, as before


def _column(head: str, values: list[str], **kw: Any) -> Column:
    return Column(head, values, **kw)


def test_empty_columns_are_left_out() -> None:
    columns = [_column("名次", ["1", "2"], role="key"), _column("单位", ["甲", "乙"], left=True, role="key"),
               _column("总分", ["90", "80"], role="key"), _column("等次", ["", ""], left=True, role="key"),
               _column("上次名次", ["", ""]), _column("名次变化", ["", ""]), _column("说明", ["", " "], left=True),
               _column("奖项", ["先进", ""], left=True)]
    header = next(cells(line) for line in drawn(Fitted("t", columns), 140) if line.startswith("┃"))
    assert header == ["名次", "单位", "总分", "奖项"]


def test_headers_are_whole_where_the_room_left_allows_the_shortest_first() -> None:
    # Numbers of 2-4 cells under "基本分" (6 cells) and "机构职能建设" (12): at 60 columns the table
    # with every header whole is 54 wide, so none wraps; at 50 there is room for 基本分's two more cells
    # but not for 机构职能建设's eight: the short one is whole, the long one wraps.
    columns = [_column("名次", ["1"], role="key"), _column("单位", ["甲"], left=True, role="key"),
               _column("机构职能建设", ["12"], role="section"), _column("基本分", ["99.5"]),
               _column("加分", ["20"]), _column("总分", ["119.5"], role="key")]
    header_lines = [cells(line) for line in drawn(Fitted("t", columns), 60) if line.startswith("┃")]
    assert header_lines == [["名次", "单位", "机构职能建设", "基本分", "加分", "总分"]]
    narrow = [cells(line) for line in drawn(Fitted("t", columns), 50) if line.startswith("┃")]
    assert narrow[-1][3] == "基本分" and len(narrow) > 1  # 基本分 whole, 机构职能建设 wrapped


def test_a_long_unit_name_folds_whole_rather_than_being_cut() -> None:
    name = "中国工商银行安徽省分行营业部第一分理处"  # 19 characters, 38 cells: wider than 60 leaves it
    columns = [_column("名次", ["1"], role="key"), _column("单位", [name], left=True, limit=24, role="key"),
               _column("总分", ["119.5"], role="key")]
    lines = drawn(Fitted("t", columns), 30)
    assert all(cell_len(line) <= 30 for line in lines)
    assert "".join(cells(line)[1] for line in lines if line.startswith("│")) == name
    assert any("119.5" in line for line in lines)


def test_sections_are_left_out_before_anything_else() -> None:
    columns = [_column("名次", ["1"], role="key"), _column("单位", ["甲"], left=True, role="key"),
               *(_column(f"第{i}部分", ["10"], role="section") for i in range(12)),
               _column("加分", ["3"]), _column("总分", ["123"], role="key")]
    # 名次 4 + 单位 4 + 加分 4 + 总分 4 cells, each with 3 of padding and rule, and the last rule: 29;
    # the twelve sections need 12 × 7 = 84 more.
    text = "\n".join(drawn(Fitted("t", columns), 60))
    header = next(cells(line) for line in text.splitlines() if line.startswith("┃"))
    assert header == ["名次", "单位", "加分", "总分"]
    assert "终端宽度不足,未显示各部分得分" in text.replace("\n", "")
    assert "终端宽度不足" not in "\n".join(drawn(Fitted("t", columns), 29 + 84))


# Rules as the document writes them.

def _criterion(tmp_path: Path, rule: dict[str, Any], points: object = 10, **extra: Any):  # type: ignore[no-untyped-def]
    """The one criterion of a one-item scheme, loaded as a scheme file is (JSON is YAML)."""
    document = {
        "id": "t", "title": "t", "full_score": points, "units": [{"name": "甲"}],
        "sections": [{"id": "1", "title": "t", "points": points,
                      "items": [{"id": "1.1", "title": "t", "criteria": [
                          {"id": "1.1.1", "text": "t", "points": points, "rule": rule, **extra}]}]}]}
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return load_scheme(path).scheme.sections[0].items[0].criteria[0]


RULES = [
    # 常州 2.4.1 "编制达到10人以上的,得2分;10-5人,得1分;5人以下的,得0.5分" as the scheme reads it
    # ([10, ∞), [5, 10), [0, 5)): 以上 includes the number, 不足 leaves it out.
    ({"kind": "bands", "value": "count", "unit": "人",
      "bands": [{"ge": 10, "points": 2}, {"ge": 5, "lt": 10, "points": 1}, {"lt": 5, "points": 0.5}]}, 2,
     "10人以上2分;5人以上不足10人1分;不足5人0.5分"),
    ({"kind": "bands", "value": "rate", "bands": [{"ge": "80%", "points": 2}, {"lt": "80%", "points": 1}]}, 2,
     "80%以上2分;不足80%得1分"),
    ({"kind": "bands", "value": "number", "bands": [{"gt": 1, "le": 3, "points": 2}, {"ge": 3.5, "le": 5, "points": 1},
                                                   {"gt": 5, "lt": 9, "points": 0}]}, 2,
     "超过1不超过3得2分;3.5–5得1分;超过5不足9得0分"),  # 得 where a number would run into the points
    # "每超额完成10%加3分,最多加9分": above 100%, step 10 percentage points, add 3, limit 9.
    ({"kind": "steps", "above": "100%", "step": "10%", "add": 3, "limit": 9, "rate_max": "200%"}, 9,
     "超过100%的部分每10个百分点加3分,不足一档不计,最多加9分"),
    # "完成目标得40分,完成目标的90%得36分…依次类推": below 100%, step 10 points, take 4, started.
    ({"kind": "steps", "below": "100%", "step": "10%", "take": 4, "count": "started"}, 40,
     "得40分,低于100%的部分每10个百分点扣4分,不足一档按一档计"),
    ({"kind": "table", "columns": {"年度": "bool", "进度": "bool"},
      "rows": [{"when": {"年度": "是", "进度": "是"}, "points": 60}, {"when": {"年度": "否", "进度": "是"}, "points": 55}]},
     60, "年度是、进度是60分;年度否、进度是55分"),
    # "得3分,每少一项扣1分" (常州 2.3.2): from 3, 1 off each, never below 0.
    ({"kind": "deduct", "per": 1, "unit": "项"}, 3, "得3分,每项扣1分,扣完为止"),
    ({"kind": "deduct", "per": {"迟报": 0.5, "虚报": 2}, "unit": "次"}, 5, "得5分,迟报每次扣0.5分、虚报每次扣2分,扣完为止"),
    ({"kind": "place", "per": 0.5}, 5, "第一名得5分,每后退一位扣0.5分"),
    ({"kind": "place", "bands": [{"first": 1, "last": 3, "points": 10}, {"first": 4, "points": 8}]}, 10,
     "第1–3名10分;第4名及以后8分"),
    ({"kind": "relative", "to": "max"}, 10, "得分 = 分值 × 本单位值 ÷ 最高值"),
    ({"kind": "formula", "expr": "min(1.1.1, 3)"}, 3, "得分 = min(1.1.1, 3)"),
    # 常州 6.1 "视完成质量得分,最高得3分".
    ({"kind": "judged", "max": 3}, 3, "评定得分,0–3分"),
]


@pytest.mark.parametrize(("rule", "points", "expected"), RULES, ids=lambda v: v["kind"] if isinstance(v, dict) else "")
def test_rules_read_as_the_document_writes_them(rule: dict[str, Any], points: object, expected: str,
                                               tmp_path: Path) -> None:
    criterion = _criterion(tmp_path, rule, points)
    assert describe_rule(criterion) == expected
    # No interval notation ("[10, +∞)→2"); a function's brackets ("min(1.1.1, 3)") are not one.
    assert not re.search(r"(?<![A-Za-z_])[\[(]-?[0-9.∞%]+, |\+∞|→", expected)


def test_a_deduction_is_marked_and_english_reads_too(tmp_path: Path) -> None:
    criterion = _criterion(tmp_path, {"kind": "met"}, 3, effect="deduct")
    assert describe_rule(criterion) == "[扣分] 符合扣3分"
    set_lang("en")
    bands = _criterion(tmp_path, RULES[1][0], 2)
    assert describe_rule(bands) == "80% or more: 2; under 80%: 1"


@pytest.mark.parametrize("width", [5, 7, 9, 11, 13])
def test_wrapping_never_splits_a_number(width: int) -> None:
    text = "10人以上2分;5人以上不足10人1分;不足5人0.5分;80%以上得2.25分"
    lines = wrap_cells(text, width)
    assert "".join(lines) == text
    assert all(cell_len(line) <= width for line in lines)
    for number in ("10", "0.5", "80%", "2.25"):
        assert any(number in line for line in lines), (number, lines)
    assert not any(line[0] in ",;" for line in lines if line)  # no line starts with a closing mark


def test_a_wrapped_cell_is_never_read_as_markup() -> None:
    assert drawn(Wrapped("[red]甲[/red] 0.5分"), 40) == ["[red]甲[/red] 0.5分"]


BUNDLED = sorted(SCHEMES.glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_show_at_80_columns_keeps_every_rule_whole(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import kaohe.report.terminal as terminal
    from kaohe.cli import build_app

    monkeypatch.setattr(terminal, "console", lambda: terminal._Console(width=80))
    result = CliRunner().invoke(build_app(), ["show", str(path)], prog_name="kaohe")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    assert "→" not in result.output.replace("部分 → 项目", "") and "+∞)" not in result.output
    # Every number of every rule is in one piece in the 计分规则 column (the fifth).
    loaded = load_scheme(path)
    set_display_places(loaded.scheme.shown_places())
    column = _fifth_column(lines)
    for _, _, criterion in loaded.scheme.criteria():
        for number in re.findall(r"\d+(?:\.\d+)?%?", describe_rule(criterion)):
            assert number in column, (criterion.id, number)


@pytest.mark.parametrize("columns", [80, 120])
def test_a_pipe_is_drawn_at_the_width_columns_gives(columns: int) -> None:
    # `kaohe show s.yaml | less` at 80 columns: the table is drawn for 80, not for a wide file.
    result = kaohe("show", str(EIC), columns=columns)
    assert result.returncode == 0, result.stderr
    widths = [cell_len(line) for line in result.stdout.splitlines()]
    assert max(widths) <= columns and max(widths) > columns - 20, max(widths)


def _fifth_column(lines: list[str]) -> str:
    """The 评价表's 计分规则 cells, line by line: a number split over two lines is not in it."""
    parts = []
    for line in lines:
        c = cells(line)
        if len(c) == 6:
            parts.append(c[4])
    return "\n".join(parts)


# Help and the language.

def kaohe(*args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": str(columns)})


@pytest.mark.parametrize("command", ["score", "rank", "explain", "template", "test", "validate", "show", "diff"])
def test_help_names_values_in_words(command: str) -> None:
    result = kaohe(command, "--help")
    assert result.returncode == 0, result.stderr
    for typer_word in ("<bool>", "<path>", "<list[Path]>", "<str>", "<table|json>"):
        assert typer_word not in result.stdout, (command, typer_word)
    assert "文件" in result.stdout
    assert "…" not in result.stdout.replace("文件…", "")  # no help line is cut


@pytest.mark.parametrize(("lang", "usage"), [("zh", "用法: kaohe score [选项] SCHEME EVIDENCE..."),
                                             ("en", "Usage: kaohe score [OPTIONS] SCHEME EVIDENCE...")])
def test_the_usage_line_names_arguments_as_their_errors_do(lang: str, usage: str) -> None:
    # "缺少参数 EVIDENCE" names the argument EVIDENCE: the usage line does too, not typer's {evidence}.
    result = kaohe("--lang", lang, "score", "--help")
    assert result.returncode == 0 and usage in result.stdout, result.stdout[:300]


def test_help_in_english_names_values_too() -> None:
    result = kaohe("--lang", "en", "explain", "--help")
    assert result.returncode == 0, result.stderr
    assert re.search(r"--unit\s+NAME", result.stdout) and re.search(r"--format\s+tree\|json", result.stdout)
    assert re.search(r"scheme\s+FILE", result.stdout) and re.search(r"evidence\.\.\.\s+FILE…", result.stdout)


def test_a_flag_shows_no_type() -> None:
    line = next(line for line in kaohe("score", "--help").stdout.splitlines() if "--strict" in line)
    assert "bool" not in line and "缺少的值视为错误" in line


@pytest.mark.parametrize("how", [["--lang", "fr"], ["--lang=fr"]])
def test_an_unknown_language_is_refused_with_the_ones_there_are(how: list[str]) -> None:
    result = kaohe(*how, "validate", str(EIC))
    assert result.returncode == 2
    assert result.stderr.strip() == "错误: 界面语言 fr 不可用;可用的语言: zh、en"
    assert result.stdout == ""


def test_an_unknown_language_in_the_environment_is_refused_too() -> None:
    result = subprocess.run([sys.executable, "-m", "kaohe", "validate", str(EIC)], capture_output=True, text=True,
                            env={**os.environ, "KAOHE_LANG": "fr"})
    assert result.returncode == 2 and "fr" in result.stderr and "zh、en" in result.stderr


@pytest.mark.parametrize("value", ["en", "EN", "en_US.UTF-8", "zh-CN"])
def test_language_tags_name_their_language(value: str) -> None:
    from kaohe.i18n import parse_lang

    assert parse_lang(value) == value[:2].lower()
    assert parse_lang("fr") is None


# Through the real CLI in a terminal (tmux), where one is installed.

@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize("width", [60, 80, 120])
def test_score_in_a_real_terminal(width: int, tmp_path: Path) -> None:
    session = f"kaohe-layout-{os.getpid()}-{width}"
    out = tmp_path / "screen.txt"
    command = (f"{sys.executable} -m kaohe score {EIC} {EIC_EVIDENCE} 2>/dev/null; "
               f"tmux capture-pane -p -S - -E - -t {session} > {out}; tmux wait-for -S {session}")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", "60",
                    "-c", str(ROOT)], check=True)
    try:
        subprocess.run(["tmux", "set-option", "-t", session, "history-limit", "5000"], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, command, "Enter"], check=True)
        subprocess.run(["tmux", "wait-for", session], check=True, timeout=60)
        time.sleep(0.1)
        lines = [line.rstrip() for line in out.read_text(encoding="utf-8").splitlines()]
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    rows = {c[1]: c for c in map(cells, lines) if len(c) > 2 and c[0].isdigit()}
    for unit, (place, total) in EIC_RANKS.items():
        assert rows[unit][0] == str(place) and total in rows[unit], (unit, rows.get(unit))
    assert not any("…" in line for line in lines)


def test_decimal_points_stay_exact() -> None:
    # A guard on the helper the tables use: 0.5 is shown as written, never as a float's digits.
    assert drawn(Wrapped(Decimal("0.5")), 10) == ["0.5"]


def test_a_deduction_s_clauses_say_what_is_taken_off(tmp_path: Path) -> None:
    # 柳池乡 2016 安全生产考核细则: "死亡1人扣30分/次;一次死亡2人及以上实行一票否决" (the veto
    # is a flag; its table row takes nothing off). A number in a condition is told with its
    # attribute ("1" alone says nothing), a value in words names itself.
    events = {"kind": "events", "unit": "次", "attributes": ["伤情", "死亡人数"],
              "table": [{"when": {"死亡人数": 1}, "points": 30}, {"when": {"死亡人数": {"ge": 2}}, "points": 0},
                        {"when": {"伤情": "重伤"}, "points": 15}]}
    criterion = _criterion(tmp_path, events, 30, effect="deduct")
    assert describe_rule(criterion) == "[扣分] 按事项计分: 死亡人数=1扣30分;死亡人数≥2扣0分;重伤扣15分"
    bands = _criterion(tmp_path, {"kind": "bands", "value": "count", "unit": "次",
                                  "bands": [{"ge": 3, "points": 2}, {"lt": 3, "points": 1}]}, 2, effect="deduct")
    assert describe_rule(bands) == "[扣分] 3次以上扣2分;不足3次扣1分"
    set_lang("en")
    assert describe_rule(criterion) == "[deduction] per event: 死亡人数=1: 30 off; 死亡人数≥2: 0 off; 重伤: 15 off"

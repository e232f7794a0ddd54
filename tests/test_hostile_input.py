"""Hostile input (issue 13, area `input`), through the real command line: numbers that change their
meaning or size, event counts, files too big or too deep, case files of the wrong shape, level
names misspelt. The small files are in tests/hostile/input/ (run by tests/test_hostile.py); what
must be huge, or compared with what is accepted, is here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SCHEMES

SCHEME = str(SCHEMES / "changzhou-2018.yaml")
EIC = str(SCHEMES / "changzhou-eic-2016.yaml")
GB = 2 * 2**30


def _kaohe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *args], capture_output=True, text=True, cwd=ROOT)


def _peak(*args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """The run and its peak memory in KiB (measured in a fresh parent: its only child is this run)."""
    probe = ("import json, resource, subprocess, sys\n"
             "r = subprocess.run([sys.executable, '-m', 'kaohe', *sys.argv[1:]], capture_output=True, text=True)\n"
             "print(json.dumps([r.returncode, r.stdout[-4000:], r.stderr[-4000:],"
             " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n")
    out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    code, stdout, stderr, peak = json.loads(out.stdout)
    return subprocess.CompletedProcess(args, code, stdout, stderr), peak


def _clean(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr, result.stderr


def _csv(tmp_path: Path, text: str, name: str = "e.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# 1. Characters NFKC folds into digits; a percent sign where no rate is asked.

@pytest.mark.parametrize(("raw", "char"), [("1³", "³"), ("10³", "³"), ("₂", "₂"), ("②", "②"), ("3﹪", "﹪"),
                                           ("𝟑", "𝟑")])
def test_a_folded_digit_is_refused_not_read_as_another_number(tmp_path: Path, raw: str, char: str) -> None:
    path = _csv(tmp_path, f"单位,1.1.1\n溧阳市,{raw}\n")
    result = _kaohe("score", SCHEME, path)
    assert result.returncode == 1
    _clean(result)
    assert f"{path}:2:2: 错误: 1.1.1 的值 '{raw}' 无效: 含有上标、下标、带圈数字等特殊字符 \"{char}\"" in result.stderr


def test_full_width_digits_are_still_read(tmp_path: Path) -> None:
    # １２ is 12 (NFKC keeps the value); the criterion caps it at 2.
    path = _csv(tmp_path, "单位,1.1.1,4.1.1\n溧阳市,１２,３．５\n")
    result = _kaohe("explain", SCHEME, path, "--unit", "溧阳市", "--item", "1.1.1")
    assert result.returncode == 0, result.stderr
    assert f"值: 12 ← {path}:2:2" in result.stdout
    assert "12次×1分=12分,封顶2分 → 2分" in result.stdout


def test_a_percent_count_in_an_event_row_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path, "单位,指标,值,级别,载体,字数\n办公室,1.2.4,300%,省级,刊物,1200\n")
    result = _kaohe("score", EIC, path)
    assert result.returncode == 1
    _clean(result)
    assert f"{path}:2:3: 错误: 1.2.4 的这一行无效: 这里应填数值,不是百分数" in result.stderr


# 2. Numbers of 29 digits anywhere: a located refusal naming the value and the limit.

def test_29_digits_in_an_inline_case_row_are_refused_at_the_row(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("rows:\n  - {单位: 溧阳市, 指标: 1.1.1, 值: " + "1" * 29 + "}\nunits: {溧阳市: {total: 2}}\n",
                    encoding="utf-8")
    result = _kaohe("test", SCHEME, str(case))
    assert result.returncode == 1
    _clean(result)
    assert (f"{case}:2:5: 错误: 1.1.1 的值 '{'1' * 29}' 无效: 数值超出可接受范围(整数部分至多15位,小数至多10位)"
            in result.stderr)


def test_29_digits_as_an_expected_total_are_refused(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("rows:\n  - {单位: 溧阳市, 指标: 1.1.1, 值: 2}\nunits: {溧阳市: {total: " + "9" * 29 + "}}\n",
                    encoding="utf-8")
    result = _kaohe("test", SCHEME, str(case))
    assert result.returncode == 1
    _clean(result)
    assert f"{case}:3:22: 错误: 测试用例中 \"units.溧阳市.total\" 的值 {'9' * 29} 超出可接受范围(整数部分至多15位)" \
        in result.stderr


def test_29_digits_in_an_xlsx_cell_are_refused_at_the_cell(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "证据"
    book.active.append(["单位", "1.1.1", "4.1.1"])
    book.active.append(["溧阳市", 11111111111111111111111111111, 2])
    path = tmp_path / "e.xlsx"
    book.save(path)
    result = _kaohe("score", SCHEME, str(path))
    assert result.returncode == 1
    _clean(result)
    assert f"{path}!证据!B2: 错误: 1.1.1 的值" in result.stderr and "超出可接受范围(整数部分至多15位" in result.stderr


# 3. Events counted arithmetically, and a stated bound on one row's count.

PER_EVENT_CAP = """\
id: t
title: 测试
full_score: 10
sections:
  - id: "1"
    title: 宣传
    points: 10
    items:
      - id: "1.1"
        title: 文章
        points: 10
        criteria:
          - id: 1.1.1
            text: 市级每篇0.5分,国家级每篇2分(每篇至多1.5分),最高10分。
            points: 10
            rule:
              kind: events
              unit: 篇
              attributes: [级别]
              table:
                - {when: {级别: 市级}, points: 0.5}
                - {when: {级别: 国家级}, points: 2}
              per_event_cap: 1.5
              cap: 10
"""


def test_a_million_events_in_a_row_are_counted_not_listed(tmp_path: Path) -> None:
    scheme = tmp_path / "s.yaml"
    scheme.write_text(PER_EVENT_CAP, encoding="utf-8")
    path = _csv(tmp_path, "单位,指标,值,级别\n甲,1.1.1,4,国家级\n甲,1.1.1,3,市级\n乙,1.1.1,1000000,国家级\n"
                          "乙,1.1.1,1000000,市级\n")
    result, peak = _peak("explain", str(scheme), path, "--unit", "甲")
    assert result.returncode == 0, result.stderr
    # per_event_cap holds for each of a row's events: 国家级 2 → 1.5, × 4
    assert "7篇: 4×[国家级 2 ≤1.5]; 3×[市级 0.5] = 7.5分 → 7.5分" in result.stdout
    result, peak = _peak("explain", str(scheme), path, "--unit", "乙")
    assert result.returncode == 0, result.stderr
    assert "2000000篇: 1000000×[国家级 2 ≤1.5]; 1000000×[市级 0.5] = 2000000分,封顶10分 → 10分" in result.stdout
    assert peak < 150 * 1024, peak  # two million events held as two rows (a list of them took 300 MB)


def test_best_of_keeps_one_event_of_a_group_whatever_the_counts(tmp_path: Path) -> None:
    # 1.3.3 一稿多用按最高: 稿件甲 used 5 times at 国家级 (2) and twice at 市级 (0.5) scores 2 once;
    # 稿件乙 3 times at 省部级 (1) scores 1 → 3, and 2 of the 10 uses count.
    path = _csv(tmp_path, "单位,指标,值,级别,稿件\n办公室,1.3.3,2,市级,甲\n办公室,1.3.3,5,国家级,甲\n"
                          "办公室,1.3.3,3,省部级,乙\n")
    result = _kaohe("explain", EIC, path, "--unit", "办公室", "--item", "1.3.3")
    assert result.returncode == 0, result.stderr
    assert "2篇: 国家级 2; 省部级 1 = 3分" in result.stdout
    assert "同一稿件按最高计: 10 项中计 2 项" in result.stdout


def test_an_event_count_beyond_the_bound_is_refused_at_its_cell(tmp_path: Path) -> None:
    path = _csv(tmp_path, "单位,指标,值,级别,载体,字数\n办公室,1.2.4,1000000,省级,刊物,1200\n"
                          "办公室,1.2.4,1000001,省级,刊物,1200\n")
    result, peak = _peak("score", EIC, path)
    assert result.returncode == 1
    _clean(result)
    assert f"{path}:3:3: 错误: 1.2.4 的这一行无效: 次数 1000001 超过上限 1000000" in result.stderr
    assert f"{path}:2:3" not in result.stderr  # a million is still a count
    assert peak < 150 * 1024, peak


def test_a_null_attribute_in_an_inline_row_is_missing_not_the_text_none(tmp_path: Path) -> None:
    # `稿件:` with nothing after it is no manuscript (as a blank cell is), not one called "None"
    case = tmp_path / "case.yaml"
    case.write_text("rows:\n  - {单位: 办公室, 指标: 1.3.3, 级别: 国家级, 稿件: }\nunits: {办公室: {total: 0}}\n",
                    encoding="utf-8")
    result = _kaohe("test", EIC, str(case))
    assert result.returncode == 1
    _clean(result)
    assert f"{case}:2:5: 错误: 1.3.3 的这一行无效: 缺少属性列: 稿件" in result.stderr


# 4. The scheme's size is checked before it is read.

def test_a_2_gb_scheme_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.write(b"id: t\n")
        f.truncate(GB)  # sparse: no disk used
    result, peak = _peak("validate", str(big))
    assert result.returncode == 1
    assert f"{big}: 错误: 方案文件超过 5242880 字节上限" in result.stderr
    assert peak < 150 * 1024, peak  # it once peaked at 6.2 GB


def test_a_scheme_one_byte_over_the_limit_is_refused(tmp_path: Path) -> None:
    from kaohe.scheme.yamlload import MAX_SCHEME_BYTES

    path = tmp_path / "s.yaml"
    path.write_bytes(b"id: t\n#" + b"x" * (MAX_SCHEME_BYTES - 8) + b"\n")
    assert path.stat().st_size == MAX_SCHEME_BYTES
    assert "字节上限" not in _kaohe("validate", str(path)).stderr
    path.write_bytes(path.read_bytes() + b"\n")
    result = _kaohe("validate", str(path))
    assert result.returncode == 1 and f"{path}: 错误: 方案文件超过 5242880 字节上限" in result.stderr


def test_a_2_gb_case_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "case.yaml"
    with big.open("wb") as f:
        f.write(b"units: {}\n")
        f.truncate(GB)
    result, peak = _peak("test", SCHEME, str(big))
    assert result.returncode == 1
    assert f"{big}: 错误: 测试用例文件超过 5242880 字节上限" in result.stderr
    assert peak < 150 * 1024, peak


# 5. Depth, encoding and shapes.

@pytest.mark.parametrize("depth", [64, 65])
def test_yaml_depth_limit_is_64(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n", encoding="utf-8")
    result = _kaohe("validate", str(path))
    assert result.returncode == 1
    _clean(result)
    refused = f"{path}:1:{3 + depth - 1}: 错误: YAML 嵌套超过 64 层"
    assert (refused in result.stderr) is (depth > 64), result.stderr


def test_a_scheme_not_in_utf8_names_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    # GB18030 说 (CB B5) happens to be a valid UTF-8 character; 明 (C3 F7) is not: line 3, the 6th
    # character, byte 26 of the file
    path.write_bytes("id: t\ntitle: 测试\n".encode() + "  # 说明\n".encode("gb18030"))
    result = _kaohe("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:3:6: 错误: 方案文件不是 UTF-8 编码(字节偏移 26)" in result.stderr


def test_a_case_file_with_several_wrong_fields_names_each(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("rows:\n  - {单位: 溧阳市, 指标: 1.1.1, 值: 3}\n  - 3\n"
                    "units:\n  溧阳市: {criteria: [1], awards: 奖}\noutcomes: {奖: 溧阳市}\n", encoding="utf-8")
    result = _kaohe("test", SCHEME, str(case))
    assert result.returncode == 1
    _clean(result)
    for where, message in [("3:5", "\"rows[1]\" 的结构不对: 应为一行证据(键值映射: 单位、指标、值),得到数字"),
                           ("5:19", "\"units.溧阳市.criteria\" 的结构不对: 应为编号到分数的键值映射,如 {1.1.1: 2},得到列表"),
                           ("5:32", "\"units.溧阳市.awards\" 的结构不对: 应为列表,如 [甲],得到文本"),
                           ("6:15", "\"outcomes.奖\" 的结构不对: 应为单位的列表,如 [溧阳市],得到文本")]:
        assert f"{case}:{where}: 错误: 测试用例中 {message}" in result.stderr, result.stderr


def test_the_case_shape_messages_have_english_twins(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("rows: {a: 1}\nunits: {溧阳市: {total: 2}}\n", encoding="utf-8")
    result = _kaohe("--lang", "en", "test", SCHEME, str(case))
    assert result.returncode == 1
    assert (f"{case}:1:7: error: \"rows\" in the case has the wrong shape: a list of evidence rows, each a mapping "
            "(单位, 指标, 值) expected, got a mapping") in result.stderr


# 7. The nearest level name.

def test_a_misspelt_level_names_the_nearest_choice(tmp_path: Path) -> None:
    path = _csv(tmp_path, "单位,4.2.1\n溧阳市,部分建\n钟楼区,甲乙丙\n")
    result = _kaohe("score", SCHEME, path)
    assert result.returncode == 1
    assert (f"{path}:2:2: 错误: 4.2.1 的值 '部分建' 无效: 应为以下之一: 全面建立、部分建立、没建立;最接近: 部分建立"
            in result.stderr)
    far = next(line for line in result.stderr.splitlines() if line.startswith(f"{path}:3:2:"))
    assert far.endswith("应为以下之一: 全面建立、部分建立、没建立")  # nothing near: no guess


def test_the_nearest_level_in_english(tmp_path: Path) -> None:
    path = _csv(tmp_path, "单位,4.2.1\n溧阳市,全面\n")
    result = _kaohe("--lang", "en", "score", SCHEME, path)
    assert result.returncode == 1
    assert "must be one of: 全面建立、部分建立、没建立; nearest: 全面建立" in result.stderr

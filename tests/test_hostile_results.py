"""Results files read back (issue 13): `kaohe rank` and `--previous` refuse an edited file (its
digest), a unit listed twice or not in the scheme, malformed records, bad JSON, too deep nesting
and numbers that are not exact text, each with the file and its record, field or line named and
exit 1; a file saved with a BOM or with Windows line ends is read; no command writes over a file
it read. Through the real command line."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import ROOT
from kaohe.evidence.results import MAX_DEPTH, MAX_WHOLE_BYTES
from kaohe.report.jsonout import dumps

MINI = ROOT / "tests" / "hostile" / "results" / "mini.yaml"
"""Three units 甲 乙 丙, one judged criterion, a most-improved award (the corpus's scheme)."""


def _kaohe(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT)


_SCORED: dict[tuple[int, int, int], bytes] = {}
"""The results `score` wrote for each set of values, so that each is scored once per run (the
copies name the evidence file of the first run, which `rank` never reads)."""


def _scored(tmp_path: Path, name: str = "r.json", values: tuple[int, int, int] = (90, 80, 70),
            fresh: bool = False) -> Path:
    evidence = tmp_path / f"{Path(name).stem}.csv"
    evidence.write_text("单位,1.1.1\n" + "".join(f"{u},{v}\n" for u, v in zip("甲乙丙", values, strict=True)),
                        encoding="utf-8")
    out = tmp_path / name
    if values in _SCORED and not fresh:
        out.write_bytes(_SCORED[values])
        return out
    result = _kaohe("score", MINI, evidence, "-o", out, "--no-timestamp")
    assert result.returncode == 0, result.stderr
    _SCORED[values] = out.read_bytes()
    return out


def _rewritten(path: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    """The file changed and written again by kaohe's own writer: its digest matches, so what is
    refused is the change itself."""
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("content_sha256")
    change(document)
    path.write_text(dumps(document, digest=True), encoding="utf-8")
    return path


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def _refused(result: subprocess.CompletedProcess[str], where: str, message: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    line = next((x for x in result.stderr.splitlines() if message in x), "")
    assert line, result.stderr
    assert line.startswith(where), line


# --- the digest -----------------------------------------------------------------------------------

def test_a_results_file_ends_with_the_digest_of_its_lines_before_it(tmp_path: Path) -> None:
    path = _scored(tmp_path, fresh=True)
    data = path.read_bytes()
    lines = data.splitlines(keepends=True)
    assert lines[-1] == b"}\n" and lines[-2].startswith(b'  "content_sha256": "')
    before = b"".join(lines[:-2])
    assert json.loads(data)["content_sha256"] == hashlib.sha256(before).hexdigest()
    printed = _kaohe("score", MINI, tmp_path / "r.csv", "--format", "json", "--no-timestamp")
    assert printed.stdout.encode("utf-8") == data  # the document printed is the file, digest and all


def test_rank_reads_its_own_file_and_a_copy_saved_with_a_bom_or_windows_line_ends(tmp_path: Path) -> None:
    path = _scored(tmp_path)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # Notepad's UTF-8
    crlf = tmp_path / "crlf.json"
    crlf.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    for copy in (path, bom, crlf):
        result = _kaohe("rank", MINI, copy, "--format", "json")
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""  # no digest warning: the content is as written
        assert [(u["unit"], u["rank"]) for u in json.loads(result.stdout)["units"]] == [("甲", 1), ("乙", 2), ("丙", 3)]


def test_an_edited_total_is_refused_at_the_digest_line_unless_forced(tmp_path: Path) -> None:
    path = _scored(tmp_path)
    path.write_bytes(path.read_bytes().replace(b'"total": "70"', b'"total": "95"'))  # 丙 edited by hand
    at = _line_of(path, '"content_sha256"')
    _refused(_kaohe("rank", MINI, path), f"{path}:{at}: 错误: ", "内容摘要 content_sha256 与文件内容不符")
    forced = _kaohe("rank", MINI, path, "--force", "--format", "json")
    assert forced.returncode == 0, forced.stderr
    # Under --format json the warning is a JSON line (docs/json-messages.md), at the digest's line.
    warning = next(r for r in map(json.loads, forced.stderr.splitlines()) if r["level"] == "warning")
    assert (warning["file"], warning["line"], warning["message"]) == (
        str(path), at, "内容摘要 content_sha256 与文件内容不符(文件写出后被改动过),因 --force 仍然使用")
    first = json.loads(forced.stdout)["units"][0]
    assert (first["unit"], first["total"], first["rank"]) == ("丙", "95", 1)  # ranked as edited, being forced


def test_a_file_laid_out_again_no_longer_matches_its_digest(tmp_path: Path) -> None:
    path = _scored(tmp_path)
    path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False, indent=4),
                    encoding="utf-8")
    _refused(_kaohe("rank", MINI, path), f"{path}:", "文件在 kaohe 写出后被改动过")


def test_a_file_without_a_digest_is_ranked_with_a_warning(tmp_path: Path) -> None:
    path = _scored(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-3]) + lines[-3].replace(",\n", "\n") + lines[-1], encoding="utf-8")
    result = _kaohe("rank", MINI, path)
    assert result.returncode == 0, result.stderr
    assert f"{path}: 警告: 文件没有内容摘要 content_sha256" in result.stderr


def test_a_ranking_carries_a_digest_and_serves_as_the_previous_results(tmp_path: Path) -> None:
    now = _scored(tmp_path)
    ranking = tmp_path / "ranking.json"
    assert _kaohe("rank", MINI, now, "-o", ranking).returncode == 0
    assert json.loads(ranking.read_text(encoding="utf-8"))["content_sha256"]
    later = _scored(tmp_path, "later.json", (70, 80, 90))
    result = _kaohe("rank", MINI, later, "--previous", ranking, "--format", "json")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert {u["unit"]: u["change"] for u in json.loads(result.stdout)["units"]} == {"丙": 2, "乙": 0, "甲": -2}
    ranking.write_bytes(ranking.read_bytes().replace(b'"rank": 3', b'"rank": 1'))
    _refused(_kaohe("rank", MINI, later, "--previous", ranking), f"{ranking}:", "文件在 kaohe 写出后被改动过")
    assert _kaohe("rank", MINI, later, "--previous", ranking, "--force").returncode == 0


# --- units: once each, and the scheme's ----------------------------------------------------------

def test_a_unit_listed_twice_is_refused_at_its_second_record(tmp_path: Path) -> None:
    path = _rewritten(_scored(tmp_path), lambda d: d["units"].append(dict(d["units"][1])))
    _refused(_kaohe("rank", MINI, path), f"{path}!units[3]!unit: 错误: ", '单位 "乙" 重复: units[1] 已是它的记录')


def test_a_unit_not_in_the_scheme_is_refused_with_the_scheme_s_units(tmp_path: Path) -> None:
    path = _rewritten(_scored(tmp_path), lambda d: d["units"][2].update(unit="丁"))
    _refused(_kaohe("rank", MINI, path), f"{path}!units[2]!unit: 错误: ", '单位 "丁" 不在方案列出的单位中(有: 甲、乙、丙)')
    english = _kaohe("--lang", "en", "rank", MINI, path)
    assert f"{path}!units[2]!unit: error: unit \"丁\" is not one of the scheme's units" in english.stderr


def test_a_unit_name_with_an_escape_sequence_is_shown_escaped(tmp_path: Path) -> None:
    path = _rewritten(_scored(tmp_path), lambda d: d["units"][2].update(unit="丙\x1b[2J"))
    result = _kaohe("rank", MINI, path)
    _refused(result, f"{path}!units[2]!unit: 错误: ", '单位 "丙\\x1b[2J" 不在方案列出的单位中')
    assert "\x1b" not in result.stderr


# --- malformed records and numbers ---------------------------------------------------------------

def _set(path: list[object], value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node: Any = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


MALFORMED = [
    (["units", 0, "sections"], ["90"], "!units[0]!sections", "sections 应为对象({…}),得到 […]"),
    (["scheme"], "mini", "!scheme", "scheme 应为对象({…}),得到 'mini'"),
    (["units"], {"甲": 1}, "!units", "units 应为列表([…]),得到 {…}"),
    (["readings"], "x", "!readings", "readings 应为列表([…]),得到 'x'"),
    (["units", 1], "乙", "!units[1]", "units[1] 应为对象({…}),得到 '乙'"),
    (["units", 0, "unit"], 5, "!units[0]!unit", "unit 应为文本,得到 5"),
    (["units", 0, "category"], 3, "!units[0]!category", "category 应为文本,得到 3"),
    (["units", 0, "vetoed"], "否决", "!units[0]!vetoed", "vetoed 应为文本的列表,得到 '否决'"),
    (["units", 0, "conditions"], {"grade:优秀": "yes"}, "!units[0]!conditions.grade:优秀",
     "conditions.grade:优秀 应为 true、false 或 null,得到 'yes'"),
    (["units", 0, "total"], float("nan"), "!units[0]!total", "NaN 不是可接受的精确数值"),
    (["units", 0, "total"], float("inf"), "!units[0]!total", "Infinity 不是可接受的精确数值"),
    (["units", 0, "total"], "NaN", "!units[0]!total", "'NaN' 不是可接受的精确数值"),
    (["units", 0, "total"], "-Infinity", "!units[0]!total", "'-Infinity' 不是可接受的精确数值"),
    (["units", 0, "total"], "sNaN", "!units[0]!total", "'sNaN' 不是可接受的精确数值"),
    (["units", 0, "total"], "1" * 29, "!units[0]!total", f"'{'1' * 29}' 不是可接受的精确数值"),
    (["units", 0, "total"], int("1" * 29), "!units[0]!total", f"{'1' * 29} 不是可接受的精确数值"),
    (["units", 0, "total"], 9.5, "!units[0]!total", "9.5 不是可接受的精确数值"),  # a bare float: not exact text
    (["units", 0, "sections", "1"], "9" * 16, "!units[0]!sections.1", "不是可接受的精确数值"),
]


@pytest.mark.parametrize(("where", "value", "at", "message"), MALFORMED,
                         ids=[f"{'.'.join(map(str, m[0]))}={m[1]!r}"[:40] for m in MALFORMED])
def test_a_malformed_field_is_refused_at_its_record(tmp_path: Path, where: list[object], value: object,
                                                    at: str, message: str) -> None:
    path = _rewritten(_scored(tmp_path), _set(where, value))
    _refused(_kaohe("rank", MINI, path), f"{path}{at}: 错误: ", message)


def test_an_integer_of_thousands_of_digits_is_refused_at_its_field(tmp_path: Path) -> None:
    path = _scored(tmp_path)
    path.write_bytes(path.read_bytes().replace(b'"total": "70"', b'"total": ' + b"7" * 5000))
    _refused(_kaohe("rank", MINI, path, "--force"), f"{path}!units[2]!total: 错误: ", "7" * 37 + "… 不是可接受的精确数值")


# --- bytes and JSON ------------------------------------------------------------------------------

def test_deep_nesting_is_refused_at_its_line_and_column(tmp_path: Path) -> None:
    whole = tmp_path / "deep.json"
    whole.write_text('{"format": "kaohe-results", "units": ' + "[" * 1000 + "]" * 1000 + "}", encoding="utf-8")
    _refused(_kaohe("rank", MINI, whole), f"{whole}:1:{37 + MAX_DEPTH}: 错误: ", f"JSON 嵌套超过 {MAX_DEPTH} 层")
    unclosed = tmp_path / "unclosed.json"
    unclosed.write_text("[" * 100_000, encoding="utf-8")
    _refused(_kaohe("rank", MINI, unclosed), f"{unclosed}:1:{MAX_DEPTH + 1}: 错误: ", "JSON 嵌套超过")
    nested: object = "90"
    for _ in range(MAX_DEPTH + 5):
        nested = [nested]
    by_line = _rewritten(_scored(tmp_path), _set(["units", 1, "sections"], {"1": nested}))
    at = _line_of(by_line, '"unit": "乙"')
    _refused(_kaohe("rank", MINI, by_line), f"{by_line}:{at}: 错误: ", f"JSON 嵌套超过 {MAX_DEPTH} 层")


def test_broken_json_is_refused_at_its_line_and_column(tmp_path: Path) -> None:
    path = _scored(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"unit": "乙"', '"unit": "乙'), encoding="utf-8")
    at = _line_of(path, '"unit": "乙')
    result = _kaohe("rank", MINI, path)
    _refused(result, f"{path}:{at}:", "不是有效的 JSON: 此处应有逗号")


def test_a_file_that_is_not_utf8_is_refused_with_the_line(tmp_path: Path) -> None:
    path = _scored(tmp_path)
    at = _line_of(path, '"unit": "乙"')
    path.write_bytes(path.read_bytes().replace('"unit": "乙"'.encode(), '"unit": "乙"'.encode("gbk")))
    _refused(_kaohe("rank", MINI, path), f"{path}:{at}: 错误: ", "结果文件不是 UTF-8 编码")


def test_a_huge_file_not_laid_out_by_line_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.write(b'{\n  "format" : "kaohe-results",\n')  # not kaohe's layout: would be read whole
        handle.truncate(MAX_WHOLE_BYTES + 1024)  # sparse: no disk used
    _refused(_kaohe("rank", MINI, path), f"{path}: 错误: ", f"超过 {MAX_WHOLE_BYTES} 字节,不整体读入")
    line = tmp_path / "line.json"
    with open(line, "wb") as handle:
        handle.write(b'{\n  "format": "kaohe-results",\n  "units": [\n    {"unit": "')
        handle.truncate(MAX_WHOLE_BYTES + 1024)
    _refused(_kaohe("rank", MINI, line), f"{line}:4: 错误: ", f"一行超过 {MAX_WHOLE_BYTES} 字节")


# --- previous results ----------------------------------------------------------------------------

PREVIOUS = [
    (["units", 0, "rank"], "x", "!units[0]!rank", "名次应为 1 到 3 之间的整数,得到 'x'"),
    (["units", 0, "rank"], 0, "!units[0]!rank", "名次应为 1 到 3 之间的整数,得到 0"),
    (["units", 0, "rank"], 4, "!units[0]!rank", "名次应为 1 到 3 之间的整数,得到 4"),
    (["units", 0, "rank"], True, "!units[0]!rank", "得到 true"),
    (["units", 0, "rank"], 10 ** 30, "!units[0]!rank", f"得到 {10 ** 30}"),
    (["units", 0, "grade"], 5, "!units[0]!grade", "grade 应为文本,得到 5"),
]


@pytest.mark.parametrize(("where", "value", "at", "message"), PREVIOUS,
                         ids=[f"{m[0][-1]}={m[1]!r}"[:30] for m in PREVIOUS])
def test_bad_previous_results_are_refused_at_their_record(tmp_path: Path, where: list[object], value: object,
                                                        at: str, message: str) -> None:
    now = _scored(tmp_path)
    last = _rewritten(_scored(tmp_path, "last.json"), _set(where, value))
    _refused(_kaohe("rank", MINI, now, "--previous", last), f"{last}{at}: 错误: ", message)


@pytest.mark.parametrize("field", ["rank", "unit"])
def test_a_previous_record_missing_its_rank_or_unit_is_refused(tmp_path: Path, field: str) -> None:
    now = _scored(tmp_path)
    last = _rewritten(_scored(tmp_path, "last.json"), lambda d: d["units"][1].pop(field))
    _refused(_kaohe("rank", MINI, now, "--previous", last), f"{last}!units[1]!{field}: 错误: ", f"缺少字段 {field}")


def test_previous_results_listing_a_unit_twice_are_refused(tmp_path: Path) -> None:
    now = _scored(tmp_path)
    last = _rewritten(_scored(tmp_path, "last.json"), lambda d: d["units"][2].update(unit="甲"))
    _refused(_kaohe("rank", MINI, now, "--previous", last), f"{last}!units[2]!unit: 错误: ", '单位 "甲" 重复')


def test_a_previous_unit_no_longer_in_the_scheme_is_left_out_with_a_warning(tmp_path: Path) -> None:
    now = _scored(tmp_path)
    last = _rewritten(_scored(tmp_path, "last.json"), lambda d: d["units"][2].update(unit="丙区"))
    result = _kaohe("rank", MINI, now, "--previous", last, "--format", "json")
    assert result.returncode == 0, result.stderr
    warning = next(r for r in map(json.loads, result.stderr.splitlines()) if r["level"] == "warning")
    assert (warning["file"], warning["sheet"], warning["cell"], warning["message"]) == (  # units[2]!unit
        str(last), "units[2]", "unit", '单位 "丙区" 不在方案列出的单位中,不使用它的上次名次(最接近: 丙)')
    assert {u["unit"]: u["previous_rank"] for u in json.loads(result.stdout)["units"]} == {"甲": 1, "乙": 2, "丙": None}


# --- outputs never overwrite inputs --------------------------------------------------------------

def test_previous_results_given_as_the_output_are_refused_and_kept(tmp_path: Path) -> None:
    now, last = _scored(tmp_path), _scored(tmp_path, "last.json", (70, 80, 90))
    before = last.read_bytes()
    _refused(_kaohe("rank", MINI, now, "--previous", last, "-o", last), f"{last}: 错误: ", "输出文件与输入文件相同")
    assert last.read_bytes() == before
    link = tmp_path / "link.json"
    os.symlink(last, link)  # the same file by another name
    _refused(_kaohe("rank", MINI, now, "--previous", last, "-o", link), f"{link}: 错误: ", "输出文件与输入文件相同")
    assert last.read_bytes() == before
    written = _kaohe("rank", MINI, now, "--previous", last, "-o", tmp_path / "ranking.json")
    assert written.returncode == 0, written.stderr


@pytest.mark.parametrize("command", ["rank", "score"])
def test_rank_and_score_refuse_to_write_over_what_they_read(tmp_path: Path, command: str) -> None:
    results = _scored(tmp_path)
    path = results if command == "rank" else tmp_path / "r.csv"  # the results ranked, the evidence scored
    before = path.read_bytes()
    result = _kaohe(command, MINI, path, "-o", path)
    _refused(result, f"{path}: 错误: ", "输出文件与输入文件相同")
    assert path.read_bytes() == before
    assert result.stdout == ""  # refused before anything is read: no table that looks like success


def test_a_case_file_s_edited_previous_results_are_refused(tmp_path: Path) -> None:
    last = _scored(tmp_path, "last.json")
    last.write_bytes(last.read_bytes().replace(b'"rank": 3', b'"rank": 1'))
    case = tmp_path / "case.yaml"
    case.write_text("cases:\n  - name: c\n    rows: [{单位: 甲, 指标: 1.1.1, 值: 90}, {单位: 乙, 指标: 1.1.1, 值: 80},"
                    " {单位: 丙, 指标: 1.1.1, 值: 70}]\n    previous: last.json\n    units: {甲: {rank: 1}}\n",
                    encoding="utf-8")
    result = _kaohe("test", MINI, case)
    _refused(result, f"{last}:{_line_of(last, 'content_sha256')}: 错误: ", "文件在 kaohe 写出后被改动过")
    english = _kaohe("--lang", "en", "test", MINI, case)
    assert "error: the content digest content_sha256 does not match the file" in english.stderr


def test_results_taken_as_another_scheme_s_totals_are_checked_like_rank_s() -> None:
    """`results_totals`, the reader for judged `from_scheme` (kaohe.evidence reads such files;
    see the report of issue 13 for the call it should make): a BOM is read, the digest checked,
    every refusal located."""
    from kaohe.errors import KaoheError
    from kaohe.evidence.results import results_totals

    data = (ROOT / "tests" / "hostile" / "results" / "base.json").read_bytes()
    source, totals, warnings = results_totals(b"\xef\xbb\xbf" + data, "base.json")
    assert source == "mini" and warnings == []
    assert [(str(where), unit, total) for where, unit, total in totals] == [
        ("base.json!units[0]!total", "甲", "90"), ("base.json!units[1]!total", "乙", "80"),
        ("base.json!units[2]!total", "丙", "70")]
    edited = data.replace(b'"total": "70"', b'"total": "95"')
    with pytest.raises(KaoheError) as refused:
        results_totals(edited, "base.json")
    assert "文件在 kaohe 写出后被改动过" in str(refused.value)
    assert results_totals(edited, "base.json", force=True)[1][2][2] == "95"
    for broken, where in [(b"[" * 5000, "base.json:1:33"), (data.replace(b'"total": "90"', b'"total": [1]'),
                                                           "base.json!units[0]!total")]:
        with pytest.raises(KaoheError) as refused:
            results_totals(broken, "base.json", force=True)
        assert str(refused.value.problems[0].location) == where


OUTER = """\
id: outer
title: 外
full_score: 100
units: [{name: 甲}, {name: 乙}, {name: 丙}]
sections:
  - id: "1"
    title: t
    points: 100
    items:
      - id: "1.1"
        title: t
        points: 100
        criteria:
          - {id: 1.1.1, text: t, points: 100, rule: {kind: judged, scale: 100, from_scheme: mini}}
"""


@pytest.mark.parametrize(("name", "where", "message"), [
    ("edited_total.json", "edited_total.json:13: 错误: ", "文件在 kaohe 写出后被改动过"),
    ("duplicate_unit.json", "duplicate_unit.json!units[3]!total: 错误: ", "甲 的 1.1.1 重复填写"),
    ("unknown_unit.json", "unknown_unit.json!units[2]!total: 错误: ", '单位 "丁" 不在方案列出的单位中'),
    ("deep_nesting.json", "deep_nesting.json:1:69: 错误: ", "JSON 嵌套超过 32 层"),
    ("scheme_string.json", "scheme_string.json!scheme: 错误: ", "scheme 应为对象"),
    ("nan_total.json", "nan_total.json!units[0]!total: 错误: ", "NaN 不是可接受的精确数值"),
])
def test_results_taken_as_another_scheme_s_totals_are_refused_like_rank_s(tmp_path: Path, name: str, where: str,
                                                                         message: str) -> None:
    outer = tmp_path / "outer.yaml"
    outer.write_text(OUTER, encoding="utf-8")
    corpus = ROOT / "tests" / "hostile" / "results"
    _refused(_kaohe("score", outer, corpus / name), f"{corpus / name}".removesuffix(name) + where, message)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + (corpus / "base.json").read_bytes())
    taken = _kaohe("score", outer, bom, "--format", "json")
    assert taken.returncode == 0 and taken.stderr == "", taken.stderr
    assert [u["total"] for u in json.loads(taken.stdout)["units"]] == ["90", "80", "70"]


@pytest.mark.parametrize("version", [2, "1", True])
def test_a_results_file_of_another_format_version_is_refused(tmp_path: Path, version: object) -> None:
    # the digest matches (written again by kaohe's writer): only the version is wrong; "1" is
    # text and True a logical value, neither the version 1
    path = _rewritten(_scored(tmp_path), lambda document: document.update(version=version))
    shown = {2: "2", "1": "'1'", True: "true"}[version]  # type: ignore[index]  # as the file writes it
    _refused(_kaohe("rank", MINI, path), f"{path}: 错误: ",
             f"结果文件的格式版本为 {shown},本版 kaohe 读取的是版本 1:请用写出它的 kaohe 版本读取,或重新计分")

"""The command line: exit codes, outputs, template → fill → score, languages."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import EXAMPLES, ROOT, SCHEMES
from kaohe import __version__
from kaohe.cli import build_app
from kaohe.scheme.yamlload import load_yaml

SCHEME = str(SCHEMES / "changzhou-2018.yaml")
EXAMPLE = EXAMPLES / "changzhou-2018"
EXPECTED, _ = load_yaml((EXAMPLE / "expected.yaml").read_text(encoding="utf-8"), "expected.yaml")


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(build_app(), list(args), prog_name="kaohe")


def _example_rows() -> dict[str, dict[str, str]]:
    text = (EXAMPLE / "evidence.csv").read_text(encoding="utf-8-sig")
    return {row["单位"]: row for row in csv.DictReader(io.StringIO(text))}


def _totals_from_json(stdout: str) -> dict[str, tuple[str, int]]:
    doc = json.loads(stdout)
    return {u["unit"]: (u["total"], u["rank"]) for u in doc["units"]}


def _expected_totals() -> dict[str, tuple[str, int]]:
    return {unit: (str(d["total"]), int(d["rank"])) for unit, d in EXPECTED["units"].items()}


def test_validate_bundled_scheme_exits_0() -> None:
    result = run("validate", SCHEME)
    assert result.exit_code == 0 and "有效" in result.output


def test_validate_changed_points_exits_1_naming_the_line(tmp_path: Path) -> None:
    text = Path(SCHEME).read_text(encoding="utf-8").replace("title: 机构设置情况\n        points: 2",
                                                            "title: 机构设置情况\n        points: 3")
    changed = tmp_path / "changed.yaml"
    changed.write_text(text, encoding="utf-8")
    line = text[: text.index("title: 机构设置情况")].count("\n") + 2
    result = run("validate", str(changed))
    assert result.exit_code == 1
    assert f"{changed}:{line}:17: 错误: 2.2 各条评分标准分值之和为 2 分,与本项 3 分不符" in result.output


def test_validate_warnings_pass_unless_strict(tmp_path: Path) -> None:
    text = Path(SCHEME).read_text(encoding="utf-8").replace("- id: 2.2.2", "- id: 2.2.9")
    warned = tmp_path / "warned.yaml"
    warned.write_text(text, encoding="utf-8")
    assert run("validate", str(warned)).exit_code == 0
    assert run("validate", "--strict", str(warned)).exit_code == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("validate", str(tmp_path / "absent.yaml")).exit_code == 2
    assert run("score", SCHEME).exit_code == 2
    assert run("score", SCHEME, str(EXAMPLE / "evidence.csv"), "-o", str(tmp_path / "r.txt")).exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_score_json_matches_the_hand_worked_totals() -> None:
    result = run("score", SCHEME, str(EXAMPLE / "evidence.csv"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert _totals_from_json(result.stdout) == _expected_totals()


def test_score_table_lists_units_in_rank_order() -> None:
    result = run("score", SCHEME, str(EXAMPLE / "evidence.xlsx"))
    assert result.exit_code == 0
    order = sorted(EXPECTED["units"], key=lambda u: -EXPECTED["units"][u]["total"])
    positions = [result.stdout.index(unit) for unit in order]
    assert positions == sorted(positions)


def test_score_writes_xlsx_with_ranking_and_detail(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    assert run("score", SCHEME, str(EXAMPLE / "evidence.csv"), "-o", str(out)).exit_code == 0
    book = load_workbook(out)
    # 排名, a 汇总 per section (7), a 评价表 per unit (7), 明细, 说明 (the manifest).
    assert book.sheetnames[0] == "排名" and book.sheetnames[-2:] == ["明细", "说明"] and len(book.sheetnames) == 17
    assert "汇总-组织领导" in book.sheetnames and "评价表-溧阳市" in book.sheetnames
    sheet = book["排名"]
    # Rows 1-2 are the title (scheme, 文号, period, date); the header is row 3 and repeats on each page.
    assert len(sheet._charts) == 1 and sheet.freeze_panes == "C4" and sheet.print_title_rows == "$3:$3"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4  # "9": A4
    assert sheet["A1"].value == "常州市机关事务管理工作考核办法(暂行) 考核结果" and "常机管〔2018〕49号" in sheet["A2"].value
    table = list(book["评价表-溧阳市"].iter_rows(values_only=True))
    assert "被考核单位:溧阳市" in table[1][0]
    assert table[2][:6] == ("评价项目", "评价内容", "分值", "评分标准", "评分依据", "得分")
    total = next(row for row in table if row[0] == "总分")
    assert table[3][5] == 2 and float(total[5]) == 119.5 and table[-1][0] == "考核组签字:"
    ranking = list(book["排名"].iter_rows(values_only=True))
    assert ranking[3][:2] == (1, "溧阳市") and float(ranking[3][-1]) == 119.5
    detail = list(book["明细"].iter_rows(values_only=True))
    assert len(detail) == 3 + 7 * 49  # 51 inputs, 7.1.1's three in one criterion: 49 criteria per unit
    assert f"证据目录:{os.path.relpath(EXAMPLE)}(" in detail[1][0]  # 来源 below is relative to it
    # 溧阳市 1.1.1: 3 meetings × 1 point = 3, capped at 2 (the example's 1.1.1 = 3).
    row = next(r for r in detail if r[0] == "溧阳市" and r[1] == "1.1.1")
    assert row[3] == "3" and row[5] == 2
    assert row[4] == "evidence.csv:2:2"
    assert row[6] == "3次×1分=3分,封顶2分 → 2分"


def test_score_writes_csv_with_bom_and_json(tmp_path: Path) -> None:
    out_csv, out_json = tmp_path / "r.csv", tmp_path / "r.json"
    assert run("score", SCHEME, str(EXAMPLE / "evidence.csv"), "-o", str(out_csv)).exit_code == 0
    assert out_csv.read_bytes().startswith("\ufeff名次,单位".encode())
    assert run("score", SCHEME, str(EXAMPLE / "evidence.csv"), "-o", str(out_json)).exit_code == 0
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["format"] == "kaohe-results" and doc["version"] == 1 and len(doc["scheme"]["sha256"]) == 64


def test_score_twice_gives_identical_files(tmp_path: Path) -> None:
    import time

    for suffix in ("json", "csv", "xlsx"):
        a, b = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
        run("score", SCHEME, str(EXAMPLE / "evidence.csv"), "-o", str(a), "--no-timestamp")
        time.sleep(1.1)  # a second later: any clock time written would differ
        run("score", SCHEME, str(EXAMPLE / "evidence.csv"), "-o", str(b), "--no-timestamp")
        assert a.read_bytes() == b.read_bytes(), suffix
    assert load_workbook(tmp_path / "a.xlsx").sheetnames[0] == "排名"


def test_results_record_their_provenance(tmp_path: Path) -> None:
    import hashlib

    out = tmp_path / "r.json"
    assert run("score", SCHEME, str(EXAMPLE / "evidence.csv"), "-o", str(out)).exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["tool"]["version"] == __version__ and "generated" in doc
    assert doc["scheme"]["sha256"] == hashlib.sha256(Path(SCHEME).read_bytes()).hexdigest()
    assert doc["evidence"][0]["sha256"] == hashlib.sha256((EXAMPLE / "evidence.csv").read_bytes()).hexdigest()
    assert doc["scheme"]["ranking"]["method"] == "rank_eq"


def test_bad_evidence_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("单位,1.1.1\n溧阳市,很多\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    result = run("score", SCHEME, str(bad), "-o", str(out))
    assert result.exit_code == 1
    assert f"{bad}:2:2: 错误: 1.1.1 的值 '很多' 无效: 应为非负整数(次数、项数)" in result.output
    assert not out.exists()


def test_missing_values_are_listed_and_strict_refuses_them(tmp_path: Path) -> None:
    partial = tmp_path / "partial.csv"
    partial.write_text("单位,1.1.1\n溧阳市,1\n", encoding="utf-8")
    lenient = run("score", SCHEME, str(partial))
    assert lenient.exit_code == 0 and "个值未提供,按 0 分计" in lenient.output
    strict = run("score", "--strict", SCHEME, str(partial))
    assert strict.exit_code == 1 and "溧阳市 的 1.2.1 未提供(--strict)" in strict.output


def test_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    evidence = tmp_path / "e.csv"
    evidence.write_bytes((EXAMPLE / "evidence.csv").read_bytes())
    before = evidence.read_bytes()
    result = run("score", SCHEME, str(evidence), "-o", str(evidence))
    assert result.exit_code == 1 and "拒绝覆盖" in result.output
    assert evidence.read_bytes() == before


def _fill_xlsx(template: Path, filled: Path) -> None:
    rows = _example_rows()
    book = load_workbook(template)
    sheet = book["证据"]
    header = [c.value for c in sheet[2]]  # row 1 is the title
    ids = [str(h).split(" ")[0] if h else None for h in header]
    for r in range(4, sheet.max_row + 1):
        unit = sheet.cell(row=r, column=1).value
        if unit is None:  # the open (unlocked) rows below the units
            continue
        for c, input_id in enumerate(ids[1:], start=2):
            sheet.cell(row=r, column=c).value = rows[unit][input_id]  # typed as text, as pasted
    book.save(filled)


def test_template_fill_score_round_trip_xlsx(tmp_path: Path) -> None:
    template = tmp_path / "template.xlsx"
    assert run("template", SCHEME, "-o", str(template)).exit_code == 0
    book = load_workbook(template)
    assert book.sheetnames == ["证据", "说明"]
    sheet = book["证据"]
    assert sheet["A3"].value == "评分标准" and sheet["B2"].value.startswith("1.1.1 ")
    assert [sheet.cell(row=r, column=1).value for r in range(4, 11)] == list(_example_rows())
    kinds = {dv.type for dv in sheet.data_validations.dataValidation}
    assert {"list", "whole", "decimal"} <= kinds  # met/levels dropdowns, counts, judged ranges
    filled = tmp_path / "filled.xlsx"
    _fill_xlsx(template, filled)
    result = run("score", SCHEME, str(filled), "--format", "json")
    assert result.exit_code == 0, result.output
    assert _totals_from_json(result.stdout) == _expected_totals()


def test_template_fill_score_round_trip_csv(tmp_path: Path) -> None:
    template = tmp_path / "template.csv"
    assert run("template", SCHEME, "-o", str(template)).exit_code == 0
    lines = list(csv.reader(io.StringIO(template.read_text(encoding="utf-8-sig"))))
    assert lines[1][0] == "评分标准"
    rows = _example_rows()
    ids = [h.split(" ")[0] for h in lines[0]]
    for line in lines[2:]:
        line[1:] = [rows[line[0]][i] for i in ids[1:]]
    filled = tmp_path / "filled.csv"
    with open(filled, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(lines)
    result = run("score", SCHEME, str(filled), "--format", "json")
    assert result.exit_code == 0, result.output
    assert _totals_from_json(result.stdout) == _expected_totals()


def test_show_prints_the_assessment_table() -> None:
    result = run("show", SCHEME)
    assert result.exit_code == 0
    assert "评价表" in result.stdout and "2.3.2" in result.stdout and "加分项目" in result.stdout


def test_version_and_help_for_every_command() -> None:
    assert run("--version").stdout.strip() == f"kaohe {__version__}"
    for command in ("validate", "show", "template", "score", "test", "rank", "explain", "diff"):
        result = run(command, "--help")
        assert result.exit_code == 0, command
        assert "用法: kaohe" in result.stdout and "显示本帮助并退出" in result.stdout, command
        assert "Usage:" not in result.stdout and "Show this message" not in result.stdout, command


def test_english_messages_with_lang_and_env(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "kaohe", "--lang", "en", "validate", SCHEME],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip().endswith(": valid")
    env_run = subprocess.run([sys.executable, "-m", "kaohe", "score", "--help"], capture_output=True, text=True,
                             env={"KAOHE_LANG": "en", "PATH": "", "COLUMNS": "200"})
    assert "Score evidence against the scheme" in env_run.stdout


def test_python_dash_m_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "kaohe", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"kaohe {__version__}"


@pytest.mark.parametrize("module", ["openpyxl", "python_calamine", "yaml", "pydantic"])
def test_cli_module_imports_no_heavy_library(module: str) -> None:
    code = f"import sys, kaohe.cli; print({module!r} in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"


def test_running_a_command_does_not_load_the_help_machinery() -> None:
    # typer's rich help module (and markdown-it under it) takes ~80 ms to import: only --help needs it.
    code = ("import sys; from kaohe.cli import main; sys.argv = ['kaohe', 'validate', sys.argv[1]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    print(e.code, 'typer.rich_utils' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code, SCHEME], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "0 False", result.stdout + result.stderr


def test_an_internal_error_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import kaohe.cli as cli

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "build_app", lambda: broken)
    monkeypatch.setattr(sys, "argv", ["kaohe", "validate", "x.yaml"])
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 70
    err = capsys.readouterr().err
    assert err.startswith("kaohe 内部错误(RuntimeError: boom)") and "Traceback" not in err


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    import os
    import stat

    out = tmp_path / "r.csv"
    assert run("score", SCHEME, str(EXAMPLE / "evidence.csv"), "-o", str(out)).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    # No temporary file left behind; the manifest beside the CSV is written the same way.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.manifest.json"]
    manifest = tmp_path / "r.manifest.json"
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o666 & ~mask


@pytest.mark.parametrize("args,expected", [
    (["score", SCHEME], "错误: 缺少参数 EVIDENCE\n运行 kaohe score --help 查看用法"),
    (["frobnicate"], "错误: 没有命令 \"frobnicate\""),
    (["score", "--frob"], "错误: 没有选项 --frob"),
    (["--lang", "en", "validate"], "error: missing argument SCHEMES\nrun kaohe validate --help for usage"),
])
def test_command_line_mistakes_are_explained_in_the_interface_language(args: list[str], expected: str) -> None:
    result = subprocess.run([sys.executable, "-m", "kaohe", *args], capture_output=True, text=True)
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_no_arguments_shows_the_help() -> None:
    result = subprocess.run([sys.executable, "-m", "kaohe"], capture_output=True, text=True)
    assert result.returncode == 2 and "用法: kaohe" in result.stdout and result.stderr == ""


def test_large_results_are_streamed_with_the_same_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Force the write-only path on the small example: the workbook must carry the same content.
    import kaohe.report.xlsxout as xlsxout

    monkeypatch.setattr(xlsxout, "STREAM_ROWS", 10)
    out = tmp_path / "streamed.xlsx"
    assert run("score", SCHEME, str(EXAMPLE / "evidence.csv"), "-o", str(out)).exit_code == 0
    book = load_workbook(out)
    sheet = book["排名"]
    assert book.sheetnames[0] == "排名" and book.sheetnames[-2:] == ["明细", "说明"] and len(sheet._charts) == 1
    assert sheet.freeze_panes == "C4" and sheet.print_title_rows == "$3:$3"
    first = [c.value for c in sheet[4]]
    assert first[:2] == [1, "溧阳市"] and float(first[-1]) == 119.5 and sheet["B4"].data_type == "s"


def test_a_value_no_choice_accepts_is_told_with_the_choices() -> None:
    # `--format` takes text or json (validate's TextFormat); pydantic's English is not shown
    result = subprocess.run([sys.executable, "-m", "kaohe", "validate", SCHEME, "--format", "xml"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == "错误: 参数 --format 的值 'xml' 无效,可选: text、json"
    result = subprocess.run([sys.executable, "-m", "kaohe", "--lang", "en", "validate", SCHEME, "--format", "x'y"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.stderr.splitlines()[0] == "error: invalid value 'x'y' for --format; accepted: text, json"


def test_english_counts_one_thing_in_the_singular() -> None:
    from kaohe.i18n import set_lang, t

    set_lang("en")
    try:
        assert t("score.failed", count=1) == "1 error in the evidence; nothing was scored or written"
        assert t("score.failed", count=2) == "2 errors in the evidence; nothing was scored or written"
        assert t("validate.ok_warnings", path="s.yaml", count=1) == "s.yaml: valid, 1 warning"
        assert t("validate.invalid", path="s.yaml", count=1) == "s.yaml: invalid, 1 error"
    finally:
        set_lang("zh")
    assert t("validate.invalid", path="s.yaml", count=1) == "s.yaml: 无效,1 个错误"


def test_english_counts_one_thing_with_its_verb_in_the_singular() -> None:
    from kaohe.i18n import set_lang, t

    set_lang("en")
    try:
        assert t("xlsx.duplicate_cell", count=1).startswith(
            "this cell is written more than once in the sheet (1 cell is written more than once; this is the first)")
        assert t("outcome.quota_short", count=1, grade="优秀", wanted=2) == "only 1 unit qualifies for 优秀, fewer than the 2 named"
        assert t("cases.passed", case="c.yaml", checked=1) == "c.yaml: passed (1 check)"
        assert t("cases.passed", case="c.yaml", checked=2) == "c.yaml: passed (2 checks)"
    finally:
        set_lang("zh")

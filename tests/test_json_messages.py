"""Messages for scripts (issue 14 §5): under `--format json` every line of stderr of validate,
score, rank, explain and diff is one JSON object with the fields docs/json-messages.md lists, over
good and bad input, usage mistakes, interrupts and internal errors; explain's and diff's stdout is
JSON whatever the input holds; `validate --format json` prints one document. Run through the real
command line (subprocess), as a batch script runs it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import ROOT

FIELDS = ("file", "line", "col", "sheet", "cell", "level", "message", "code")
LEVELS = {"error", "warning", "note", "info"}
DOC = ROOT / "docs" / "json-messages.md"

# Two units, two yes/no criteria of 1 point each. Line 10 is the section's `points`: its value
# starts at column 13 (4 spaces and "points: " are 12 characters before it).
SCHEME_LINES = [
    "id: t", "title: t", "full_score: 2", "units:", "  - name: 甲", "  - name: 乙",  # lines 1-6
    "sections:", '  - id: "1"', "    title: s", "    points: 2",  # lines 7-10
    "    items:", '      - id: "1.1"', "        title: i", "        points: 2", "        criteria:",
    '          - id: "1.1.1"', "            text: c", "            points: 1", "            rule: {kind: met}",
    '          - id: "1.1.2"', "            text: d", "            points: 1", "            rule: {kind: met}",
]


def kaohe(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def records(stderr: str) -> list[dict[str, object]]:
    """Every stderr line as its object, each checked: it parses, its fields are the documented
    ones in order (then a record's own), its level is one of the four, and no character a
    terminal must not get raw is in it."""
    found = []
    for line in stderr.splitlines():
        record = json.loads(line)
        assert isinstance(record, dict), line
        assert tuple(record)[:len(FIELDS)] == FIELDS, line
        assert record["level"] in LEVELS, line
        assert isinstance(record["message"], str) and record["message"], line
        assert record["code"] is None or isinstance(record["code"], str), line
        for field in ("line", "col"):
            assert record[field] is None or isinstance(record[field], int), line
        assert not re.search("[\x00-\x1f\x7f-\x9f\u202e\u2066-\u2069]", line), line
        found.append(record)
    return found


def place(file: str | None = None, line: int | None = None, col: int | None = None, sheet: str | None = None,
          cell: str | None = None) -> dict[str, object]:
    return {"file": file, "line": line, "col": col, "sheet": sheet, "cell": cell}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of good and bad inputs, named by what they are; commands run in it."""
    folder = tmp_path_factory.mktemp("json")
    (folder / "good.yaml").write_text("\n".join(SCHEME_LINES) + "\n", encoding="utf-8")
    bad = list(SCHEME_LINES)
    bad[9] = "    points: abc"  # line 10
    (folder / "bad_points.yaml").write_text("\n".join(bad) + "\n", encoding="utf-8")
    (folder / "broken.yaml").write_text("id: t\ntitle: [unclosed\n", encoding="utf-8")
    warned = [line.replace('"1.1.2"', '"1.2.2"') for line in SCHEME_LINES]  # numbered under the wrong item
    (folder / "warned.yaml").write_text("\n".join(warned) + "\n", encoding="utf-8")
    (folder / "full.csv").write_text("单位,1.1.1,1.1.2\n甲,是,是\n乙,否,是\n", encoding="utf-8")
    (folder / "gaps.csv").write_text("单位,1.1.1,1.1.2\n甲,是,\n乙,,否\n", encoding="utf-8")
    (folder / "unknown_unit.csv").write_text("单位,1.1.1,1.1.2\n甲,是,是\n丙,否,是\n", encoding="utf-8")
    book = Workbook()
    sheet = book.active
    sheet.title = "评分"
    for row in (["单位", "1.1.1", "1.1.2"], ["甲", "是", "也许"], ["乙", "否", "是"]):
        sheet.append(row)
    book.save(folder / "bad_cell.xlsx")  # C2: 甲's 1.1.2, not a yes/no
    assert kaohe("score", "good.yaml", "full.csv", "-o", "results.json", "--no-timestamp", cwd=folder).returncode == 0
    text = (folder / "results.json").read_text(encoding="utf-8")
    (folder / "tampered.json").write_text(text.replace('"unit": "甲"', '"unit": "甲甲"', 1), encoding="utf-8")
    kept = [line for line in text.splitlines() if "content_sha256" not in line]  # no digest: read field by field
    kept[-2] = kept[-2].rstrip(",")
    edited = "\n".join(kept).replace('"total": "2"', '"total": "abc"', 1)  # 甲's total (是, 是: 1 + 1 = 2)
    (folder / "edited.json").write_text(edited + "\n", encoding="utf-8")
    return folder


# 5. Every command, good and bad input: every stderr line parses, with the exit code of text mode.

RUNS = [
    (["validate", "good.yaml"], 0),
    (["validate", "bad_points.yaml", "broken.yaml"], 1),
    (["validate", "nowhere.yaml"], 2),
    (["score", "good.yaml", "full.csv"], 0),
    (["score", "good.yaml", "gaps.csv"], 0),
    (["score", "good.yaml", "gaps.csv", "--strict"], 1),
    (["score", "good.yaml", "bad_cell.xlsx"], 1),
    (["score", "good.yaml", "unknown_unit.csv"], 1),
    (["score", "broken.yaml", "full.csv"], 1),
    (["score", "bad_points.yaml", "full.csv"], 1),
    (["rank", "good.yaml", "results.json"], 0),
    (["rank", "good.yaml", "tampered.json"], 1),
    (["rank", "good.yaml", "edited.json"], 1),
    (["explain", "good.yaml", "gaps.csv", "--unit", "甲"], 0),
    (["explain", "good.yaml", "full.csv", "--unit", "丁"], 2),
    (["explain", "good.yaml", "full.csv", "--unit", "甲", "--item", "9.9"], 2),
    (["explain", "good.yaml", "bad_cell.xlsx", "--unit", "甲"], 1),
    (["diff", "good.yaml", "full.csv", "gaps.csv"], 0),
    (["diff", "good.yaml", "full.csv", "bad_cell.xlsx"], 1),
    (["diff", "good.yaml", "full.csv", "unknown_unit.csv"], 1),
]


@pytest.mark.parametrize(("args", "code"), RUNS, ids=[" ".join(a) for a, _ in RUNS])
def test_every_stderr_line_is_a_json_record(files: Path, args: list[str], code: int) -> None:
    result = kaohe(*args, "--format", "json", cwd=files)
    assert result.returncode == code, result.stderr
    found = records(result.stderr)
    assert "Traceback" not in result.stderr
    if args[0] == "validate" and code != 2:  # its findings are in its document, stderr is empty
        assert found == [] and json.loads(result.stdout)["valid"] is (code == 0)
    elif code != 0:
        assert any(r["level"] == "error" for r in found), result.stderr
    elif result.stdout:
        json.loads(result.stdout)  # the command's document
    text = kaohe(*args, cwd=files)
    assert text.returncode == code  # the same exit code as a person gets


def test_a_bad_yaml_value_is_at_its_line_and_column(files: Path) -> None:
    result = kaohe("score", "bad_points.yaml", "full.csv", "--format", "json", cwd=files)
    first = records(result.stderr)[0]
    # SCHEME_LINES' line 10 `    points: abc`: the value at column 13.
    assert {k: first[k] for k in FIELDS[:6]} == {**place("bad_points.yaml", 10, 13), "level": "error"}
    text = kaohe("score", "bad_points.yaml", "full.csv", cwd=files).stderr.splitlines()[0]
    assert text == f"bad_points.yaml:10:13: 错误: {first['message']}"  # the same words as the text line


def test_a_bad_evidence_cell_is_at_its_sheet_and_cell(files: Path) -> None:
    result = kaohe("score", "good.yaml", "bad_cell.xlsx", "--format", "json", cwd=files)
    found = records(result.stderr)
    # Row 2 is 甲's, column C is 1.1.2; the run ends with one error counted and nothing scored.
    assert {k: found[0][k] for k in FIELDS[:6]} == {**place("bad_cell.xlsx", sheet="评分", cell="C2"), "level": "error"}
    assert found[0]["code"] == "value.not_bool" and "也许" in str(found[0]["message"])
    assert found[-1] == {**place(), "level": "error", "message": "证据有 1 个错误,未计分,未写入任何文件",
                         "code": "score.failed"}
    assert len(found) == 2 and result.stdout == ""


def test_a_results_field_is_at_its_record_and_field(files: Path) -> None:
    found = records(kaohe("rank", "good.yaml", "edited.json", "--format", "json", cwd=files).stderr)
    # 甲 is ranked first, so its record is units[0]; the field edited is its total.
    assert {k: found[0][k] for k in FIELDS[:6]} == {**place("edited.json", sheet="units[0]", cell="total"),
                                                   "level": "error"}
    assert "'abc'" in str(found[0]["message"])


# 1. The missing values: one warning per value, with its unit and id as fields.

def test_each_missing_value_is_one_record_with_its_unit_and_id(files: Path) -> None:
    result = kaohe("score", "good.yaml", "gaps.csv", "--format", "json", cwd=files)
    assert result.returncode == 0
    # gaps.csv: 甲 has no 1.1.2, 乙 no 1.1.1 (each scores 0 for it).
    assert records(result.stderr) == [
        {**place(), "level": "warning", "message": "甲 的 1.1.2 未提供,按 0 分计", "code": "score.missing",
         "unit": "甲", "id": "1.1.2", "period": None},
        {**place(), "level": "warning", "message": "乙 的 1.1.1 未提供,按 0 分计", "code": "score.missing",
         "unit": "乙", "id": "1.1.1", "period": None}]
    assert json.loads(result.stdout)["missing"] == [{"unit": "甲", "id": "1.1.2", "period": None},
                                                    {"unit": "乙", "id": "1.1.1", "period": None}]
    text = kaohe("score", "good.yaml", "gaps.csv", cwd=files)  # the text is as it was
    assert text.stderr == "2 个值未提供,按 0 分计(加 --strict 则视为错误):\n  甲 1.1.2\n  乙 1.1.1\n"


def test_missing_values_under_strict_are_errors_with_a_code(files: Path) -> None:
    found = records(kaohe("score", "good.yaml", "gaps.csv", "--strict", "--format", "json", cwd=files).stderr)
    assert [(r["level"], r["code"], r["message"]) for r in found] == [
        ("error", "score.missing_error", "甲 的 1.1.2 未提供(--strict)"),
        ("error", "score.missing_error", "乙 的 1.1.1 未提供(--strict)"),
        ("error", "score.failed", "证据有 2 个错误,未计分,未写入任何文件")]


def test_missing_values_past_the_cap_are_counted_in_one_record() -> None:
    from kaohe.commands.score import missing_lines
    from kaohe.engine import Missing

    missing = [Missing("甲", "1.1.1"), Missing("甲", "1.1.2", "一季度"), Missing("乙", "1.1.1")]
    lines = [json.loads(line) for line in missing_lines(missing, limit=2)]
    # Two listed (the second with its period in the words and as a field), then 3 - 2 = 1 counted.
    assert [(r["unit"], r["id"], r["period"], r["message"]) for r in lines[:2]] == [
        ("甲", "1.1.1", None, "甲 的 1.1.1 未提供,按 0 分计"), ("甲", "1.1.2", "一季度", "甲 的 一季度 1.1.2 未提供,按 0 分计")]
    assert lines[2] == {**place(), "level": "warning", "message": "……另有 1 个", "code": "score.missing_more",
                        "omitted": 1}


def test_a_written_results_file_is_an_info_record(files: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = kaohe("score", "good.yaml", "full.csv", "--format", "json", "-o", str(out), cwd=files)
    assert records(result.stderr) == [{**place(), "level": "info", "message": f"结果已写入 {out}",
                                       "code": "score.written"}]


# 2. explain's and diff's stdout is JSON whatever the input holds.

HOSTILE = "证据\x1b[2J\u202e\x85\x7f.csv"


@pytest.mark.skipif(sys.platform == "win32", reason="control characters in a file name")
@pytest.mark.parametrize("command", ["explain", "diff"])
def test_stdout_is_json_with_control_characters_in_the_input(files: Path, tmp_path: Path, command: str) -> None:
    evidence = tmp_path / HOSTILE
    evidence.write_text("单位,1.1.1,1.1.2\n甲,是,否\n乙,否,是\n", encoding="utf-8")
    args = ["--unit", "甲"] if command == "explain" else [str(evidence)]
    result = kaohe(command, str(files / "good.yaml"), str(evidence), *args, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", result.stdout)
    if command == "explain":  # the name as it is, read back through JSON: 甲's 1.1.1 is row 2, column 2
        inputs = document["sections"][0]["items"][0]["criteria"][0]["inputs"]
        assert inputs[0]["source"] == f"{evidence}:2:2"
    else:
        assert document["changes"] == []


@pytest.mark.skipif(sys.platform == "win32", reason="control characters in a file name")
def test_results_json_escapes_what_a_terminal_must_not_get_and_still_reads_back(files: Path, tmp_path: Path) -> None:
    # The file's name is in the results' inputs: on stdout, and in the file, as JSON's \u escapes; the
    # file's content_sha256 is of what was written, so rank reads it back without a digest warning.
    evidence = tmp_path / HOSTILE
    evidence.write_text("单位,1.1.1,1.1.2\n甲,是,否\n乙,否,是\n", encoding="utf-8")
    shown = kaohe("score", str(files / "good.yaml"), str(evidence), "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", shown.stdout)
    assert str(evidence) in [e["file"] for e in json.loads(shown.stdout)["evidence"]]
    written = tmp_path / "r.json"
    done = kaohe("score", str(files / "good.yaml"), str(evidence), "-o", str(written), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "\u202e" not in written.read_text(encoding="utf-8")
    ranked = kaohe("rank", str(files / "good.yaml"), str(written), "--format", "json", cwd=tmp_path)
    assert ranked.returncode == 0 and ranked.stderr == "", ranked.stderr
    assert not re.search("[\x7f-\x9f\u202e]", ranked.stdout)


# 3. Usage mistakes are JSON lines too, exit 2.

USAGE = [
    (["score", "good.yaml"], place(), "cli.err.missing", "缺少参数 EVIDENCE"),
    (["score", "good.yaml", "full.csv", "--bogus"], place(), "cli.err.no_such_option", "没有选项 --bogus"),
    (["score", "good.yaml", "nowhere.csv"], place("nowhere.csv"), "file.not_found", "文件不存在"),
    (["score", "good.yaml", "."], place("."), "file.is_folder", "是文件夹,不是文件"),
    (["score", "good.yaml", "full.csv", "-o", "r.txt"], place("r.txt"), "output.unknown_format", None),
    (["validate", "."], place("."), "file.is_folder", "是文件夹,不是文件"),
    (["--lang", "fr", "score", "good.yaml", "full.csv"], place(), "cli.lang_unknown", "界面语言 fr 不可用;可用的语言: zh、en"),
    (["rank", "good.yaml"], place(), "cli.err.missing", "缺少参数 RESULTS"),
    (["explain", "good.yaml", "full.csv"], place(), "cli.err.missing", "缺少参数 --unit"),
    (["diff", "good.yaml", "full.csv"], place(), "cli.err.missing", "缺少参数 EVIDENCE_B"),
]


@pytest.mark.parametrize(("args", "where", "code", "message"), USAGE, ids=[" ".join(u[0]) for u in USAGE])
def test_usage_mistakes_are_json_lines(files: Path, args: list[str], where: dict[str, object], code: str,
                                       message: str | None) -> None:
    result = kaohe(*args, "--format", "json", cwd=files)
    assert result.returncode == 2
    found = records(result.stderr)
    assert len(found) == 1 and found[0]["level"] == "error" and found[0]["code"] == code
    assert {k: found[0][k] for k in FIELDS[:5]} == where
    if message is not None:
        assert found[0]["message"] == message
    assert result.stdout == ""


def test_usage_mistakes_in_text_are_as_they_were(files: Path) -> None:
    result = kaohe("score", "good.yaml", cwd=files)
    assert result.returncode == 2
    assert result.stderr == "错误: 缺少参数 EVIDENCE\n运行 kaohe score --help 查看用法\n"


# 4. Interrupts and internal errors.

@pytest.fixture
def json_argv(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`kaohe score --format json …` in this process; the text sink is put back after."""
    from kaohe.errors import Sink, use_sink
    from kaohe.report import atomic

    monkeypatch.setattr(sys, "argv", ["kaohe", "score", "s.yaml", "e.csv", "--format", "json"])
    monkeypatch.setattr(atomic, "WRITTEN", [])
    monkeypatch.setattr(atomic, "CUT", [])
    yield
    use_sink(Sink())
    for name in ("SIGINT", "SIGTERM"):
        signal.signal(getattr(signal, name), signal.default_int_handler if name == "SIGINT" else signal.SIG_DFL)


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_an_interrupt_is_a_json_line(json_argv: None, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str], signum: int, exit_code: int) -> None:
    import kaohe.cli as cli
    from kaohe.report.atomic import Interrupted

    def interrupted() -> None:
        raise Interrupted(signum)

    monkeypatch.setattr(cli, "build_app", lambda: lambda **kwargs: interrupted())
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == exit_code  # 128 + 15, 128 + 2
    name = signal.Signals(signum).name
    assert records(capsys.readouterr().err) == [{**place(), "level": "error", "message": (
        f"已中断({name}):没有写入任何文件,已有的文件未改动"), "code": "cli.interrupted"}]


def test_an_internal_error_is_a_json_line(json_argv: None, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import kaohe.cli as cli

    def broken(**kwargs: object) -> None:
        raise RuntimeError("boom\x1b[2J")

    monkeypatch.setattr(cli, "build_app", lambda: broken)
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 70
    found = records(capsys.readouterr().err)
    assert len(found) == 1 and found[0]["code"] == "cli.internal_error" and found[0]["level"] == "error"
    assert str(found[0]["message"]).startswith("kaohe 内部错误(RuntimeError: boom\x1b[2J)")


# 6. validate --format json.

def validate(files: Path, *args: str) -> tuple[int, dict[str, object], str]:
    result = kaohe("validate", *args, "--format", "json", cwd=files)
    return result.returncode, json.loads(result.stdout), result.stderr


def test_validate_prints_one_document(files: Path) -> None:
    code, document, stderr = validate(files, "good.yaml")
    assert code == 0 and stderr == ""
    assert document == {"format": "kaohe-validate", "version": 1, "strict": False, "valid": True, "schemes": [
        {"path": "good.yaml", "valid": True, "errors": 0, "warnings": 0, "problems": []}]}


def test_validate_several_schemes_with_an_error_at_a_known_place(files: Path) -> None:
    code, document, _ = validate(files, "good.yaml", "bad_points.yaml", "broken.yaml")
    assert code == 1 and document["valid"] is False
    schemes = document["schemes"]
    assert isinstance(schemes, list)
    assert [(s["path"], s["valid"]) for s in schemes] == [("good.yaml", True), ("bad_points.yaml", False),
                                                          ("broken.yaml", False)]
    # bad_points.yaml: the section's `points: abc` at 10:13 is the first error (the item's 2 still is a number).
    bad = schemes[1]
    assert bad["errors"] == len(bad["problems"]) == 1 and bad["warnings"] == 0
    assert {k: bad["problems"][0][k] for k in FIELDS[:6]} == {**place("bad_points.yaml", 10, 13), "level": "error"}
    assert schemes[2]["errors"] == 1 and schemes[2]["problems"][0]["file"] == "broken.yaml"


def test_validate_strict_fails_a_scheme_with_warnings(files: Path) -> None:
    code, document, _ = validate(files, "warned.yaml")
    assert code == 0 and document["valid"] is True
    scheme = document["schemes"][0]  # type: ignore[index]
    # The second criterion is numbered 1.2.2 under item 1.1: one warning at its id (line 20, after `- id: `).
    assert (scheme["errors"], scheme["warnings"]) == (0, 1)
    assert {k: scheme["problems"][0][k] for k in FIELDS[:6]} == {**place("warned.yaml", 20, 17), "level": "warning"}
    assert scheme["problems"][0]["code"] == "check.criterion_numbering"  # a script can tell findings apart
    code, document, _ = validate(files, "--strict", "warned.yaml")
    assert code == 1 and document["valid"] is False and document["strict"] is True
    assert document["schemes"][0]["valid"] is False  # type: ignore[index]


# 7. The page says what the code does.

DOC_TEXT = DOC.read_text(encoding="utf-8")


def _table_fields(heading: str) -> list[str]:
    """The first column of the table that follows `heading`'s line, backticks stripped."""
    after = DOC_TEXT.split(heading, 1)[1]
    rows = re.findall(r"^\| `([a-z_]+)` \|", after.split("\n\n", 2)[1], flags=re.M)
    assert rows, heading
    return rows


def test_the_documented_fields_are_what_problem_record_emits() -> None:
    from kaohe.errors import Location, Problem, problem_record

    assert _table_fields("Each line is an object with these fields") == list(FIELDS)
    assert tuple(problem_record(Problem(Location("f.yaml", 1, 2), "m"))) == FIELDS


def test_the_documented_extra_fields_are_what_is_emitted() -> None:
    from kaohe.commands.score import missing_lines
    from kaohe.engine import Missing
    from kaohe.errors import Location, Problem, Sink

    extras = set(_table_fields("Some records carry fields of their own"))
    emitted = [json.loads(line) for line in missing_lines([Missing("甲", "1"), Missing("甲", "2")], limit=1)]
    emitted += [json.loads(line) for line in Sink(json_lines=True).lines([Problem(Location("f"), "m")] * 2, limit=1)]
    assert {k for r in emitted for k in r} - set(FIELDS) == extras


def test_the_documented_examples_parse() -> None:
    blocks = re.findall(r"```json\n(.*?)```", DOC_TEXT, flags=re.S)
    lines = [line for block in blocks if block.startswith("{\"") for line in block.splitlines()]
    assert len(lines) >= 6
    for line in lines:
        record = json.loads(line)
        assert tuple(record)[:len(FIELDS)] == FIELDS and record["level"] in LEVELS
    documents = [json.loads(block) for block in blocks if block.startswith("{\n")]
    assert [d["format"] for d in documents] == ["kaohe-validate"]
    assert tuple(documents[0]["schemes"][0]["problems"][0]) == FIELDS
    for block in re.findall(r"```python\n(.*?)```", DOC_TEXT, flags=re.S):
        compile(block, str(DOC), "exec")


def test_the_documented_codes_are_catalogue_keys() -> None:
    from kaohe.messages import CATALOGUE

    codes = re.findall(r"`([a-z_]+\.[a-z_.]+)`", DOC_TEXT.split("## Codes", 1)[1].split("## The cap", 1)[0])
    assert codes
    assert [c for c in codes if c not in CATALOGUE] == []


def test_the_documented_exit_codes_are_the_command_lines() -> None:
    from kaohe import cli

    section = DOC_TEXT.split("## Exit codes", 1)[1].split("##", 1)[0]
    shown = {int(n) for n in re.findall(r"^\| (\d+)", section, flags=re.M)}
    shown |= {int(n) for n in re.findall(r"^\| \d+, (\d+)", section, flags=re.M)}
    assert shown == {cli.EXIT_OK, cli.EXIT_INVALID, cli.EXIT_USAGE, cli.EXIT_INTERNAL, 128 + signal.SIGINT,
                     128 + signal.SIGTERM}

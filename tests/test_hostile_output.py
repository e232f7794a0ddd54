"""Hostile and unlucky output (issue 13, area `output`), through the real command line: numbers in
CSV, escapes and rich markup from input, text that cannot be output, a full disk, signals during a
write, a template over a filled form, inputs that are no regular file, and message floods. The
small files of these attacks are in tests/hostile/output/ (made by its make.py)."""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import EXAMPLES, ROOT, SCHEMES

_spec = importlib.util.spec_from_file_location("hostile_output_make", Path(__file__).parent / "hostile" / "output" / "make.py")
assert _spec is not None and _spec.loader is not None
_make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_make)
scheme = _make.scheme  # the corpus's own small scheme

CHANGZHOU = str(SCHEMES / "changzhou-2018.yaml")
CHANGZHOU_EVIDENCE = str(EXAMPLES / "changzhou-2018" / "evidence.csv")
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals, rlimits and named pipes")


def kaohe(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)


def patched(setup: str, *args: str, **options) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """kaohe run in a Python that first runs `setup` (to slow a write down, or to stream)."""
    code = f"import sys\n{setup}\nfrom kaohe.cli import main\nsys.argv = ['kaohe'] + sys.argv[1:]\nmain()\n"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, **options)


def clean(result: subprocess.CompletedProcess[str]) -> None:
    """Never a traceback, an internal error, or Python's own noise about what was left open."""
    for noise in ("Traceback", "内部错误", "Exception ignored", "KeyboardInterrupt"):
        assert noise not in result.stderr, result.stderr


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def small_scheme(tmp_path: Path, name: str = "s.yaml", **fields: str) -> Path:
    path = tmp_path / name
    path.write_text(scheme(**fields), encoding="utf-8")
    return path


# 1. Numbers stay numbers in CSV; only text is guarded.

def test_negative_totals_are_numbers_in_csv(tmp_path: Path) -> None:
    result = kaohe("score", str(SCHEMES / "xiangdong-publicity.yaml"),
                   str(EXAMPLES / "xiangdong-publicity" / "evidence.xlsx"), "-o", str(tmp_path / "r.csv"))
    assert result.returncode == 0, result.stderr
    rows = csv_rows(tmp_path / "r.csv")
    totals = {row[1]: row[-1] for row in rows[1:]}
    assert totals["扶貧和移民辦"] == "-300" and totals["基層政權與社區建設股"] == "-650"
    assert not any(cell.startswith("'") for row in rows for cell in row)


def test_text_that_looks_like_a_formula_is_still_guarded(tmp_path: Path) -> None:
    source = small_scheme(tmp_path, unit='"-甲"')
    evidence = tmp_path / "e.csv"
    evidence.write_text("单位,1.1.1\n-甲,否\n", encoding="utf-8")
    result = kaohe("score", str(source), str(evidence), "-o", str(tmp_path / "r.csv"))
    assert result.returncode == 0, result.stderr
    rows = csv_rows(tmp_path / "r.csv")
    assert rows[1][1] == "'-甲" and rows[1][-1] == "0"


# 2. Escape sequences and rich markup from input are shown, never acted on.

def test_an_escape_in_an_evidence_header_is_shown_escaped() -> None:
    result = kaohe("score", CHANGZHOU, str(ROOT / "tests" / "hostile" / "output" / "escape_header.csv"))
    assert result.returncode == 1
    clean(result)
    assert "\x1b" not in result.stderr and "\x1b" not in result.stdout
    line = next(x for x in result.stderr.splitlines() if "escape_header.csv:1:3:" in x)
    assert '"9.9\\x1b[2J"' in line


def test_markup_in_names_and_titles_is_shown_as_written(tmp_path: Path) -> None:
    source = small_scheme(tmp_path, title='"[link=http://evil.example]标题[/link] [bold]x"', unit='"[red]甲[/red]"')
    evidence = tmp_path / "e.csv"
    evidence.write_text("单位,1.1.1\n[red]甲[/red],是\n", encoding="utf-8")
    scored = kaohe("score", str(source), str(evidence))
    assert scored.returncode == 0, scored.stderr
    assert "│ [red]甲[/red] │" in scored.stdout and "[link=http://evil.example]标题[/link]" in scored.stdout
    assert "[bold]x" in scored.stdout
    shown = kaohe("show", str(source))
    assert shown.returncode == 0, shown.stderr
    assert "[link=http://evil.example]标题[/link]" in shown.stdout and "\x1b" not in shown.stdout


def test_english_rule_marks_are_not_eaten_as_markup() -> None:
    # "[deduction] " was read by rich as a style tag and vanished from `show` in English.
    result = kaohe("--lang", "en", "show", str(SCHEMES / "basic-drugs-clinics.yaml"))
    assert result.returncode == 0 and "[deduction]" in result.stdout


def test_a_file_name_with_an_escape_is_shown_escaped(tmp_path: Path) -> None:
    evidence = tmp_path / "e\x1b]8;;evil\x07.csv"
    evidence.write_text("单位,9.9\n溧阳市,1\n", encoding="utf-8")
    result = kaohe("score", CHANGZHOU, str(evidence))
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "e\\x1b]8;;evil\\x07.csv:1:2:" in result.stderr


# 3. What validates can be output; what cannot is refused at its line.

def test_a_lone_surrogate_in_the_title_is_refused_by_every_command(tmp_path: Path) -> None:
    source = small_scheme(tmp_path, title='"\\ud800"')
    for args in (["validate", str(source)], ["show", str(source)], ["score", str(source), CHANGZHOU_EVIDENCE]):
        result = kaohe(*args)
        assert result.returncode == 1, (args, result.stderr)
        clean(result)
        assert f"{source}:2:8: 错误: \"title\" 的值 '\\ud800' 无效: 含有孤立的代理项 U+D800" in result.stderr


def test_a_unit_name_with_a_control_character_is_refused_before_any_output(tmp_path: Path) -> None:
    source = small_scheme(tmp_path, unit='"甲\\x1b[2J"')
    for args in (["validate", str(source)], ["template", str(source), "-o", str(tmp_path / "t.xlsx")]):
        result = kaohe(*args)
        assert result.returncode == 1, result.stderr
        clean(result)
        assert f"{source}:5:11: 错误: \"name\" 的值 '甲\\x1b[2J' 无效: 含有控制字符 U+001B" in result.stderr
    assert not (tmp_path / "t.xlsx").exists()


def test_tabs_and_line_breaks_stay_allowed_in_text(tmp_path: Path) -> None:
    source = small_scheme(tmp_path, title='"第一行\\n第二行\\t完"')
    result = kaohe("template", str(source), "-o", str(tmp_path / "t.xlsx"))
    assert result.returncode == 0, result.stderr


# 8. A scheme id that is a path.

@pytest.mark.parametrize(("scheme_id", "what"), [('"../x"', '"/"'), ('"a\\\\b"', '"\\"'), ("a..b", '".."'),
                                                 ('"."', '"."'), ('"／etc"', '"/"')])
def test_a_scheme_id_that_is_a_path_is_refused_at_its_line(tmp_path: Path, scheme_id: str, what: str) -> None:
    source = small_scheme(tmp_path, scheme_id=scheme_id)
    result = kaohe("test", str(source))
    assert result.returncode == 1, result.stderr
    clean(result)
    assert f"{source}:1:5: 错误:" in result.stderr and f"不能含有 {what}" in result.stderr


def test_test_reads_no_cases_outside_examples(tmp_path: Path) -> None:
    (tmp_path / "schemes").mkdir()
    (tmp_path / "x").mkdir()  # what examples/../x would reach
    (tmp_path / "x" / "case.yaml").write_text("name: outside\nunits: {}\n", encoding="utf-8")
    source = tmp_path / "schemes" / "s.yaml"
    source.write_text(scheme(scheme_id='"../x"'), encoding="utf-8")
    result = kaohe("test", str(source))
    assert result.returncode == 1 and "outside" not in result.stdout + result.stderr


# 4. A full disk (here: a file-size limit, EFBIG) says so once and keeps the previous file.

def _file_size_limit(size: int):  # type: ignore[no-untyped-def]
    def limit() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


STREAMED = "import kaohe.report.xlsxout as x; x.STREAM_ROWS = 1"
CHUNKED = "import kaohe.report.jsonout as j; j.FILE_CHUNK = 100"


@POSIX
@pytest.mark.parametrize(("name", "setup", "size"), [("结果.xlsx", "", 8000), ("结果.xlsx", STREAMED, 3000),
                                                     ("结果.xlsx", STREAMED, 9000), ("结果.json", "", 3000),
                                                     ("结果.json", CHUNKED, 3000), ("结果.json", CHUNKED, 20000)])
def test_a_full_disk_while_writing_results_says_so_once(tmp_path: Path, name: str, setup: str, size: int) -> None:
    # the 明细 is deflated and the JSON hashed and written by a second thread, a chunk at a time
    # (the JSON results are about 94 KB): its failure is the command's, told once
    target = tmp_path / name
    target.write_bytes(b"last year's results")
    result = patched(setup, "score", CHANGZHOU, CHANGZHOU_EVIDENCE, "-o", str(target),
                     preexec_fn=_file_size_limit(size), timeout=120)
    assert result.returncode == 1
    clean(result)
    assert result.stderr.count("无法写入") == 1
    assert f"{target}: 错误: 无法写入: 文件超过文件系统允许的大小" in result.stderr  # EFBIG, in words
    assert target.read_bytes() == b"last year's results"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@POSIX
def test_a_full_disk_while_writing_a_template_says_so_once(tmp_path: Path) -> None:
    target = tmp_path / "模板.xlsx"
    result = patched("", "template", CHANGZHOU, "-o", str(target), preexec_fn=_file_size_limit(3000), timeout=120)
    assert result.returncode == 1
    clean(result)
    assert f"{target}: 错误: 无法写入: 文件超过文件系统允许的大小" in result.stderr  # EFBIG, in words
    assert list(tmp_path.iterdir()) == []


# 5. SIGTERM and SIGINT during a write: nothing half written is left, and one line says so.

SLOW_SAVE = """
import time, kaohe.report.atomic as a
a.USE_UNNAMED = {unnamed}
import openpyxl
save = openpyxl.Workbook.save
def slow(self, path):
    save(self, path)
    sys.stderr.write("WRITING\\n"); sys.stderr.flush()
    time.sleep(60)
openpyxl.Workbook.save = slow
"""


def _interrupt_a_write(tmp_path: Path, unnamed: bool, signum: int) -> tuple[int, str, list[str]]:
    """Score to an existing file, send `signum` while the workbook is being written: the exit
    code, stderr, and the folder's files at the moment of the signal."""
    target = tmp_path / "结果.xlsx"
    target.write_bytes(b"last year's results")
    code = ("import sys\n" + SLOW_SAVE.format(unnamed=unnamed)
            + "from kaohe.cli import main\nsys.argv = ['kaohe'] + sys.argv[1:]\nmain()\n")
    with subprocess.Popen([sys.executable, "-c", code, "score", CHANGZHOU, CHANGZHOU_EVIDENCE, "-o", str(target)],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("WRITING"):
                break
        during = sorted(p.name for p in tmp_path.iterdir())
        process.send_signal(signum)
        rest = process.stderr.read()
        return process.wait(timeout=60), rest, during


@POSIX
@pytest.mark.parametrize("unnamed", [True, False])
@pytest.mark.parametrize(("signum", "code", "name"), [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "SIGINT")])
def test_an_interrupted_write_leaves_nothing_and_says_so(tmp_path: Path, unnamed: bool, signum: int, code: int,
                                                        name: str) -> None:
    returncode, stderr, during = _interrupt_a_write(tmp_path, unnamed, signum)
    assert returncode == code, stderr
    for noise in ("Traceback", "KeyboardInterrupt", "Exception ignored"):
        assert noise not in stderr
    assert stderr.strip() == f"已中断({name}):没有写入任何文件,已有的文件未改动"
    assert (tmp_path / "结果.xlsx").read_bytes() == b"last year's results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["结果.xlsx"]
    if unnamed:  # while it is written, the temporary has no name at all
        assert during == ["结果.xlsx"]
    else:
        assert len(during) == 2 and during[0].startswith(".结果.xlsx.") and during[0].endswith(".tmp")


@POSIX
def test_sigkill_during_an_unnamed_write_leaves_nothing(tmp_path: Path) -> None:
    returncode, _, during = _interrupt_a_write(tmp_path, True, signal.SIGKILL)
    assert returncode == -signal.SIGKILL
    assert during == ["结果.xlsx"] and sorted(p.name for p in tmp_path.iterdir()) == ["结果.xlsx"]
    assert (tmp_path / "结果.xlsx").read_bytes() == b"last year's results"


READY = """
import kaohe.report.atomic as a
install = a.handle_interrupts
def ready():
    install()
    sys.stderr.write("READY\\n"); sys.stderr.flush()
a.handle_interrupts = ready
"""


LIBRARY = """
import os, signal, time
import {module} as where
original, fired = where.{name}, []
def library(*args, **kwargs):
    if not fired:
        fired.append(True)
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(30)
        except BaseException as e:
            {then}
    return original(*args, **kwargs)
where.{name} = library
"""
TURNED = "raise ValueError(f'the library says: {e!r}') from None"
"""As pydantic-core does when a signal comes while it builds a validator: its SchemaError holds
the Interrupted's text alone (seen as exit 70, "内部错误(SchemaError … Interrupted: 2)", when a
SIGINT came 0.45 s into `score` on a busy machine)."""
SWALLOWED = "pass"


@POSIX
@pytest.mark.parametrize(("module", "name", "then", "written"), [
    ("kaohe.scheme.yamlload", "_build", TURNED, False),  # while the scheme is read
    ("kaohe.scheme.yamlload", "_build", SWALLOWED, True),
    ("openpyxl", "Workbook.save", TURNED, False),  # while the results are written
    ("openpyxl", "Workbook.save", SWALLOWED, True),
])
def test_an_interrupt_a_library_turns_into_its_own_error_is_still_the_interrupt(
        tmp_path: Path, module: str, name: str, then: str, written: bool) -> None:
    """A library that catches the Interrupted and raises an error of its own, or goes on as if
    nothing came: the run ends as interrupted (130 and the one line), never as kaohe's internal
    error (70); a file it went on to write is whole and counted."""
    target = tmp_path / "r.xlsx"
    owner, _, attribute = name.rpartition(".")
    patch = LIBRARY.format(module=module + (f".{owner}" if owner else ""), name=attribute, then=then)
    if owner:  # a method: patched on its class
        patch = patch.replace(f"import {module}.{owner} as where", f"from {module} import {owner} as where")
    code = f"import sys\n{patch}\nfrom kaohe.cli import main\nsys.argv = ['kaohe'] + sys.argv[1:]\nmain()\n"
    result = subprocess.run([sys.executable, "-c", code, "score", CHANGZHOU, CHANGZHOU_EVIDENCE, "-o", str(target)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 130, result.stderr
    for noise in ("Traceback", "内部错误", "the library says", "Interrupted"):
        assert noise not in result.stderr
    if written:
        assert result.stderr.strip().endswith(
            f"已中断(SIGINT):已写完 1 个文件(最后一个是 {target}),没有写到一半的文件")
        assert load_workbook(target).sheetnames
    else:
        assert result.stderr.strip().splitlines()[-1] == "已中断(SIGINT):没有写入任何文件,已有的文件未改动"
        assert list(tmp_path.iterdir()) == []


@POSIX
@pytest.mark.parametrize("delay", [0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6])
def test_an_interrupt_at_any_moment_is_one_line_or_a_finished_run(tmp_path: Path, delay: float) -> None:
    """From the moment kaohe's handlers are in place (a signal while Python itself starts, before
    kaohe runs, is Python's to handle), whenever SIGINT comes."""
    target = tmp_path / "r.xlsx"
    code = f"import sys\n{READY}\nfrom kaohe.cli import main\nsys.argv = ['kaohe'] + sys.argv[1:]\nmain()\n"
    with subprocess.Popen([sys.executable, "-c", code, "score", CHANGZHOU, CHANGZHOU_EVIDENCE, "-o", str(target)],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None and process.stderr.readline() == "READY\n"
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        stderr = process.stderr.read()
        returncode = process.wait(timeout=60)
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    if returncode == 130 and not target.exists():
        assert stderr.strip().endswith("已中断(SIGINT):没有写入任何文件,已有的文件未改动")
    elif returncode == 130:  # it came after the file was written, before the process ended
        assert stderr.strip().endswith(f"已中断(SIGINT):已写完 1 个文件(最后一个是 {target}),没有写到一半的文件")
        assert load_workbook(target).sheetnames
    else:  # the run had finished: its file is whole (a late signal ends the process as usual)
        assert returncode in (0, -signal.SIGINT) and load_workbook(target).sheetnames
    assert [p.name for p in tmp_path.iterdir()] in ([], ["r.xlsx"])


def test_an_interrupt_between_two_files_names_the_one_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`template --by unit` writes one file a unit: a signal in the second write keeps the first,
    removes the second's temporary and says which was written and that one was cut short."""
    from kaohe.cli import _say_interrupted
    from kaohe.report import atomic

    monkeypatch.setattr(atomic, "WRITTEN", [])
    monkeypatch.setattr(atomic, "CUT", [])
    with atomic.atomic_path(tmp_path / "甲.xlsx") as path:
        path.write_bytes(b"first")
    with pytest.raises(atomic.Interrupted), atomic.atomic_path(tmp_path / "乙.xlsx") as path:
        path.write_bytes(b"half")
        raise atomic.Interrupted(signal.SIGTERM)
    monkeypatch.setattr(atomic, "_raised", [])
    _say_interrupted(signal.SIGTERM)
    assert capsys.readouterr().err.strip() == (
        f"已中断(SIGTERM):已写完 1 个文件(最后一个是 {tmp_path / '甲.xlsx'}),正在写的文件没有写入")
    assert [p.name for p in tmp_path.iterdir()] == ["甲.xlsx"]


# 6. A template never overwrites a filled form (or any file that is not a blank template).

def _template(target: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return kaohe("template", CHANGZHOU, "-o", str(target), *more)


def test_a_template_over_a_filled_workbook_is_refused_naming_the_cell(tmp_path: Path) -> None:
    target = tmp_path / "证据.xlsx"
    assert _template(target).returncode == 0
    assert _template(target).returncode == 0  # a blank template may be written again
    book = load_workbook(target)
    book["证据"]["D5"] = 3
    book.save(target)
    before = target.read_bytes()
    result = _template(target)
    assert result.returncode == 1
    assert f"{target}!证据!D5: 错误: 文件已填有证据(此格为 3),拒绝用空白模板覆盖;确要覆盖请加 --force" in result.stderr
    assert target.read_bytes() == before
    forced = _template(target, "--force")
    assert forced.returncode == 0 and load_workbook(target)["证据"]["D5"].value is None


def test_a_template_over_a_filled_csv_is_refused_naming_the_cell(tmp_path: Path) -> None:
    target = tmp_path / "证据.csv"
    assert _template(target).returncode == 0
    rows = csv_rows(target)
    rows[3][4] = "2"
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    line = target.read_text(encoding="utf-8-sig").split("\n").index(",".join(rows[3])) + 1
    result = _template(target)
    assert result.returncode == 1
    assert f"{target}:{line}:5: 错误: 文件已填有证据(此格为 '2')" in result.stderr


def test_a_template_over_a_file_that_is_no_template_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "结果.csv"
    target.write_text("名次,单位,总分\n1,溧阳市,90\n", encoding="utf-8")
    result = _template(target)
    assert result.returncode == 1
    assert f"{target}: 错误: 文件已存在且不是 kaohe 生成的空白模板,拒绝覆盖;确要覆盖请加 --force" in result.stderr
    assert target.read_text(encoding="utf-8") == "名次,单位,总分\n1,溧阳市,90\n"
    (tmp_path / "empty.csv").write_bytes(b"")
    assert _template(tmp_path / "empty.csv").returncode == 0  # an empty file holds nothing


def test_templates_by_unit_never_overwrite_a_returned_form(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    assert kaohe("template", CHANGZHOU, "--by", "unit", "-o", str(folder)).returncode == 0
    form = next(folder.glob("*溧阳市*"))
    book = load_workbook(form)
    book.active["F3"] = 2
    book.save(form)
    result = kaohe("template", CHANGZHOU, "--by", "unit", "-o", str(folder))
    assert result.returncode == 1
    assert f"{form}!{book.active.title}!F3: 错误: 文件已填有证据(此格为 2)" in result.stderr
    assert load_workbook(form).active["F3"].value == 2


# 7. An input that is no regular file says what it is, without blocking.

@POSIX
def test_inputs_that_are_no_regular_file_say_what_they_are(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "folder.csv").mkdir()
    os.symlink("loop.csv", tmp_path / "loop.csv")
    os.symlink("nowhere.csv", tmp_path / "dangling.csv")
    cases = {"pipe.csv": "是命名管道(FIFO),不是普通文件", "folder.csv": "是文件夹,不是文件",
             "loop.csv": "是循环的符号链接,无法打开", "dangling.csv": "是符号链接,但它指向的文件不存在",
             "missing.csv": "文件不存在"}
    for name, message in cases.items():
        result = kaohe("score", CHANGZHOU, str(tmp_path / name), timeout=30)  # a pipe that blocked would time out
        assert result.returncode == 2, result.stderr
        assert f"{tmp_path / name}: 错误: {message}" in result.stderr
    device = kaohe("validate", "/dev/null", timeout=30)
    assert device.returncode == 2 and "/dev/null: 错误: 是设备文件,不是普通文件" in device.stderr


@POSIX
def test_an_output_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    result = kaohe("score", CHANGZHOU, CHANGZHOU_EVIDENCE, "-o", str(tmp_path / "pipe.csv"), timeout=60)
    assert result.returncode == 1
    assert f"{tmp_path / 'pipe.csv'}: 错误: 是命名管道(FIFO),不是普通文件,不能作为输出文件" in result.stderr
    (tmp_path / "forms").write_text("x", encoding="utf-8")
    by = kaohe("template", CHANGZHOU, "--by", "unit", "-o", str(tmp_path / "forms"))
    assert by.returncode == 1 and f"{tmp_path / 'forms'}: 错误: 已存在,但不是文件夹" in by.stderr


# 9. A flood of messages is capped, with the count of the rest.

def test_a_flood_of_messages_is_capped_with_a_total(tmp_path: Path) -> None:
    source = tmp_path / "many.yaml"
    source.write_text(scheme() + "".join(f"key{i}_{'x' * (i % 7)}: {i}\n" for i in range(300)), encoding="utf-8")
    result = kaohe("validate", str(source))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    shown = [x for x in lines if x.startswith(f"{source}:") and ": 错误: " in x]
    assert len(shown) == 200
    assert "……另有 100 条未显示,共 300 条" in lines
    assert lines[-1] == f"{source}: 无效,300 个错误"


def test_the_cap_keeps_errors_before_warnings() -> None:
    from kaohe.errors import Location, Problem, Severity, report_lines

    problems = [Problem(Location("a.csv", i + 1, 1), f"w{i}", Severity.WARNING) for i in range(5)]
    problems += [Problem(Location("a.csv", 9, i + 1), f"e{i}") for i in range(3)]
    lines = report_lines(problems, limit=4)
    assert lines == ["a.csv:1:1: 警告: w0", "a.csv:9:1: 错误: e0", "a.csv:9:2: 错误: e1", "a.csv:9:3: 错误: e2",
                     "……另有 4 条未显示,共 8 条"]


JSON_WRITING = """
import time
import kaohe.report.jsonout as j
j.FILE_CHUNK = 100
chunks = j._chunks
def slowed(pieces):
    for n, chunk in enumerate(chunks(pieces)):
        if n == 3:  # three chunks handed to the writing thread: the signal comes while it writes
            sys.stderr.write("AT\\n"); sys.stderr.flush()
            time.sleep(30)
        yield chunk
j._chunks = slowed
"""

CHECKED_ELSEWHERE = """
import time
import kaohe.evidence.wellformed as w, kaohe.evidence.xlsxread as x
w.__file__ = {script!r}  # a check that takes its time, deaf to SIGINT as the real one is
x.CHECK_ELSEWHERE = 0
x._processors = lambda: 2
popen = x.subprocess.Popen
def spy(*args, **kwargs):
    child = popen(*args, **kwargs)
    sys.stderr.write(f"CHILD {{child.pid}}\\n"); sys.stderr.flush()
    return child
x.subprocess.Popen = spy
quick = x._SheetScan.quick
def slowed(self, *args):
    sys.stderr.write("AT\\n"); sys.stderr.flush()
    time.sleep(30)
    return quick(self, *args)
x._SheetScan.quick = slowed
"""


def _interrupted_at(setup: str, *args: str) -> tuple[int, list[str]]:
    """kaohe run with `setup`, sent SIGINT once it writes AT: its exit code and stderr lines."""
    code = f"import sys\n{setup}\nfrom kaohe.cli import main\nsys.argv = ['kaohe'] + sys.argv[1:]\nmain()\n"
    with subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line.rstrip("\n"))
            if line == "AT\n":
                break
        process.send_signal(signal.SIGINT)
        lines += process.stderr.read().splitlines()
        return process.wait(timeout=60), lines


@POSIX
def test_an_interrupt_while_json_is_written_by_the_second_thread_leaves_the_last_file(tmp_path: Path) -> None:
    target = tmp_path / "结果.json"
    target.write_bytes(b"last year's results")
    code, lines = _interrupted_at(JSON_WRITING, "score", CHANGZHOU, CHANGZHOU_EVIDENCE, "-o", str(target))
    assert code == 130
    assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in lines)
    assert lines[-1] == "已中断(SIGINT):没有写入任何文件,已有的文件未改动"
    assert target.read_bytes() == b"last year's results"
    assert [p.name for p in tmp_path.iterdir()] == ["结果.json"]


@POSIX
def test_an_interrupt_while_a_second_process_checks_the_sheets_ends_it_too(tmp_path: Path) -> None:
    script = tmp_path / "slow_check.py"
    script.write_text("import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(30)\n")
    evidence = str(EXAMPLES / "changzhou-2018" / "evidence.xlsx")
    code, lines = _interrupted_at(CHECKED_ELSEWHERE.format(script=str(script)), "score", CHANGZHOU, evidence)
    children = [int(line.split()[1]) for line in lines if line.startswith("CHILD ")]
    try:
        assert code == 130
        assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in lines)
        assert lines[-1] == "已中断(SIGINT):没有写入任何文件,已有的文件未改动"
        assert len(children) == 1
        with pytest.raises(ProcessLookupError):  # ended and reaped, not left to run on
            os.kill(children[0], 0)
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_no_such_file_is_a_missing_folder_only_where_the_folder_is_missing(tmp_path: Path) -> None:
    # /proc exists and takes no new file: creating one there fails with ENOENT too
    import errno

    from kaohe.report.atomic import write_reason

    gone = OSError(errno.ENOENT, "No such file or directory")
    assert write_reason(gone, tmp_path / "absent") == "所在文件夹不存在(kaohe 不会新建文件夹)"
    assert write_reason(gone, tmp_path) == "该文件夹不能新建文件"
    assert write_reason(gone) == "所在文件夹不存在(kaohe 不会新建文件夹)"  # no folder known: as before


def test_a_missing_output_folder_is_said_before_anything_is_read_or_printed(tmp_path: Path) -> None:
    missing = tmp_path / "结果" / "r.xlsx"
    result = kaohe("score", CHANGZHOU, CHANGZHOU_EVIDENCE, "-o", str(missing))
    assert result.returncode == 1
    assert result.stdout == ""  # no ranking printed first
    assert result.stderr.splitlines()[0] == f"{missing}: 错误: 无法写入: 所在文件夹不存在(kaohe 不会新建文件夹)"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", encoding="utf-8")
    result = kaohe("score", CHANGZHOU, CHANGZHOU_EVIDENCE, "-o", str(a_file / "r.json"))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines()[0] == f"{a_file}: 错误: 已存在,但不是文件夹"
    assert not (tmp_path / "结果").exists()


def test_an_unknown_output_format_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    result = kaohe("score", CHANGZHOU, CHANGZHOU_EVIDENCE, "-o", str(target))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == f"{target}: 错误: 无法识别的输出格式 .txt,应为 .xlsx、.csv 或 .json"

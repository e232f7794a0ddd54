"""Hostile evidence (issue 13, area `evidence`), through the real CLI: files too big to read are
refused before a byte is read, files are streamed and hashed as they are read (peak memory of the
process measured, not timings), message floods are one message per cause, a file given twice is
refused once, and a backup copy of the evidence sheet is scored once. The small files of these
attacks are in tests/hostile/evidence/ (made by its make.py); those that must be huge are made here."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import EXAMPLES, ROOT, SCHEMES
from kaohe.evidence import MAX_XLSX_BYTES
from kaohe.evidence.csvread import MAX_CSV_BYTES
from kaohe.evidence.layout import UNKNOWN_COLUMNS_EACH

SCHEME = SCHEMES / "changzhou-2018.yaml"
MiB = 1024**2

_MEASURE = """\
import json, resource, subprocess, sys
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": run.returncode, "peak": peak * 1024, "stderr": run.stderr, "stdout": run.stdout}))
"""


def _kaohe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kaohe", *args], capture_output=True, text=True, cwd=ROOT)


def _measured(*args: str) -> dict:
    """Run kaohe in a fresh process of its own and return its exit code, peak resident memory
    (bytes, getrusage of that one child) and output."""
    run = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "kaohe", *args],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def _lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def _clean(stderr: str) -> None:
    assert "Traceback" not in stderr and "内部错误" not in stderr, stderr


# 1. Sizes first; streamed and hashed as read.

def test_a_2_gib_csv_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    big = _sparse(tmp_path / "big.csv", 2 * 1024**3)
    run = _measured("score", str(SCHEME), str(big))
    assert run["code"] == 1
    _clean(run["stderr"])
    assert _lines(run["stderr"])[0] == (f"{big}: 错误: 文件有 {2 * 1024**3} 字节,超过 CSV 证据文件 {MAX_CSV_BYTES} "
                                        "字节的上限,未读取;请拆分成几个文件")
    assert run["peak"] < 150 * MiB  # it was 4.1 GB: the file, then its decoded text


def test_an_xlsx_over_its_limit_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    big = _sparse(tmp_path / "big.xlsx", MAX_XLSX_BYTES + 1)
    run = _measured("score", str(SCHEME), str(big))
    assert run["code"] == 1
    _clean(run["stderr"])
    assert _lines(run["stderr"])[0] == (f"{big}: 错误: 文件有 {MAX_XLSX_BYTES + 1} 字节,超过 XLSX 证据文件 "
                                        f"{MAX_XLSX_BYTES} 字节的上限,未读取;请拆分成几个文件")
    assert run["peak"] < 150 * MiB


def _baseline() -> int:
    """kaohe's peak scoring a small file: what the large ones are measured against."""
    run = _measured("score", str(SCHEME), str(EXAMPLES / "changzhou-2018" / "evidence.csv"))
    assert run["code"] == 0, run["stderr"]
    return run["peak"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_a_large_csv_is_streamed_and_hashed_as_read_not_held_whole(tmp_path: Path, encoding: str) -> None:
    # Rows with a long note and no value (nothing of it is kept once read): held whole, the file
    # and its decoded text took more than twice its size; streamed, it costs a chunk (a run of
    # records, or a chunk of polars columns) and polars itself once loaded (50-80 MiB, by its
    # threads' allocations), whatever the file's size. So a file three times as large costs no
    # more, and the larger costs less than its own size held twice over.
    def peak(size: int) -> int:
        path = tmp_path / f"large-{size}.csv"
        row = ("溧阳市,1.1.1,," + "说明" * 300 + "\n").encode(encoding)
        with open(path, "wb") as handle:
            handle.write("单位,指标,值,备注\n".encode(encoding))
            block = row * 512
            while handle.tell() < size:
                handle.write(block)
        out = tmp_path / "r.json"
        run = _measured("score", str(SCHEME), str(path), "-o", str(out))
        assert run["code"] == 0, run["stderr"]
        evidence = json.loads(out.read_text(encoding="utf-8"))["evidence"]
        assert evidence == [{"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}]
        return run["peak"]

    small, large = peak(32 * MiB), peak(96 * MiB)
    assert large - small < 16 * MiB, (small, large)
    assert large < _baseline() + 128 * MiB, large  # held whole: more than 2 × 96 MiB


def test_an_xlsx_is_hashed_in_chunks_not_held_whole(tmp_path: Path) -> None:
    # A workbook with a 96 MiB part stored uncompressed (an embedded picture, say): hashing it read
    # it whole before; now a chunk at a time. The digest recorded is the file's.
    path = tmp_path / "padded.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "证据"
    sheet.append(["单位", "1.1.1"])
    sheet.append(["溧阳市", 2])
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr(zipfile.ZipInfo("xl/media/image1.bin"), b"\x00" * (96 * MiB), zipfile.ZIP_STORED)
    out = tmp_path / "r.json"
    run = _measured("score", str(SCHEME), str(path), "-o", str(out))
    assert run["code"] == 0, run["stderr"]
    assert run["peak"] < _baseline() + 48 * MiB, run["peak"]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert json.loads(out.read_text(encoding="utf-8"))["evidence"] == [{"file": str(path), "sha256": digest}]


def test_a_fifo_or_directory_given_as_evidence_is_named_for_what_it_is(tmp_path: Path) -> None:
    # Reached through a `kaohe test` case file (the command line refuses non-files itself):
    # reading a FIFO would wait forever.
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "folder.csv").mkdir()
    for name, kind in (("pipe.csv", "命名管道(FIFO)"), ("folder.csv", "目录")):
        case = tmp_path / f"case-{name}.yaml"
        case.write_text(f"name: x\nevidence: [{name}]\nunits:\n  溧阳市: {{total: 0}}\n", encoding="utf-8")
        run = subprocess.run([sys.executable, "-m", "kaohe", "test", str(SCHEME), str(case)],
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
        _clean(run.stderr)
        assert run.returncode == 1
        assert f"{tmp_path / name}: 错误: 不是普通文件,而是{kind},不能作为证据读取" in run.stdout + run.stderr


# 2. Message floods.

def test_a_million_unknown_header_columns_are_one_message(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    count = 10**6
    path.write_text("单位," + ",".join(f"x{i}" for i in range(count)) + ",1.1.1\n"
                    + "溧阳市," + ",".join("1" for _ in range(count)) + ",2\n", encoding="utf-8")
    run = _measured("score", str(SCHEME), str(path))
    assert run["code"] == 1
    _clean(run["stderr"])
    assert _lines(run["stderr"]) == [
        f"{path}:1:2: 错误: 表头中有 {count} 列不是本方案的指标编号(应写作 1.1.1 或 \"1.1.1 标题\"): "
        "\"x0\"、\"x1\"、\"x2\"、\"x3\"、\"x4\"…",
        "证据有 1 个错误,未计分,未写入任何文件",
    ]
    assert run["peak"] < 300 * MiB, run["peak"]  # it was 846 MiB (and 26 s) for a million lines


def test_a_few_unknown_header_columns_are_told_each_at_its_cell_with_the_nearest_id(tmp_path: Path) -> None:
    names = ["1.1.11", *(f"列{i}" for i in range(UNKNOWN_COLUMNS_EACH - 1))]
    path = tmp_path / "e.csv"
    path.write_text("单位,1.1.1," + ",".join(names) + "\n溧阳市,2" + ",1" * len(names) + "\n", encoding="utf-8")
    run = _kaohe("score", str(SCHEME), str(path))
    assert run.returncode == 1
    lines = _lines(run.stderr)
    assert lines[0] == f"{path}:1:3: 错误: 表头 \"1.1.11\" 不是本方案的指标编号(应写作 1.1.1 或 \"1.1.1 标题\")(最接近: 1.1.1)"
    assert len(lines) == UNKNOWN_COLUMNS_EACH + 1


def test_many_unknown_header_columns_show_the_nearest_id_of_those_shown(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("单位,1.1.1,1.2.11," + ",".join(f"列{i}" for i in range(9)) + "\n溧阳市,2" + ",1" * 10 + "\n",
                    encoding="utf-8")
    run = _kaohe("--lang", "en", "score", str(SCHEME), str(path))
    assert run.returncode == 1
    assert _lines(run.stderr)[0] == (f"{path}:1:3: error: 10 header cells are not ids of this scheme (write 1.1.1 "
                                     "or \"1.1.1 title\"): \"1.2.11\" (nearest: 1.2.1), \"列0\", \"列1\", \"列2\", \"列3\"…")


def test_a_wrong_unit_in_a_wide_row_is_one_message_for_the_row(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "证据"
    ids = ["1.1.1", "1.2.1", "1.3.1", "2.3.1"]
    sheet.append(["单位", *ids])
    sheet.append(["溧阳", 1, 2, 3, 1])
    sheet.append(["金坛区", 1, 2, 3, 1])
    sheet.append(["溧阳", 1, 2, None, None])  # the same name again, on a row of two values
    book.save(path)
    run = _kaohe("score", str(SCHEME), str(path))
    assert run.returncode == 1
    _clean(run.stderr)
    assert _lines(run.stderr) == [
        f"{path}!证据!A2: 错误: 单位 \"溧阳\" 不在方案列出的单位中,此行 4 个值均未计入(最接近: 溧阳市)",
        f"{path}!证据!A4: 错误: 单位 \"溧阳\" 不在方案列出的单位中,此行 2 个值均未计入(最接近: 溧阳市)",
        "证据有 2 个错误,未计分,未写入任何文件",
    ]


def test_a_column_with_data_but_no_header_is_still_told_at_its_header_cell(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("单位,1.1.1,,1.2.1\n溧阳市,2,,1\n金坛区,1,5,1\n", encoding="utf-8")
    run = _kaohe("score", str(SCHEME), str(path))
    assert run.returncode == 1
    assert _lines(run.stderr)[0] == f"{path}:1:3: 错误: 此列有数据但没有表头"


def _wide_book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _totals(path: Path) -> dict[str, str]:
    return {u["unit"]: u["total"] for u in json.loads(path.read_text(encoding="utf-8"))["units"]}


@pytest.mark.parametrize("example", ["changzhou-2018", "changzhou-eic-2016"])
def test_a_backup_copy_of_the_evidence_sheet_is_scored_once_with_one_warning(tmp_path: Path, example: str) -> None:
    # 常州 2018's sheet is long form; 常州 EIC 2016's has event rows, which add up: a copy read
    # as evidence would count every event twice, silently. The copy is not read: the totals are
    # those of the workbook without it.
    original = EXAMPLES / example / "evidence.xlsx"
    book = load_workbook(original)
    first = book.worksheets[0]
    copy = book.copy_worksheet(first)
    copy.title = f"{first.title} (2)"
    third = book.copy_worksheet(first)
    third.title = f"{first.title} (3)"
    doubled = tmp_path / "doubled.xlsx"
    book.save(doubled)
    scheme = str(SCHEMES / f"{example}.yaml")
    alone, twice = tmp_path / "alone.json", tmp_path / "twice.json"
    assert _kaohe("score", scheme, str(original), "-o", str(alone)).returncode == 0
    run = _kaohe("score", scheme, str(doubled), "-o", str(twice))
    assert run.returncode == 0, run.stderr
    _clean(run.stderr)
    copies = [re.sub(r"\d+ 个值", "N 个值", line) for line in _lines(run.stderr) if "备份副本" in line]
    assert copies == [f"{doubled}!{first.title} ({n}): 警告: 工作表 {first.title} ({n}) 与 {first.title} 完全相同"
                      f"(N 个值),视为备份副本,未重复计入;只计 {first.title} 一次,不需要的话请删去副本"
                      for n in (2, 3)]
    assert not [line for line in _lines(run.stderr) if "重复" in line and "备份副本" not in line]
    assert _totals(twice) == _totals(alone)


def test_a_copy_that_differs_is_an_error_for_each_differing_cell_and_one_for_the_rest(tmp_path: Path) -> None:
    header = ["单位", "1.1.1", "1.2.1", "1.3.1"]
    rows = [header, ["溧阳市", 1, 2, 3], ["金坛区", 2, 2, 2], ["武进区", 0, 1, 0]]
    changed = [list(r) for r in rows]
    changed[2][2] = 4
    changed[3][3] = 1
    path = _wide_book(tmp_path / "e.xlsx", {"证据": rows, "证据 (2)": changed})
    run = _kaohe("score", str(SCHEME), str(path))
    assert run.returncode == 1
    _clean(run.stderr)
    assert _lines(run.stderr) == [
        f"{path}!证据 (2)!B2: 错误: 有 7 个值与 证据 中的重复填写且相同(如 溧阳市 的 1.1.1,{path}!证据!B2 已有);"
        "每个值只应填写一次,请删去重复的工作表、行或文件",
        f"{path}!证据 (2)!C3: 错误: 金坛区 的 1.2.1 重复填写,{path}!证据!C3 已有",
        f"{path}!证据 (2)!D4: 错误: 武进区 的 1.3.1 重复填写,{path}!证据!D4 已有",
        "证据有 3 个错误,未计分,未写入任何文件",
    ]


def test_a_copy_missing_rows_is_not_taken_for_a_backup(tmp_path: Path) -> None:
    rows = [["单位", "1.1.1", "1.2.1"], ["溧阳市", 1, 2], ["金坛区", 2, 2]]
    path = _wide_book(tmp_path / "e.xlsx", {"证据": rows, "旧": rows[:2]})
    run = _kaohe("score", str(SCHEME), str(path))
    assert run.returncode == 1
    assert _lines(run.stderr)[0] == (f"{path}!旧!B2: 错误: 有 2 个值与 证据 中的重复填写且相同(如 溧阳市 的 1.1.1,"
                                     f"{path}!证据!B2 已有);每个值只应填写一次,请删去重复的工作表、行或文件")


def test_values_repeated_from_another_file_are_one_message(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("单位,1.1.1,1.2.1,1.3.1\n溧阳市,1,2,3\n金坛区,2,2,2\n", encoding="utf-8")
    b.write_text("单位,1.1.1,1.2.1,1.3.1,备注\n溧阳市,1,2,3,旧版\n金坛区,2,2,2,\n", encoding="utf-8")
    run = _kaohe("score", str(SCHEME), str(a), str(b))
    assert run.returncode == 1
    assert _lines(run.stderr) == [
        f"{b}:2:2: 错误: 有 6 个值与 {a} 中的重复填写且相同(如 溧阳市 的 1.1.1,{a}:2:2 已有);"
        "每个值只应填写一次,请删去重复的工作表、行或文件",
        "证据有 1 个错误,未计分,未写入任何文件",
    ]


def test_the_same_file_given_twice_is_refused_once_by_any_path(tmp_path: Path) -> None:
    source = EXAMPLES / "changzhou-2018" / "evidence.csv"
    path = tmp_path / "e.csv"
    shutil.copy(source, path)
    (tmp_path / "link.csv").symlink_to(path)
    os.link(path, tmp_path / "hard.csv")
    shutil.copy(path, tmp_path / "copy.csv")
    (tmp_path / "sub").mkdir()
    run = subprocess.run([sys.executable, "-m", "kaohe", "score", str(SCHEME), "e.csv", "./e.csv", "link.csv",
                          "sub/../hard.csv", "copy.csv"], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert run.returncode == 1
    _clean(run.stderr)
    assert _lines(run.stderr) == [
        "e.csv: 错误: 同一文件给了两次: 与 e.csv 是同一个文件,第二次未读取;请只给一次",  # ./e.csv
        "link.csv: 错误: 同一文件给了两次: 与 e.csv 是同一个文件,第二次未读取;请只给一次",
        "sub/../hard.csv: 错误: 同一文件给了两次: 与 e.csv 是同一个文件,第二次未读取;请只给一次",
        "copy.csv: 错误: 同一文件给了两次: 内容与 e.csv 完全相同,未读取;请只给一次(或检查是否拿错了文件)",
        "证据有 4 个错误,未计分,未写入任何文件",
    ]


def test_the_same_name_given_twice_is_refused_once(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("单位,1.1.1\n溧阳市,2\n", encoding="utf-8")
    run = _kaohe("score", str(SCHEME), str(path), str(path))
    assert run.returncode == 1
    assert _lines(run.stderr) == [
        f"{path}: 错误: 同一文件给了两次: 与 {path} 是同一个文件,第二次未读取;请只给一次",
        "证据有 1 个错误,未计分,未写入任何文件",
    ]


# 3. What an office saves still reads cleanly.

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed here")
def test_workbooks_saved_by_libreoffice_with_a_notes_sheet_and_a_notes_column_read_cleanly(tmp_path: Path) -> None:
    # The example's long-form workbook with the template's 说明 sheet beside it, and the template
    # filled in (wide form) with an extra 备注 column, both saved again by LibreOffice (as an
    # office saving in LibreOffice or WPS does): they score as the plain CSV does, with no word of
    # copies, duplicates or unknown columns.
    from kaohe.report.template import write_template
    from kaohe.scheme.load import load_scheme

    example = EXAMPLES / "changzhou-2018"
    template = tmp_path / "template.xlsx"
    write_template(load_scheme(SCHEME).scheme, template)
    notes_sheet = [row for row in load_workbook(template)["说明"].iter_rows(values_only=True)]
    long_book = load_workbook(example / "evidence.xlsx")
    extra = long_book.create_sheet("说明")
    for row in notes_sheet:
        extra.append(list(row))
    long_book.save(tmp_path / "long.xlsx")
    wide_book = load_workbook(template)
    wide = wide_book["证据"]
    columns = {str(c.value).split(" ")[0]: c.column for c in wide[2] if c.value}  # row 1 is the title
    note_column = wide.max_column + 1
    wide.cell(row=2, column=note_column).value = "备注"
    rows = {wide.cell(row=r, column=1).value: r for r in range(4, wide.max_row + 1)}
    import csv

    with open(example / "evidence.csv", encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            row = rows[record["单位"]]
            for key, value in record.items():
                if key != "单位" and value != "":
                    wide.cell(row=row, column=columns[key]).value = float(value) if _number(value) else value
            wide.cell(row=row, column=note_column).value = "已核对"
    wide_book.save(tmp_path / "wide.xlsx")
    profile = tmp_path / "profile"
    saved = tmp_path / "saved"
    run = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                          "--convert-to", "xlsx", "--outdir", str(saved), str(tmp_path / "long.xlsx"),
                          str(tmp_path / "wide.xlsx")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    plain = tmp_path / "plain.json"
    assert _kaohe("score", str(SCHEME), str(example / "evidence.csv"), "-o", str(plain)).returncode == 0
    for name in ("long.xlsx", "wide.xlsx"):
        assert load_workbook(saved / name).sheetnames[-1] == "说明"
        out = tmp_path / f"{name}.json"
        result = _kaohe("score", str(SCHEME), str(saved / name), "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert not [line for line in _lines(result.stderr) if f"{saved / name}" in line], result.stderr
        assert _totals(out) == _totals(plain)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(("body", "expected"), [
    # a quote opened on line 2 and never closed: the file ends inside it
    ('溧阳市,1.1.1,"3\n', "2: 错误: 文件在引号中结束:有一个以英文双引号 \" 开始的单元格没有结束的引号"),
    # text after the closing quote of "3"
    ('溧阳市,1.1.1,"3"x\n', "2: 错误: 单元格的结束引号 \" 之后还有文字:引号内的文字须整格用引号括起,文中的引号写作两个 \"\""),
    # one cell past the csv module's own limit (131,072 characters), before kaohe's 1,000 is asked
    ('溧阳市,1.1.1,"' + "x" * 140_000 + '"\n', "2: 错误: 有一个单元格超过 131072 个字符,无法读取;证据的单元格文字至多 "
     "1000 字符,请检查是否有引号未闭合或整段文字被粘贴进了一个单元格"),
])
def test_what_the_csv_module_refuses_is_told_in_chinese(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "e.csv"
    path.write_text("单位,指标,值\n" + body, encoding="utf-8")
    run = _kaohe("score", str(SCHEME), str(path))
    assert run.returncode == 1
    assert _lines(run.stderr)[0] == f"{path}:{expected}"

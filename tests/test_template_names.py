"""What `kaohe template` writes where: every form its own file (names that clean to the same file
are numbered, as a workbook's sheets are), never over an input of the command, only in a format it
writes, only into a folder that exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kaohe.cli import build_app
from kaohe.errors import OutputError
from kaohe.scheme.load import load_scheme

UNITS_SCHEME = """\
id: c
title: 示例考核
full_score: 4
units: [{name: "甲/"}, {name: "甲:"}, {name: "甲?"}, {name: "甲*"}]
sections:
  - id: "1"
    title: 工作
    points: 4
    items:
      - id: "1.1"
        title: 会议
        points: 4
        criteria:
          - {id: 1.1.1, text: "每召开一次会议得1分,最高得4分", points: 4, rule: {kind: per_count, per: 1, cap: 4}}
"""


def owners_scheme(*owners: str) -> str:
    """One item of 1 point per owner, in the order given (the forms' order)."""
    items = "".join(
        f'      - id: "1.{n}"\n        title: 项{n}\n        points: 1\n        owner: "{owner}"\n'
        f'        criteria:\n          - {{id: 1.{n}.1, text: "建立制度的得1分", points: 1, rule: {{kind: met}}}}\n'
        for n, owner in enumerate(owners, start=1))
    return (f"id: own\ntitle: 示例考核\nfull_score: {len(owners)}\nunits: [{{name: 甲}}, {{name: 乙}}]\n"
            f'sections:\n  - id: "1"\n    title: 工作\n    points: {len(owners)}\n    items:\n{items}')


EVENTS_SCHEME = """\
id: ev
title: 示例考核
full_score: 5
units: [{name: 甲}]
sections:
  - id: "1"
    title: 宣传
    points: 5
    items:
      - id: "1.1"
        title: 信息
        points: 5
        criteria:
          - {id: 1.1.1, text: "每篇得1分", points: 5, rule: {kind: events, attributes: [级别], table: [{points: 1}], cap: 5}}
"""


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(build_app(), list(args), prog_name="kaohe")


def _write(tmp_path: Path, text: str, name: str = "scheme.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# 1. Distinct names that clean to the same file name each get a file.

def test_units_whose_names_clean_to_one_file_name_each_get_a_numbered_form(tmp_path: Path) -> None:
    scheme = _write(tmp_path, UNITS_SCHEME)
    folder = tmp_path / "forms"
    folder.mkdir()
    result = run("template", str(scheme), "--by", "unit", "-o", str(folder))
    assert result.exit_code == 0, result.output
    # Each of / : ? * is replaced by _ and the _ at the end stripped: all four are "甲", so the
    # file of each is c-甲-自评表.xlsx; the second in the scheme's order gets (2), and so on.
    expected = {"c-甲-自评表.xlsx": "甲/", "c-甲-自评表(2).xlsx": "甲:", "c-甲-自评表(3).xlsx": "甲?",
                "c-甲-自评表(4).xlsx": "甲*"}
    assert _names(folder) == sorted(expected)
    for name, unit in expected.items():  # row 1 the title, row 2 the header, row 3 the first input
        assert load_workbook(folder / name).active["A3"].value == unit, name
    assert f"已写入 4 个文件到 {folder}" in result.output


def test_owners_whose_names_collide_even_after_numbering_each_get_a_form(tmp_path: Path) -> None:
    scheme = _write(tmp_path, owners_scheme("甲/", "甲:", "甲(2)"))
    folder = tmp_path / "owners"
    folder.mkdir()
    result = run("template", str(scheme), "--by", "owner", "-o", str(folder))
    assert result.exit_code == 0, result.output
    # 甲/ and 甲: both clean to own-甲; the second becomes own-甲(2). 甲(2) keeps its brackets, so
    # its own name is own-甲(2), taken by now: it becomes own-甲(2)(2).
    expected = {"own-甲.xlsx": "1.1.1", "own-甲(2).xlsx": "1.2.1", "own-甲(2)(2).xlsx": "1.3.1"}
    assert _names(folder) == sorted(expected)
    for name, criterion in expected.items():  # the header's column B: the owner's one input
        assert str(load_workbook(folder / name)["证据"]["B2"].value).startswith(criterion), name
    assert f"已写入 3 个文件到 {folder}" in result.output


def test_names_that_differ_only_in_case_get_numbered_forms(tmp_path: Path) -> None:
    """Windows and macOS keep Office and office as one file: the second would replace the first."""
    scheme = _write(tmp_path, owners_scheme("Office", "office"))
    folder = tmp_path / "owners"
    folder.mkdir()
    result = run("template", str(scheme), "--by", "owner", "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert _names(folder) == ["own-Office.xlsx", "own-office(2).xlsx"]
    assert str(load_workbook(folder / "own-office(2).xlsx")["证据"]["B2"].value).startswith("1.2.1")


# 2. No output is one of the command's inputs, --force or not.

@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("how", ["itself", "symlink", "hard link"])
def test_a_template_never_replaces_its_scheme(tmp_path: Path, suffix: str, how: str) -> None:
    scheme = _write(tmp_path, UNITS_SCHEME, f"scheme{suffix}")  # a scheme loads whatever its suffix
    target = {"itself": scheme, "symlink": tmp_path / f"link{suffix}",
              "hard link": tmp_path / f"hard{suffix}"}[how]
    if how == "symlink":
        target.symlink_to(scheme)
    elif how == "hard link":
        os.link(scheme, target)
    result = run("template", str(scheme), "-o", str(target), "--force")
    assert result.exit_code == 1, result.output
    assert f"{target}: 错误: 输出文件与输入文件相同,拒绝覆盖" in result.output
    assert scheme.read_text(encoding="utf-8") == UNITS_SCHEME


def test_a_csv_template_s_events_file_never_replaces_the_scheme(tmp_path: Path) -> None:
    """-o t.csv writes t.csv and t-逐项填报.csv: neither may be the scheme, nor is t.csv written
    when the second is refused."""
    scheme = _write(tmp_path, EVENTS_SCHEME, "t-逐项填报.csv")
    result = run("template", str(scheme), "-o", str(tmp_path / "t.csv"), "--force")
    assert result.exit_code == 1, result.output
    assert f"{scheme}: 错误: 输出文件与输入文件相同,拒绝覆盖" in result.output
    assert scheme.read_text(encoding="utf-8") == EVENTS_SCHEME
    assert _names(tmp_path) == ["t-逐项填报.csv"]


def test_forms_by_unit_never_replace_the_scheme_and_none_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    scheme = _write(folder, UNITS_SCHEME.replace('{name: "甲*"}', "{name: 乙}"), "c-乙-自评表.xlsx")
    result = run("template", str(scheme), "--by", "unit", "-o", str(folder), "--force")
    assert result.exit_code == 1, result.output
    assert f"{scheme}: 错误: 输出文件与输入文件相同,拒绝覆盖" in result.output
    assert _names(folder) == ["c-乙-自评表.xlsx"]  # 甲/'s form, before it, not written either
    assert "乙" in scheme.read_text(encoding="utf-8")


def test_the_library_refuses_an_input_as_the_template_too(tmp_path: Path) -> None:
    from kaohe.report.template import write_template

    scheme = _write(tmp_path, UNITS_SCHEME, "scheme.csv")
    with pytest.raises(OutputError, match="输出文件与输入文件相同"):
        write_template(load_scheme(scheme).scheme, scheme, inputs=[str(scheme)])
    assert scheme.read_text(encoding="utf-8") == UNITS_SCHEME


# 3. Formats and folders.

def test_a_format_template_does_not_write_is_refused_naming_the_file_and_its_formats(tmp_path: Path) -> None:
    scheme = _write(tmp_path, UNITS_SCHEME)
    target = tmp_path / "x.json"
    result = run("template", str(scheme), "-o", str(target))
    assert result.exit_code == 2
    assert f"{target}: 错误: 无法识别的输出格式 .json,模板应为 .xlsx 或 .csv" in result.output
    english = run("--lang", "en", "template", str(scheme), "-o", str(target))
    assert english.exit_code == 2
    assert f"{target}: error: unknown output format .json; a template is .xlsx or .csv" in english.output
    assert not target.exists()


@pytest.mark.parametrize("by", ["unit", "owner"])
def test_forms_are_not_written_into_a_folder_that_does_not_exist(tmp_path: Path, by: str) -> None:
    scheme = _write(tmp_path, UNITS_SCHEME)
    folder = tmp_path / "forms"
    result = run("template", str(scheme), "--by", by, "-o", str(folder))
    assert result.exit_code == 1
    assert f"{folder}: 错误: 文件夹不存在(kaohe 不会新建文件夹)" in result.output
    assert not folder.exists()


def test_a_csv_template_names_both_files_it_writes(tmp_path: Path) -> None:
    # the events rows cannot sit in the form's one table: they go to t-逐项填报.csv, and are said
    scheme = _write(tmp_path, EVENTS_SCHEME, "s.yaml")
    target = tmp_path / "t.csv"
    result = run("template", str(scheme), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert f"逐项填报的行(每件事项一行)写入 {tmp_path / 't-逐项填报.csv'}" in result.output.splitlines()
    assert _names(tmp_path) == ["s.yaml", "t-逐项填报.csv", "t.csv"]

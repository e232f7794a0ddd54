"""Outputs are written atomically: an interrupted write or a locked file loses nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kaohe.errors import OutputError
from kaohe.report.atomic import atomic_path


def test_an_interrupted_write_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "结果.xlsx"
    target.write_bytes(b"last year's results")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half a workbo")
        raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"last year's results"
    assert [p.name for p in tmp_path.iterdir()] == ["结果.xlsx"]


def test_a_file_open_in_excel_gets_a_message_and_nothing_is_lost(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "结果.xlsx"
    target.write_bytes(b"the open copy")

    def locked(src: str, dst: str) -> None:  # what Windows does while Excel holds the file
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputError) as caught, atomic_path(target) as tmp:
        tmp.write_bytes(b"new results")
    assert "请关闭后重试" in str(caught.value)
    assert target.read_bytes() == b"the open copy"
    assert [p.name for p in tmp_path.iterdir()] == ["结果.xlsx"]


def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "证据.csv"
    source.write_text("单位,1.1.1\n", encoding="utf-8")
    with pytest.raises(OutputError) as caught, atomic_path(source, [str(source)]):
        pass
    assert "拒绝覆盖" in str(caught.value) and source.read_text(encoding="utf-8") == "单位,1.1.1\n"


EXPONENTS_SCHEME = """\
id: exponents
title: 同值异写
full_score: 10
units: [{name: 甲}, {name: 乙}, {name: 丙}]
sections:
  - id: "1"
    title: 评定
    points: 10
    items:
      - id: "1.1"
        title: 评定
        points: 10
        criteria: [{id: 1.1.1, text: "视情得分,最高得10分", points: 10, rule: {kind: judged}}]
"""


@pytest.mark.parametrize("order", [["8.50", "8.5", "8.500"], ["8.5", "8.500", "8.50"]])
def test_a_value_written_with_more_zeros_reads_out_the_same_whatever_the_row_order(tmp_path: Path,
                                                                                 order: list[str]) -> None:
    # 8.50, 8.5 and 8.500 are one value (judged 8.5 of 10): equal values share a memo in the engine, so
    # the text written must be of the value alone, never of whichever way of writing it came first.
    import csv
    import json

    from typer.testing import CliRunner

    from kaohe.cli import build_app

    (tmp_path / "s.yaml").write_text(EXPONENTS_SCHEME, encoding="utf-8")
    evidence = tmp_path / "e.csv"
    evidence.write_text("单位,1.1.1\n" + "".join(f"{u},{v}\n" for u, v in zip("甲乙丙", order, strict=True)),
                        encoding="utf-8")
    for suffix in ("csv", "json"):
        done = CliRunner().invoke(build_app(), ["score", str(tmp_path / "s.yaml"), str(evidence),
                                                "-o", str(tmp_path / f"r.{suffix}"), "--no-timestamp"])
        assert done.exit_code == 0, done.output
    ranking = list(csv.reader((tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [row[-1] for row in ranking[1:]] == ["8.5", "8.5", "8.5"]
    units = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["units"]
    assert [u["total"] for u in units] == ["8.5", "8.5", "8.5"]


def test_an_output_into_a_folder_that_does_not_exist_says_so_in_words(tmp_path: Path) -> None:
    # The system's "No such file or directory" is English and names no cause an office can act on.
    from typer.testing import CliRunner

    from conftest import EXAMPLES, SCHEMES
    from kaohe.cli import build_app

    target = tmp_path / "没有的文件夹" / "r.xlsx"
    done = CliRunner().invoke(build_app(), ["score", str(SCHEMES / "changzhou-2018.yaml"),
                                            str(EXAMPLES / "changzhou-2018" / "evidence.csv"), "-o", str(target)])
    assert done.exit_code == 1
    assert f"{target}: 错误: 无法写入: 所在文件夹不存在(kaohe 不会新建文件夹)" in done.output

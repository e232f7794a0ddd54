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

"""expat's check of large sheets in a second process (kaohe.evidence.wellformed, run by
xlsxread._PartChecks) while the quick scan reads their cells: the scan finds what it finds with
expat run in-process, for sound and damaged sheets alike, and where the second process cannot
start or gives no verdict, the part is checked in-process instead."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from kaohe.errors import EvidenceError
from kaohe.evidence import wellformed, xlsxread
from kaohe.i18n import t

BOOK = ROOT / "examples" / "changzhou-2018" / "evidence.xlsx"


def _outcome(path: Path) -> object:
    """What _scan_sheets finds in the workbook: each sheet's facts, or the error it raises."""
    try:
        scans, states = xlsxread._scan_sheets(str(path), path.name, _names(path))
    except Exception as e:  # noqa: BLE001 - compared, not raised
        return type(e).__name__
    return states, {name: (s.cells, s.rows, s.cols, s.far, s.blank_formulas, s.errors, s.error_counts,
                           [str(p) for p in s.problems]) for name, s in scans.items()}


def _names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    return [s.name for s in CalamineWorkbook.from_path(str(path)).sheets_metadata]


class _Spy:
    """subprocess.Popen, each process it starts kept."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []
        self.popen = subprocess.Popen

    def __call__(self, *args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        child = self.popen(*args, **kwargs)
        self.started.append(child)
        return child


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch) -> _Spy:
    """Every sheet checked by a second process, however small, on any machine."""
    spy = _Spy()
    monkeypatch.setattr(xlsxread, "CHECK_ELSEWHERE", 0)
    monkeypatch.setattr(xlsxread, "_processors", lambda: 2)
    monkeypatch.setattr(xlsxread.subprocess, "Popen", spy)
    return spy


def _with_sheet(tmp_path: Path, name: str, change: Any) -> Path:
    """BOOK with its first sheet's XML changed by `change` (bytes -> bytes)."""
    target = tmp_path / name
    with zipfile.ZipFile(BOOK) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        first = next(iter(xlsxread._sheet_parts(source).values()))[0]
        for info in source.infolist():
            data = source.read(info.filename)
            out.writestr(info.filename, change(data) if info.filename == first else data)
    return target


DAMAGE = {
    # the cells read as they would, but the XML is broken: only expat can tell
    "unclosed": lambda xml: xml.replace(b"</sheetData>", b"", 1),
    "crossed": lambda xml: xml.replace(b"</row>", b"</rwo>", 1),
    "undefined entity": lambda xml: xml.replace(b"</row>", b"&nothing;</row>", 1),
    "cut short": lambda xml: xml[: len(xml) * 2 // 3],
    "sound": lambda xml: xml,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_sheet_checked_elsewhere_scans_as_one_checked_here(tmp_path: Path, damage: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = _with_sheet(tmp_path, "e.xlsx", DAMAGE[damage])
    here = _outcome(path)
    spy = _Spy()
    monkeypatch.setattr(xlsxread, "CHECK_ELSEWHERE", 0)
    monkeypatch.setattr(xlsxread, "_processors", lambda: 2)
    monkeypatch.setattr(xlsxread.subprocess, "Popen", spy)
    assert _outcome(path) == here
    assert len(spy.started) == 1 and spy.started[0].returncode is not None  # started, and reaped
    if damage != "sound":  # each damaged sheet is refused, by the full scan that meets the error
        assert here == "ExpatError"
        with pytest.raises(EvidenceError) as refused:
            xlsxread.read_xlsx(str(path), "e.xlsx")
        assert [p.message for p in refused.value.problems] == [t("xlsx.unsafe_xml", detail="ExpatError")]


def test_every_workbook_the_tests_hold_scans_the_same_checked_elsewhere(elsewhere: _Spy,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted(p for p in ROOT.rglob("*.xlsx") if ".venv" not in p.parts and "out" not in p.parts)
    compared = 0
    for path in paths:
        try:
            _names(path)
        except Exception:  # noqa: BLE001 - not a workbook calamine opens: read_xlsx refuses it before any scan
            continue
        checked = _outcome(path)
        with monkeypatch.context() as inline:
            inline.setattr(xlsxread, "CHECK_ELSEWHERE", 1 << 62)
            assert _outcome(path) == checked, path
        compared += 1
    assert compared > 10 and elsewhere.started  # the second process was used, not passed over


def test_small_sheets_are_checked_here(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy()
    monkeypatch.setattr(xlsxread.subprocess, "Popen", spy)
    _outcome(BOOK)
    assert spy.started == []


@pytest.mark.parametrize("failure", ["no interpreter", "no verdict", "not a verdict"])
def test_without_the_second_process_s_verdict_the_part_is_checked_here(tmp_path: Path, failure: str,
                                                                      elsewhere: _Spy,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # a process that cannot start, ends before saying anything, or says something else: the
    # damaged sheet is still refused and the sound one still read, as with no second process
    sound = _outcome(BOOK)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(_with_sheet(tmp_path, "b.xlsx", DAMAGE["crossed"]).read_bytes())
    if failure == "no interpreter":
        monkeypatch.setattr(xlsxread.sys, "executable", str(tmp_path / "no-python"))
    else:
        script = tmp_path / "ends.py"
        script.write_text("import sys\nsys.stdout.write(%r)\n" % ("" if failure == "no verdict" else "yes\n"))
        monkeypatch.setattr(wellformed, "__file__", str(script))
    assert _outcome(BOOK) == sound
    assert _outcome(broken) == "ExpatError"
    assert all(child.returncode is not None for child in elsewhere.started)


def test_the_second_process_says_which_parts_expat_accepts(tmp_path: Path) -> None:
    path = tmp_path / "parts.zip"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("good.xml", b'<?xml version="1.0"?><a><b x="1">text &amp; more</b></a>')
        book.writestr("bad.xml", b"<a><b></a>")
        book.writestr("entity.xml", b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
        book.writestr("external.xml", b'<!DOCTYPE a SYSTEM "http://example.com/a.dtd"><a/>')
    members = ["good.xml", "bad.xml", "entity.xml", "external.xml", "missing.xml", "good.xml"]
    done = subprocess.run([sys.executable, "-I", "-S", wellformed.__file__, str(path), *members],
                          capture_output=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"1\n0\n0\n1\n0\n1\n", b"")
    # an external DTD is not read (expat is given no handler for it), so that part is XML as it stands
    said: list[str] = []
    wellformed.check_parts(str(tmp_path / "none.zip"), ["good.xml"], said.append)
    assert said == ["0\n"]

"""Results workbooks open in LibreOffice and keep their chart (runs where LibreOffice is installed)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, SCHEMES
from kaohe.cli import build_app

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed here")


def _convert(source: Path, to: str, folder: Path) -> Path:
    profile = folder / "profile"
    result = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                             "--convert-to", to, "--outdir", str(folder / to.split(":")[0]), str(source)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    out = folder / to.split(":")[0] / f"{source.stem}.{to.split(':')[0]}"
    assert out.is_file(), result.stdout + result.stderr
    return out


def test_results_workbook_opens_and_keeps_its_chart(tmp_path: Path) -> None:
    results = tmp_path / "results.xlsx"
    run = CliRunner().invoke(build_app(), ["score", str(SCHEMES / "changzhou-2018.yaml"),
                                           str(EXAMPLES / "changzhou-2018" / "evidence.csv"), "-o", str(results)])
    assert run.exit_code == 0, run.output
    pdf = _convert(results, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    # LibreOffice writes back only what it understood: the chart must survive its own re-save.
    resaved = _convert(results, "xlsx", tmp_path)
    with zipfile.ZipFile(resaved) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert charts, archive.namelist()
        assert b"barChart" in archive.read(charts[0])


def test_streamed_results_workbook_reads_back_the_same_in_libreoffice(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # The streamed path writes sheet XML by hand: LibreOffice must read every cell of it.
    from openpyxl import load_workbook

    import kaohe.report.xlsxout as xlsxout

    monkeypatch.setattr(xlsxout, "STREAM_ROWS", 10)
    results = tmp_path / "streamed.xlsx"
    run = CliRunner().invoke(build_app(), ["score", str(SCHEMES / "changzhou-2018.yaml"),
                                           str(EXAMPLES / "changzhou-2018" / "evidence.csv"), "-o", str(results)])
    assert run.exit_code == 0, run.output
    resaved = _convert(results, "xlsx", tmp_path)
    ours, theirs = load_workbook(results), load_workbook(resaved)
    assert theirs.sheetnames == ours.sheetnames
    detail = "明细"
    mine = [[c.value for c in row] for row in ours[detail].iter_rows()]
    back = [[c.value for c in row] for row in theirs[detail].iter_rows()]
    assert len(back) == len(mine) > 50

    def plain(v: object) -> object:  # 1 and 1.0 are the same number in a sheet
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else ("" if v is None else v)

    assert [[plain(v) for v in row] for row in back] == [[plain(v) for v in row] for row in mine]

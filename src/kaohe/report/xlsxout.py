"""XLSX results: a 排名 sheet and a 明细 sheet with every criterion's provenance."""

from __future__ import annotations

from pathlib import Path

from kaohe.report.atomic import atomic_path


def write_xlsx(target: str | Path, sheets: list[tuple[str, list[list[object]]]], inputs: list[str],
               timestamp: bool = True) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, table in sheets:
        sheet = workbook.create_sheet(title)
        for r, row in enumerate(table, start=1):
            for c, value in enumerate(row, start=1):
                put(sheet.cell(row=r, column=c), value)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.freeze_panes = "C2"
        _widths(sheet, table)
    with atomic_path(target, inputs) as tmp:
        workbook.save(tmp)
        if not timestamp:
            _drop_timestamps(tmp)


_EPOCH = "1980-01-01T00:00:00Z"


def _drop_timestamps(path: Path) -> None:
    """Rewrite the archive with fixed entry times and document dates, so equal inputs give equal bytes."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = [(info.filename, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rf"\g<1>{_EPOCH}\g<2>", text)
                data = text.encode("utf-8")
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)


def put(cell, value: object) -> None:  # type: ignore[no-untyped-def]
    """Text is always stored as text, even when it starts with '=' (never a live formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _widths(sheet, table: list[list[object]]) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils import get_column_letter

    for col in range(len(table[0]) if table else 0):
        longest = max((_display_width(str(row[col])) for row in table if col < len(row)), default=4)
        sheet.column_dimensions[get_column_letter(col + 1)].width = min(max(longest + 2, 6), 60)


def _display_width(text: str) -> int:
    """CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


"""Evidence templates: one row per unit, one column per input, ready to fill and score.

Row 1 of an XLSX template is its title (scheme, 文号, period); then the header (ids with a short
title), the document's criterion text (its unit cell says 评分标准, so readers skip it), and one
row per unit. XLSX adds dropdowns and number validation on the input cells, borders, a print
setup and a 说明 sheet; CSV is the table alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from kaohe.evidence import input_index
from kaohe.i18n import t
from kaohe.report.atomic import atomic_path, refuse
from kaohe.report.csvout import write_csv
from kaohe.report.text import describe_input, describe_rule
from kaohe.rules.base import InputSpec, ValueType
from kaohe.scheme.models import Scheme
from kaohe.scheme.names import declared_specs, first_readers

TEXT_ROW_MARKER = "评分标准"
TITLE_ROWS = 1
"""Rows above the header: the title. The evidence reader and the blank-template check find the
header below it (they search the first rows for the 单位 cell)."""
TITLE_SIZE = 16
TEXT_SIZE = 9
"""The criteria's text under the header is set small."""
DATA_WIDTH = 18.0
MAX_DATA_WIDTH = 40.0
"""An input column is DATA_WIDTH wide, widened up to this where its text would be too tall."""
TEXT_CAP_PT = 300.0
HEADER_CAP_PT = 100.0
"""The tallest the criteria's text row and the header row are made (Excel allows 409 points)."""
NOTES_WIDTH = 70.0
"""The 说明 sheet's one column: across A4 portrait."""
PAGE_WIDTH = 140
"""The column widths (Excel's character units) that fit across A4 landscape at full size."""
FLAGS_HERE = "\0flags"
"""In `only`: this workbook also carries the flags (一票否决, 弄虚作假)."""


def template_table(scheme: Scheme, only: set[str] | None = None) -> tuple[list[list[object]], list[InputSpec]]:
    """The wide form: one row per unit, one column per single-valued input and per flag.

    `only` keeps the inputs of those criterion ids (a division's own items); flags then go to
    the workbook of criteria without an owner.
    """
    header: list[object] = [t("col.unit")]
    text_row: list[object] = [TEXT_ROW_MARKER]
    specs: list[InputSpec] = []
    readers = first_readers(scheme)
    declared = [d for d in scheme.inputs if d.per_unit is None and (only is None or d.id in only)]
    placed: set[str] = set()

    def add_declared(decl) -> None:  # type: ignore[no-untyped-def]
        placed.add(decl.id)
        for spec in declared_specs(decl, scheme.rates):
            label = f"{decl.title or decl.id}·{spec.label}" if spec.label else (decl.title or "")
            header.append(f"{spec.id} {label}".strip())
            unit = t("template.unit", unit=decl.unit) if decl.unit else ""
            text_row.append(f"{decl.text or decl.title or decl.id}\n[{describe_input(spec)}{unit}]")
            specs.append(spec)

    for criterion, spec in scheme.criterion_inputs():
        for decl in declared:  # a figure goes beside the first criterion that reads it
            if decl.id not in placed and readers.get(decl.id) == criterion.id:
                add_declared(decl)
        if spec.type is ValueType.EVENTS or (only is not None and criterion.id not in only):
            continue
        title = criterion.title or ""
        label = f"{title}·{spec.label}" if spec.label else title
        header.append(f"{spec.id} {label}".strip())
        text_row.append(f"{criterion.text}\n[{describe_rule(criterion)};{describe_input(spec)}]")
        specs.append(spec)
    for decl in declared:
        if decl.id not in placed:
            add_declared(decl)
    index = input_index(scheme)
    for flag in scheme.flags if only is None or FLAGS_HERE in only else []:
        if flag.when is not None:
            continue  # set by its condition
        header.append(flag.id)
        text_row.append(f"{flag.text}\n[{describe_input(index[flag.id])}]")
        specs.append(index[flag.id])
    units = scheme.unit_names() or [t("template.unit_placeholder")]
    if scheme.periods is None or scheme.periods.source == "files":
        return [header, text_row] + [[u] + [None] * len(specs) for u in units], specs
    # Scored per period: a 期间 column, one row per unit and period.
    header.insert(1, t("col.period"))
    text_row.insert(1, "")
    rows = [[u, p] + [None] * len(specs) for u in units for p in scheme.periods.names]
    return [header, text_row] + rows, [InputSpec(t("col.period"), ValueType.LEVEL,
                                                  choices=tuple(scheme.periods.names))] + specs


def events_table(scheme: Scheme, only: set[str] | None = None) -> list[list[object]]:
    """The long form for inputs given row by row (events, raters): 单位, 指标, 值, attributes, 备注."""
    specs = [(c, spec) for c, spec in scheme.criterion_inputs()
             if spec.type is ValueType.EVENTS and (only is None or c.id in only)]
    if not specs:
        return []
    attributes = list(dict.fromkeys(a for _, spec in specs for a in spec.attributes))
    header: list[object] = [t("col.unit"), t("col.id"), t("col.value"), *attributes, t("col.note")]
    rows: list[list[object]] = [header]
    for criterion, spec in specs:
        example = [TEXT_ROW_MARKER, spec.id, None, *[None] * len(attributes),
                   f"{criterion.text} [{describe_rule(criterion)};{describe_input(spec)}]"]
        rows.append(example)
    return rows


def write_template(scheme: Scheme, target: str | Path, inputs: list[str] | None = None,
                   written: list[Path] | None = None) -> int:
    """Write the template (a second file or sheet for row-by-row inputs); returns the number of inputs.
    No file written is one of `inputs` (the scheme's file): OutputError, with nothing written.
    `written`, where given, is told each file written (a CSV template's rows of events go to a
    second file beside it).

    A CSV template has no title row: CSV is for scripts and pasting, not for print, and its
    first line stays the header a program expects (the evidence reader would skip a title, a
    script reading line 1 would not)."""
    inputs = inputs or []
    rows, specs = template_table(scheme)
    events = events_table(scheme)
    target = Path(target)
    if target.suffix.lower() == ".csv":
        second = target.with_name(f"{target.stem}-{t('sheet.events')}.csv")
        _refuse_all([target, *([second] if events else [])], inputs)
        write_csv(target, rows, inputs)
        files = [target]
        if events:
            write_csv(second, events, inputs)
            files.append(second)
    else:
        _write_xlsx(scheme, rows, specs, target, events, form_title(scheme), inputs)
        files = [target]
    if written is not None:
        written.extend(files)
    return len(specs) + max(len(events) - 1, 0)


def _refuse_all(targets: list[Path], inputs: list[str]) -> None:
    """Every file refused that is one of `inputs` or may not be replaced, before any is written."""
    for target in targets:
        refuse(target, inputs)


def form_title(scheme: Scheme, heading: str | None = None, *more: str) -> list[str]:
    """The title row's lines, as the results' sheets have them: the form's name, then 文号 and
    the period (no generation date: a blank form is the same whenever it is written)."""
    from kaohe.report.tables import title_lines

    return title_lines(scheme, heading or t("template.title", title=scheme.title), None, *more)


def _write_xlsx(scheme: Scheme, rows: list[list[object]], specs: list[InputSpec], target: str | Path,
                events: list[list[object]], titles: list[str], inputs: list[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("sheet.evidence")
    header_row = TITLE_ROWS + 1
    first_unit, last = header_row + 2, header_row + len(rows) - 1
    fixed = len(rows[0]) - len(specs)
    widths = _evidence_widths(rows, fixed)
    _title(sheet, titles, widths)
    _put_rows(sheet, rows, header_row)
    _style_header(sheet, header_row, widths)
    _style_text_row(sheet, header_row + 1, widths)
    _rule(sheet, header_row, max(last, first_unit), len(widths))
    sheet.freeze_panes = f"{get_column_letter(fixed + 1)}{first_unit}"
    _protect(sheet, first_row=first_unit, last_row=last + 200, first_col=fixed + 1, last_col=len(widths))
    for col, spec in enumerate(specs, start=fixed + 1):
        letter = get_column_letter(col)
        _add_validation(sheet, spec, DataValidation, f"{letter}{first_unit}:{letter}{last + 200}")
    _close_not_applicable(scheme, sheet, rows, specs, first_unit)
    periods = "A:B" if scheme.periods is not None and scheme.periods.source != "files" else "A:A"
    _print_setup(sheet, f"{header_row}:{header_row + 1}", periods, widths, max(last, first_unit))
    if events:
        _events_sheet(scheme, workbook.create_sheet(t("sheet.events")), events)
    _notes_sheet(workbook, _instructions(scheme))
    with atomic_path(target, inputs) as tmp:
        workbook.save(tmp)


def _events_sheet(scheme: Scheme, sheet, events: list[list[object]]) -> None:  # type: ignore[no-untyped-def]
    """逐项填报: its header stays in row 1 (the reader takes any number of rows below it)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    from kaohe.report.xlsxout import height_needed

    widths = [14.0, 12.0, 12.0] + [10.0] * (len(events[0]) - 4) + [50.0]
    _put_rows(sheet, events, 1)
    _style_header(sheet, 1, widths)
    for r, row in enumerate(sheet.iter_rows(min_row=2, max_row=len(events)), start=2):
        for cell in row:
            cell.alignment = _alignment(wrap=True)
        sheet.row_dimensions[r].height = height_needed(str(row[-1].value or ""), widths[-1])
    _rule(sheet, 1, len(events), len(widths))
    sheet.freeze_panes = "A2"
    _protect(sheet, first_row=2, last_row=2000, first_col=1, last_col=len(events[0]))
    _attribute_lists(scheme, sheet, events[0], DataValidation)
    _print_setup(sheet, "1:1", "A:A", widths, len(events))


def _notes_sheet(workbook, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    from kaohe.report.xlsxout import height_needed, put

    notes = workbook.create_sheet(t("sheet.instructions"))
    for r, line in enumerate(lines, start=1):
        put(notes.cell(row=r, column=1), line)
        notes.cell(row=r, column=1).alignment = _alignment(wrap=True)
        notes.row_dimensions[r].height = height_needed(line, NOTES_WIDTH)
    notes.column_dimensions["A"].width = NOTES_WIDTH
    notes.page_setup.paperSize = notes.PAPERSIZE_A4
    notes.page_setup.fitToWidth, notes.page_setup.fitToHeight = 1, 0
    notes.sheet_properties.pageSetUpPr.fitToPage = True


def _put_rows(sheet, rows: list[list[object]], first_row: int) -> None:  # type: ignore[no-untyped-def]
    from kaohe.report.xlsxout import put

    for r, row in enumerate(rows, start=first_row):
        for c, value in enumerate(row, start=1):
            put(sheet.cell(row=r, column=c), value)


def _alignment(wrap: bool = False, center: bool = False):  # type: ignore[no-untyped-def]
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=wrap, vertical="center" if center else "top",
                     horizontal="center" if center else None)


def _title(sheet, lines: list[str], widths: list[float]) -> None:  # type: ignore[no-untyped-def]
    """Row 1: the form's name large and bold, then 文号 and period, merged across the table. A
    table wider than a page starts it in column B, left-aligned: column A is printed again on
    every page, and would show the title's first characters there."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Alignment

    from kaohe.report.xlsxout import LINE_PT, TITLE_PT, shown

    across = _pages_across(widths, 1) == 1
    first = 1 if across or len(widths) == 1 else 2
    cell = sheet.cell(row=1, column=first)
    cell.value = CellRichText([TextBlock(InlineFont(b=True, sz=TITLE_SIZE), shown(lines[0]))]
                              + [TextBlock(InlineFont(sz=11), "\n" + shown(line)) for line in lines[1:]])
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center" if across else "left")
    if len(widths) > first:
        sheet.merge_cells(start_row=1, start_column=first, end_row=1, end_column=len(widths))
    sheet.row_dimensions[1].height = TITLE_PT + LINE_PT * (len(lines) - 1) + 6


def _style_header(sheet, row: int, widths: list[float]) -> None:  # type: ignore[no-untyped-def]
    """Bold on blue, wrapped, the row as tall as its longest text needs in its column."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from kaohe.report.xlsxout import height_needed

    fill, font = PatternFill("solid", fgColor="DDEBF7"), Font(bold=True)
    for cell in sheet[row]:
        cell.font, cell.fill = font, fill
        cell.alignment = _alignment(wrap=True, center=True)
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[row].height = max(height_needed(str(c.value or ""), widths[c.column - 1])
                                           for c in sheet[row] if c.column <= len(widths))


def _style_text_row(sheet, row: int, widths: list[float]) -> None:  # type: ignore[no-untyped-def]
    """The criteria's text, small and grey, the row as tall as its longest text (at most TEXT_CAP_PT)."""
    from openpyxl.styles import Font

    font = Font(size=TEXT_SIZE, color="555555")
    for cell in sheet[row]:
        cell.font, cell.alignment = font, _alignment(wrap=True)
    sheet.row_dimensions[row].height = min(max(small_height(str(c.value or ""), widths[c.column - 1])
                                               for c in sheet[row] if c.column <= len(widths)), TEXT_CAP_PT)


def small_height(text: str, width: float) -> float:
    """The height of `text` wrapped in TEXT_SIZE-point type: more characters to a line, lower lines."""
    from kaohe.report.xlsxout import LINE_PT, lines_needed

    return lines_needed(text, width * 11 / TEXT_SIZE) * LINE_PT * TEXT_SIZE / 11 + 4


def _evidence_widths(rows: list[list[object]], fixed: int) -> list[float]:
    """单位 as wide as the longest name; each input column DATA_WIDTH, wider (up to MAX_DATA_WIDTH)
    where its criterion's text would otherwise need more than TEXT_CAP_PT."""
    from kaohe.report.xlsxout import _display_width, height_needed

    names = [str(row[0]) for row in rows[2:]]
    widths = [min(max([14.0] + [_display_width(n) + 3.0 for n in names]), 30.0)] + [10.0] * (fixed - 1)
    for header, text in zip(rows[0][fixed:], rows[1][fixed:], strict=True):
        width = DATA_WIDTH
        while width < MAX_DATA_WIDTH and (small_height(str(text or ""), width) > TEXT_CAP_PT
                                         or height_needed(str(header), width) > HEADER_CAP_PT):
            width += 2
        widths.append(width)
    return widths


def _rule(sheet, first_row: int, last_row: int, last_col: int) -> None:  # type: ignore[no-untyped-def]
    """Thin lines round every header and input cell: the table prints as a ruled form."""
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for row in sheet.iter_rows(min_row=first_row, max_row=last_row, max_col=last_col):
        for cell in row:
            cell.border = border


def _print_setup(sheet, title_rows: str, title_cols: str, widths: list[float],  # type: ignore[no-untyped-def]
                 last_row: int) -> None:
    """A4 landscape, scaled to the page's width, header rows and the unit column on every page,
    "第 x 页 共 y 页" at the foot. Only the table prints, not the open rows below it."""
    from openpyxl.utils import get_column_letter

    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = _pages_across(widths, 2 if title_cols == "A:B" else 1)
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.print_title_cols = title_cols
    sheet.print_area = f"A1:{get_column_letter(len(widths))}{last_row}"
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = t("print.page")


def _pages_across(widths: list[float], repeated: int) -> int:
    """Landscape pages side by side the table needs at a readable size: each shows the repeated
    columns (单位, 期间) and as many others as fit."""
    room = PAGE_WIDTH - sum(widths[:repeated])
    pages, used = 1, 0.0
    for width in widths[repeated:]:
        if used + width > room and used:
            pages, used = pages + 1, 0.0
        used += width
    return pages


def _close_not_applicable(scheme: Scheme, sheet, rows: list[list[object]],  # type: ignore[no-untyped-def]
                          specs: list[InputSpec], first_unit: int) -> None:
    """A unit's cell for an input of another category (or of another unit's task list) is grey and
    locked: the evidence reader refuses a figure there, so the form does not invite one."""
    from openpyxl.styles import PatternFill, Protection

    index = input_index(scheme)
    category = {u.name: u.category for u in scheme.units}
    closed, locked = PatternFill("solid", fgColor="D9D9D9"), Protection(locked=True)
    first_col = len(rows[0]) - len(specs) + 1
    for r, row in enumerate(rows[2:], start=first_unit):
        unit = str(row[0])
        if unit not in category:
            continue
        for c, spec in enumerate(specs, start=first_col):
            found = index.get(spec.id, spec)
            if ((found.categories is not None and category[unit] not in found.categories)
                    or (found.units is not None and unit not in found.units)):
                cell = sheet.cell(row=r, column=c)
                cell.fill, cell.protection = closed, locked


def _protect(sheet, first_row: int, last_row: int, first_col: int, last_col: int) -> None:  # type: ignore[no-untyped-def]
    """Headers and the criteria's text are locked; the input cells are not."""
    from openpyxl.styles import Protection

    open_cell = Protection(locked=False)
    for row in sheet.iter_rows(min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col):
        for cell in row:
            cell.protection = open_cell
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths may still be changed
    sheet.protection.formatRows = False


def write_by_owner(scheme: Scheme, folder: Path, inputs: list[str] | None = None) -> list[Path]:
    """One workbook per responsible division (考评职能处室), holding only the items it scores and
    the figures it gives (an input's own `owner`, else that of the first criterion reading it).
    None is written where one of them may not be (one of `inputs`, a filled form)."""
    groups: dict[str, set[str]] = {}
    owners: dict[str, str] = {}
    for section, item, criterion in scheme.criteria():
        owner = criterion.owner or item.owner or section.owner or t("template.no_owner")
        owners[criterion.id] = owner
        groups.setdefault(owner, set()).add(criterion.id)
    readers = first_readers(scheme)
    for decl in scheme.inputs:
        owner = decl.owner or owners.get(readers.get(decl.id, ""), t("template.no_owner"))
        groups.setdefault(owner, set()).add(decl.id)
    groups.setdefault(t("template.no_owner"), set()).add(FLAGS_HERE)
    forms = []
    for owner, ids in groups.items():
        rows, specs = template_table(scheme, ids)
        events = events_table(scheme, ids)
        if len(specs) > 0 or len(events) > 1:
            forms.append((owner, rows, specs, events))
    targets = form_files(folder, [f"{_file_name(scheme.id)}-{_file_name(owner)}" for owner, *_ in forms])
    _refuse_all(targets, inputs or [])
    for (owner, rows, specs, events), target in zip(forms, targets, strict=True):
        _write_xlsx(scheme, rows, specs, target, events, form_title(scheme, None, t("template.owner", owner=owner)),
                    inputs or [])
    return targets


def write_by_unit(scheme: Scheme, folder: Path, inputs: list[str] | None = None) -> list[Path]:
    """Each unit's own 自评表: its items only (category and task list), one row per input. None is
    written where one of them may not be (one of `inputs`, a filled form)."""
    targets = form_files(folder, [f"{_file_name(scheme.id)}-{_file_name(unit.name)}-{t('template.self_assessment')}"
                                  for unit in scheme.units])
    _refuse_all(targets, inputs or [])
    for unit, target in zip(scheme.units, targets, strict=True):
        rows, specs = self_assessment_table(scheme, unit.name, unit.category)
        _write_self_assessment(scheme, unit.name, rows, specs, target, inputs or [])
    return targets


def form_files(folder: Path, stems: list[str]) -> list[Path]:
    """The forms' files, in the forms' order: distinct names that clean to one file name (甲/, 甲:)
    are numbered as a workbook's sheets are (甲, 甲(2)…), or each would replace the one before."""
    from kaohe.report.xlsxout import unique_name

    used: set[str] = set()
    return [folder / f"{unique_name(stem, used)}.xlsx" for stem in stems]


def self_assessment_table(scheme: Scheme, unit: str, category: str | None) -> tuple[list[list[object]], list[InputSpec]]:
    """The 自评表's rows (header first) and the input each row below the header asks for."""
    from kaohe.scheme.models import applies

    rows: list[list[object]] = [[t("col.unit"), t("col.id"), t("col.item"), t("col.points"), t("col.text"),
                                 t("col.value"), t("col.self_score"), t("col.note")]]
    specs: list[InputSpec] = []
    for section in scheme.sections:
        if not applies(section, category):
            continue
        for item in section.items_for(unit):
            if not applies(item, category):
                continue
            for criterion in item.all_criteria():
                if not applies(criterion, category):
                    continue
                bound = criterion.bindings()
                for spec in scheme.specs(criterion):
                    if spec.type is ValueType.EVENTS or spec.id in bound:
                        continue
                    rows.append([unit, spec.id, f"{item.id} {item.title}",
                                 criterion.points if criterion.points is not None else "",
                                 f"{criterion.text} [{describe_rule(criterion)};{describe_input(spec)}]",
                                 None, None, None])
                    specs.append(spec)
    for decl in scheme.inputs:
        if decl.per_unit is None:
            for spec in declared_specs(decl, scheme.rates):
                rows.append([unit, spec.id, decl.title or decl.id, "",
                             f"{decl.text or decl.title or decl.id} [{describe_input(spec)}]", None, None, None])
                specs.append(spec)
    return rows, specs


SELF_WIDTHS = [14.0, 12.0, 20.0, 6.0, 50.0, 12.0, 9.0, 16.0]
"""单位, 指标, 评价项目, 分值, 评分标准, 值, 自评分, 备注: about a landscape page across."""
SELF_OPEN = (6, 8)
"""The columns a unit fills: 值, 自评分, 备注."""


def _write_self_assessment(scheme: Scheme, unit: str, rows: list[list[object]], specs: list[InputSpec],
                           target: Path, inputs: list[str]) -> None:
    """The 自评表 as the main form is made: title, ruled table, the value cells open and checked
    (dropdowns and number checks row by row, as each row asks for another input), the rest locked."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    from kaohe.report.xlsxout import height_needed

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("template.self_assessment")
    header_row = TITLE_ROWS + 1
    last = header_row + len(rows) - 1
    _title(sheet, form_title(scheme, t("template.self_title", title=scheme.title), t("print.unit", unit=unit)),
           SELF_WIDTHS)
    _put_rows(sheet, rows, header_row)
    _style_header(sheet, header_row, SELF_WIDTHS)
    for r in range(header_row + 1, last + 1):
        for cell in sheet[r]:
            cell.alignment = _alignment(wrap=True)
        sheet.row_dimensions[r].height = max(height_needed(str(c.value), SELF_WIDTHS[c.column - 1])
                                             for c in sheet[r] if isinstance(c.value, str))
    _rule(sheet, header_row, last, len(SELF_WIDTHS))
    sheet.freeze_panes = f"C{header_row + 1}"
    _protect(sheet, first_row=header_row + 1, last_row=last, first_col=SELF_OPEN[0], last_col=SELF_OPEN[1])
    for r, spec in enumerate(specs, start=header_row + 1):
        _add_validation(sheet, spec, DataValidation, f"F{r}")
    _print_setup(sheet, f"{header_row}:{header_row}", "A:A", SELF_WIDTHS, last)
    _notes_sheet(workbook, _instructions(scheme, self_assessment=True))
    with atomic_path(target, inputs) as tmp:
        workbook.save(tmp)


def _file_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "_"


def _attribute_lists(scheme: Scheme, sheet, header: list[object], DataValidation) -> None:  # type: ignore[no-untyped-def]
    """A dropdown on each attribute column whose values the scheme declares (choices), where every
    criterion reading that column declares the same ones."""
    from openpyxl.utils import get_column_letter

    declared: dict[str, set[tuple[str, ...]]] = {}
    for _, spec in scheme.criterion_inputs():
        for name in spec.attributes:
            declared.setdefault(name, set()).add(dict(spec.attribute_choices).get(name, ()))
    for col, name in enumerate(header, start=1):
        kinds = declared.get(str(name), set())
        if len(kinds) != 1 or not next(iter(kinds)):
            continue
        values = next(iter(kinds))
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        dv.showErrorMessage = True
        dv.errorTitle = str(name)
        dv.error = dv.prompt = t("template.choices", name=name, choices="、".join(values))
        dv.showInputMessage = True
        dv.promptTitle = str(name)
        sheet.add_data_validation(dv)
        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}2000")


def _add_validation(sheet, spec: InputSpec, DataValidation, where: str) -> None:  # type: ignore[no-untyped-def]
    validation = _validation(spec, DataValidation)
    if validation is not None:
        sheet.add_data_validation(validation)
        validation.add(where)


def _validation(spec: InputSpec, DataValidation):  # type: ignore[no-untyped-def]
    prompt = describe_input(spec)
    if spec.type is ValueType.BOOL:
        dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    elif spec.type is ValueType.LEVEL:
        dv = DataValidation(type="list", formula1='"' + ",".join(spec.choices) + '"', allow_blank=True)
    elif spec.type is ValueType.COUNT:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    elif spec.type is ValueType.POINTS:
        high = spec.maximum if spec.maximum is not None else 10**6
        dv = DataValidation(type="decimal", operator="between", formula1=str(spec.minimum or 0),
                            formula2=str(high), allow_blank=True)
    elif spec.type is ValueType.NUMBER and not spec.negative_ok:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    else:
        return None  # rates may be typed as 85%, 0.85 or 85: checked when scoring
    dv.showErrorMessage = True
    dv.errorTitle = spec.id
    dv.error = prompt
    dv.showInputMessage = True
    dv.promptTitle = spec.id
    dv.prompt = prompt
    return dv


def _instructions(scheme: Scheme, self_assessment: bool = False) -> list[str]:
    """What a unit needs to fill the form in and send it back (it has no kaohe): the 自评表's
    rows carry their own rules, the main form's are listed below."""
    first = t("template.howto.self") if self_assessment else t("template.howto.1")
    lines = [f"{scheme.title} {scheme.doc_number or ''}".strip(), "", first]
    lines += [t(f"template.howto.{n}" + (f"_{scheme.rates}" if n == 3 and scheme.rates else "")) for n in range(2, 7)]
    if self_assessment:
        return lines
    lines += ["", t("template.rules")]
    for section in scheme.sections:
        for item in section.items:
            for criterion in item.all_criteria():
                lines.append(f"{criterion.id} {criterion.title or ''}: {describe_rule(criterion)}")
    return lines

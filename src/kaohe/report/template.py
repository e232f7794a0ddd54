"""Evidence templates: one row per unit, one column per input, ready to fill and score.

Row 1 holds the ids (with a short title), row 2 the document's criterion text (its unit cell
says 评分标准, so readers skip it), then one row per unit. XLSX adds dropdowns and number
validation on the input cells and a 说明 sheet.
"""

from __future__ import annotations

import re
from pathlib import Path

from kaohe.evidence import input_index
from kaohe.i18n import t
from kaohe.report.atomic import atomic_path
from kaohe.report.csvout import write_csv
from kaohe.report.text import describe_input, describe_rule
from kaohe.rules.base import InputSpec, ValueType
from kaohe.scheme.models import Scheme
from kaohe.scheme.names import declared_specs, first_readers

TEXT_ROW_MARKER = "评分标准"
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


def write_template(scheme: Scheme, target: str | Path) -> int:
    """Write the template (a second file or sheet for row-by-row inputs); returns the number of inputs."""
    rows, specs = template_table(scheme)
    events = events_table(scheme)
    if Path(target).suffix.lower() == ".csv":
        write_csv(target, rows, [])
        if events:
            target = Path(target)
            write_csv(target.with_name(f"{target.stem}-{t('sheet.events')}.csv"), events, [])
    else:
        _write_xlsx(scheme, rows, specs, target, events)
    return len(specs) + max(len(events) - 1, 0)


def _write_xlsx(scheme: Scheme, rows: list[list[object]], specs: list[InputSpec], target: str | Path,
                events: list[list[object]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from kaohe.report.xlsxout import put

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("sheet.evidence")
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            put(sheet.cell(row=r, column=c), value)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in sheet[2]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(size=9, color="555555")
    sheet.row_dimensions[2].height = 120
    sheet.column_dimensions["A"].width = 14
    for col in range(2, len(specs) + 2):
        sheet.column_dimensions[get_column_letter(col)].width = 18
    sheet.freeze_panes = "B3"
    last = max(len(rows), 3)
    _protect(sheet, first_row=3, last_row=last + 200, first_col=2 if scheme.periods is None else 2,
             last_col=len(specs) + 1)
    for col, spec in enumerate(specs, start=2):
        validation = _validation(spec, DataValidation)
        if validation is None:
            continue
        sheet.add_data_validation(validation)
        letter = get_column_letter(col)
        validation.add(f"{letter}3:{letter}{last + 200}")
    _close_not_applicable(scheme, sheet, rows, specs)
    if events:
        event_sheet = workbook.create_sheet(t("sheet.events"))
        for r, row in enumerate(events, start=1):
            for c, value in enumerate(row, start=1):
                put(event_sheet.cell(row=r, column=c), value)
        for cell in event_sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
        event_sheet.freeze_panes = "A2"
        _protect(event_sheet, first_row=2, last_row=2000, first_col=1, last_col=len(events[0]))
        _attribute_lists(scheme, event_sheet, events[0], DataValidation)
    notes = workbook.create_sheet(t("sheet.instructions"))
    for r, line in enumerate(_instructions(scheme), start=1):
        put(notes.cell(row=r, column=1), line)
    notes.column_dimensions["A"].width = 100
    with atomic_path(target) as tmp:
        workbook.save(tmp)


def _close_not_applicable(scheme: Scheme, sheet, rows: list[list[object]],  # type: ignore[no-untyped-def]
                          specs: list[InputSpec]) -> None:
    """A unit's cell for an input of another category (or of another unit's task list) is grey and
    locked: the evidence reader refuses a figure there, so the form does not invite one."""
    from openpyxl.styles import PatternFill, Protection

    index = input_index(scheme)
    category = {u.name: u.category for u in scheme.units}
    closed, locked = PatternFill("solid", fgColor="D9D9D9"), Protection(locked=True)
    first_col = len(rows[0]) - len(specs) + 1
    for r, row in enumerate(rows[2:], start=3):
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
    """Headers and the criteria's text are locked; the input cells are not. A4, header repeated."""
    from openpyxl.styles import Protection

    open_cell = Protection(locked=False)
    for row in sheet.iter_rows(min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col):
        for cell in row:
            cell.protection = open_cell
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths may still be changed
    sheet.protection.formatRows = False
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "1:2" if first_row == 3 else "1:1"


def write_by_owner(scheme: Scheme, folder: Path) -> list[Path]:
    """One workbook per responsible division (考评职能处室), holding only the items it scores and
    the figures it gives (an input's own `owner`, else that of the first criterion reading it)."""
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
    written = []
    for owner, ids in groups.items():
        rows, specs = template_table(scheme, ids)
        events = events_table(scheme, ids)
        if len(specs) == 0 and len(events) <= 1:
            continue
        target = folder / f"{_file_name(scheme.id)}-{_file_name(owner)}.xlsx"
        _write_xlsx(scheme, rows, specs, target, events)
        written.append(target)
    return written


def write_by_unit(scheme: Scheme, folder: Path) -> list[Path]:
    """Each unit's own 自评表: its items only (category and task list), one row per input."""
    from kaohe.report.xlsxout import SheetSpec, write_xlsx
    from kaohe.scheme.models import applies

    written = []
    for unit in scheme.units:
        rows: list[list[object]] = [[t("col.unit"), t("col.id"), t("col.item"), t("col.points"), t("col.text"),
                                     t("col.value"), t("col.self_score"), t("col.note")]]
        for section in scheme.sections:
            if not applies(section, unit.category):
                continue
            for item in section.items_for(unit.name):
                if not applies(item, unit.category):
                    continue
                for criterion in item.all_criteria():
                    if not applies(criterion, unit.category):
                        continue
                    bound = criterion.bindings()
                    for spec in scheme.specs(criterion):
                        if spec.type is ValueType.EVENTS or spec.id in bound:
                            continue
                        rows.append([unit.name, spec.id, f"{item.id} {item.title}",
                                     criterion.points if criterion.points is not None else "",
                                     f"{criterion.text} [{describe_rule(criterion)};{describe_input(spec)}]",
                                     None, None, None])
        for decl in scheme.inputs:
            if decl.per_unit is None:
                rows += [[unit.name, spec.id, decl.title or decl.id, "", f"{decl.text or decl.title or decl.id} "
                          f"[{describe_input(spec)}]", None, None, None] for spec in declared_specs(decl, scheme.rates)]
        target = folder / f"{_file_name(scheme.id)}-{_file_name(unit.name)}-{t('template.self_assessment')}.xlsx"
        write_xlsx(target, [SheetSpec(t("template.self_assessment"), rows, "C2")], [])
        written.append(target)
    return written


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


def _instructions(scheme: Scheme) -> list[str]:
    lines = [f"{scheme.title} {scheme.doc_number or ''}".strip(), ""]
    lines += [t("template.howto.1"), t("template.howto.2"), t("template.howto.3"), t("template.howto.4"), ""]
    for section in scheme.sections:
        for item in section.items:
            for criterion in item.all_criteria():
                lines.append(f"{criterion.id} {criterion.title or ''}: {describe_rule(criterion)}")
    return lines

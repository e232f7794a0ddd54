"""table: points from a table over two or more values, the first row that matches giving them.

"完成当年行业领域年度节能目标,且累计降低进度达到年均20%以上累计进度目标。(60分)未完成当年行业领域年度
节能目标,但累计降低进度达到…(55分)完成…但累计降低进度未达到…(40分)未完成…且…未达到…(0分)"
(重点行业领域主管部门节能目标责任评价考核计分表).

Each input is named by a label (`columns: {年度: bool, 进度: rate}`); the evidence gives them as
`<criterion id>.<label>`, or `of:` binds them to named values. A row's `when` gives, per label, the
value wanted (是/否, a level name) or a comparison (`{ge: 20%}`); a row without `when` matches
everything (the document's "其他").
"""

from __future__ import annotations

from decimal import Decimal
from itertools import product
from typing import Literal, Union

from pydantic import Field

from kaohe.numbers import fmt
from kaohe.rules.base import (
    FALSE_WORDS,
    TRUE_WORDS,
    Bound,
    Dec,
    Finding,
    InputSpec,
    Outcome,
    RuleModel,
    Text,
    ValueType,
    step,
)
from kaohe.rules.events import Compare

_TYPES = {"bool": ValueType.BOOL, "count": ValueType.COUNT, "number": ValueType.NUMBER, "rate": ValueType.RATE,
          "level": ValueType.LEVEL}


class TableRow(RuleModel):
    when: dict[Text, Union[bool, Text, Compare]] = Field(default_factory=dict)
    points: Dec


class Table(RuleModel):
    kind: Literal["table"]
    columns: dict[Text, Literal["bool", "count", "number", "rate", "level"]] = Field(min_length=1)
    """Each input's label and kind: the table's columns."""
    choices: dict[Text, list[Text]] = Field(default_factory=dict)
    """level inputs: their names."""
    rows: list[TableRow] = Field(min_length=1)
    rate_max: Bound | None = None

    def inputs_of(self, cid: str) -> list[tuple[str, str]]:
        return [(f"{cid}.{label}", label) for label in self.columns]

    def inputs(self, cid: str, points: Decimal | None) -> list[InputSpec]:
        return [InputSpec(iid, _TYPES[self.columns[label]], label=label, choices=tuple(self.choices.get(label, ())),
                          maximum=self.rate_max if self.columns[label] == "rate" else None)
                for iid, label in self.inputs_of(cid)]

    def _matches(self, row: TableRow, given: dict[str, object]) -> bool:
        for label, wanted in row.when.items():
            have = given.get(label)
            if isinstance(wanted, Compare):
                if not wanted.holds_number(have):
                    return False
            elif isinstance(wanted, bool) or self.columns.get(label) == "bool":
                if have is not _as_bool(wanted):
                    return False
            elif have != wanted:
                return False
        return True

    def _describe(self, row: TableRow) -> str:
        parts = []
        for label, wanted in row.when.items():
            if isinstance(wanted, Compare):
                parts.append(f"{label}{wanted.show(self.columns.get(label) == 'rate')}")
            elif self.columns.get(label) == "bool":
                parts.append(f"{label}{'是' if _as_bool(wanted) else '否'}")
            else:
                parts.append(f"{label}={wanted}")
        return "、".join(parts) or "*"

    def evaluate(self, cid: str, values: dict[str, object], points: Decimal | None) -> Outcome:
        given = {label: values[iid] for iid, label in self.inputs_of(cid)}
        shown = "、".join(f"{label} {_show(v, self.columns[label])}" for label, v in given.items())
        for row in self.rows:
            if self._matches(row, given):
                return Outcome(row.points, (step("step.table_row", values=shown, row=self._describe(row),
                                                 points=row.points),))
        return Outcome(Decimal(0), (step("step.table_none", values=shown),))

    def max_points(self, points: Decimal | None) -> Decimal | None:
        return max(r.points for r in self.rows)

    def check(self, points: Decimal | None) -> list[Finding]:
        found = []
        for i, row in enumerate(self.rows):
            if row.points < 0:
                found.append(Finding(("rows", i, "points"), "error", "check.positive", {"value": str(row.points)}))
            for label, wanted in row.when.items():
                if label not in self.columns:
                    found.append(Finding(("rows", i, "when"), "error", "check.unknown_attribute",
                                         {"name": label, "names": "、".join(self.columns)}))
                elif self.columns[label] == "bool" and _as_bool(wanted) is None:
                    found.append(Finding(("rows", i, "when", label), "error", "check.table_bool",
                                         {"label": label, "value": str(wanted)}))
                elif self.columns[label] == "level" and not isinstance(wanted, str) or (
                        self.columns[label] == "level" and wanted not in self.choices.get(label, [])):
                    found.append(Finding(("rows", i, "when", label), "error", "check.table_level",
                                         {"label": label, "value": str(wanted),
                                          "choices": "、".join(self.choices.get(label, [])) or "-"}))
        for label, kind in self.columns.items():
            if kind == "level" and not self.choices.get(label):
                found.append(Finding(("choices",), "error", "check.table_choices", {"label": label}))
        if not found:
            found += self._gaps()
        return found

    def _gaps(self) -> list[Finding]:
        """Where every input is 是/否 or a level, each combination should meet a row."""
        labels = list(self.columns)
        domains = []
        for label in labels:
            kind = self.columns[label]
            if kind == "bool":
                domains.append([True, False])
            elif kind == "level":
                domains.append(list(self.choices.get(label, [])))
            else:
                return []
        missing = []
        for combo in product(*domains):
            given = dict(zip(labels, combo, strict=True))
            if not any(self._matches(r, given) for r in self.rows):
                missing.append("、".join(f"{k} {_show(v, self.columns[k])}" for k, v in given.items()))
        if missing:
            return [Finding(("rows",), "warning", "check.table_gap", {"combinations": "; ".join(missing[:6])})]
        return []


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _show(value: object, kind: str) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind == "rate":
        return f"{fmt(value * 100)}%"  # type: ignore[operator]
    if isinstance(value, (int, Decimal)) or hasattr(value, "numerator"):
        return fmt(value)  # type: ignore[arg-type]
    return str(value)

"""`kaohe explain`: one unit's computation as a tree, section → item → criterion, down to the cell."""

from __future__ import annotations

from typing import Any, Mapping

from rich.tree import Tree

from kaohe.engine import CriterionResult, InputResult, NodeResult, UnitResult
from kaohe.evidence import Value
from kaohe.i18n import t
from kaohe.numbers import exact_text, fmt
from kaohe.outcomes import Outcome
from kaohe.report.text import POINTS, describe_rule, explanation, flag_marks, in_unit, show_input, show_value
from kaohe.rules.base import InputSpec
from kaohe.scheme.models import Group, Item, Scheme, Section
from kaohe.values import Computed, display


def explain_document(scheme: Scheme, result: UnitResult, outcome: Outcome | None, only: str | None) -> dict[str, Any]:
    """The tree as plain data (also the JSON output); `only` keeps the node with that id."""
    by_criterion: dict[str, list[CriterionResult]] = {}
    for c in result.criteria:
        by_criterion.setdefault(c.criterion.id, []).append(c)
    sections = []
    for section in scheme.sections:
        if section.id not in result.sections:
            continue
        items = [_item(item, result.items[item.id], by_criterion, only, result.items, scheme.unit)
                 for item in section.items_for(result.unit) if item.id in result.items]
        items = [i for i in items if i is not None]
        if only is not None and not items and only != section.id:
            continue
        sections.append({**_node(section, result.sections[section.id]), "kind": section.kind,
                         "counted": section.counted, "items": items})
    document: dict[str, Any] = {
        "unit": result.unit, "category": result.category, "total": fmt(result.total),
        "exact": {"total": exact_text(result.total), "base": exact_text(result.base), "bonus": exact_text(result.bonus),
                  "deduction": exact_text(result.deduction)}, "base": fmt(result.base),
        "bonus": fmt(result.bonus), "deduction": fmt(result.deduction), "unit_of_account": scheme.unit,
        "vetoed": list(result.vetoed), "falsified": list(result.falsified), "unmet": list(result.unmet),
        "sections": sections,
    }
    if result.periods:
        document["periods"] = {name: fmt(r.total) for name, r in result.periods}
    if result.applicable is not None:
        document["exact"]["earned"] = exact_text(result.earned or 0)
        document["exact"]["applicable"] = exact_text(result.applicable)
        document["normalised"] = t("explain.normalised_total", earned=fmt(result.earned or 0),
                                   applicable=fmt(result.applicable), to=fmt(scheme.normalise_to or 0),
                                   result=fmt(result.base))
    if result.flag_sources:
        flags = {f.id: f for f in scheme.flags}
        document["conditions"] = [
            {"id": flag, "kind": flags[flag].kind, "text": flags[flag].text,
             "set": None if source.value is None else bool(source.value),
             "working": computed_lines(source)}
            for flag, source in result.flag_sources]
    if outcome is not None:
        document["outcome"] = {"rank": outcome.rank, "grade": outcome.grade, "awards": outcome.awards,
                               "change": outcome.change, "notes": [t(n.key, **n.params) for n in outcome.notes]}
    return document


def _node(node: Section | Item | Group, result: NodeResult) -> dict[str, Any]:
    limits = []
    if result.applicable is not None:
        limits.append(t("explain.applicable", applicable=fmt(result.applicable),
                        points=fmt(node.points) if node.points is not None else "-"))
    if result.earned is not None:
        limits.append(t("explain.normalised", earned=fmt(result.earned), applicable=fmt(result.applicable or 0),
                        points=fmt(node.points) if node.points is not None else "-", result=fmt(result.points)))
    if result.capped_at is not None:
        limits.append(t("explain.capped", points=fmt(result.capped_at)))
    if result.asked is not None:  # a group's shared limit bit: "共扣不超过2分"
        limits.append(t("explain.group_limit", asked=fmt(result.asked), taken=fmt(result.deducted)))
    elif result.deducted:
        limits.append(t("explain.deducted", points=fmt(result.deducted)))
    if result.bonus:
        limits.append(t("explain.bonus", points=fmt(result.bonus)))
    if result.falsified:
        limits.append(t("explain.falsified"))
    out = {"id": node.id, "title": node.title, "points": fmt(result.points), "exact": exact_text(result.points),
           "of": fmt(node.points) if node.points is not None else None, "limits": limits}
    if result.applicable is not None:
        out["applicable"] = exact_text(result.applicable)
    if result.earned is not None:
        out["earned"] = exact_text(result.earned)
    return out


def _item(item: Item, result: NodeResult, by_criterion: dict[str, list[CriterionResult]],
          only: str | None, nodes: Mapping[str, NodeResult], unit: str = POINTS) -> dict[str, Any] | None:
    criteria: list[dict[str, Any]] = []
    for entry in item.criteria:
        if isinstance(entry, Group):
            members = [_criterion(c, unit) for crit in entry.criteria for c in by_criterion.get(crit.id, [])]
            if only is not None and only not in (item.id, entry.id):
                members = [c for c in members if c["id"] == only]
            if members and entry.id in nodes:
                criteria.append({**_node(entry, nodes[entry.id]), "group": True, "criteria": members})
            continue
        found = [_criterion(c, unit) for c in by_criterion.get(entry.id, [])]
        criteria += [c for c in found if only is None or only == item.id or c["id"] == only]
    if only is not None and only != item.id and not criteria:
        return None
    return {**_node(item, result), "basis": item.basis, "criteria": criteria}


def _criterion(c: CriterionResult, unit: str = POINTS) -> dict[str, Any]:
    """A criterion's part of the tree, its amounts in the scheme's `unit` (元 for money)."""
    return {
        "id": c.criterion.id, "period": c.period, "text": c.criterion.text, "effect": c.criterion.effect,
        "title": c.criterion.title, "rule": in_unit(describe_rule(c.criterion), unit), "points": fmt(c.points),
        "exact": exact_text(c.points), "explanation": explanation(c, unit),
        "applicable": c.applicable,
        "inputs": [_input(i, spec) for i, spec in zip(c.inputs, c.criterion.inputs(), strict=True)],
    }


def _input(i: InputResult, spec: InputSpec | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": i.id, "value": show_input(i, spec), "status": i.status,
                           "source": str(i.location) if i.location else None}
    if isinstance(i.value, list) and not i.value and i.location is None:  # events no row of the evidence gives
        out["value"], out["rows"] = t("explain.no_events"), False
    if isinstance(i.source, Computed):
        out["computed"] = computed_lines(i.source)
        out["name"] = i.source.name
        cells = i.source.sources  # the cells it was worked out from
        out["source"] = "; ".join(str(c) for c in cells) if cells else None
    return out


def computed_lines(value: Computed, depth: int = 0, seen: set[str] | None = None) -> list[str]:
    """A computed value's working, then that of each computed value it reads, each operand read
    from the evidence with its cell: "完成率 = 实际 ÷ 目标 = 12 ÷ 10 = 120%", "实际 ← e.csv:2:3"."""
    seen = set() if seen is None else seen
    if value.name in seen or depth > 8:
        return []
    seen.add(value.name)
    shown = value.shown or display(value.value, value.kind)
    lines = [("  " * depth) + f"{_shown_name(value.name)}: {shown}"]
    for name, source in value.operands:
        if isinstance(source, Computed):
            lines += computed_lines(source, depth + 1, seen)
        elif isinstance(source, Value):
            where = str(source.location) if source.locate is not None else "-"
            shown = source.raw if isinstance(source.raw, str) else show_value(source.value)  # the cell as typed
            lines.append(("  " * (depth + 1)) + f"{_shown_name(name)} = {shown} ← {where}")
    return lines


def _shown_name(name: str) -> str:
    return name.removeprefix("rule:").removeprefix("flag:")


def explain_tree(document: dict[str, Any]) -> Tree:
    money = document.get("unit_of_account", POINTS)
    money = "" if money == POINTS else money  # points go unnamed; a money scheme's amounts say 元
    key = "explain.head" if not money else "explain.head_money" if document["base"] == "0" else "explain.head_money_base"
    head = t(key, unit=document["unit"], total=document["total"], base=document["base"], bonus=document["bonus"],
             deduction=document["deduction"], money=money)
    tree = Tree(head)
    for section in document["sections"]:
        branch = tree.add(_label(section, money))
        for item in section["items"]:
            twig = branch.add(_label(item, money) + (f" [{item['basis']}]" if item.get("basis") else ""))
            for c in item["criteria"]:
                if c.get("group"):
                    branch_group = twig.add(_label(c, money))
                    for member in c["criteria"]:
                        _leaf(branch_group, member)
                    continue
                _leaf(twig, c)
    marks = flag_marks(document["vetoed"], document["falsified"], document["unmet"])
    for mark in marks:
        tree.add(mark)
    for condition in document.get("conditions", []):
        state = {True: t("explain.condition_set"), False: t("explain.condition_not_set"),
                 None: t("explain.condition_undecided")}[condition["set"]]
        branch = tree.add(t("explain.condition", kind=t(f"show.flag_{condition['kind']}"), id=condition["id"],
                            text=condition["text"], state=state))
        for line in condition["working"]:
            branch.add(line.strip())
    if "normalised" in document:
        tree.add(document["normalised"])
    if "periods" in document:
        tree.add(t("explain.periods", periods="、".join(f"{k} {v}" for k, v in document["periods"].items())))
    outcome = document.get("outcome")
    if outcome is not None:
        tree.add(t("explain.outcome", rank=outcome["rank"], grade=outcome["grade"] or "—",
                   awards="、".join(outcome["awards"]) or "—"))
        for note in outcome["notes"]:
            tree.add(note)
    return tree


def _leaf(parent: Tree, c: dict[str, Any]) -> None:
    where = "; ".join(f"{i['value']} ← {i['source'] or _status(i['status'])}" if i.get("rows", True) else i["value"]
                      for i in c["inputs"])
    period = f"{c['period']} " if c.get("period") else ""
    title = f"{c['title']}: " if c.get("title") else ""
    leaf = parent.add(f"{period}{c['id']} {title}{c['text']}")
    leaf.add(t("explain.value", value=where))
    for i in c["inputs"]:
        for line in i.get("computed", []):
            leaf.add(t("explain.working", line=line))
    leaf.add(t("explain.rule", rule=c["rule"]))
    leaf.add(c["explanation"])


def _label(node: dict[str, Any], money: str = "") -> str:
    """"2.1 報送任務 100元" ("1.1 领导重视 2/2" in points), with the limits that bit."""
    of = f"/{node['of']}" if node.get("of") is not None else ""
    limits = f"({';'.join(node['limits'])})" if node["limits"] else ""
    if money:
        return f"{node['id']} {node['title']} {node['points']}{of}{money}{in_unit(limits, money)}"
    return f"{node['id']} {node['title']} {node['points']}{of}{limits}"


def _status(status: str) -> str:
    return {"missing": t("explain.status.missing"), "default": t("explain.status.default"),
            "computed": t("explain.status.computed")}.get(status, t("explain.status.given"))

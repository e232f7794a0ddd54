"""`kaohe explain`: one unit's computation as a tree, section → item → criterion, down to the cell."""

from __future__ import annotations

from typing import Any

from rich.tree import Tree

from kaohe.engine import CriterionResult, NodeResult, UnitResult
from kaohe.i18n import t
from kaohe.numbers import fmt
from kaohe.outcomes import Outcome
from kaohe.report.text import describe_rule, explanation, flag_marks, show_input
from kaohe.scheme.models import Item, Scheme, Section


def explain_document(scheme: Scheme, result: UnitResult, outcome: Outcome | None, only: str | None) -> dict[str, Any]:
    """The tree as plain data (also the JSON output); `only` keeps the node with that id."""
    by_criterion: dict[str, list[CriterionResult]] = {}
    for c in result.criteria:
        by_criterion.setdefault(c.criterion.id, []).append(c)
    sections = []
    for section in scheme.sections:
        if section.id not in result.sections:
            continue
        items = [_item(item, result.items[item.id], by_criterion, only)
                 for item in section.items_for(result.unit) if item.id in result.items]
        items = [i for i in items if i is not None]
        if only is not None and not items and only != section.id:
            continue
        sections.append({**_node(section, result.sections[section.id]), "kind": section.kind,
                         "counted": section.counted, "items": items})
    document: dict[str, Any] = {
        "unit": result.unit, "category": result.category, "total": fmt(result.total), "base": fmt(result.base),
        "bonus": fmt(result.bonus), "deduction": fmt(result.deduction), "unit_of_account": scheme.unit,
        "vetoed": list(result.vetoed), "falsified": list(result.falsified), "unmet": list(result.unmet),
        "sections": sections,
    }
    if result.periods:
        document["periods"] = {name: fmt(r.total) for name, r in result.periods}
    if outcome is not None:
        document["outcome"] = {"rank": outcome.rank, "grade": outcome.grade, "awards": outcome.awards,
                               "change": outcome.change, "notes": [t(n.key, **n.params) for n in outcome.notes]}
    return document


def _node(node: Section | Item, result: NodeResult) -> dict[str, Any]:
    limits = []
    if result.capped_at is not None:
        limits.append(t("explain.capped", points=fmt(result.capped_at)))
    if result.deducted:
        limits.append(t("explain.deducted", points=fmt(result.deducted)))
    if result.bonus:
        limits.append(t("explain.bonus", points=fmt(result.bonus)))
    if result.falsified:
        limits.append(t("explain.falsified"))
    return {"id": node.id, "title": node.title, "points": fmt(result.points),
            "of": fmt(node.points) if node.points is not None else None, "limits": limits}


def _item(item: Item, result: NodeResult, by_criterion: dict[str, list[CriterionResult]],
          only: str | None) -> dict[str, Any] | None:
    criteria = [_criterion(c) for crit in item.criteria for c in by_criterion.get(crit.id, [])]
    if only is not None and only != item.id:
        criteria = [c for c in criteria if c["id"] == only]
        if not criteria:
            return None
    return {**_node(item, result), "basis": item.basis, "criteria": criteria}


def _criterion(c: CriterionResult) -> dict[str, Any]:
    return {
        "id": c.criterion.id, "period": c.period, "text": c.criterion.text, "effect": c.criterion.effect,
        "rule": describe_rule(c.criterion), "points": fmt(c.points), "explanation": explanation(c),
        "inputs": [{"id": i.id, "value": show_input(i), "status": i.status,
                    "source": str(i.location) if i.location else None} for i in c.inputs],
    }


def explain_tree(document: dict[str, Any]) -> Tree:
    head = t("explain.head", unit=document["unit"], total=document["total"], base=document["base"],
             bonus=document["bonus"], deduction=document["deduction"])
    tree = Tree(head)
    for section in document["sections"]:
        branch = tree.add(_label(section))
        for item in section["items"]:
            twig = branch.add(_label(item) + (f" [{item['basis']}]" if item.get("basis") else ""))
            for c in item["criteria"]:
                where = "; ".join(f"{i['value']} ← {i['source'] or _status(i['status'])}" for i in c["inputs"])
                period = f"{c['period']} " if c.get("period") else ""
                leaf = twig.add(f"{period}{c['id']} {c['text']}")
                leaf.add(t("explain.value", value=where))
                leaf.add(t("explain.rule", rule=c["rule"]))
                leaf.add(c["explanation"])
    marks = flag_marks(document["vetoed"], document["falsified"], document["unmet"])
    for mark in marks:
        tree.add(mark)
    if "periods" in document:
        tree.add(t("explain.periods", periods="、".join(f"{k} {v}" for k, v in document["periods"].items())))
    outcome = document.get("outcome")
    if outcome is not None:
        tree.add(t("explain.outcome", rank=outcome["rank"], grade=outcome["grade"] or "—",
                   awards="、".join(outcome["awards"]) or "—"))
        for note in outcome["notes"]:
            tree.add(note)
    return tree


def _label(node: dict[str, Any]) -> str:
    of = f"/{node['of']}" if node.get("of") is not None else ""
    limits = f"({';'.join(node['limits'])})" if node["limits"] else ""
    return f"{node['id']} {node['title']} {node['points']}{of}{limits}"


def _status(status: str) -> str:
    return {"missing": t("explain.status.missing"), "default": t("explain.status.default")}.get(
        status, t("explain.status.given"))

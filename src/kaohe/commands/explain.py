"""`kaohe explain`: score, decide outcomes, and show one unit's tree."""

from __future__ import annotations

from typing import Callable

from kaohe.commands.common import read_checked, scored
from kaohe.i18n import t
from kaohe.numbers import normalize_text
from kaohe.outcomes import decide, standing
from kaohe.scheme.load import LoadedScheme


def run_explain(loaded: LoadedScheme, evidence_paths: list[str], unit: str, item: str | None, fmt: str,
                echo: Callable[[str], None], err: Callable[[str], None]) -> int:
    scheme = loaded.scheme
    evidence = read_checked(evidence_paths, scheme, err)
    if evidence is None:
        return 1
    results = scored(scheme, evidence, err)
    if results is None:
        return 1
    unit = normalize_text(unit)
    found = next((u for u in results.units if u.unit == unit), None)
    if found is None:
        err(t("explain.unknown_unit", unit=unit, units="、".join(u.unit for u in results.units)))
        return 2
    known = {s.id for s in scheme.sections} | {i.id for s in scheme.sections for i in s.all_items()} | {
        c.id for _, _, c in scheme.criteria()}
    if item is not None and item not in known:
        err(t("explain.unknown_node", id=item))
        return 2
    decision = decide(scheme, [standing(u) for u in results.units])
    outcome = next(r for r in decision.rows if r.standing.unit == unit)
    from kaohe.report.explain import explain_document, explain_tree

    document = explain_document(scheme, found, outcome, item)
    if fmt == "json":
        from kaohe.errors import json_escaped
        from kaohe.report.jsonout import dumps

        # Escaped as JSON, so that the line's own escaping (a terminal's safety) finds nothing to do:
        # its `\x85` would make the output no JSON.
        echo(json_escaped(dumps(document)).rstrip("\n"))
    else:
        from kaohe.report.terminal import console

        console().print(explain_tree(document))
    return 0

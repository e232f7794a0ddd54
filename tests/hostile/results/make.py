"""Hostile results files (issue 13): each is refused by `kaohe rank` with its record or line named.

Run through tests/hostile/make_corpus.py (or `.venv/bin/python tests/hostile/results/make.py`).
Each file is made from a small valid results document for mini.yaml (three units 甲 乙 丙), written
by kaohe's own writer so that its digest matches, then broken in one way: a refusal therefore
comes from the check it is about, not from the digest (except edited_total.json, whose digest is
the point).
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

SCHEME = """\
# A small scheme for the results corpus: three units, one judged criterion.
id: mini
title: 小方案
full_score: 100
units: [{name: 甲}, {name: 乙}, {name: 丙}]
sections:
  - id: "1"
    title: 工作
    points: 100
    items:
      - id: "1.1"
        title: 工作
        points: 100
        criteria:
          - {id: 1.1.1, text: 工作, points: 100, rule: {kind: judged}}
outcomes:
  most_improved: [{name: 进步奖, count: 1}]
"""


def _document(scheme_sha256: str) -> dict[str, Any]:
    units = [{"rank": place, "rank_in_category": None, "unit": unit, "total": total, "category": None,
              "vetoed": [], "falsified": [], "unmet": [], "barred": False, "conditions": {},
              "sections": {"1": total}}
             for place, (unit, total) in enumerate([("甲", "90"), ("乙", "80"), ("丙", "70")], start=1)]
    return {"format": "kaohe-results", "version": 1, "tool": {"name": "kaohe", "version": "0.1.0"},
            "scheme": {"id": "mini", "file": "mini.yaml", "sha256": scheme_sha256},
            "evidence": [], "units": units, "missing": []}


def _written(document: dict[str, Any]) -> bytes:
    from kaohe.report.jsonout import dumps

    return dumps(document, digest=True).encode("utf-8")


def main(folder: Path) -> None:
    (folder / "mini.yaml").write_text(SCHEME, encoding="utf-8")
    base = _document(hashlib.sha256(SCHEME.encode("utf-8")).hexdigest())
    (folder / "base.json").write_bytes(_written(base))

    def variant(name: str, change) -> None:  # type: ignore[no-untyped-def]
        document = copy.deepcopy(base)
        change(document)
        (folder / name).write_bytes(_written(document))

    variant("duplicate_unit.json", lambda d: d["units"].append(copy.deepcopy(d["units"][0])))
    variant("unknown_unit.json", lambda d: d["units"][2].update(unit="丁"))
    variant("sections_list.json", lambda d: d["units"][0].update(sections=["90"]))
    variant("scheme_string.json", lambda d: d.update(scheme="mini"))
    variant("nan_total.json", lambda d: d["units"][0].update(total=float("nan")))  # a bare NaN
    variant("infinity_total.json", lambda d: d["units"][0].update(total="Infinity"))
    variant("snan_total.json", lambda d: d["units"][0].update(total="sNaN"))
    variant("digits29_total.json", lambda d: d["units"][0].update(total="1" * 29))
    variant("previous_rank_x.json", lambda d: d["units"][0].update(rank="x"))
    variant("previous_missing_rank.json", lambda d: d["units"][1].pop("rank"))
    variant("previous_missing_unit.json", lambda d: d["units"][1].pop("unit"))
    variant("previous_as_output.json", lambda d: None)  # given to --previous and to -o at once
    # edited by hand after it was written: 丙's 70 made 95 (its digest no longer matches)
    (folder / "edited_total.json").write_bytes(_written(base).replace(b'"total": "70"', b'"total": "95"'))
    (folder / "deep_nesting.json").write_text(
        '{"format": "kaohe-results", "units": ' + "[" * 40 + "]" * 40 + "}\n", encoding="utf-8")
    (folder / "not_json.json").write_bytes(_written(base)[:300])
    json.loads((folder / "base.json").read_text(encoding="utf-8"))  # the base itself is valid JSON


if __name__ == "__main__":
    main(Path(__file__).resolve().parent)

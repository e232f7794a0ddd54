"""The speed-ups change nothing: memoised outcomes, the resolved layout and the paused
collector give exactly what plain evaluation gives."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from conftest import EXAMPLES, SCHEMES
from kaohe import engine
from kaohe.bulk import collector_paused
from kaohe.evidence import read_evidence
from kaohe.scheme.load import load_scheme

BUNDLED = sorted(SCHEMES.glob("*.yaml"))


def _evidence_files(scheme: Path) -> list[Path]:
    folder = EXAMPLES / scheme.stem
    return sorted(p for p in folder.glob("evidence*") if p.suffix in (".csv", ".xlsx"))


def _trace(results: engine.Results) -> list[tuple[object, ...]]:
    return [(u.unit, u.total, u.base, u.bonus, u.deduction,
             tuple((c.criterion.id, c.period, c.points, c.steps, tuple((i.id, i.value, i.status, i.location)
                                                                      for i in c.inputs)) for c in u.criteria),
             tuple(u.items.items()), tuple(u.sections.items())) for u in results.units]


@pytest.mark.parametrize("scheme", BUNDLED, ids=lambda p: p.stem)
def test_memoised_outcomes_equal_evaluating_every_criterion(scheme: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _evidence_files(scheme)
    if not files:
        pytest.skip("no evidence file beside this scheme")
    memoised = load_scheme(scheme).scheme
    evidence = read_evidence(files[:1], memoised)
    assert not evidence.errors
    first = engine.score(memoised, evidence)
    monkeypatch.setattr(engine, "MEMO_LIMIT", 0)  # nothing remembered: every criterion evaluated
    plain = load_scheme(scheme).scheme  # a fresh scheme: no layout or memo carried over
    second = engine.score(plain, read_evidence(files[:1], plain))
    assert _trace(first) == _trace(second)
    layouts = [layout for layout, _, _, _ in plain.__dict__["_engine_layouts"].values()]
    plans = [plan for layout in layouts for _, _, items in layout for _, _, children in items for child in children
             for plan in (child.plans if isinstance(child, engine._GroupPlan) else [child])]
    assert plans and sum(len(p.seen) for p in plans) == 0
    assert sum(len(limits.seen) for layout in layouts for _, _, items in layout for _, limits, _ in items) == 0


def test_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause does not switch it back on early
    assert gc.isenabled()


def test_collector_stays_off_if_it_was_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_category_lookup_is_by_name_not_by_scan() -> None:
    scheme = load_scheme(SCHEMES / "anhui-efficiency-2012.yaml").scheme
    for unit in scheme.units:
        assert engine._category_of(scheme, unit.name) == unit.category
    assert engine._category_of(scheme, "不在名单上的单位") is None


def test_streamed_json_is_the_same_document() -> None:
    import json

    from kaohe.report.jsonout import dumps

    document = {"a": 1, "units": iter([{"x": "一", "y": [1, 2]}, {"x": None}]), "empty": [],
                "empty_stream": iter([]), "records": [{"k": True}], "plain": [1, "二"], "nested": {"z": {}}}
    expected = {"a": 1, "units": [{"x": "一", "y": [1, 2]}, {"x": None}], "empty": [], "empty_stream": [],
                "records": [{"k": True}], "plain": [1, "二"], "nested": {"z": {}}}
    text = dumps(document)
    assert json.loads(text) == expected
    assert "一" in text  # written as UTF-8, not \\u escapes
    assert text.splitlines()[2] == '  "units": ['  # one record per line under its key
    assert text.endswith("}\n")


def test_explanations_follow_the_language_when_outcomes_are_shared() -> None:
    from kaohe.i18n import get_lang, set_lang
    from kaohe.report.text import explanation

    scheme = load_scheme(SCHEMES / "xuzhou-stats-2017.yaml")
    evidence = read_evidence(_evidence_files(SCHEMES / "xuzhou-stats-2017.yaml")[:1], scheme.scheme)
    results = engine.score(scheme.scheme, evidence)
    first = results.units[0].criteria[0]
    before = get_lang()
    try:
        set_lang("zh")
        chinese = explanation(first)
        set_lang("en")
        english = explanation(first)
    finally:
        set_lang(before)
    assert chinese != english
    assert "分" in chinese and "分" not in english


def _many_units(tmp_path: Path, count: int) -> tuple[Path, Path]:
    """徐州's scheme without its unit list, and long-form evidence for `count` units."""
    text = (SCHEMES / "xuzhou-stats-2017.yaml").read_text(encoding="utf-8")
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text(text[:text.index("\nunits:")] + text[text.index("\nranking:"):], encoding="utf-8")
    specs = [spec for _, spec in load_scheme(scheme).scheme.criterion_inputs()]
    lines = ["单位,指标,值"]
    for u in range(count):
        for spec in specs:
            value = {"bool": "是", "count": "1", "level": spec.choices[0] if spec.choices else "",
                     "rate": "90%"}.get(spec.type.value, str(spec.maximum or 1))
            lines.append(f"单位{u:04d},{spec.id},{value}")
    evidence = tmp_path / "evidence.csv"
    evidence.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return scheme, evidence


def test_terminal_tables_stop_at_200_units_and_say_how_many_more(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kaohe.cli import build_app

    scheme, evidence = _many_units(tmp_path, 205)
    results = tmp_path / "r.json"
    scored = CliRunner().invoke(build_app(), ["score", str(scheme), str(evidence), "-o", str(results)])
    assert scored.exit_code == 0, scored.output
    ranked = CliRunner().invoke(build_app(), ["rank", str(scheme), str(results)])
    assert ranked.exit_code == 0, ranked.output
    for output in (scored.output, ranked.output):
        assert "另有 5 个单位未显示" in output  # 205 units − 200 shown
        table_rows = [line for line in output.splitlines() if line.startswith("│") and "单位0" in line]
        assert len(table_rows) == 200
    document = __import__("json").loads(results.read_text(encoding="utf-8"))
    assert len(document["units"]) == 205  # the file keeps them all


def test_node_maps_read_like_the_dicts_they_replace() -> None:
    scheme = load_scheme(SCHEMES / "shaoxing-2022.yaml").scheme  # per-unit task lists: layouts per unit
    evidence = read_evidence(_evidence_files(SCHEMES / "shaoxing-2022.yaml")[:1], scheme)
    for unit in engine.score(scheme, evidence).units:
        items = dict(unit.items.items())
        assert list(unit.items) == list(items) and len(unit.items) == len(items)
        assert unit.items == items and all(unit.items[k] is v for k, v in items.items())
        assert "no such item" not in unit.items and unit.items.get("no such item") is None
        # each item's points are its section's parts: the map hands back the right node per id
        for section_id, node in unit.sections.items():
            assert node.id == section_id
        for item_id, node in unit.items.items():
            assert node.id == item_id


def test_value_table_behaves_as_a_mapping_keyed_by_unit_and_id() -> None:
    from kaohe.errors import Location
    from kaohe.evidence import Value, ValueTable

    here = Location("t")
    table = ValueTable()
    a, b, c = Value.at(1, "1", here), Value.at(2, "2", here), Value.at(3, "3", here)
    table[("甲", "1.1")] = a
    table[("甲", "1.2")] = b
    table[("乙", "1.1")] = c
    table[("甲", "1.1")] = a  # replacing is not a new value
    assert len(table) == 3 and list(table) == [("甲", "1.1"), ("甲", "1.2"), ("乙", "1.1")]
    # a Value is made when asked: equal to the one held, its typed value and raw the objects given
    assert table[("乙", "1.1")] == c and table.get(("丙", "1.1")) is None and ("甲", "9") not in table
    assert table[("乙", "1.1")].value is c.value and table[("乙", "1.1")].raw is c.raw
    assert ("甲", "1.2") in table and "甲" not in table
    assert dict(table) == {("甲", "1.1"): a, ("甲", "1.2"): b, ("乙", "1.1"): c}
    assert table.unit("甲") == {"1.1": a, "1.2": b} and table.unit("丙") == {}
    del table[("甲", "1.2")]
    assert len(table) == 2 and ("甲", "1.2") not in table


def test_evidence_held_in_a_plain_dict_scores_the_same() -> None:
    from kaohe.evidence import Evidence

    scheme = load_scheme(SCHEMES / "changzhou-2018.yaml").scheme
    evidence = read_evidence(_evidence_files(SCHEMES / "changzhou-2018.yaml")[:1], scheme)
    plain = Evidence(values=dict(evidence.values), units=evidence.units)
    assert _trace(engine.score(scheme, plain)) == _trace(engine.score(scheme, evidence))


def test_parse_cache_keeps_text_floats_and_ints_apart() -> None:
    from decimal import Decimal

    from kaohe.evidence import _ParseCache
    from kaohe.rules.base import InputSpec, ValueType

    cache = _ParseCache()
    count = InputSpec("n", ValueType.COUNT)
    points = InputSpec("p", ValueType.POINTS, maximum=Decimal(10))
    # 3 == 3.0 == True in Python: each kind is parsed and kept on its own.
    assert cache.parse(count, 3.0) == (3, 3.0) and cache.parse(count, 3) == (3, 3)
    assert cache.parse(count, "3") == (3, "3") and cache.parse(count, 3.0)[1].__class__ is float
    assert cache.parse(points, "2.50") == (Decimal("2.50"), "2.50")
    assert str(cache.parse(points, 2.5)[0]) == "2.5"  # a float cell through its shortest form
    bool_spec = InputSpec("b", ValueType.BOOL)
    assert cache.parse(bool_spec, True) == (True, True) and cache.parse(bool_spec, "否") == (False, "否")
    import pytest as _pytest

    from kaohe.rules.base import BadValue
    with _pytest.raises(BadValue):  # refusals are never remembered as values
        cache.parse(count, "-1")
    with _pytest.raises(BadValue):
        cache.parse(count, "-1")


def test_results_read_by_line_equal_results_read_whole(tmp_path: Path) -> None:
    import json

    from kaohe.commands.rank import standings_from
    from kaohe.evidence.results import load_results

    scheme, evidence = _many_units(tmp_path, 30)
    written = tmp_path / "r.json"
    from typer.testing import CliRunner

    from kaohe.cli import build_app

    assert CliRunner().invoke(build_app(), ["score", str(scheme), str(evidence), "-o", str(written)]).exit_code == 0
    whole = json.loads(written.read_text(encoding="utf-8"))
    pretty, compact = tmp_path / "pretty.json", tmp_path / "compact.json"
    pretty.write_text(json.dumps(whole, ensure_ascii=False, indent=2), encoding="utf-8")  # the old layout
    compact.write_text(json.dumps(whole, ensure_ascii=False), encoding="utf-8")
    read = [load_results(p) for p in (written, pretty, compact)]
    assert read[0] == read[1] == read[2]
    assert len(read[0]["units"]) == 30 and "criteria" not in read[0]["units"][0]
    assert standings_from(read[0], written) == standings_from(read[1], pretty)
    expected = {u["unit"]: u["total"] for u in whole["units"]}
    assert {s.unit: str(s.total) for s in standings_from(read[0], written)} == expected


def test_a_truncated_results_file_is_refused_not_half_read(tmp_path: Path) -> None:
    from kaohe.errors import EvidenceError
    from kaohe.evidence.results import load_results

    scheme, evidence = _many_units(tmp_path, 3)
    written = tmp_path / "r.json"
    from typer.testing import CliRunner

    from kaohe.cli import build_app

    assert CliRunner().invoke(build_app(), ["score", str(scheme), str(evidence), "-o", str(written)]).exit_code == 0
    lines = written.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut.json"
    cut.write_text("".join(lines[:-3]), encoding="utf-8")  # the last unit and the closing lines lost
    with pytest.raises(EvidenceError) as refused:
        load_results(cut)
    assert "cut.json" in str(refused.value)


def test_node_columns_are_each_units_own_points() -> None:
    # shaoxing's per-unit task lists give each unit a layout of its own (NodeMaps of different
    # indexes); changzhou's units share one; a plain dict and a missing id are read one by one
    from kaohe.report.tables import node_columns

    maps: list[object] = []
    for name in ("shaoxing-2022", "changzhou-2018"):
        scheme = load_scheme(SCHEMES / f"{name}.yaml").scheme
        evidence = read_evidence(_evidence_files(SCHEMES / f"{name}.yaml")[:1], scheme)
        maps += [unit.sections for unit in engine.score(scheme, evidence).units]
    maps.insert(3, dict(maps[0].items()))  # type: ignore[attr-defined]
    ids = sorted({i for m in maps for i in m}) + ["no such section"]  # type: ignore[attr-defined]
    expected = [[m[i].points if i in m else "" for m in maps] for i in ids]  # type: ignore[index,operator]
    columns, present = node_columns(maps, ids)  # type: ignore[arg-type]
    assert columns == expected and present == set(ids) - {"no such section"}
    alone = [m for m in maps if isinstance(m, engine.NodeMap) and m._index is maps[-1]._index]  # type: ignore[attr-defined]
    columns, present = node_columns(alone, ids, None)  # type: ignore[arg-type]
    assert columns == [[m[i].points if i in m else None for m in alone] for i in ids]  # type: ignore
    assert present == {i for m in alone for i in m}  # type: ignore[attr-defined]
    indexes = {id(m._index) for m in maps if isinstance(m, engine.NodeMap)}  # type: ignore[attr-defined]
    assert len(indexes) > 2 and any(v != "" for line in expected for v in line)  # layouts told apart
    assert node_columns(maps, []) == ([], set())  # type: ignore[arg-type]

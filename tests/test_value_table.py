"""ValueTable holds values as columns (kaohe.evidence.held): a run taken whole must hold what
taking its rows one at a time holds, all or nothing, and hand back equal Values."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.errors import Location
from kaohe.evidence import Value, ValueTable
from kaohe.evidence.tables import CsvLocator, Fixed

UNITS = [f"单位{n}" for n in range(6)]
IDS = ["1.1", "1.2", "2.1", "联用处方数"]
TYPED = {raw: (raw, int(raw)) for raw in ("0", "1", "2", "85")}
"""A raw cell -> (raw, typed value): one object each, as the parse cache shares them."""


def _run(units: list[str], ids: list[str], raws: list[str], rows: list[int], notes: list[str], table: ValueTable,
         reference: dict[tuple[str, str], Value], locate: object) -> bool:
    """The run given to `table` whole, and to `reference` row by row unless a (unit, id) is
    held already or comes twice (then none of it, as add_run promises)."""
    keys = list(zip(ids, raws, strict=True))
    typed = {key: (key[0], TYPED[key[1]][1], TYPED[key[1]][0]) for key in keys}
    taken = table.add_run(units, ids, keys, typed, locate, 2, rows, notes)  # type: ignore[arg-type]
    pairs = list(zip(units, ids, strict=True))
    clash = len(set(pairs)) < len(pairs) or any(pair in reference for pair in pairs)
    assert taken is not clash
    if taken:
        for unit, input_id, raw, row, note in zip(units, ids, raws, rows, notes, strict=True):
            raw_kept, value = TYPED[raw]
            reference[(unit, input_id)] = Value(value, raw_kept, locate, row, 2, note)  # type: ignore[arg-type]
    return taken


def _same(table: ValueTable, reference: dict[tuple[str, str], Value]) -> None:
    assert len(table) == len(reference)
    assert dict(table) == reference
    for (unit, input_id), value in reference.items():
        held = table[(unit, input_id)]
        assert held == value and held.value is value.value and held.raw is value.raw
        assert table.unit(unit)[input_id] == value and input_id in table.unit(unit)
    for unit in UNITS:
        assert dict(table.unit(unit)) == {i: v for (u, i), v in reference.items() if u == unit}


def _periodic(first_unit: int, count: int, ids: list[str], start: int) -> tuple[list[str], list[str]]:
    """Long-form rows as offices write them: each unit's ids in one order, unit after unit,
    the run beginning at row `start` of that pattern (mid-unit, as runs of a file do)."""
    rows = [(UNITS[first_unit + (start + k) // len(ids)], ids[(start + k) % len(ids)]) for k in range(count)]
    return [u for u, _ in rows], [i for _, i in rows]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_runs_hold_what_rows_one_at_a_time_hold(data: st.DataObject) -> None:
    table, reference = ValueTable(), {}
    locate = CsvLocator("e.csv") if data.draw(st.booleans()) else Fixed(Location("e.csv"))
    row = 2
    for _ in range(data.draw(st.integers(1, 5))):
        if data.draw(st.booleans()):  # a periodic run: the slices path
            ids = data.draw(st.permutations(IDS).map(lambda p: list(p)))[:data.draw(st.integers(1, len(IDS)))]
            first = data.draw(st.integers(0, 2))
            start = data.draw(st.integers(0, len(ids) - 1))
            count = data.draw(st.integers(1, (len(UNITS) - first) * len(ids) - start))
            units, id_column = _periodic(first, count, ids, start)
        else:  # any rows: the row-by-row path
            count = data.draw(st.integers(1, 12))
            units = data.draw(st.lists(st.sampled_from(UNITS), min_size=count, max_size=count))
            id_column = data.draw(st.lists(st.sampled_from(IDS), min_size=count, max_size=count))
        raws = data.draw(st.lists(st.sampled_from(sorted(TYPED)), min_size=count, max_size=count))
        notes = data.draw(st.lists(st.sampled_from(["", "", "补报"]), min_size=count, max_size=count))
        rows = list(range(row, row + count))
        row += count
        _run(units, id_column, raws, rows, notes, table, reference, locate)
        _same(table, reference)
    # a value set one at a time, and one taken away, after the runs
    if reference:
        key = data.draw(st.sampled_from(sorted(reference)))
        del table[key]
        del reference[key]
        _same(table, reference)
    extra = Value.at(7, "7", Location("另.csv"), note="手填")
    table[("单位5", "9.9")] = extra
    reference[("单位5", "9.9")] = extra
    _same(table, reference)


def test_a_unit_already_holding_an_id_makes_a_periodic_run_take_nothing() -> None:
    # units 0-2 each give 1.1 then 1.2 (rows 2-7): a periodic run. A second run of units 2-3
    # repeats (单位2, 1.1), so it takes nothing, and the first run's six values stay as they were.
    table, reference = ValueTable(), {}
    locate = CsvLocator("e.csv")
    units, ids = _periodic(0, 6, ["1.1", "1.2"], 0)
    assert _run(units, ids, ["1"] * 6, list(range(2, 8)), [""] * 6, table, reference, locate)
    units, ids = _periodic(2, 4, ["1.1", "1.2"], 0)
    assert not _run(units, ids, ["2"] * 4, list(range(8, 12)), [""] * 4, table, reference, locate)
    _same(table, reference)
    assert len(table) == 6 and ("单位3", "1.1") not in table and table[("单位2", "1.1")].value == 1


def test_a_row_held_whole_where_its_row_is_no_machine_integer() -> None:
    # a Value whose row does not fit the column's 64-bit rows is kept as it is
    here = Fixed(Location("t"))
    odd = Value(1, "1", here, 1 << 70, 0)
    table = ValueTable()
    table[("甲", "1.1")] = odd
    assert table[("甲", "1.1")] is odd and table.unit("甲") == {"1.1": odd} and len(table) == 1

"""`make bench`: kaohe's wall time and peak memory at several sizes, against the bare readers.

Generates long-form evidence for a bundled scheme (CSV in UTF-8 with BOM and in GB18030, and
XLSX), then times each command in a fresh process (median of --runs; peak RSS from wait4) and
the bare reads (csv module; python-calamine) and, where pandas is installed, the way office
scripts do it today (pandas read + a row loop). Writes a Markdown table. Stdlib timing only; no
network. Figures are medians measured in one run on one machine: compare ratios, not seconds.

The outputs (-o json/csv/xlsx) and `rank` do not depend on the evidence format: they are measured
on the UTF-8 CSV only (--all-outputs measures them for every format), which keeps the whole run
well under 15 minutes.

The main workload is bench/schemes/xuzhou-stats-2017.yaml, the bundled 徐州 scheme as it stood
before its rates were computed from counts: the same 19 inputs a unit, so that figures compare
with earlier runs. A second table measures bench/schemes/computed-relative.yaml, a workload that
uses computed values, the mean of all units, relative and place rules and a veto set by a
condition (--computed-sizes, 10,000 units by default).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(ROOT / "src"))


LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MiB) of one child process.

    The child is started by a small launcher process: Linux carries a process's peak RSS across
    fork and exec, so a child forked straight from this (large) process would report this
    process's memory as its own."""
    result = subprocess.run([PY, "-c", LAUNCHER, *argv], capture_output=True, text=True, cwd=ROOT)
    try:
        elapsed, peak, code = result.stdout.split()
    except ValueError:
        raise SystemExit(f"failed: {' '.join(argv)}\n{result.stderr[-2000:]}") from None
    if code != "0":
        raise SystemExit(f"failed ({code}): {' '.join(argv)}\n{result.stderr[-2000:]}")
    return float(elapsed), int(peak) // 1024


def median_of(argv: list[str], runs: int) -> tuple[float, int]:
    samples = [run(argv) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def input_specs(scheme_path: Path) -> list:  # type: ignore[type-arg]
    """What the evidence gives for each unit: criteria's own inputs and the declared ones."""
    from kaohe.rules.base import ValueType
    from kaohe.scheme.load import load_scheme
    from kaohe.scheme.names import declared_specs

    scheme = load_scheme(scheme_path).scheme
    specs = [spec for _, spec in scheme.criterion_inputs() if spec.type is not ValueType.EVENTS]
    return specs + [spec for decl in scheme.inputs if decl.per_unit is None
                    for spec in declared_specs(decl, scheme.rates)]


def make_value(spec, rng: random.Random) -> str:  # type: ignore[no-untyped-def]
    from kaohe.rules.base import ValueType

    kind = spec.type
    if kind is ValueType.BOOL:
        return rng.choice(["是", "否"])
    if kind is ValueType.COUNT:
        return str(rng.randint(0, 6))
    if kind is ValueType.LEVEL:
        return rng.choice(spec.choices)
    if kind is ValueType.RATE:
        return f"{rng.randint(35, 100)}%"
    if kind is ValueType.POINTS:
        low, high = int(spec.minimum or 0), int(spec.maximum or 10)
        return str(rng.randint(max(low, 1 if low else 0), high))
    return str(rng.randint(1, 12))  # a number is never 0: it may be a divisor (a target)


def generate(folder: Path, specs: list, units: int) -> dict[str, Path]:  # type: ignore[type-arg]
    """The same rows as UTF-8 (BOM) CSV, GB18030 CSV and XLSX (written by kaohe's streaming writer)."""
    from kaohe.report.xlsxout import SheetSpec, write_xlsx

    rng = random.Random(units)
    rows = [(f"单位{u:06d}", spec.id, make_value(spec, rng)) for u in range(units) for spec in specs]
    files = {"csv-utf8": folder / f"e{units}.csv", "csv-gb18030": folder / f"e{units}-gb.csv",
             "xlsx": folder / f"e{units}.xlsx"}
    for key, encoding in (("csv-utf8", "utf-8-sig"), ("csv-gb18030", "gb18030")):
        with open(files[key], "w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["单位", "指标", "值"])
            writer.writerows(rows)
    sheet = SheetSpec("证据", [["单位", "指标", "值"]], more=(list(r) for r in rows), more_count=len(rows))
    write_xlsx(files["xlsx"], [sheet], [], timestamp=False)
    return files


BARE_CSV = ("import csv,sys\nn=0\nwith open(sys.argv[1],encoding=sys.argv[2],newline='') as f:\n"
            "    for row in csv.reader(f): n+=1\n")
BARE_XLSX = ("import sys\nfrom python_calamine import CalamineWorkbook\n"
             "book=CalamineWorkbook.from_path(sys.argv[1])\n"
             "rows=sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)\n")
"""Every sheet, as kaohe reads them: past Excel's 1,048,576 rows the evidence continues on further
sheets, and reading the first alone would time half the work."""
PEER = """
# What an office script does: pandas reads the sheet, a row loop parses each value and the
# criteria are evaluated per unit and summed (no checks, no caps above the criterion, no trace).
import sys
import pandas
from kaohe.rules.base import parse_value
from kaohe.scheme.load import load_scheme
scheme = load_scheme(sys.argv[1]).scheme
path, encoding = sys.argv[2], sys.argv[3]
if path.endswith(".xlsx"):
    frame = pandas.read_excel(path, dtype=str)
else:
    frame = pandas.read_csv(path, dtype=str, encoding=encoding)
specs = {spec.id: spec for _, spec in scheme.criterion_inputs()}
units = {}
for unit, input_id, raw in frame.itertuples(index=False):
    units.setdefault(unit, {})[input_id] = parse_value(specs[input_id], raw)
criteria = [c for _, _, c in scheme.criteria()]
totals = {}
for unit, values in units.items():
    total = 0
    for c in criteria:
        ids = [spec.id for spec in c.inputs()]
        if all(i in values for i in ids):
            points = c.rule.evaluate(c.id, {i: values[i] for i in ids}, c.points).points
            total += min(points, c.points) if c.points is not None else points
    totals[unit] = total
ranking = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
"""


def has_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scheme", default=str(ROOT / "bench" / "schemes" / "xuzhou-stats-2017.yaml"),
                        help="a scheme file, or the id of a bundled scheme")
    parser.add_argument("--computed-sizes", default="10000", help="sizes for the computed-values workload ('' for none)")
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (1 at the largest size)")
    parser.add_argument("--peer-max", type=int, default=10000, help="largest size for the pandas peer figure")
    parser.add_argument("--all-outputs", action="store_true", help="measure outputs for every evidence format")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    began = time.perf_counter()
    kaohe = [PY, "-m", "kaohe"]
    source = Path(args.scheme) if args.scheme.endswith(".yaml") else ROOT / "schemes" / f"{args.scheme}.yaml"
    specs = input_specs(source)
    peer = has_pandas()
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [f"# kaohe benchmark — {time.strftime('%Y-%m-%d')}, {platform.node()} "
             f"({os.cpu_count()} cores, Python {platform.python_version()})", "",
             f"Scheme `{source.relative_to(ROOT)}` ({len(specs)} inputs per unit), long-form evidence (one row per value). "
             f"Medians of {args.runs} runs (1 at the largest size); peak RSS of the process. Every time "
             "includes starting Python and kaohe (about 0.3 s).", ""]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # The scheme without its unit list, so that generated units are accepted.
        scheme = without_units(source, folder / "scheme.yaml")
        startup = median_of([*kaohe, "--help"], 5)
        validate = median_of([*kaohe, "validate", str(scheme)], 5)
        lines += ["| start-up | median s | peak MiB |", "|---|---:|---:|",
                  f"| `kaohe --help` | {startup[0]:.3f} | {startup[1]} |",
                  f"| `kaohe validate` (one scheme) | {validate[0]:.3f} | {validate[1]} |", ""]
        lines += ["| units | rows | format | bare read s | score s | score peak MiB | ratio to bare | "
                  "per 1,000 rows ms | peer (pandas) s | -o json s (MiB) | -o csv s (MiB) | -o xlsx s (MiB) | "
                  "rank s (MiB) |",
                  "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        print("\n".join(lines), flush=True)
        for size in sizes:
            runs = 1 if size == max(sizes) else args.runs
            files = generate(folder, specs, size)
            rows = size * len(specs)
            for fmt, path in files.items():
                encoding = "gb18030" if fmt == "csv-gb18030" else "utf-8-sig"
                if fmt == "xlsx":
                    bare = median_of([PY, "-c", BARE_XLSX, str(path)], runs)
                else:
                    bare = median_of([PY, "-c", BARE_CSV, str(path), encoding], runs)
                scored = median_of([*kaohe, "score", str(scheme), str(path)], runs)
                peer_time = "—"
                if peer and size <= args.peer_max:
                    peer_time = f"{median_of([PY, '-c', PEER, str(scheme), str(path), encoding], runs)[0]:.2f}"
                cells = ["—"] * 4
                if fmt == "csv-utf8" or args.all_outputs:
                    outputs = {}
                    for suffix in ("json", "csv", "xlsx"):
                        out = folder / f"r{size}.{suffix}"
                        outputs[suffix] = median_of([*kaohe, "score", str(scheme), str(path), "-o", str(out)], runs)
                    ranked = median_of([*kaohe, "rank", str(scheme), str(folder / f"r{size}.json")], runs)
                    cells = [f"{seconds:.2f} ({peak})" for seconds, peak in
                             (outputs["json"], outputs["csv"], outputs["xlsx"], ranked)]
                lines.append(f"| {size:,} | {rows:,} | {fmt} | {bare[0]:.2f} | {scored[0]:.2f} | {scored[1]} | "
                             f"{scored[0] / bare[0]:.1f}× | {1e6 * scored[0] / rows:.1f} | "
                             f"{peer_time} | {' | '.join(cells)} |")
                print(lines[-1], flush=True)
        computed = [int(s) for s in args.computed_sizes.split(",") if s]
        if computed:
            lines += computed_table(folder, computed, args.runs)
    lines += ["", f"Whole benchmark: {time.perf_counter() - began:.0f} s."
              + ("" if peer else " pandas is not installed here: no peer figure.")]
    report = "\n".join(lines) + "\n"
    Path(args.out).write_text(report, encoding="utf-8")
    print(lines[-1])


def without_units(source: Path, target: Path) -> Path:
    """The scheme without its unit list, so that generated units are accepted."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        if line.startswith("units:"):
            skipping = True
            continue
        if skipping and line[:1] not in (" ", "-", "#", "\n", ""):
            skipping = False
        if not skipping:
            out.append(line)
    target.write_text("".join(out), encoding="utf-8")
    return target


def computed_table(folder: Path, sizes: list[int], runs: int) -> list[str]:
    """Score and -o json on the computed-values workload, UTF-8 CSV."""
    kaohe = [PY, "-m", "kaohe"]
    source = ROOT / "bench" / "schemes" / "computed-relative.yaml"
    specs = input_specs(source)
    scheme = without_units(source, folder / "computed.yaml")
    lines = ["", f"Scheme `{source.relative_to(ROOT)}` ({len(specs)} inputs per unit: figures, completion "
             "rates computed from them, the mean of all units, relative and place rules, a veto set by a "
             "condition), UTF-8 CSV.", "",
             "| units | rows | bare read s | score s | score peak MiB | ratio to bare | per 1,000 rows ms | "
             "-o json s (MiB) |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    for size in sizes:
        sub = folder / f"computed{size}"
        sub.mkdir()
        path = generate(sub, specs, size)["csv-utf8"]
        rows = size * len(specs)
        bare = median_of([PY, "-c", BARE_CSV, str(path), "utf-8-sig"], runs)
        scored = median_of([*kaohe, "score", str(scheme), str(path)], runs)
        json_out = median_of([*kaohe, "score", str(scheme), str(path), "-o", str(sub / "r.json")], runs)
        lines.append(f"| {size:,} | {rows:,} | {bare[0]:.2f} | {scored[0]:.2f} | {scored[1]} | "
                     f"{scored[0] / bare[0]:.1f}× | {1e6 * scored[0] / rows:.1f} | {json_out[0]:.2f} ({json_out[1]}) |")
        print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    main()

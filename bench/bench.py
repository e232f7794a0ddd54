"""`make bench`: kaohe's wall time and peak memory at several sizes, against the bare readers.

Generates long-form evidence for a bundled scheme (CSV in UTF-8 with BOM and in GB18030, and
XLSX), then times each command in a fresh process (median of --runs; peak RSS from wait4) and
the bare reads (csv module; python-calamine) and the peers an office scripter would write
(bench/peers/: pandas, polars and DuckDB computing the same exact totals, checked equal to
kaohe's; each where its library is installed, `pip install -e '.[bench]'`). Writes a Markdown table. Stdlib timing only; no
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
import compileall
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


FORMATS = ("csv-utf8", "csv-gb18030", "xlsx")


def generate(folder: Path, specs: list, units: int,  # type: ignore[type-arg]
             formats: tuple[str, ...] = FORMATS) -> dict[str, Path]:
    """The same rows as UTF-8 (BOM) CSV, GB18030 CSV and XLSX (written by kaohe's streaming writer)."""
    from kaohe.report.xlsxout import SheetSpec, write_xlsx

    rng = random.Random(units)
    rows = [(f"单位{u:06d}", spec.id, make_value(spec, rng)) for u in range(units) for spec in specs]
    files = {fmt: folder / name for fmt, name in (("csv-utf8", f"e{units}.csv"), ("csv-gb18030", f"e{units}-gb.csv"),
                                                  ("xlsx", f"e{units}.xlsx")) if fmt in formats}
    for key, encoding in (("csv-utf8", "utf-8-sig"), ("csv-gb18030", "gb18030")):
        if key not in files:
            continue
        with open(files[key], "w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["单位", "指标", "值"])
            writer.writerows(rows)
    if "xlsx" in files:
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


def has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


PEERS = ("pandas", "polars", "duckdb")
"""bench/peers/peer_<name>.py: the xuzhou scheme's exact totals in that library (UTF-8 CSV only)."""


def exact_peers(folder: Path, path: Path, kaohe_csv: Path, runs: int) -> list[str]:
    """Each installed peer's median seconds on the UTF-8 CSV, checked equal to kaohe's totals
    (kaohe_csv: what `score -o csv` wrote); "—" for a peer whose library is not installed."""
    cells = []
    for name in PEERS:
        if not has_module(name):
            cells.append("—")
            continue
        out = folder / f"peer-{name}.csv"
        script = str(ROOT / "bench" / "peers" / f"peer_{name}.py")
        seconds, _ = median_of([PY, script, str(path), str(out)], runs)
        check = subprocess.run([PY, str(ROOT / "bench" / "peers" / "check.py"), str(kaohe_csv), str(out)],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"peer {name} disagrees with kaohe:\n{check.stdout}{check.stderr}")
        cells.append(f"{seconds:.2f}")
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scheme", default=str(ROOT / "bench" / "schemes" / "xuzhou-stats-2017.yaml"),
                        help="a scheme file, or the id of a bundled scheme")
    parser.add_argument("--computed-sizes", default="10000", help="sizes for the computed-values workload ('' for none)")
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (1 at the largest size)")
    parser.add_argument("--peer-max", type=int, default=10**9, help="largest size for the peers (bench/peers/)")
    parser.add_argument("--all-outputs", action="store_true", help="measure outputs for every evidence format")
    parser.add_argument("--formats", default=",".join(FORMATS), help="evidence formats to generate and measure")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    began = time.perf_counter()
    # As an installed kaohe starts: pip writes the bytecode when it installs, an editable checkout
    # under PYTHONDONTWRITEBYTECODE never does, and every process would compile kaohe afresh.
    compileall.compile_dir(str(ROOT / "src"), quiet=1)
    kaohe = [PY, "-m", "kaohe"]
    source = Path(args.scheme) if args.scheme.endswith(".yaml") else ROOT / "schemes" / f"{args.scheme}.yaml"
    specs = input_specs(source)
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
                  "per 1,000 rows ms | -o json s (MiB) | -o csv s (MiB) | -o xlsx s (MiB) | "
                  "rank s (MiB) | exact pandas s | exact polars s | exact duckdb s |",
                  "|---:|---:|---|" + "---:|" * 12]
        print("\n".join(lines), flush=True)
        for size in sizes:
            runs = 1 if size == max(sizes) else args.runs
            files = generate(folder, specs, size, tuple(args.formats.split(",")))
            rows = size * len(specs)
            for fmt, path in files.items():
                encoding = "gb18030" if fmt == "csv-gb18030" else "utf-8-sig"
                if fmt == "xlsx":
                    bare = median_of([PY, "-c", BARE_XLSX, str(path)], runs)
                else:
                    bare = median_of([PY, "-c", BARE_CSV, str(path), encoding], runs)
                scored = median_of([*kaohe, "score", str(scheme), str(path)], runs)
                cells = ["—"] * 4
                peers = ["—"] * len(PEERS)
                if fmt == "csv-utf8" or args.all_outputs:
                    outputs = {}
                    for suffix in ("json", "csv", "xlsx"):
                        out = folder / f"r{size}.{suffix}"
                        outputs[suffix] = median_of([*kaohe, "score", str(scheme), str(path), "-o", str(out)], runs)
                    ranked = median_of([*kaohe, "rank", str(scheme), str(folder / f"r{size}.json")], runs)
                    cells = [f"{seconds:.2f} ({peak})" for seconds, peak in
                             (outputs["json"], outputs["csv"], outputs["xlsx"], ranked)]
                    # The exact peers hard-code the xuzhou rules and read UTF-8 CSV only.
                    if fmt == "csv-utf8" and source.name == "xuzhou-stats-2017.yaml" and size <= args.peer_max:
                        peers = exact_peers(folder, path, folder / f"r{size}.csv", runs)
                lines.append(f"| {size:,} | {rows:,} | {fmt} | {bare[0]:.2f} | {scored[0]:.2f} | {scored[1]} | "
                             f"{scored[0] / bare[0]:.1f}× | {1e6 * scored[0] / rows:.1f} | "
                             f"{' | '.join(cells)} | {' | '.join(peers)} |")
                print(lines[-1], flush=True)
        computed = [int(s) for s in args.computed_sizes.split(",") if s]
        if computed:
            lines += computed_table(folder, computed, args.runs)
    lines += ["", f"Whole benchmark: {time.perf_counter() - began:.0f} s."
]
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

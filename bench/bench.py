"""`make bench`: kaohe's wall time and peak memory at several sizes, against the bare readers.

Generates long-form evidence for a bundled scheme (CSV in UTF-8 with BOM and in GB18030, and
XLSX), then times each command in a fresh process (median of --runs; peak RSS from wait4) and
the bare reads (csv module; python-calamine), and writes a Markdown table. Stdlib timing only;
no network. Figures are medians measured in one run on one machine: compare ratios, not seconds.
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


def run(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"failed: {' '.join(argv)}")
    return elapsed, usage.ru_maxrss // 1024


def median_of(argv: list[str], runs: int) -> tuple[float, int]:
    samples = [run(argv) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def values_for(scheme_path: Path) -> tuple[list[str], list]:  # type: ignore[type-arg]
    sys.path.insert(0, str(ROOT / "src"))
    from kaohe.rules.base import ValueType
    from kaohe.scheme.load import load_scheme

    scheme = load_scheme(scheme_path).scheme
    specs = [spec for _, spec in scheme.inputs() if spec.type is not ValueType.EVENTS]
    return [s.id for s in specs], specs


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
    return str(rng.randint(0, 12))


def generate(folder: Path, specs: list, units: int) -> dict[str, Path]:  # type: ignore[type-arg]
    rng = random.Random(units)
    rows = [(f"单位{u:06d}", spec.id, make_value(spec, rng)) for u in range(units) for spec in specs]
    files = {"csv-utf8": folder / f"e{units}.csv", "csv-gb18030": folder / f"e{units}-gb.csv",
             "xlsx": folder / f"e{units}.xlsx"}
    for key, encoding in (("csv-utf8", "utf-8-sig"), ("csv-gb18030", "gb18030")):
        with open(files[key], "w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["单位", "指标", "值"])
            writer.writerows(rows)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("证据")
    sheet.append(["单位", "指标", "值"])
    for row in rows:
        sheet.append(list(row))
    book.save(files["xlsx"])
    return files


BARE_CSV = ("import csv,sys\nn=0\nwith open(sys.argv[1],encoding=sys.argv[2],newline='') as f:\n"
            "    for row in csv.reader(f): n+=1\n")
BARE_XLSX = ("import sys\nfrom python_calamine import CalamineWorkbook\n"
             "rows=CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scheme", default="xuzhou-stats-2017")
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (1 for the largest size)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    kaohe = [PY, "-m", "kaohe"]
    source = ROOT / "schemes" / f"{args.scheme}.yaml"
    ids, specs = values_for(source)
    lines = [f"# kaohe benchmark — {time.strftime('%Y-%m-%d')}, {platform.node()} "
             f"({os.cpu_count()} cores, Python {platform.python_version()})", "",
             f"Scheme `{args.scheme}` ({len(ids)} inputs per unit), long-form evidence. Medians of "
             f"{args.runs} runs ({1} at the largest size); peak RSS of the process.", ""]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # The scheme without its unit list, so that generated units are accepted.
        text = source.read_text(encoding="utf-8")
        start, end = text.index("\nunits:"), text.index("\nranking:")
        scheme = folder / "scheme.yaml"
        scheme.write_text(text[:start] + text[end:], encoding="utf-8")
        startup = median_of([*kaohe, "--help"], 5)
        validate = median_of([*kaohe, "validate", str(scheme)], 5)
        lines += ["| start-up | median s | peak MiB |", "|---|---:|---:|",
                  f"| `kaohe --help` | {startup[0]:.3f} | {startup[1]} |",
                  f"| `kaohe validate` (small scheme) | {validate[0]:.3f} | {validate[1]} |", ""]
        lines += ["| units | rows | format | bare read s | score s | score peak MiB | ratio | -o json s | "
                  "-o csv s | -o xlsx s | rank s | per 1,000 rows ms |",
                  "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        sizes = [int(s) for s in args.sizes.split(",")]
        for size in sizes:
            runs = 1 if size == max(sizes) else args.runs
            files = generate(folder, specs, size)
            rows = size * len(ids)
            for fmt, path in files.items():
                if fmt == "xlsx":
                    bare = median_of([PY, "-c", BARE_XLSX, str(path)], runs)
                else:
                    encoding = "utf-8-sig" if fmt == "csv-utf8" else "gb18030"
                    bare = median_of([PY, "-c", BARE_CSV, str(path), encoding], runs)
                scored = median_of([*kaohe, "score", str(scheme), str(path)], runs)
                outputs = {}
                for suffix in ("json", "csv", "xlsx"):
                    out = folder / f"r{size}.{suffix}"
                    outputs[suffix] = median_of([*kaohe, "score", str(scheme), str(path), "-o", str(out)], runs)
                ranked = median_of([*kaohe, "rank", str(scheme), str(folder / f"r{size}.json")], runs)
                lines.append(f"| {size:,} | {rows:,} | {fmt} | {bare[0]:.2f} | {scored[0]:.2f} | {scored[1]} | "
                             f"{scored[0] / bare[0]:.1f}× | {outputs['json'][0]:.2f} | {outputs['csv'][0]:.2f} | "
                             f"{outputs['xlsx'][0]:.2f} | {ranked[0]:.2f} | {1e6 * scored[0] / rows:.1f} |")
                print(lines[-1], flush=True)
    report = "\n".join(lines) + "\n"
    Path(args.out).write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()

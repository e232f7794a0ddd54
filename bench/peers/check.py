"""Check that a peer's totals equal kaohe's, unit by unit, as exact numbers.

    python check.py KAOHE_OUT PEER_OUT.csv

KAOHE_OUT is what `kaohe score SCHEME EVIDENCE -o out.csv` wrote (columns 单位 and 总分; other
columns are ignored), or a results file written with `-o out.json` (kaohe-results: each unit's
"total" is exact, "230/3" for a value with no finite decimal form). PEER_OUT.csv has columns
单位,总分. Totals are compared as exact numbers (Decimal text, or a fraction from the JSON), so
"81.50" equals "81.5". A total shown rounded in kaohe's CSV ("≈76.67") cannot be compared exactly:
it is reported as a difference; give the JSON results file instead.

Exit 0 when both files hold the same units with equal totals; otherwise the first differences are
printed and the exit status is 1 (2 for a file that cannot be read).
"""

from __future__ import annotations

import csv
import json
import sys
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

SHOWN = 10  # differences printed


def exact(text: str) -> Fraction | None:
    """ "81.5", "90", "230/3" as an exact number; None for anything else ("≈76.67", "")."""
    text = text.strip()
    try:
        if "/" in text:
            numerator, denominator = text.split("/")
            return Fraction(int(numerator), int(denominator))
        number = Decimal(text)
    except (InvalidOperation, ValueError, ZeroDivisionError):
        return None
    return Fraction(number) if number.is_finite() else None


def totals(path: Path) -> dict[str, str]:
    """单位 → 总分 text, from a CSV with those columns or a kaohe results JSON."""
    if path.suffix.lower() == ".json":
        document = json.loads(path.read_text(encoding="utf-8-sig"))
        if document.get("format") != "kaohe-results":
            raise SystemExit(f"{path}: not a kaohe results file")
        pairs = [(unit["unit"], str(unit["total"])) for unit in document["units"]]
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"单位", "总分"} - set(reader.fieldnames or [])
            if missing:
                raise SystemExit(f"{path}: no column {'、'.join(sorted(missing))} (has {reader.fieldnames})")
            pairs = [(row["单位"], row["总分"]) for row in reader]
    result: dict[str, str] = {}
    for unit, total in pairs:
        if unit in result:
            raise SystemExit(f"{path}: unit {unit} appears twice")
        result[unit] = total
    return result


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    kaohe_path, peer_path = Path(sys.argv[1]), Path(sys.argv[2])
    try:
        ours, theirs = totals(kaohe_path), totals(peer_path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"cannot read: {error}", file=sys.stderr)
        return 2
    except SystemExit as error:
        print(error, file=sys.stderr)
        return 2
    differences = []
    for unit in ours.keys() | theirs.keys():
        a, b = ours.get(unit), theirs.get(unit)
        if a is None or b is None:
            differences.append((unit, a, b))
            continue
        x, y = exact(a), exact(b)
        if x is None or y is None or x != y:
            differences.append((unit, a, b))
    if not differences:
        print(f"equal: {len(ours)} units, every total the same ({kaohe_path.name} = {peer_path.name})")
        return 0
    differences.sort(key=lambda d: d[0])
    print(f"DIFFERENT: {len(differences)} of {len(ours.keys() | theirs.keys())} units "
          f"({kaohe_path.name} vs {peer_path.name}); the first {min(SHOWN, len(differences))}:")
    for unit, a, b in differences[:SHOWN]:
        print(f"  {unit}: kaohe {a if a is not None else '(no row)'}, peer {b if b is not None else '(no row)'}")
    return 1


if __name__ == "__main__":
    sys.exit(main())

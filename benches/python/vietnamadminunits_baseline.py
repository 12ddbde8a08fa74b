"""Side-by-side baseline: the Python package people use today
(vietnamadminunits, from PyPI) converting the same legacy addresses that
`motcua units convert-csv` converts.

Usage (in a throwaway virtual environment, not part of the build):
    python3 -m venv /tmp/vau && /tmp/vau/bin/pip install vietnamadminunits
    /tmp/vau/bin/python benches/python/vietnamadminunits_baseline.py make addresses.csv 20000
    /tmp/vau/bin/python benches/python/vietnamadminunits_baseline.py run addresses.csv
    time motcua units convert-csv addresses.csv out.csv
It prints rows per second; compare with motcua's summary on the same file.
"""

import csv
import random
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "vn-admin"


def make(out: str, rows: int) -> None:
    with open(DATA / "provinces_legacy.csv", encoding="utf-8") as f:
        provinces = {r["code"]: r["name"] for r in csv.DictReader(f)}
    with open(DATA / "districts_legacy.csv", encoding="utf-8") as f:
        districts = {r["code"]: (r["name"], r["parent_code"]) for r in csv.DictReader(f)}
    with open(DATA / "communes_legacy.csv", encoding="utf-8") as f:
        communes = [(r["name"], r["parent_code"]) for r in csv.DictReader(f)]
    rng = random.Random(2025)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["commune", "district", "province"])
        for _ in range(rows):
            name, d = rng.choice(communes)
            dname, p = districts[d]
            w.writerow([name, dname, provinces[p]])


def run(path: str) -> None:
    from vietnamadminunits import convert_address

    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ok = failed = 0
    start = time.perf_counter()
    for r in rows:
        try:
            convert_address(f'{r["commune"]}, {r["district"]}, {r["province"]}')
            ok += 1
        except Exception:  # the package raises on addresses it cannot read
            failed += 1
    elapsed = time.perf_counter() - start
    print(f"vietnamadminunits: {len(rows)} rows in {elapsed:.2f} s = {len(rows) / elapsed:,.0f} rows/s ({ok} ok, {failed} failed)")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]))
    else:
        run(sys.argv[2])

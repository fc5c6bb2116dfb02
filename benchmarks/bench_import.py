"""Time the SSB import on a large synthetic JSON-stat table: ``python benchmarks/bench_import.py``.

10,000 regions x 20 years (200,000 values), the shape of a national download over two decades.
Before label look-ups by dictionary this took about 18 s on this machine (quadratic in the
number of regions); the anchor printed is that figure.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optimizer.ssb import import_files  # noqa: E402

REPEATS = 3
BEFORE_SECONDS = 17.7  # measured 2026-11-27 before the dictionary look-ups


def large_table(n_regions: int = 10_000, n_years: int = 20) -> bytes:
    regions, years = [f"R{i:05d}" for i in range(n_regions)], [str(2005 + y) for y in range(n_years)]
    return json.dumps({
        "version": "2.0", "class": "dataset", "label": "99999: benchmark", "id": ["Region", "Tid"],
        "size": [n_regions, n_years], "role": {"geo": ["Region"], "time": ["Tid"]},
        "dimension": {"Region": {"category": {"index": regions}}, "Tid": {"category": {"index": years}}},
        "value": list(range(n_regions * n_years)),
    }).encode("utf-8")


def main() -> None:
    raw = large_table()
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        import_files([("99999.json", raw)])
        best = min(best, time.perf_counter() - start)
    print(f"{'case':<44} {'seconds':>8} {'before':>8} {'speed-up':>9}")
    print(f"{'import 200,000 values (10,000 regions)':<44} {best:8.2f} {BEFORE_SECONDS:8.1f} {BEFORE_SECONDS / best:8.0f}x")


if __name__ == "__main__":
    main()

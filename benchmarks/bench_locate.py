"""Time ``optimizer.locate`` on OR-Library instances, against PySAL spopt's ``PMedian``.

Run ``python benchmarks/bench_locate.py``. Instances: cap131 (UFLP) and pmed1-pmed5 (p-median),
read from ``tests/data/orlib/`` with the readers in ``tests/orlib_io.py``. Each time is the best
of ``REPEATS`` runs of model building plus solving; spopt solves the same p-median instances in the
same process with HiGHS through PuLP (``pulp.HiGHS(msg=False)``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pulp

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from optimizer.locate import locate  # noqa: E402
from orlib_io import ORLIB_DIR, published_optima, read_pmedian, read_uflp  # noqa: E402

try:
    from spopt.locate import PMedian
except ImportError:
    PMedian = None

REPEATS = 3
TOLERANCE = 0.01


def best_time(run: Callable[..., float], *args: object) -> tuple[float, float]:
    """Best wall time of ``REPEATS`` calls of ``run(*args)`` and the objective it returned."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        objective = run(*args)
        times.append(time.perf_counter() - start)
    return min(times), objective


def ours_pmedian(distance: np.ndarray, p: int) -> float:
    """Solve the p-median with ``locate``; return the objective."""
    return locate(None, distance, max_open=p).objective


def spopt_pmedian(distance: np.ndarray, p: int) -> float:
    """Build and solve spopt's p-median with HiGHS through PuLP; return the objective."""
    model = PMedian.from_cost_matrix(distance, np.ones(len(distance)), p_facilities=p)
    model.solve(pulp.HiGHS(msg=False))
    return float(model.problem.objective.value())


def main() -> list[dict]:
    """Time every instance, print a table and return one dict per instance."""
    optima = published_optima()
    rows = []
    uflp = read_uflp(ORLIB_DIR / "cap131.txt")
    seconds, objective = best_time(lambda: locate(uflp.fixed_cost, uflp.assign_cost).objective)
    rows.append({"instance": "cap131", "seconds": seconds, "objective": objective})
    for k in range(1, 6):
        instance = read_pmedian(ORLIB_DIR / f"pmed{k}.txt")
        seconds, objective = best_time(ours_pmedian, instance.distance, instance.p)
        row = {"instance": f"pmed{k}", "seconds": seconds, "objective": objective}
        if PMedian is not None:
            spopt = best_time(spopt_pmedian, instance.distance, instance.p)
            row["spopt_seconds"], row["spopt_objective"] = spopt
        rows.append(row)
    for row in rows:
        row["published"] = optima[row["instance"]]
        row["matches_published"] = abs(row["objective"] - row["published"]) <= TOLERANCE
        if "spopt_seconds" in row:
            row["spopt_over_ours"] = row["spopt_seconds"] / row["seconds"]
    print_table(rows)
    return rows


def print_table(rows: list[dict]) -> None:
    if PMedian is None:
        print("spopt is not importable: its column is skipped")
    header = ("instance", "ours s", "spopt s", "spopt/ours", "objective", "published", "match")
    print(f"{header[0]:<9}" + "".join(f"{title:>12}" for title in header[1:]))
    for row in rows:
        spopt = ("", "")
        if "spopt_seconds" in row:
            spopt = (f"{row['spopt_seconds']:.3f}", f"{row['spopt_over_ours']:.2f}")
        cells = (
            f"{row['seconds']:.3f}",
            *spopt,
            f"{row['objective']:.3f}",
            f"{row['published']:.3f}",
            "yes" if row["matches_published"] else "NO",
        )
        print(f"{row['instance']:<9}" + "".join(f"{cell:>12}" for cell in cells))


if __name__ == "__main__":
    main()

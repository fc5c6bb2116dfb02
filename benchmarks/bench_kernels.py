"""``partition_layers`` (the subset programme) against the plain loop it replaced, compiled, same inputs.

Run ``python benchmarks/bench_kernels.py [repeats]``. Old and new run alternately on the same draw
(the machine is shared and noisy); prints the median wall time of each and old/new.
Dense cases are all-finite unit costs with the number of units free (one layer, the common case);
``limited`` is at most 3 units (three layers).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from optimizer.engine import kernels  # noqa: E402
from test_kernels_speed import reference_layers  # noqa: E402

CASES = [(14, None), (16, None), (18, None), (16, 3)]


def through_wrapper(kernel, unit: np.ndarray, max_units: int | None):
    """``kernels.partition_layers`` (same checks and sparse test) with ``kernel`` as the dense loop."""
    original = kernels._kernel
    kernels._kernel = lambda name, n: kernel if name == "layers" else original(name, n)
    try:
        return kernels.partition_layers(unit, max_units)
    finally:
        kernels._kernel = original


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    old = numba.njit(nogil=True)(reference_layers)
    rng = np.random.default_rng(0)
    for n, max_units in CASES:
        unit = rng.uniform(0.0, 10.0, 1 << n)
        limited = max_units is not None and max_units < n
        layers = max_units if limited else 1
        runs = {"old": lambda: through_wrapper(old, unit, max_units), "new": lambda: kernels.partition_layers(unit, max_units)}
        times = {name: [] for name in runs}
        for run in runs.values():  # warm-up (compiles or loads the cache)
            run()
        assert np.array_equal(runs["old"]()[1], runs["new"]()[1])
        for _ in range(repeats if n < 18 else max(3, repeats // 2)):
            for name, run in runs.items():
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
        t_old, t_new = np.median(times["old"]), np.median(times["new"])
        label = f"n={n} " + ("dense, layers=1" if not limited else f"limited, layers={layers}")
        print(f"{label:28s} old {t_old * 1e3:8.1f} ms   new {t_new * 1e3:8.1f} ms   old/new {t_old / t_new:5.2f}")


if __name__ == "__main__":
    main()

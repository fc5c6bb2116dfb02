"""Time the simulation layer on the baseline scenario against the issue's targets.

Run ``python benchmarks/bench_simulation.py``. Times are the best of ``REPEATS`` runs:
- 10,000 simulated years of the baseline plan (2,500 paths x 4 years; the closure table and the
  draws included, the plan's solve not) — target under 1 s;
- the five best alternatives of the baseline from the scenario file (candidate units and five
  MILP solves with no-good cuts) — target under 5 s;
- ranking those five by simulation (2,000 paths x 4 years each);
- the ranking's table with standard errors and the within-noise verdicts (``rows()``, ``within_noise()``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer.alternatives import alternatives  # noqa: E402
from optimizer.pipeline import build_model, run  # noqa: E402
from optimizer.robust import rank_alternatives  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402
from optimizer.simulate import Simulator  # noqa: E402

REPEATS = 3
BASELINE = ROOT / "scenarios" / "baseline.toml"


def best_of(action, repeats: int = REPEATS) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = action()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> list[dict]:
    scenario = load_scenario(BASELINE)
    result = run(scenario)
    sim_seconds, sim = best_of(lambda: Simulator(scenario, result.model).run(result.plan, paths=2500, years=4))
    alt_seconds, found = best_of(lambda: alternatives(load_scenario(BASELINE), 5))
    model = build_model(scenario)
    rank_seconds, ranking = best_of(lambda: rank_alternatives(scenario, found, model=model, paths=2000, years=4))
    noise_seconds, _ = best_of(lambda: (ranking.rows(), ranking.within_noise()))
    rows = [
        {"case": "simulate baseline plan, 10,000 years (2,500 paths x 4)", "seconds": sim_seconds, "target": 1.0},
        {"case": "5 best alternatives of baseline (from the file)", "seconds": alt_seconds, "target": 5.0},
        {"case": "rank the 5 by simulation (2,000 paths x 4 years each)", "seconds": rank_seconds, "target": None},
        {"case": "standard errors and within-noise of that ranking", "seconds": noise_seconds, "target": None},
    ]
    print(f"{'case':<58} {'seconds':>8} {'target':>7} {'ratio':>6}")
    for r in rows:
        target = f"{r['target']:.1f}" if r["target"] else ""
        ratio = f"{r['seconds'] / r['target']:.2f}" if r["target"] else ""
        print(f"{r['case']:<58} {r['seconds']:>8.3f} {target:>7} {ratio:>6}")
    print(f"(simulated {sim.paths * sim.years} years; alternatives cost gaps "
          f"{', '.join(f'{a.gap_nok:.0f}' for a in found)} NOK)")
    return rows


if __name__ == "__main__":
    main()

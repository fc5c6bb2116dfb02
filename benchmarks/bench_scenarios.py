"""Time the municipal model: baseline and all-border scenarios in-process, and the CLI as a process.

Run ``python benchmarks/bench_scenarios.py``. In-process times are the best of ``REPEATS`` runs of
the whole pipeline (scenario file -> candidate units -> both MILPs); the CLI time is the wall
time of ``python -m optimizer run scenarios/baseline.toml`` including interpreter start-up.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer import settlement  # noqa: E402
from optimizer.games import model_game  # noqa: E402
from optimizer.pipeline import build_model, run  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402

REPEATS = 3


def time_scenario(name: str, repeats: int = REPEATS) -> dict:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = run(load_scenario(ROOT / "scenarios" / f"{name}.toml"))
        best = min(best, time.perf_counter() - start)
    return {
        "case": name,
        "seconds": best,
        "candidates": result.model.candidate_count,
        "total_nok": round(result.total_cost),
        "status": result.plan.solve_info.status,
    }


def time_cli(repeats: int = REPEATS) -> dict:
    best = float("inf")
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "optimizer", "run", "scenarios/baseline.toml", "--out", out],
                           cwd=ROOT, check=True, capture_output=True)
            best = min(best, time.perf_counter() - start)
    return {"case": "cli: python -m optimizer run baseline", "seconds": best, "candidates": "", "total_nok": "", "status": "ok"}


def time_game(name: str, repeats: int = REPEATS) -> dict:
    """Candidate units, all coalition costs, Shapley and nucleolus per service (no MILP)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model = build_model(load_scenario(ROOT / "scenarios" / f"{name}.toml"))
        game = model_game(model)
        for service_game in game.by_service.values():
            settlement.shapley(service_game)
            settlement.nucleolus(service_game)
        best = min(best, time.perf_counter() - start)
    return {"case": f"{name}: game ({len(game.total)} coalitions) + Shapley + nucleolus", "seconds": best,
            "candidates": model.candidate_count, "total_nok": "", "status": "ok"}


def main() -> list[dict]:
    rows = [time_scenario("baseline"), time_cli(), time_scenario("all_border", repeats=1), time_game("all_border")]
    print(f"{'case':<58} {'seconds':>8} {'candidates':>10} {'total NOK':>12}  status")
    for r in rows:
        print(f"{r['case']:<58} {r['seconds']:>8.3f} {r['candidates']!s:>10} {r['total_nok']!s:>12}  {r['status']}")
    return rows


if __name__ == "__main__":
    main()

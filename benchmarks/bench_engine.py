"""The county-scale engine (issue 11): member sets from 4 to 18, every set of the shipped 11, the game.

Run ``python benchmarks/bench_engine.py [--quick]``. Each case runs from the scenario table with
the fairness rules on; times are wall seconds, best of ``REPEATS`` where cheap. The status column
says whether the plan is proven optimal; where it is not, the gap to the proven bound is shown.
``--quick`` skips the slow cases (all 128 sets of the 11, 18 members, synthetic regions);
``--synthetic`` runs only the scaling curve of synthetic regions (25, 50, 100 members).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer import settlement  # noqa: E402
from optimizer.alternatives import alternatives  # noqa: E402
from optimizer.engine.compact import AssignmentMILP  # noqa: E402
from optimizer.errors import SolverLimitError  # noqa: E402
from optimizer.games import model_game  # noqa: E402
from optimizer.pipeline import build_model, run  # noqa: E402
from optimizer.scenario import load_scenario, read_scenario_file, resolve  # noqa: E402

from bench_simulation import best_of  # noqa: E402  (benchmarks/ is on the path)
from synthetic import synthetic_model  # noqa: E402

FOUNDERS = ["5620", "5622", "5624", "5626"]
# the order of the issue: Måsøy, Tana, Karasjok, Berlevåg, Båtsfjord, Hammerfest, Alta, then the rest
JOINING = ["5618", "5628", "5610", "5630", "5632", "5603", "5601", "5605", "5607", "5612", "5614", "5616",
           "5634", "5636"]
REPEATS = 3


def scenario_with(members: list[str], time_limit: float | None = None):
    raw, _ = read_scenario_file(ROOT / "scenarios" / "baseline.toml")
    table = dict(raw, members=members, founding=FOUNDERS)
    scenario = resolve(table, scenario_id=f"m{len(members)}")
    if time_limit is not None:
        scenario = dataclasses.replace(scenario, solver=dataclasses.replace(scenario.solver, time_limit=time_limit))
    return scenario


def status(plan) -> str:
    info = plan.solve_info
    return "proven optimal" if info.status == "optimal" else f"not proven, gap {100 * (info.gap or 0):.2f} %"


def row(case: str, seconds: float, note: str) -> dict:
    print(f"{case:<62} {seconds:8.2f}  {note}", flush=True)
    return {"case": case, "seconds": seconds, "note": note}


def growing_member_sets(up_to: int) -> list[dict]:
    rows = []
    for k in range(0, up_to - 3):
        members = FOUNDERS + JOINING[:k]
        seconds, result = best_of(lambda: run(scenario_with(members)), REPEATS if k < 8 else 1)
        rows.append(row(f"{len(members)} members, whole pipeline in-process", seconds,
                        f"{result.total_cost:,.0f} kr, {status(result.plan)}".replace(",", " ")))
    return rows


def every_set_of_the_eleven() -> dict:
    worst, slowest, unproven = 0.0, None, 0
    for k in range(len(JOINING[:7]) + 1):
        for extra in itertools.combinations(JOINING[:7], k):
            seconds, result = best_of(lambda: run(scenario_with(FOUNDERS + list(extra))), 1)
            unproven += result.plan.solve_info.status != "optimal"
            if seconds > worst:
                worst, slowest = seconds, len(extra) + 4
    return row("every member set of the shipped 11 (128 sets): slowest", worst,
               f"at {slowest} members; {unproven} not proven")


def nine_as_process() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "nine.toml"
        members = ", ".join(f'"{m}"' for m in FOUNDERS + JOINING[:5])
        path.write_text(f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\nmembers = [{members}]\n',
                        encoding="utf-8")
        seconds, _ = best_of(lambda: subprocess.run([sys.executable, "-m", "optimizer", "run", str(path), "--out",
                                                   str(Path(folder) / "out")], cwd=ROOT, check=True,
                                                  capture_output=True), REPEATS)
    return row("9 members, python -m optimizer run (process)", seconds, "issue 11 target: under 1.5 s")


def county_as_process() -> dict:
    """All 18 as the issue times them: the scenario file to every output, game and settlement included."""
    with tempfile.TemporaryDirectory() as folder:
        seconds, _ = best_of(lambda: subprocess.run([sys.executable, "-m", "optimizer", "run",
                                                   "scenarios/finnmark_all.toml", "--out", folder], cwd=ROOT,
                                                  check=True, capture_output=True), 1)
        summary = json.loads((Path(folder) / "finnmark_all" / "summary.json").read_text(encoding="utf-8"))
    proven = summary["solver"]["with_fairness"]["status"] == "optimal"
    return row("18 members, python -m optimizer run finnmark_all (process)", seconds,
               ("proven optimal" if proven else "not proven") + "; issue 11 target: under 10 s")


def baseline_as_process() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        seconds, _ = best_of(lambda: subprocess.run([sys.executable, "-m", "optimizer", "run", "scenarios/baseline.toml",
                                                   "--out", folder], cwd=ROOT, check=True, capture_output=True),
                           REPEATS)
    return row("baseline, python -m optimizer run (process)", seconds, "issue 11 target: under 0.6 s")


def county(time_limit: float) -> list[dict]:
    scenario = load_scenario(ROOT / "scenarios" / "finnmark_all.toml")
    scenario = dataclasses.replace(scenario, solver=dataclasses.replace(scenario.solver, time_limit=time_limit))
    start = time.perf_counter()
    model = build_model(scenario)
    game = model_game(model)
    game_seconds = time.perf_counter() - start
    start = time.perf_counter()
    total = game.total
    settlement.shapley(total)
    settlement.nucleolus(total)
    split_seconds = time.perf_counter() - start
    seconds, result = best_of(lambda: run(scenario, model), 1)
    return [
        row("18 members: coalition game (262 143 coalitions x 7 services)", game_seconds, "exact"),
        row("18 members: Shapley + nucleolus of the total game", split_seconds, "exact"),
        row(f"18 members: adopted plan (time limit {time_limit:g} s)", seconds, status(result.plan)),
    ]


def five_best_at_ten() -> dict:
    scenario = scenario_with(FOUNDERS + JOINING[:6])
    seconds, found = best_of(lambda: alternatives(scenario, 5), 1)
    proven = all(a.proven for a in found)
    return row("five best alternatives at 10 members", seconds, "proven" if proven else "not proven")


def synthetic_regions(time_limit: float) -> list[dict]:
    """The scaling curve: synthetic regions beyond the unit tables, on the assignment MILP (``synthetic.py``).

    First the 18 real members on the assignment MILP, against the exact engine's proven optimum, to
    show what its gap means; then regions of 25, 50 and 100 (estimated travel, see ``synthetic.py``).
    """
    rows = []
    model = build_model(load_scenario(ROOT / "scenarios" / "finnmark_all.toml"))
    rules = model.rule_groups()
    proven = model.solve(rules)
    seconds, plan = best_of(lambda: AssignmentMILP(model, time_limit=time_limit).solve(rules), 1)
    rows.append(row("18 members on the assignment MILP", seconds,
                    f"{status(plan)}; plan {100 * (plan.total / proven.total - 1):.2f} % above the proven optimum"))
    for n in (25, 50, 100):
        model = synthetic_model(n)
        start = time.perf_counter()
        try:
            plan = model.solve(model.rule_groups(), time_limit=time_limit)
            note = "no plan exists" if plan is None else f"{status(plan)}, {plan.total / 1e6:.1f} MNOK"
        except SolverLimitError:
            note = f"no plan within {time_limit:g} s"
        rows.append(row(f"synthetic region of {n} (assignment MILP, limit {time_limit:g} s)",
                        time.perf_counter() - start, note))
    return rows


def main(quick: bool = False) -> list[dict]:
    rows = [baseline_as_process(), nine_as_process(), *growing_member_sets(12 if quick else 18)]
    rows.append(five_best_at_ten())
    if not quick:
        rows.append(every_set_of_the_eleven())
        rows += county(60.0)
        rows.append(county_as_process())
        rows += synthetic_regions(120.0)
    return rows


if __name__ == "__main__":
    if "--synthetic" in sys.argv:
        synthetic_regions(120.0)
    else:
        main(quick="--quick" in sys.argv)

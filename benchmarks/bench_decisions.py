"""Time the decision analyses (issue 13) on the built model: priorities for every N, why-this-host for
every service and host, the jobs table, and the locks' costs.

Run ``python benchmarks/bench_decisions.py [SCENARIO.toml ...] [--time-limit SECONDS]`` (default:
baseline and join_tana; ``--time-limit`` caps each solve as the app does, and the detail column then
counts the plans not proven optimal).
The model and the adopted plan are built once per scenario (not timed); each analysis re-solves that
model. Target (issue 13): priorities and why-this-host each under 2 s on the baseline, and under 30 s
with all 18 Finnmark municipalities (needs the new engine; give that scenario file here).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer.decisions.jobs import job_rows, member_jobs  # noqa: E402
from optimizer.decisions.locks import lock_costs  # noqa: E402
from optimizer.decisions.priorities import priorities  # noqa: E402
from optimizer.decisions.why_host import why_host  # noqa: E402
from optimizer.pipeline import run  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402

DEFAULT = (ROOT / "scenarios" / "baseline.toml", ROOT / "scenarios" / "join_tana.toml")
TARGET_SECONDS = 2.0


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def time_scenario(path: Path, time_limit: float | None = None) -> list[dict]:
    scenario = load_scenario(path)
    if time_limit is not None:
        scenario = replace(scenario, solver=replace(scenario.solver, time_limit=time_limit))
    build, result = timed(lambda: run(scenario))
    model, plan = result.model, result.plan
    cases = [
        ("priorities (every N)", lambda: priorities(model, plan),
         lambda found: f"{len(found.steps)} N, {sum(1 for s in found.steps if s.outcome.lifted)} with rules lifted, "
                       f"{sum(1 for s in found.steps if not s.proven)} not proven optimal"),
        ("why this host (every service and host)", lambda: why_host(model, plan),
         lambda found: f"{sum(len(e.options) for e in found)} alternatives, "
                       f"{sum(1 for e in found for o in e.options if o.screened)} bounded (cannot be the cheapest), "
                       f"{sum(1 for e in found for o in e.options if o.solved is not None and not o.proven)} "
                       "not proven optimal"),
        ("jobs", lambda: member_jobs(job_rows(model, plan)), lambda rows: f"{len(rows)} members"),
        ("locks (each lock's own cost)", lambda: lock_costs(model, plan, each=True),
         lambda costs: f"{len(costs.groups)} locks"),
    ]
    rows = [{"scenario": path.stem, "case": "run (build + solve, not part of the analyses)", "seconds": build,
             "detail": f"{len(result.members)} members, {plan.solve_info.status}"}]
    for name, action, detail in cases:
        seconds, value = timed(action)
        rows.append({"scenario": path.stem, "case": name, "seconds": seconds, "detail": detail(value)})
    return rows


def main(paths: list[Path] | None = None, time_limit: float | None = None) -> list[dict]:
    rows = [row for path in (paths or DEFAULT) for row in time_scenario(path, time_limit)]
    print(f"{'scenario':<14} {'case':<48} {'seconds':>8}  detail")
    for r in rows:
        print(f"{r['scenario']:<14} {r['case']:<48} {r['seconds']:>8.3f}  {r['detail']}")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--time-limit", type=float)
    args = parser.parse_args()
    main(args.files or None, args.time_limit)

"""All benchmarks in one command: ``python benchmarks/run.py``.

Needs the bench extra (``pip install -e ".[bench]"``) for the anchors spopt and coopgame-py,
which are measured in the same run so the printed ratios compare like with like.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_app  # noqa: E402
import bench_engine  # noqa: E402
import bench_decisions  # noqa: E402
import bench_import  # noqa: E402
import bench_locate  # noqa: E402
import bench_scenarios  # noqa: E402
import bench_settlement  # noqa: E402
import bench_simulation  # noqa: E402

if __name__ == "__main__":
    for title, module in (("County-scale engine", bench_engine), ("Municipal model", bench_scenarios), ("locate vs spopt", bench_locate),
                          ("Settlement vs coopgame-py", bench_settlement), ("App response", bench_app),
                          ("Simulation and alternatives", bench_simulation),
                          ("SSB import", bench_import), ("Decisions (issue 13)", bench_decisions)):
        print(f"\n== {title}")
        module.main()

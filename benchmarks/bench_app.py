"""Time the app's response to a change (target: under 1 s on the embedded data).

Run ``python benchmarks/bench_app.py``. Streamlit's AppTest runs the whole script as the server
would (minus the browser): the first load, then changes that each need a fresh solve and
settlement (a parameter, a fairness rule, a border municipality joining), then a change back to a
state already seen (answered from the cache). Each figure is the best of ``REPEATS`` runs of a
fresh AppTest, so cached results from earlier repeats do not help the "fresh" rows.
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3
TARGET_SECONDS = 1.0


def _widget(elements, suffix: str):
    return next(w for w in elements if w.key and w.key.endswith(suffix))


def measure() -> dict[str, float]:
    times: dict[str, list[float]] = {}

    def timed(name: str, action) -> None:
        start = time.perf_counter()
        action()
        times.setdefault(name, []).append(time.perf_counter() - start)

    for i in range(REPEATS):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        timed("first load (incl. imports)", at.run)
        cost = 900_000.0 + 10_000.0 * (i + 1)  # a value no earlier repeat has solved
        timed("change cost per FTE (fresh solve)",
              lambda: _widget(at.sidebar.number_input, ":p:child_welfare:cost_per_fte").set_value(cost).run())
        timed("fairness band off (fresh solve)",
              lambda: _widget(at.sidebar.checkbox, ":f:useband").set_value(False).run())
        timed("border municipality joins (fresh solve)",
              lambda: _widget(at.sidebar.toggle, ":m:5618").set_value(True).run())
        timed("back to a seen state (cache)",
              lambda: _widget(at.sidebar.toggle, ":m:5618").set_value(False).run())
        st.cache_resource.clear()
    return {name: min(values) for name, values in times.items()}


def main() -> None:
    print(f"{'step':<42} {'seconds':>8} {'x target (1 s)':>15}")
    for name, seconds in measure().items():
        print(f"{name:<42} {seconds:8.3f} {seconds / TARGET_SECONDS:15.2f}")


if __name__ == "__main__":
    main()

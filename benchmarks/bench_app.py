"""Time the app's response to a change (target: under 1 s on the embedded data).

Run ``python benchmarks/bench_app.py``. Streamlit's AppTest runs the whole script as the server
would (minus the browser): the first load, then changes that each need a fresh solve and
settlement (a parameter, a fairness rule, a border municipality joining), then a change back to a
state already seen (answered from the cache). Each figure is the best of ``REPEATS`` runs of a
fresh AppTest, so cached results from earlier repeats do not help the "fresh" rows.

``--county`` instead switches on every border municipality one by one in issue 11's order (Måsøy,
Tana, Karasjok, Berlevåg, Båtsfjord, Hammerfest, Alta, then the rest of Finnmark), up to all 18,
and times each step once (target: a few seconds each, proven optimal).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import streamlit as st
from bench_engine import JOINING  # issue 11's order, then the rest of Finnmark
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


def county() -> list[tuple[int, float, bool]]:
    """(members, seconds, proven) for each border municipality switched on in turn."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    steps = []
    for code in JOINING:
        start = time.perf_counter()
        _widget(at.sidebar.toggle, f":m:{code}").set_value(True).run()
        seconds = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"the app failed after switching on {code}: {at.exception[0].value}")
        shown = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.warning])
        steps.append((len(steps) + 5, seconds, "ikke bevist" not in shown))
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county", action="store_true", help="switch on every border municipality in turn")
    if parser.parse_args().county:
        print(f"{'members':>7} {'seconds':>8}  proven")
        for members, seconds, proven in county():
            print(f"{members:7d} {seconds:8.2f}  {'yes' if proven else 'NO'}")
        return
    print(f"{'step':<42} {'seconds':>8} {'x target (1 s)':>15}")
    for name, seconds in measure().items():
        print(f"{name:<42} {seconds:8.3f} {seconds / TARGET_SECONDS:15.2f}")


if __name__ == "__main__":
    main()

"""Time ``optimizer.settlement.nucleolus`` against coopgame-py's default ``nucleolus``.

Run ``python benchmarks/bench_settlement.py``. Games: 15-player facility cost games, seeded:
8 candidate sites with random opening costs in a 100 x 100 km square, players at random
points, and ``c(S)`` the optimal uncapacitated facility-location cost for S alone (the cheapest
non-empty set of sites to open plus every member's distance to its nearest open site),
enumerated over all 255 site sets with numpy.

Both sides are timed from the same game data as their APIs take it (median of ``REPEATS`` runs):
ours from the ``{frozenset: cost}`` mapping, including its conversion to a bitmask vector;
coopgame's from the bitmask cost vector, including building its savings game (coopgame takes a
profit game: ``v(S) = sum_{i in S} c({i}) - c(S)``, whose nucleolus ``y`` gives the cost split
``x_i = c({i}) - y_i``) and ``coopgame.Game``. The two splits must agree within 1e-6. The target is
ours within 3x coopgame's time. ``shapley`` is timed on the same games.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from optimizer.settlement import nucleolus, shapley  # noqa: E402

try:
    import coopgame
except ImportError:
    coopgame = None

PLAYERS = 15
SITES = 8
SEEDS = (1, 2, 3)
REPEATS = 5
TARGET_RATIO = 3.0


def subset_sums(values: np.ndarray) -> np.ndarray:
    """``out[mask]`` = sum of ``values[k]`` over the bits k of ``mask``."""
    out = np.zeros(1 << values.size)
    for k, value in enumerate(values):
        out[1 << k : 2 << k] = out[: 1 << k] + value
    return out


def facility_game(seed: int, players: int = PLAYERS, sites: int = SITES) -> np.ndarray:
    """Cost vector ``c[mask]`` of a random facility-location game (bit k = player k)."""
    rng = np.random.default_rng(seed)
    site_xy = rng.uniform(0, 100, (sites, 2))
    player_xy = rng.uniform(0, 100, (players, 2))
    opening = rng.uniform(50, 150, sites)
    distance = np.linalg.norm(player_xy[:, None, :] - site_xy[None, :, :], axis=2)
    cost = np.full(1 << players, np.inf)
    for open_mask in range(1, 1 << sites):
        open_ = [j for j in range(sites) if open_mask >> j & 1]
        total = opening[open_].sum() + subset_sums(distance[:, open_].min(axis=1))
        np.minimum(cost, total, out=cost)
    cost[0] = 0.0
    return cost


def as_mapping(cost: np.ndarray, ids: list[str]) -> dict[frozenset, float]:
    return {
        frozenset(p for k, p in enumerate(ids) if mask >> k & 1): float(cost[mask])
        for mask in range(1, cost.size)
    }


def coopgame_nucleolus(cost: np.ndarray) -> np.ndarray:
    stand = cost[1 << np.arange(cost.size.bit_length() - 1)]
    savings = subset_sums(stand) - cost
    result = coopgame.nucleolus(coopgame.Game(savings[1:].tolist()))
    return stand - np.array(result["allocation"])


def median_time(run: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> list[dict]:
    """Time both nucleolus implementations and ``shapley``; print a table; return its rows."""
    if coopgame is None:
        raise SystemExit("coopgame-py is not installed (pip install coopgame-py)")
    ids = [str(5601 + k) for k in range(PLAYERS)]  # sorted order = bit order
    rows = []
    for seed in SEEDS:
        cost = facility_game(seed)
        game = as_mapping(cost, ids)
        ours_s, ours = median_time(lambda: nucleolus(game))
        theirs_s, theirs = median_time(lambda: coopgame_nucleolus(cost))
        shapley_s, _ = median_time(lambda: shapley(game))
        diff = float(np.max(np.abs(np.array([ours[p] for p in ids]) - theirs)))
        if diff > 1e-6:
            raise AssertionError(f"seed {seed}: nucleolus differs from coopgame by {diff:.3g}")
        rows.append(
            {
                "seed": seed,
                "players": PLAYERS,
                "ours_nucleolus_s": ours_s,
                "coopgame_nucleolus_s": theirs_s,
                "ratio": ours_s / theirs_s,
                "max_abs_diff": diff,
                "ours_shapley_s": shapley_s,
            }
        )
    print(f"nucleolus of {PLAYERS}-player facility cost games ({SITES} sites), median of {REPEATS}")
    header = ("seed", "ours s", "coopgame s", "ratio", "max |diff|", "shapley s")
    print("{:>4} {:>9} {:>11} {:>7} {:>11} {:>10}".format(*header))
    for row in rows:
        print(
            f"{row['seed']:>4} {row['ours_nucleolus_s']:>9.4f} "
            f"{row['coopgame_nucleolus_s']:>11.4f} "
            f"{row['ratio']:>7.2f} {row['max_abs_diff']:>11.2e} {row['ours_shapley_s']:>10.4f}"
        )
    worst = max(row["ratio"] for row in rows)
    verdict = "met" if worst <= TARGET_RATIO else "NOT met"
    print(f"target: ours within {TARGET_RATIO:g}x coopgame-py; worst ratio {worst:.2f} ({verdict})")
    return rows


if __name__ == "__main__":
    main()

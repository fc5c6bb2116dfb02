"""Robust choice: simulate each alternative and say which plan wins under each criterion.

Every alternative is simulated with the same seed; demand and cost growth are drawn per member
and service, staffing per unit (``optimizer.simulate``), so plans face the same draws wherever
they agree (common random numbers) and a difference between plans comes from the units that
differ. Criteria (lower is better): ``expected_cost`` (mean total cost over the agreement),
``p90_cost`` (its 90th percentile over paths), ``cvar90_cost`` (mean of the worst tenth of paths),
``understaffed`` (share of member x service x months served by a unit below its minimum
professional environment) and ``unreachable`` (share of time-critical events out of reach).
Ties go to the cheaper plan (lower rank).

Monte Carlo error: each criterion is an estimate from the paths. Its standard error is the
standard deviation of its per-path influence values over sqrt(paths) (``influence``: the value
itself for a mean, the delta method for the ratio ``unreachable``, the quantile's and CVaR's
influence functions with the density at P90 read from the spacing of the sorted paths). The
paths of two plans are paired, so the standard error of their difference is that of the
difference of their influence values. The winner is *within noise* of the runner-up when their
difference is at most ``NOISE_SE`` (2) standard errors of that paired difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.alternatives import Alternative
from optimizer.model import HostChoiceModel
from optimizer.pipeline import build_model
from optimizer.scenario import Scenario
from optimizer.simulate import SimulationResult, Simulator
from optimizer.uncertainty import UncertaintySpec

CRITERIA = ("expected_cost", "p90_cost", "cvar90_cost", "understaffed", "unreachable")
CRITERION_LABELS = {  # (bokmål, English), as in "best on <label>"
    "expected_cost": ("forventet kostnad", "expected cost"),
    "p90_cost": ("90-persentil av samlet kostnad over avtalen", "90th percentile of the total cost over the agreement"),
    "cvar90_cost": ("CVaR 90 % av samlet kostnad over avtalen (snitt av verste tidel av forløpene)",
                    "CVaR 90 % of the total cost over the agreement (mean of the worst tenth of paths)"),
    "understaffed": ("andel måneder under minste fagmiljø", "share of months below minimum environment"),
    "unreachable": ("andel hendelser utenfor rekkevidde", "share of events out of reach"),
}
NOISE_SE = 2.0  # a winner closer than this many standard errors of the paired difference is within noise


def criterion_value(result: SimulationResult, criterion: str) -> float:
    """The value of ``criterion`` (see the module docstring) for one simulated plan."""
    total = result.stats()
    return {
        "expected_cost": total["mean"],
        "p90_cost": total["p90"],
        "cvar90_cost": total["cvar90"],
        "understaffed": result.understaffed_share,
        "unreachable": result.unreachable_share,
    }[criterion]


def influence(result: SimulationResult, criterion: str) -> np.ndarray:
    """Per-path influence values of ``criterion`` (paths,): its standard error is their sd / sqrt(paths)."""
    if criterion == "understaffed":
        weights = np.array([len(u.members) for u in result.plan.units], dtype=float)
        return weights @ result.below_minimum / weights.sum() if len(weights) else np.zeros(result.paths)
    if criterion == "unreachable":
        events = sum((v for v in result.events.values()), np.zeros(result.paths))
        missed = sum((v for v in result.unreachable.values()), np.zeros(result.paths))
        mean = events.mean()
        return (missed - missed.sum() / events.sum() * events) / mean if mean else np.zeros(result.paths)
    x = result.distribution()
    if criterion == "expected_cost":
        return x
    q = float(np.percentile(x, 90))
    if criterion == "cvar90_cost":
        return np.maximum(x - q, 0.0) * 10.0
    ordered = np.sort(x)  # P90: 1{x > q} / f(q), 1 / f(q) from the spacing of the sorted paths around q
    n, j = len(x), int(0.9 * (len(x) - 1))
    half = max(1, math.ceil(math.sqrt(0.09 * n)))
    lo, hi = max(0, j - half), min(n - 1, j + half)
    return (x > q) * ((ordered[hi] - ordered[lo]) * n / (hi - lo) if hi > lo else 0.0)


def standard_error(values: np.ndarray) -> float:
    """Standard error of a mean of ``values`` (NaN for fewer than two paths)."""
    return float(np.std(values, ddof=1) / math.sqrt(len(values))) if len(values) > 1 else math.nan


@dataclass(frozen=True)
class Ranking:
    """The alternatives with their simulations, and the winning rank under each criterion."""

    alternatives: tuple[Alternative, ...]
    results: tuple[SimulationResult, ...]

    def value(self, rank: int, criterion: str) -> float:
        return criterion_value(self.results[rank - 1], criterion)

    def order(self, criterion: str) -> list[int]:
        """Ranks of the alternatives from best to worst under ``criterion``."""
        return sorted((a.rank for a in self.alternatives), key=lambda r: (round(self.value(r, criterion), 9), r))

    def standard_error(self, rank: int, criterion: str, other: int | None = None) -> float:
        """Monte Carlo standard error of ``criterion`` for plan ``rank``, or of its difference from plan ``other``."""
        values = influence(self.results[rank - 1], criterion)
        if other is not None:
            values = values - influence(self.results[other - 1], criterion)
        return standard_error(values)

    def winners(self) -> dict[str, int]:
        """Criterion -> rank of the plan that wins under it."""
        return {c: self.order(c)[0] for c in CRITERIA}

    def within_noise(self) -> dict[str, int | None]:
        """Criterion -> the runner-up's rank when the winner is within noise of it (else ``None``).

        Within noise: the difference is at most ``NOISE_SE`` standard errors of the paired
        difference (an exact tie counts); then the simulation cannot tell the two plans apart.
        """
        out: dict[str, int | None] = {}
        for c in CRITERIA:
            order = self.order(c)
            out[c] = None
            if len(order) > 1:
                first, second = order[:2]
                gap = abs(self.value(second, c) - self.value(first, c))
                tolerance = 1e-9 * max(1.0, abs(self.value(first, c)))  # rounding; a NaN error counts as noise
                out[c] = None if gap > NOISE_SE * self.standard_error(first, c, second) + tolerance else second
        return out

    def rows(self) -> list[dict[str, Any]]:
        """One row per alternative: cost and gap, every criterion with its standard error, and its place under each."""
        places = {c: {r: i for i, r in enumerate(self.order(c), start=1)} for c in CRITERIA}
        return [
            {
                "scenario": result.scenario.id,
                "rank": a.rank,
                "total_nok": a.total,
                "gap_nok": a.gap_nok,
                **{c: self.value(a.rank, c) for c in CRITERIA},
                **{f"se.{c}": self.standard_error(a.rank, c) for c in CRITERIA},
                **{f"place.{c}": places[c][a.rank] for c in CRITERIA},
            }
            for a, result in zip(self.alternatives, self.results)
        ]


def rank_alternatives(scenario: Scenario, found: Sequence[Alternative], *, model: HostChoiceModel | None = None,
                      spec: UncertaintySpec | None = None, paths: int | None = None, years: int | None = None,
                      seed: int | None = None, progress: Callable[[int, int], None] | None = None) -> Ranking:
    """Simulate every alternative (same seed) and rank them under each criterion.

    ``progress(done, total)`` is called after each simulation.
    """
    simulator = Simulator(scenario, model or build_model(scenario), spec)
    results = []
    for a in found:
        results.append(simulator.run(a.plan, paths=paths, years=years, seed=seed))
        if progress is not None:
            progress(len(results), len(found))
    return Ranking(tuple(found), tuple(results))

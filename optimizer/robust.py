"""Robust choice: simulate each alternative and say which plan wins under each criterion.

Every alternative is simulated with the same seed, so they face the same demand and cost-growth
draws (common random numbers) and differences between plans are not sampling noise in those.
Criteria (lower is better): ``expected_cost`` (mean cost over the agreement), ``p90_cost``,
``cvar90_cost`` (mean of the worst tenth), ``understaffed`` (share of member x service x months
served by a unit below its minimum professional environment) and ``unreachable`` (share of
time-critical events out of reach). Ties go to the cheaper plan (lower rank).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.alternatives import Alternative
from optimizer.model import HostChoiceModel
from optimizer.pipeline import build_model
from optimizer.scenario import Scenario
from optimizer.simulate import SimulationResult, Simulator
from optimizer.uncertainty import UncertaintySpec

CRITERIA = ("expected_cost", "p90_cost", "cvar90_cost", "understaffed", "unreachable")
CRITERION_LABELS = {  # (bokmål, English), as in "best on <label>"
    "expected_cost": ("forventet kostnad", "expected cost"),
    "p90_cost": ("90-persentil kostnad (et dårlig år)", "90th-percentile cost (a bad year)"),
    "cvar90_cost": ("CVaR 90 % (snitt av verste tidel)", "CVaR 90 % (mean of worst tenth)"),
    "understaffed": ("andel måneder under minste fagmiljø", "share of months below minimum environment"),
    "unreachable": ("andel hendelser utenfor rekkevidde", "share of events out of reach"),
}


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

    def winners(self) -> dict[str, int]:
        """Criterion -> rank of the plan that wins under it."""
        return {c: self.order(c)[0] for c in CRITERIA}

    def rows(self) -> list[dict[str, Any]]:
        """One row per alternative: deterministic cost and gap, every criterion, and its place under each."""
        places = {c: {r: i for i, r in enumerate(self.order(c), start=1)} for c in CRITERIA}
        return [
            {
                "scenario": result.scenario.id,
                "rank": a.rank,
                "total_nok": a.total,
                "gap_nok": a.gap_nok,
                **{c: self.value(a.rank, c) for c in CRITERIA},
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

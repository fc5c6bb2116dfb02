"""Settlement statement: every member's share of every service under every split method.

Each method is applied to each service's cost game (``optimizer.games``); a member's total is the
sum over services. Shapley and the keys are additive over services, so this equals applying them
to the total game; for the nucleolus it is the documented choice (per service, then summed), and
since c(S) is the sum of the service games, a split that is in every service's core is in the
total core. The core check is made on the total game.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from optimizer import parallel, settlement
from optimizer.games import ModelGame
from optimizer.result import ScenarioResult
from optimizer.pooling import pool_shares
from optimizer.scenario import SETTLEMENT_METHODS, CostKey

METHODS = SETTLEMENT_METHODS
SHOWN_VIOLATIONS = 10  # overcharged coalitions kept per method (18 members: up to about 100 000 in all)


@dataclass(frozen=True)
class MethodOutcome:
    """One method's split: per member and service, in total, and how it fares in the core check."""

    method: str
    shares: Mapping[str, Mapping[str, float]]  # member -> service -> NOK
    violations: list[settlement.CoreViolation]  # the worst ``SHOWN_VIOLATIONS``, largest first
    notes: tuple[str, ...]
    overcharged: int  # how many coalitions pay more than their own cost under this method

    def total(self, member: str) -> float:
        return sum(self.shares[member].values())

    @property
    def in_core(self) -> bool:
        return self.overcharged == 0


@dataclass(frozen=True)
class Statement:
    result: ScenarioResult
    game: ModelGame
    outcomes: Mapping[str, MethodOutcome]
    least_core_epsilon: float

    @property
    def chosen(self) -> MethodOutcome:
        return self.outcomes[self.result.scenario.settlement_method]

    def rows(self) -> list[dict[str, Any]]:
        """``settlement.csv``: member x service (and ``total``) x method."""
        rows = []
        services = list(self.result.model.costs)
        for method, outcome in self.outcomes.items():
            for m in self.result.members:
                for service in (*services, "total"):
                    alone = self.result.stand_alone(m, None if service == "total" else service)
                    share = outcome.total(m) if service == "total" else outcome.shares[m][service]
                    rows.append({
                        "scenario": self.result.scenario.id,
                        "method": method,
                        "member": m,
                        "member_name": self.result.scenario.name(m),
                        "service": service,
                        "stand_alone_nok": alone,
                        "share_nok": share,
                        "saving_nok": alone - share,
                        "saving_percent": 100.0 * (alone - share) / alone if alone else 0.0,
                        "method_in_core": outcome.in_core,
                    })
        return rows

    def summary(self) -> dict[str, Any]:
        """The ``settlement`` section of ``summary.json``."""
        return {
            "chosen_method": self.result.scenario.settlement_method,
            "coalitions": len(self.game.total),
            "least_core_epsilon_nok": self.least_core_epsilon,
            "core_is_empty": self.least_core_epsilon > settlement.CORE_TOLERANCE_NOK,
            "infeasible_coalitions": self.game.infeasible_counts(),
            "methods": {
                method: {
                    "members": {m: o.total(m) for m in self.result.members},
                    "in_core": o.in_core,
                    "overcharged_coalitions": o.overcharged,
                    "core_violations": [
                        {"coalition": sorted(v.coalition), "overcharge_nok": v.excess} for v in o.violations
                    ],
                    "notes": list(o.notes),
                }
                for method, o in self.outcomes.items()
            },
        }


def settlement_statement(result: ScenarioResult, game: ModelGame) -> Statement:
    """Apply every method to every service game of ``result`` and check each in the core."""
    scenario = result.scenario
    population = {m: scenario.population(m) for m in result.members}
    outcomes = {}
    # each service's nucleolus and least core, and the total's least-core value, side by side at
    # large member sets (the LPs are small; the sweeps over the 2^n coalitions run outside the GIL)
    tasks = [partial(settlement.nucleolus_and_least_core, g) for g in game.by_service.values()]
    solved = parallel.each(len(result.members), _call, [*tasks, partial(settlement.least_core_value, game.total)])
    cores = dict(zip(game.by_service, solved[:-1]))
    for method in METHODS:
        shares: dict[str, dict[str, float]] = {m: {} for m in result.members}
        notes: set[str] = set()
        for service, service_game in game.by_service.items():
            split = _split(method, service, service_game, result, population, cores[service])
            notes.update(getattr(split, "notes", ()))
            for m in result.members:
                shares[m][service] = float(split[m])
        total_split = {m: sum(shares[m].values()) for m in result.members}
        check = settlement.core_check(game.total, total_split, limit=SHOWN_VIOLATIONS)
        outcomes[method] = MethodOutcome(method, shares, check.worst, tuple(sorted(notes)), check.count)
    return Statement(result, game, outcomes, solved[-1])


def _call(task: Callable[[], Any]) -> Any:
    return task()


def _split(method: str, service: str, game: dict[frozenset, float], result: ScenarioResult,
           population: Mapping[str, int], cores: tuple[settlement.Allocation, settlement.LeastCore]
           ) -> Mapping[str, float]:
    """``method``'s split of one service game (``cores``: its nucleolus and least core)."""
    total = game[frozenset(result.members)]
    usage = result.model.costs[service].usage(result.members)

    def key(method: str) -> dict[str, float]:
        cost_key = CostKey(method, result.scenario.cost_key.fixed_share)
        return {m: total * f for m, f in pool_shares(cost_key, result.members, population, usage).items()}

    by_method: dict[str, Callable[[], Mapping[str, float]]] = {
        "cost_key": lambda: {m: result.plan.payment(m, service) for m in result.members},
        "per_capita": lambda: key("per_capita"),
        "fixed_plus_per_capita": lambda: key("fixed_plus_per_capita"),
        "by_usage": lambda: key("by_usage"),
        "proportional_to_stand_alone": lambda: settlement.proportional_to_stand_alone(game),
        "equal_savings": lambda: settlement.equal_savings(game),
        "shapley": lambda: settlement.shapley(game),
        "nucleolus": lambda: cores[0],
        "least_core": lambda: cores[1].allocation,
    }
    return by_method[method]()

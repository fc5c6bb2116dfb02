"""Cost games from the model: c(S) for every coalition S of members, per service and in total.

c_s(S) is the cheapest way for the members of S to run service s among themselves (members
outside S run alone and are not counted), under the scenario's cost-side rules (travel limits,
capacities, forbidden hosts, required hosts that lie in S, max units) but without the fairness
rules, which belong to the group actually being formed (see DOMAIN.md). Without fairness the
services do not interact, so every c_s(S) comes from one subset programme per service over the
model's unit tables (``optimizer.engine``):

    g(S, k) = min over groups T in S holding S's lowest member of  unit(T) + g(S - T, k - 1)

where unit(T) is the cheapest allowed unit serving exactly T (its host inside T; a required host
in T must host it). All 2^n - 1 coalitions cost O(3^n) steps per service and no solver call:
about half a second per service at 18 members, compiled.

The game used for splitting takes c(N) from the adopted plan (solved with its fairness rules), so
the split shares out what the members will actually pay and the core check shows whether the
price of fairness makes some group better off alone.

A coalition with no plan under the rules (possible with forbidden hosts and travel limits) gets
the cost of its members running alone, rules aside, and is counted in ``infeasible``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from optimizer.engine.coupling import SCALE
from optimizer.engine.tables import subset_sums
from optimizer.model import FAIRNESS_GROUPS, HostChoiceModel, Plan
from optimizer.settlement import VectorGame

MAX_GAME_MEMBERS = 20  # 2^20 coalitions x services: the exact game's ceiling (memory and time)


@dataclass(frozen=True)
class ModelGame:
    """Coalition costs per service and in total, as games over municipality numbers (NOK)."""

    members: tuple[str, ...]
    by_service: Mapping[str, VectorGame]
    without_plan: Mapping[str, np.ndarray] = field(default_factory=dict)  # service -> masks of coalitions with no plan

    @property
    def total(self) -> VectorGame:
        return VectorGame(self.members, sum(g.cost for g in self.by_service.values()))

    @property
    def infeasible(self) -> dict[str, list[frozenset]]:
        """Per service, the coalitions with no plan under the rules (priced at going alone)."""
        return {s: [frozenset(m for k, m in enumerate(self.members) if mask >> k & 1) for mask in masks]
                for s, masks in self.without_plan.items()}

    def infeasible_counts(self) -> dict[str, int]:
        return {s: len(masks) for s, masks in self.without_plan.items()}


def cost_side_rules(model: HostChoiceModel) -> frozenset[str]:
    """The scenario's rule groups without the fairness rules."""
    return frozenset(g for g in model.rule_groups() if g not in FAIRNESS_GROUPS)


def model_game(model: HostChoiceModel, plan: Plan | None = None) -> ModelGame:
    """The cost game of ``model``'s scenario; with ``plan``, c(N) per service is that plan's cost."""
    n = len(model.members)
    if n > MAX_GAME_MEMBERS:
        raise ValueError(f"exact coalition costs are limited to {MAX_GAME_MEMBERS} members, got {n}")
    engine = model.engine(cost_side_rules(model))
    by_service, infeasible = {}, {}
    for service, coalitions in zip(model.costs, engine.coalition_costs()):
        cost = coalitions / SCALE
        bad = ~np.isfinite(cost)
        bad[0] = False
        if bad.any():
            alone = np.array([model.stand_alone[(service, m)].total for m in model.members])
            cost = np.where(bad, subset_sums(alone), cost)
            infeasible[service] = np.flatnonzero(bad)
        cost[0] = 0.0
        if plan is not None:
            cost[-1] = sum(u.total for u in plan.units if u.service == service)
        by_service[service] = VectorGame(model.members, cost)
    return ModelGame(model.members, by_service, infeasible)


def cost_side_plan(model: HostChoiceModel) -> Plan | None:
    """The cheapest plan under the cost-side rules only, from the same subset programmes.

    Exact (no solver); ``None`` when some service has no feasible plan. Ties go to the lower host
    number.
    """
    start = time.perf_counter()
    rules = cost_side_rules(model)
    engine = model.engine(rules)
    columns = engine.plain_optimum()
    if columns is None:
        return None
    plan = model.plan_of(columns, rules)  # solved by the programmes: "dynamic programme", optimal
    return replace(plan, solve_info=replace(plan.solve_info, seconds=time.perf_counter() - start))

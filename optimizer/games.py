"""Cost games from the model: c(S) for every coalition S of members, per service and in total.

c_s(S) is the cheapest way for the members of S to run service s among themselves (members
outside S run alone and are not counted), under the scenario's cost-side rules (travel limits,
capacities, forbidden hosts, required hosts that lie in S, max units) but without the fairness
rules, which belong to the group actually being formed (see DOMAIN.md). Without fairness the
services do not interact, so every c_s(S) comes from one dynamic programme over subsets that
reuses the model's candidate unit costs:

    g(S, k) = min over groups T in S holding S's lowest member of  unit(T) + g(S - T, k - 1)

where unit(T) is the cheapest allowed unit serving exactly T (its host inside T; a required host
in T must host it). All 2^n - 1 coalitions cost O(3^n) steps per service, no solver call.

The game used for splitting takes c(N) from the adopted plan (solved with its fairness rules), so
the split shares out what the members will actually pay and the core check shows whether the
price of fairness makes some group better off alone.

A coalition with no plan under the rules (possible with forbidden hosts and travel limits) gets
the cost of its members running alone, rules aside, and is listed in ``infeasible``.
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field

from optimizer.model import FAIRNESS_GROUPS, HostChoiceModel, Plan
from optimizer.solver import SolveInfo
from optimizer.units import Unit

MAX_EXACT_MEMBERS = 12


@dataclass(frozen=True)
class ModelGame:
    """Coalition costs per service and in total (frozensets of municipality numbers -> NOK)."""

    members: tuple[str, ...]
    by_service: Mapping[str, dict[frozenset, float]]
    infeasible: Mapping[str, list[frozenset]] = field(default_factory=dict)

    @property
    def total(self) -> dict[frozenset, float]:
        games = list(self.by_service.values())
        return {s: sum(g[s] for g in games) for s in games[0]}


@dataclass(frozen=True)
class _Programme:
    """The subset programme of one service: cheapest unit per group, cheapest split per coalition."""

    unit: list[float]
    unit_of: list[Unit | None]
    best: list[float]
    choice: list[list[int]]
    counts_units: bool  # max_units applies: one layer per unit


_PROGRAMMES: weakref.WeakKeyDictionary[HostChoiceModel, dict[str, _Programme]] = weakref.WeakKeyDictionary()


def _programmes(model: HostChoiceModel) -> dict[str, _Programme]:
    """Each service's programme, computed once per model (the run's plan and the game share it)."""
    if model not in _PROGRAMMES:
        n = len(model.members)
        if n > MAX_EXACT_MEMBERS:
            raise ValueError(f"exact coalition costs are limited to {MAX_EXACT_MEMBERS} members, got {n}")
        rules = _cost_side_rules(model)
        bit = {m: 1 << i for i, m in enumerate(model.members)}
        out = {}
        for service, costs in model.costs.items():
            unit, unit_of = _best_units(model, service, rules, bit, costs.spec.required_hosts)
            units_cap = costs.spec.max_units if f"services.{service}.max_units" in rules else None
            best, choice = _partition_costs(unit, n, units_cap)
            out[service] = _Programme(unit, unit_of, best, choice, units_cap is not None)
        _PROGRAMMES[model] = out
    return _PROGRAMMES[model]


def _cost_side_rules(model: HostChoiceModel) -> frozenset[str]:
    return frozenset(g for g in model.rule_groups() if g not in FAIRNESS_GROUPS)


def model_game(model: HostChoiceModel, plan: Plan | None = None) -> ModelGame:
    """The cost game of ``model``'s scenario; with ``plan``, c(N) per service is that plan's cost."""
    n = len(model.members)
    bit = {m: 1 << i for i, m in enumerate(model.members)}
    by_service, infeasible = {}, {}
    for service, programme in _programmes(model).items():
        game, bad = {}, []
        for mask in range(1, 1 << n):
            coalition = frozenset(m for m in model.members if mask & bit[m])
            cost = programme.best[mask]
            if math.isinf(cost):
                bad.append(coalition)
                cost = sum(model.stand_alone[(service, m)].total for m in coalition)
            game[coalition] = cost
        if plan is not None:
            game[frozenset(model.members)] = sum(u.total for u in plan.units if u.service == service)
        by_service[service] = game
        if bad:
            infeasible[service] = bad
    return ModelGame(model.members, by_service, infeasible)


def cost_side_plan(model: HostChoiceModel) -> Plan | None:
    """The cheapest plan under the cost-side rules only, from the same dynamic programme.

    Exact (no solver); ``None`` when some service has no feasible plan. Ties go to the unit met
    first, i.e. the lower host number.
    """
    start = time.perf_counter()
    full = (1 << len(model.members)) - 1
    chosen: list[Unit] = []
    for programme in _programmes(model).values():
        if math.isinf(programme.best[full]):
            return None
        mask, layer = full, len(programme.choice) - 1
        while mask:
            group = programme.choice[layer][mask]
            chosen.append(programme.unit_of[group])
            mask ^= group
            layer -= programme.counts_units
    total = sum(u.total for u in chosen)
    info = SolveInfo("dynamic programme", "optimal", total, time.perf_counter() - start, 0.0)
    order = list(model.costs)
    chosen.sort(key=lambda u: (order.index(u.service), u.host, u.members))
    return Plan(tuple(chosen), {u: model.shares[u] for u in chosen}, info, _cost_side_rules(model))


def _best_units(model: HostChoiceModel, service: str, rules: frozenset[str], bit: Mapping[str, int],
                required: tuple[str, ...]) -> tuple[list[float], list[Unit | None]]:
    """Cheapest allowed unit serving exactly each group (bitmask; inf where none), and the unit."""
    n = len(bit)
    unit = [math.inf] * (1 << n)
    unit_of: list[Unit | None] = [None] * (1 << n)
    required_mask = sum(bit[h] for h in required) if f"services.{service}.required_hosts" in rules else 0
    for u in model.candidates:
        if u.service != service or u.violates & rules:
            continue
        mask = sum(bit[m] for m in u.members)
        in_group = mask & required_mask
        if in_group and in_group != bit[u.host]:
            continue  # a required host in the group must be the one hosting it
        if u.total < unit[mask]:
            unit[mask], unit_of[mask] = u.total, u
    return unit, unit_of


def _partition_costs(unit: list[float], n: int, max_units: int | None) -> tuple[list[float], list[list[int]]]:
    """Cheapest split of every coalition into allowed units (at most ``max_units`` of them).

    Also returns, per layer and coalition, the group holding its lowest member in that split.
    """
    size = 1 << n
    layers = max_units if max_units is not None else 1
    # best[k][S]: cheapest with at most k+1 units (or unlimited when max_units is None)
    best = [[math.inf] * size for _ in range(layers)]
    choice = [[0] * size for _ in range(layers)]
    for k in range(layers):
        row, picked = best[k], choice[k]
        row[0] = 0.0
        previous = best[k - 1] if (max_units is not None and k > 0) else None
        for mask in range(1, size):
            low = mask & -mask
            rest = mask ^ low
            value = math.inf
            sub = rest
            while True:
                group = sub | low
                remainder = mask ^ group
                if max_units is None:
                    tail = row[remainder]
                elif remainder == 0:
                    tail = 0.0
                else:
                    tail = previous[remainder] if previous is not None else math.inf
                candidate = unit[group] + tail
                if candidate < value:
                    value, picked[mask] = candidate, group
                if sub == 0:
                    break
                sub = (sub - 1) & rest
            row[mask] = value
    return best[-1], choice

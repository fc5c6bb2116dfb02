"""The candidate-unit MILP: the formulation the engine replaced, kept as its reference.

Set-partitioning over candidate units (see ``optimizer.units``): binary ``x[u]`` for each
candidate unit u = (service, host, group), n 2^(n-1) per service. Every member gets every enabled
service from exactly one chosen unit; each member's payment under the cost key is linear in ``x``,
so "no member pays more than alone" is a linear row, and every rule group of ``optimizer.model``
is a row or a filter here. It is the uncapacitated facility-location formulation of
``optimizer.locate`` with a facility for every (host, group) pair (tested equal in the linear case).

Its LP bound is weak, so it scales only to about nine members; the tests check the engine against
it on thousands of small cases, and the engine asks it, without objective, whether any plan exists
when its own search cannot decide that (up to ``model.REFERENCE_FEASIBILITY_UP_TO`` members).
Costs in thousands of NOK; the tie-break matches the engine's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import pulp

from optimizer.engine.plan import NO_RESTRICTIONS, Plan, Restrictions
from optimizer.errors import SolverLimitError
from optimizer.solver import solve
from optimizer.units import Unit

if TYPE_CHECKING:
    from optimizer.model import HostChoiceModel

# Set partitioning with thousands of columns: HiGHS's presolve finds little here and its cut pool
# grows large; these settings cut the 10-member solve from ~25 s to ~4 s.
HIGHS_TUNING = {"presolve": "off", "mip_pool_soft_limit": 100, "mip_lp_age_limit": 2}
SCALE = 1e-3
TIE_BREAK_NOK = 1.0


class CandidateMILP:
    """The candidate-unit set-partitioning MILP of a model's scenario, for any subset of rule groups."""

    def __init__(self, model: "HostChoiceModel", *, objective: bool = True, time_limit: float | None = None) -> None:
        self.model = model
        self.options = model.scenario.solver if time_limit is None else replace(model.scenario.solver, time_limit=time_limit)
        self.scenario = model.scenario
        self.costs = model.costs
        self.members = model.members
        self.objective = objective
        self.candidates = [u for sc in model.costs.values() for u in sc.candidates()]

    def solve(self, rules: Iterable[str], restrictions: Restrictions = NO_RESTRICTIONS) -> Plan | None:
        """Minimum-cost plan under ``rules`` and ``restrictions``; ``None`` if no plan satisfies them."""
        rules = frozenset(rules)
        allowed = self._allowed(rules, restrictions)
        if not self._covers(allowed):
            return None
        problem, x = self._build(allowed, rules, restrictions)
        return self._solve_built(problem, allowed, x, rules)

    def _allowed(self, rules: frozenset[str], restrictions: Restrictions) -> list[Unit]:
        return [u for u in self.candidates if not (u.violates & rules) and restrictions.allows(u)]

    def solve_best(self, rules: Iterable[str], k: int, restrictions: Restrictions = NO_RESTRICTIONS) -> list[Plan]:
        """The ``k`` cheapest distinct plans under ``rules``, cheapest first (fewer if fewer exist).

        Two plans are distinct when their sets of chosen units differ, i.e. some member is grouped
        differently or some group has another host for some service. After each plan S the same
        problem gets the no-good cut ``sum of x[u] for u in S <= |S| - 1`` and is solved again: in
        a set partitioning every other plan lacks at least one unit of S, so the cut removes S
        alone. Exact with the default zero gap, up to the tie-break of under 1 NOK per unit: the
        plans are returned sorted by true cost (stable, so exact ties keep the tie-break order),
        which keeps the list cheapest first; plans within the tie-break may be interchanged.
        A solve stopped early (time limit) returns its plan with ``solve_info.status`` other than
        ``"optimal"``: the list is then not proven to be the k best, and the caller must say so.
        """
        rules = frozenset(rules)
        allowed = self._allowed(rules, restrictions)
        if k < 1 or not self._covers(allowed):
            return []
        problem, x = self._build(allowed, rules, restrictions)
        plans: list[Plan] = []
        while len(plans) < k:
            plan = self._solve_built(problem, allowed, x, rules)
            if plan is None:
                break
            plans.append(plan)
            chosen = [(var, 1.0) for var in x if var.varValue is not None and var.varValue > 0.5]
            problem.addConstraint(pulp.LpAffineExpression(chosen) <= len(chosen) - 1, f"no_good_{len(plans)}")
        return sorted(plans, key=lambda p: round(p.total, 6))

    def _solve_built(self, problem: pulp.LpProblem, allowed: Sequence[Unit], x: Sequence[pulp.LpVariable],
                     rules: frozenset[str]) -> Plan | None:
        info = solve(problem, self.options, HIGHS_TUNING)
        if info.status == "infeasible":
            return None
        if not info.has_solution:
            raise SolverLimitError(info.status, self.options.time_limit)
        chosen = [u for u, var in zip(allowed, x) if var.varValue is not None and var.varValue > 0.5]
        chosen.sort(key=lambda u: (list(self.costs).index(u.service), u.host, u.members))
        return Plan(tuple(chosen), {u: self.model.shares_of(u) for u in chosen}, info, rules)

    def _covers(self, allowed: Sequence[Unit]) -> bool:
        covered = {(u.service, m) for u in allowed for m in u.members}
        return all((s, m) in covered for s in self.costs for m in self.members)

    def _build(self, allowed: Sequence[Unit], rules: frozenset[str],
               restrictions: Restrictions = NO_RESTRICTIONS) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
        problem = pulp.LpProblem("host_choice", pulp.LpMinimize)
        x = [problem.add_variable(f"x{i}", cat=pulp.LpBinary) for i in range(len(allowed))]
        tie = {m: TIE_BREAK_NOK * i / len(self.members) for i, m in enumerate(self.members)}
        problem.setObjective(pulp.LpAffineExpression(
            [(var, SCALE * (u.total + tie[u.host]) if self.objective else 0.0) for u, var in zip(allowed, x)]
        ))
        rows: dict[tuple, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
        for u, var in zip(allowed, x):
            for m in u.members:
                rows[("assign", u.service, m)].append((var, 1.0))
            rows[("units", u.service)].append((var, 1.0))
            rows[("host", u.service, u.host)].append((var, 1.0))
        for (kind, *rest), terms in rows.items():
            if kind == "assign":
                problem.addConstraint(pulp.LpAffineExpression(terms) == 1, f"assign_{rest[0]}_{rest[1]}")
        for spec in self.scenario.services:
            if f"services.{spec.id}.max_units" in rules:
                problem.addConstraint(
                    pulp.LpAffineExpression(rows[("units", spec.id)]) <= spec.max_units, f"max_units_{spec.id}"
                )
            if f"services.{spec.id}.required_hosts" in rules:
                for h in spec.required_hosts:
                    problem.addConstraint(
                        pulp.LpAffineExpression(rows[("host", spec.id, h)]) == 1, f"required_{spec.id}_{h}"
                    )
        for service in restrictions.fixed_units:
            hosts, group = restrictions.fixed(service)
            terms = [(var, 1.0) for u, var in zip(allowed, x)
                     if u.service == service and u.host in hosts and frozenset(u.members) == group]
            problem.addConstraint(pulp.LpAffineExpression(terms) == 1, f"fixed_{service}")
        if restrictions.max_shared_services is not None:
            used = {s: problem.add_variable(f"shared_{s}", cat=pulp.LpBinary) for s in self.costs}
            for i, (u, var) in enumerate(zip(allowed, x)):
                if u.shared:
                    problem.addConstraint(pulp.LpAffineExpression([(var, 1.0), (used[u.service], -1.0)]) <= 0,
                                          f"shared_use_{i}")
            problem.addConstraint(pulp.lpSum(used.values()) <= restrictions.max_shared_services, "max_shared")
        self._fairness_rows(problem, allowed, x, rules)
        return problem, x

    def _fairness_rows(self, problem: pulp.LpProblem, allowed: Sequence[Unit], x: Sequence[pulp.LpVariable], rules: frozenset[str]) -> None:
        f = self.scenario.fairness
        if "fairness.min_shared_units_hosted" in rules:
            for m in self.scenario.founding:
                terms = [(var, 1.0) for u, var in zip(allowed, x) if u.host == m and u.shared]
                problem.addConstraint(
                    pulp.LpAffineExpression(terms) >= f.min_shared_units_hosted, f"shared_hosted_{m}"
                )
        if "fairness.max_fte_loss" in rules:
            for m in self.members:
                terms = [(var, u.fte) for u, var in zip(allowed, x) if u.host == m]
                floor = self.model.stand_alone_fte(m) - f.max_fte_loss
                problem.addConstraint(pulp.LpAffineExpression(terms) >= floor - 1e-9, f"fte_loss_{m}")
        if "fairness.fte_band" in rules:
            # hosted[m] = FTE located in m; each column enters one row, which keeps the model sparse
            hosted = {m: problem.add_variable(f"fte_hosted_{m}", lowBound=0) for m in self.members}
            for m in self.members:
                terms = [(var, u.fte) for u, var in zip(allowed, x) if u.host == m]
                problem.addConstraint(pulp.LpAffineExpression([*terms, (hosted[m], -1.0)]) == 0, f"fte_hosted_{m}")
            population = {m: self.scenario.population(m) for m in self.members}
            total_pop = sum(population.values())
            for m in self.members:
                share = population[m] / total_pop
                low, high = max(0.0, share - f.fte_band), min(1.0, share + f.fte_band)
                lower = [(hosted[k], (k == m) - low) for k in self.members]
                upper = [(hosted[k], (k == m) - high) for k in self.members]
                problem.addConstraint(pulp.LpAffineExpression(lower) >= 0, f"fte_band_low_{m}")
                problem.addConstraint(pulp.LpAffineExpression(upper) <= 0, f"fte_band_high_{m}")
        if "fairness.individual_rationality" in rules:
            keep = 1.0 - f.min_saving_percent / 100.0
            for m in self.members:
                terms = [(var, SCALE * self.model.shares_of(u)[m] * u.total) for u, var in zip(allowed, x) if m in u.members]
                problem.addConstraint(
                    pulp.LpAffineExpression(terms) <= SCALE * keep * self.model.ir_reference[m], f"ir_{m}"
                )


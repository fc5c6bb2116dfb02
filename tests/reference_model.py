"""The host-choice MILP: pick one unit per member and service at minimum total cost.

Set-partitioning over candidate units (see ``optimizer.units``): binary ``x[u]`` for each
candidate unit u = (service, host, group). Every member gets every enabled service from exactly
one chosen unit. Because each candidate's cost is computed exactly beforehand, the minimum
professional environment, staffing steps and travel need no linearisation, and each member's
payment under the cost key is linear in ``x`` — which makes "no member pays more than alone" a
plain linear constraint. It is the uncapacitated facility-location formulation of
``optimizer.locate`` with a facility for every (host, group) pair instead of every host; with
linear staffing and no minimum environment the two give the same optimum (tested).

Rule groups (each named by its scenario key, so an infeasible scenario can name what to loosen):
- cost-side: ``services.<id>.max_travel_minutes``, ``.capacity_fte``, ``.forbidden_hosts``
  (candidates left out), ``.required_hosts`` (the host must run a unit), ``.max_units``;
- fairness: ``fairness.min_shared_units_hosted`` (each founding member hosts at least k units
  serving two or more members), ``fairness.fte_band`` (FTE hosted within a band around the
  population share), ``fairness.individual_rationality`` (no member pays more in total than alone,
  less ``min_saving_percent``), ``fairness.max_fte_loss`` (no member hosts more than this many FTE
  fewer than it staffs alone).

A solve may also take ``Restrictions`` for the decision analyses (priorities, forced hosts): units
that must be chosen, services that may (or at most how many may) be shared.
The model works in thousands of NOK (well scaled for the solver). Ties are broken towards lower
host numbers by adding ``rank / n_members`` NOK per chosen unit (rank 0 for the lowest number), so
plans that differ by less than 1 NOK per unit count as tied; reported costs leave it out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pulp

from optimizer.errors import SolverLimitError
from optimizer.pooling import pool_shares
from optimizer.scenario import Scenario
from optimizer.solver import SolveInfo, solve
from optimizer.units import ServiceCosts, Unit

FAIRNESS_GROUPS = (
    "fairness.min_shared_units_hosted",
    "fairness.fte_band",
    "fairness.individual_rationality",
    "fairness.max_fte_loss",
)
# Set partitioning with thousands of columns: HiGHS's presolve finds little here and its cut pool
# grows large; these settings cut the 10-member solve from ~25 s to ~4 s (benchmarks/).
HIGHS_TUNING = {"presolve": "off", "mip_pool_soft_limit": 100, "mip_lp_age_limit": 2}
SCALE = 1e-3  # NOK -> thousands of NOK inside the model
TIE_BREAK_NOK = 1.0


@dataclass(frozen=True)
class Restrictions:
    """Extra conditions on a plan, beyond the scenario's rules (for what-if analyses).

    ``fixed_units``: service -> (host, members) of a unit the plan must contain;
    ``shared_services``: only these services may have a unit serving two or more members
    (``None``: any); ``max_shared_services``: at most this many services may.
    """

    fixed_units: Mapping[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    shared_services: frozenset[str] | None = None
    max_shared_services: int | None = None

    def allows(self, unit: Unit) -> bool:
        """Whether ``unit`` can be part of a plan under these restrictions (per unit only)."""
        if unit.shared and self.shared_services is not None and unit.service not in self.shared_services:
            return False
        fixed = self.fixed_units.get(unit.service)
        if fixed is None:
            return True
        host, group = fixed
        members = frozenset(unit.members)
        return (unit.host == host and members == group) or not (members & group)


NO_RESTRICTIONS = Restrictions()


@dataclass(frozen=True)
class Plan:
    """A solved plan: the chosen units and what each member pays for them."""

    units: tuple[Unit, ...]
    shares: Mapping[Unit, Mapping[str, float]]  # fraction of each unit's cost each member pays
    solve_info: SolveInfo
    rules: frozenset[str]  # the rule groups that were applied

    @property
    def total(self) -> float:
        return sum(u.total for u in self.units)

    def unit_for(self, service: str, member: str) -> Unit:
        for u in self.units:
            if u.service == service and member in u.members:
                return u
        raise KeyError((service, member))

    def payment(self, member: str, service: str | None = None, component: str | None = None) -> float:
        """What ``member`` pays under the cost key, optionally for one service and/or component."""
        total = 0.0
        for u in self.units:
            if member not in u.members or (service is not None and u.service != service):
                continue
            amount = u.total if component is None else u.component(component)
            total += self.shares[u][member] * amount
        return total

    def fte_hosted(self, member: str) -> float:
        return sum(u.fte for u in self.units if u.host == member)

    def shared_units_hosted(self, member: str) -> int:
        return sum(1 for u in self.units if u.host == member and u.shared)


class HostChoiceModel:
    """Candidate units of a scenario and the MILP over them, for any subset of rule groups."""

    def __init__(self, scenario: Scenario, costs: Mapping[str, ServiceCosts],
                 ir_reference: Mapping[str, float] | None = None) -> None:
        self.scenario = scenario
        self.costs = costs
        self.members = tuple(sorted(scenario.members))
        self.candidates = [u for sc in costs.values() for u in sc.candidates()]
        population = {m: scenario.population(m) for m in self.members}
        self.shares = {}
        for u in self.candidates:
            usage = costs[u.service].usage(u.members)
            self.shares[u] = pool_shares(scenario.cost_key, u.members, population, usage)
        self.stand_alone = {
            (s, m): sc.stand_alone(m) for s, sc in costs.items() for m in self.members
        }
        # what individual rationality measures each member's payment against (default: robust alone)
        self.ir_reference = dict(ir_reference) if ir_reference is not None else {
            m: self.stand_alone_total(m) for m in self.members
        }

    def stand_alone_total(self, member: str) -> float:
        return sum(self.stand_alone[(s, member)].total for s in self.costs)

    def stand_alone_fte(self, member: str) -> float:
        """FTE the member staffs running every service alone (its jobs before the cooperation)."""
        return sum(self.stand_alone[(s, member)].fte for s in self.costs)

    def rule_groups(self) -> list[str]:
        """Every rule group this scenario sets, cost-side first, then fairness."""
        groups = []
        for spec in self.scenario.services:
            key = f"services.{spec.id}"
            if spec.value("max_travel_minutes") is not None:
                groups.append(f"{key}.max_travel_minutes")
            for name, present in (
                ("capacity_fte", spec.capacity_fte),
                ("forbidden_hosts", spec.forbidden_hosts),
                ("required_hosts", spec.required_hosts),
                ("max_units", spec.max_units),
            ):
                if present:
                    groups.append(f"{key}.{name}")
        f = self.scenario.fairness
        if f.enabled:
            if f.min_shared_units_hosted > 0:
                groups.append("fairness.min_shared_units_hosted")
            if f.fte_band is not None:
                groups.append("fairness.fte_band")
            if f.individual_rationality:
                groups.append("fairness.individual_rationality")
            if f.max_fte_loss is not None:
                groups.append("fairness.max_fte_loss")
        return groups

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
        info = solve(problem, self.scenario.solver, HIGHS_TUNING)
        if info.status == "infeasible":
            return None
        if not info.has_solution:
            raise SolverLimitError(info.status, self.scenario.solver.time_limit)
        chosen = [u for u, var in zip(allowed, x) if var.varValue is not None and var.varValue > 0.5]
        chosen.sort(key=lambda u: (list(self.costs).index(u.service), u.host, u.members))
        return Plan(tuple(chosen), {u: self.shares[u] for u in chosen}, info, rules)

    def _covers(self, allowed: Sequence[Unit]) -> bool:
        covered = {(u.service, m) for u in allowed for m in u.members}
        return all((s, m) in covered for s in self.costs for m in self.members)

    def _build(self, allowed: Sequence[Unit], rules: frozenset[str],
               restrictions: Restrictions = NO_RESTRICTIONS) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
        problem = pulp.LpProblem("host_choice", pulp.LpMinimize)
        x = [problem.add_variable(f"x{i}", cat=pulp.LpBinary) for i in range(len(allowed))]
        tie = {m: TIE_BREAK_NOK * i / len(self.members) for i, m in enumerate(self.members)}
        problem.setObjective(pulp.LpAffineExpression(
            [(var, SCALE * (u.total + tie[u.host])) for u, var in zip(allowed, x)]
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
        for service, (host, group) in restrictions.fixed_units.items():
            terms = [(var, 1.0) for u, var in zip(allowed, x)
                     if u.service == service and u.host == host and frozenset(u.members) == group]
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
                floor = self.stand_alone_fte(m) - f.max_fte_loss
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
                terms = [(var, SCALE * self.shares[u][m] * u.total) for u, var in zip(allowed, x) if m in u.members]
                problem.addConstraint(
                    pulp.LpAffineExpression(terms) <= SCALE * keep * self.ir_reference[m], f"ir_{m}"
                )

    def irreducible_conflict(self, rules: Sequence[str]) -> list[str]:
        """A smallest-by-deletion set of rule groups that together admit no plan.

        Deletion filter: drop each group in turn and keep it dropped if the rest is still
        infeasible; what remains cannot be met together, and loosening any one of them helps.
        """
        needed = list(rules)
        for group in list(rules):
            trial = [g for g in needed if g != group]
            if self.solve(trial) is None:
                needed = trial
        return needed

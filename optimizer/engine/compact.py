"""The assignment MILP: the host-choice model without enumerating groups, for regions of any size.

The exact engine prices every group of members (n 2^n units per service), which stops at about
20 members. Here each member is assigned to a host instead, so the model grows as n^2 per service:

- ``alone[s, i]``: member i runs service s alone (the unit (s, i, {i}));
- ``open[s, h]``: h hosts a *shared* unit of s (one serving at least one other member);
- ``join[s, i, h]``: member i (not h) is served by h's shared unit of s; ``alone + open + sum join = 1``;
- ``steps[s, h]`` (integer) and ``fte[s, h]``: the unit's staffing, exactly ``max(min_fte, workload
  rounded up to the step)`` (the rounding is two rows around the workload, the maximum a binary);
- each member's payment under the cost key, ``share_m(T) x cost(T, h)`` with ``share_m`` = ``a / |T|
  + (1 - a) pop_m / pop(T)``, is linear through two prices per unit (per member, per inhabitant),
  ``price x membership`` written exactly with big-M rows.

Every rule group of ``optimizer.model`` and every ``Restrictions`` field is a row or a missing
variable, so on the same input this model has the exact engine's optimum (tested on random small
cases). Its LP bound is weak (the big-M rows, the staffing steps), so it proves optimality only on
small cases; it serves the regions the exact engine cannot hold, with HiGHS's time limit and gap,
and every plan it returns says whether it is proven. Costs in thousands of NOK; the tie-break
matches the engine's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pulp

from optimizer.engine.plan import NO_RESTRICTIONS, Plan, Restrictions
from optimizer.errors import SolverLimitError
from optimizer.solver import SolveInfo, solve

if TYPE_CHECKING:
    from optimizer.model import HostChoiceModel
    from optimizer.units import ServiceCosts

SCALE = 1e-3
ROUNDING = 1e-9  # in steps: the tables round ``load / step - 1e-9`` up, and so do the rounding rows
LOADED = 1e-6  # FTE: a unit whose lightest load is above this needs at least one step
# HiGHS 1.16's MIP presolve wrongly called small models of this kind infeasible, or returned a dearer
# plan as optimal (random cases in tests/test_compact.py; a known class of HiGHS presolve bugs, e.g.
# ERGO-Code/HiGHS#3090 and #1725); without presolve every case agrees with the exact engine
HIGHS_OPTIONS = {"presolve": "off"}


def _affine(terms: Iterable[tuple[pulp.LpVariable, float]], constant: float = 0.0) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression(list(terms), constant=constant)


@dataclass
class _ServiceVars:
    """The variables of one service (keys are member indices)."""

    alone: dict[int, pulp.LpVariable]
    opened: dict[int, pulp.LpVariable]
    join: dict[tuple[int, int], pulp.LpVariable]  # (member, host)
    fte: dict[int, pulp.LpVariable]
    cost: dict[int, pulp.LpAffineExpression]  # true cost of the shared unit at each host
    served: dict[int, list[tuple[int, pulp.LpVariable]]] = field(init=False)  # see members_of

    def __post_init__(self) -> None:
        self.served = {h: [(h, var)] for h, var in self.opened.items()}
        for (i, h), var in self.join.items():
            self.served[h].append((i, var))

    def assignments(self) -> list[pulp.LpVariable]:
        """Every variable that assigns a member to a unit (one of them is 1 per member)."""
        return [*self.alone.values(), *self.opened.values(), *self.join.values()]

    def members_of(self, h: int) -> list[tuple[int, pulp.LpVariable]]:
        """(member, membership variable) of every member that h's shared unit may serve, h first."""
        return self.served[h]


class AssignmentMILP:
    """The assignment formulation of a model's scenario, for any subset of rule groups."""

    def __init__(self, model: "HostChoiceModel", *, time_limit: float | None = None) -> None:
        self.model = model
        self.scenario = model.scenario
        self.members = model.members
        self.options = model.scenario.solver if time_limit is None else replace(model.scenario.solver, time_limit=time_limit)
        self.tie = {m: float(model.tie[i]) for i, m in enumerate(self.members)}
        self.population = np.array([model.population[m] for m in self.members], dtype=float)

    def solve(self, rules: Iterable[str], restrictions: Restrictions = NO_RESTRICTIONS) -> Plan | None:
        """Minimum-cost plan under ``rules`` and ``restrictions``; ``None`` if no plan satisfies them."""
        plans = self.solve_best(rules, 1, restrictions)
        return plans[0] if plans else None

    def solve_best(self, rules: Iterable[str], k: int, restrictions: Restrictions = NO_RESTRICTIONS) -> list[Plan]:
        """The ``k`` cheapest distinct plans, cheapest first (fewer if fewer exist).

        After each plan the same model gets the no-good cut "not all of this plan's assignments
        again" (every member has exactly one assignment variable at 1, so the cut removes that plan
        alone) and is solved again, each time within the time limit. A solve stopped by the time
        limit returns its plan with ``solve_info.status`` "feasible" and HiGHS's gap; the first
        solve with no plan at all raises ``SolverLimitError``.
        """
        rules = frozenset(rules)
        if k < 1:
            return []
        problem = pulp.LpProblem("host_choice_assignment", pulp.LpMinimize)
        services = {}
        for sid, costs in self.model.costs.items():
            built = self._service(problem, sid, costs, rules, restrictions)
            if built is None:
                return []
            services[sid] = built
        problem.setObjective(pulp.lpSum(self._objective(sid, v) for sid, v in services.items()))
        self._restricted_sharing(problem, services, restrictions)
        self._fairness(problem, services, rules)
        plans: list[Plan] = []
        while len(plans) < k:
            info = solve(problem, self.options, HIGHS_OPTIONS)
            if info.status == "infeasible":
                break
            if not info.has_solution:
                if plans:
                    break
                raise SolverLimitError(info.status, self.options.time_limit)
            plans.append(self._plan(services, rules, info))
            chosen = [var for v in services.values() for var in v.assignments() if (var.varValue or 0) > 0.5]
            problem.addConstraint(pulp.lpSum(chosen) <= len(chosen) - 1, f"no_good_{len(plans)}")
        return sorted(plans, key=lambda p: round(p.total, 6))

    # -- one service -----------------------------------------------------------------------------
    def _service(self, problem: pulp.LpProblem, sid: str, costs: "ServiceCosts", rules: frozenset[str],
                 restrictions: Restrictions) -> _ServiceVars | None:
        if tuple(costs.members) != self.members:
            raise ValueError("service costs and model must list the members in the same order")
        spec, n = costs.spec, len(self.members)
        key = f"services.{sid}"
        limit = spec.value("max_travel_minutes") if f"{key}.max_travel_minutes" in rules else None
        cap = spec.capacity_fte if f"{key}.capacity_fte" in rules else {}
        forbidden = set(spec.forbidden_hosts) if f"{key}.forbidden_hosts" in rules else set()
        required = set(spec.required_hosts) if f"{key}.required_hosts" in rules else set()
        shared_ok = restrictions.shared_services is None or sid in restrictions.shared_services
        fixed = restrictions.fixed(sid)
        if fixed is not None and not fixed[0]:
            return None  # a unit's group holds its host: no unit matches
        fixed_hosts = set() if fixed is None else {self.members.index(m) for m in fixed[0]}
        fixed_group = set() if fixed is None else {self.members.index(m) for m in fixed[1]}

        def may_host(h: int, shared: bool) -> bool:
            m = self.members[h]
            if m in forbidden:
                return False
            if h in fixed_group:  # the fixed group's unit, hosted by one of its hosts
                return h in fixed_hosts and shared == (len(fixed_group) > 1) and (shared_ok or not shared)
            return shared_ok or not shared

        def may_join(i: int, h: int) -> bool:
            if self.members[i] in required or (limit is not None and costs.minutes[i, h] > limit + 1e-9):
                return False
            if i in fixed_group or h in fixed_group:
                return h in fixed_hosts and i in fixed_group
            return True

        alone = {}
        for i, m in enumerate(self.members):
            unit = costs.stand_alone(m)
            if may_host(i, False) and unit.fte <= cap.get(m, np.inf) + 1e-9:
                alone[i] = problem.add_variable(f"alone_{sid}_{i}", cat=pulp.LpBinary)
        joinable = {h: [i for i in range(n) if i != h and may_join(i, h)] for h in range(n) if may_host(h, True)}
        opened = {h: problem.add_variable(f"open_{sid}_{h}", cat=pulp.LpBinary) for h, others in joinable.items() if others}
        join = {(i, h): problem.add_variable(f"join_{sid}_{i}_{h}", cat=pulp.LpBinary)
                for h in opened for i in joinable[h]}
        variables = _ServiceVars(alone, opened, join, {}, {})
        for i in range(n):
            terms = [(var, 1.0) for (j, _), var in join.items() if j == i]
            terms += [(var, 1.0) for var in (alone.get(i), opened.get(i)) if var is not None]
            if not terms:
                return None  # no unit may serve member i
            problem.addConstraint(_affine(terms) == 1, f"assign_{sid}_{i}")
        if fixed is not None:  # one host opens the unit, and then the whole group joins it
            hosting = {}
            for h in sorted(fixed_hosts):
                var = alone.get(h) if len(fixed_group) == 1 else opened.get(h)
                if var is not None and all((i, h) in join for i in fixed_group - {h}):
                    hosting[h] = var
                elif var is not None:
                    problem.addConstraint(_affine([(var, 1.0)]) == 0, f"fixed_{sid}_not_{h}")
            if not hosting:
                return None
            problem.addConstraint(_affine([(var, 1.0) for var in hosting.values()]) == 1, f"fixed_{sid}")
            for h, var in hosting.items():
                for i in fixed_group - {h}:
                    problem.addConstraint(_affine([(join[i, h], 1.0), (var, -1.0)]) == 0, f"fixed_{sid}_{i}_{h}")
        for h in opened:
            self._shared_unit(problem, sid, costs, variables, h, cap.get(self.members[h]))
        if f"{key}.max_units" in rules:
            problem.addConstraint(pulp.lpSum([*alone.values(), *opened.values()]) <= spec.max_units, f"max_units_{sid}")
        return variables

    def _shared_unit(self, problem: pulp.LpProblem, sid: str, costs: "ServiceCosts", v: _ServiceVars, h: int,
                     cap: float | None) -> None:
        """Rows of h's shared unit: at least one other member, staffing, cost."""
        spec, scenario = costs.spec, self.scenario
        members = v.members_of(h)
        tag = f"{sid}_{h}"
        for i, var in members[1:]:
            problem.addConstraint(_affine([(var, 1.0), (v.opened[h], -1.0)]) <= 0, f"in_open_{tag}_{i}")
        problem.addConstraint(_affine([(var, 1.0) for _, var in members[1:]] + [(v.opened[h], -1.0)]) >= 0,
                              f"shared_{tag}")
        load = [(var, float(costs.workload[i])) for i, var in members]
        minimum = float(spec.value("min_fte"))
        most = max(minimum, float(sum(costs.workload[i] for i, _ in members))) + scenario.fte_step
        fte = problem.add_variable(f"fte_{tag}", lowBound=0, upBound=cap)
        v.fte[h] = fte
        if scenario.staffing == "continuous":
            rounded: pulp.LpAffineExpression = _affine(load)
        else:
            step = scenario.fte_step
            steps = problem.add_variable(f"steps_{tag}", lowBound=0, cat=pulp.LpInteger)
            rounded = _affine([(steps, step)])
            problem.addConstraint(_affine([(steps, step)] + [(var, -w) for var, w in load]) >= -ROUNDING * step,
                                  f"steps_up_{tag}")
            problem.addConstraint(_affine([(steps, step)] + [(var, -w) for var, w in load])
                                  <= step - ROUNDING * step, f"steps_down_{tag}")
        problem.addConstraint(fte - rounded >= 0, f"fte_load_{tag}")
        problem.addConstraint(fte - most * v.opened[h] <= 0, f"fte_open_{tag}")
        lightest = float(costs.workload[h] + min(costs.workload[i] for i, _ in members[1:]))
        least = lightest if scenario.staffing == "continuous" else (scenario.fte_step if lightest > LOADED else 0.0)
        if minimum <= least:
            problem.addConstraint(fte - rounded <= 0, f"fte_is_load_{tag}")  # the minimum never binds
        else:
            which = problem.add_variable(f"above_min_{tag}", cat=pulp.LpBinary)  # 1: the load sets the staffing
            problem.addConstraint(fte - minimum * v.opened[h] >= 0, f"fte_min_{tag}")
            problem.addConstraint(fte - rounded - most * (1 - which) <= 0, f"fte_is_load_{tag}")
            problem.addConstraint(fte - minimum - most * which <= 0, f"fte_is_min_{tag}")
        trips = np.asarray(costs.trips, dtype=float) * np.asarray(costs.trip_cost, dtype=float)[:, h]
        v.cost[h] = SCALE * _affine(
            [(v.opened[h], float(spec.value("fixed_cost"))), (fte, float(spec.value("cost_per_fte")))]
            + [(var, float(trips[i])) for i, var in members[1:]]
        )

    def _objective(self, sid: str, v: _ServiceVars) -> pulp.LpAffineExpression:
        costs = self.model.costs[sid]
        terms = [(var, SCALE * (costs.stand_alone(self.members[i]).total + self.tie[self.members[i]]))
                 for i, var in v.alone.items()]
        terms += [(v.opened[h], SCALE * self.tie[self.members[h]]) for h in v.opened]
        return _affine(terms) + pulp.lpSum(v.cost.values())

    # -- rows across services --------------------------------------------------------------------
    @staticmethod
    def _restricted_sharing(problem: pulp.LpProblem, services: dict[str, _ServiceVars],
                            restrictions: Restrictions) -> None:
        if restrictions.max_shared_services is None:
            return
        used = {}
        for sid, v in services.items():
            used[sid] = problem.add_variable(f"shared_service_{sid}", cat=pulp.LpBinary)
            for h, var in v.opened.items():
                problem.addConstraint(_affine([(var, 1.0), (used[sid], -1.0)]) <= 0, f"shared_use_{sid}_{h}")
        problem.addConstraint(pulp.lpSum(used.values()) <= restrictions.max_shared_services, "max_shared")

    def _hosted(self, services: dict[str, _ServiceVars], m: int) -> pulp.LpAffineExpression:
        """FTE member m hosts: its shared units and the services it runs alone."""
        terms = [(v.fte[m], 1.0) for v in services.values() if m in v.fte]
        terms += [(v.alone[m], self.model.stand_alone[(sid, self.members[m])].fte)
                  for sid, v in services.items() if m in v.alone]
        return _affine(terms)

    def _fairness(self, problem: pulp.LpProblem, services: dict[str, _ServiceVars], rules: frozenset[str]) -> None:
        f, n = self.scenario.fairness, len(self.members)
        if "fairness.min_shared_units_hosted" in rules:
            for m in (m for m in self.scenario.founding if m in self.members):  # as the engine's rows
                i = self.members.index(m)
                hosted = [(v.opened[i], 1.0) for v in services.values() if i in v.opened]
                problem.addConstraint(_affine(hosted) >= f.min_shared_units_hosted, f"shared_hosted_{m}")
        if "fairness.max_fte_loss" in rules:
            for i, m in enumerate(self.members):
                floor = self.model.stand_alone_fte(m) - f.max_fte_loss
                problem.addConstraint(self._hosted(services, i) >= floor - 1e-9, f"fte_loss_{m}")
        if "fairness.fte_band" in rules:
            hosted = [problem.add_variable(f"fte_hosted_{i}", lowBound=0) for i in range(n)]
            for i in range(n):
                problem.addConstraint(self._hosted(services, i) - hosted[i] == 0, f"fte_hosted_{i}")
            share = self.population / self.population.sum()
            total = pulp.lpSum(hosted)
            for i in range(n):
                low, high = max(0.0, share[i] - f.fte_band), min(1.0, share[i] + f.fte_band)
                problem.addConstraint(hosted[i] - low * total >= 0, f"fte_band_low_{i}")
                problem.addConstraint(hosted[i] - high * total <= 0, f"fte_band_high_{i}")
        if "fairness.individual_rationality" in rules:
            paid = self._payments(problem, services)
            keep = 1.0 - f.min_saving_percent / 100.0
            for i, m in enumerate(self.members):
                problem.addConstraint(paid[i] <= SCALE * keep * self.model.ir_reference[m], f"ir_{m}")

    def _payments(self, problem: pulp.LpProblem, services: dict[str, _ServiceVars]) -> list[pulp.LpAffineExpression]:
        """Each member's total payment under the cost key, as linear expressions (see module docstring)."""
        key = self.scenario.cost_key
        equal = {"equal": 1.0, "fixed_plus_per_capita": key.fixed_share}.get(key.method, 0.0)
        pay: list[list[tuple[pulp.LpVariable, float]]] = [[] for _ in self.members]
        for sid, v in services.items():
            for i, var in v.alone.items():
                pay[i].append((var, SCALE * self.model.stand_alone[(sid, self.members[i])].total))
            for h, cost in v.cost.items():
                members = v.members_of(h)
                most = SCALE * self._dearest(sid, h, members)
                parts = []
                if equal > 0:  # by_usage pools by workload, which is proportional to population
                    parts.append(("member", equal, np.ones(len(self.members)), most))
                if equal < 1:
                    smallest = self.population[h] + min(self.population[i] for i, _ in members[1:])
                    parts.append(("inhabitant", 1.0 - equal, self.population, most / smallest))
                for name, weight, per, top in parts:
                    price = problem.add_variable(f"price_{name}_{sid}_{h}", lowBound=0, upBound=top)
                    charged = []
                    for i, member in members:
                        q = problem.add_variable(f"charge_{name}_{sid}_{h}_{i}", lowBound=0)
                        problem.addConstraint(q - top * member <= 0, f"charge_in_{name}_{sid}_{h}_{i}")
                        problem.addConstraint(q - price <= 0, f"charge_at_most_{name}_{sid}_{h}_{i}")
                        problem.addConstraint(q - price - top * member >= -top, f"charge_at_least_{name}_{sid}_{h}_{i}")
                        charged.append((q, float(per[i])))
                        pay[i].append((q, weight * float(per[i])))
                    problem.addConstraint(_affine(charged) - cost == 0, f"priced_{name}_{sid}_{h}")
        return [_affine(terms) for terms in pay]

    def _dearest(self, sid: str, h: int, members: list[tuple[int, pulp.LpVariable]]) -> float:
        """An upper bound on the cost of h's shared unit of ``sid`` (every member it may serve)."""
        costs = self.model.costs[sid]
        return costs.unit(self.members[h], [self.members[i] for i, _ in members]).total + 1.0

    # -- reading the plan ------------------------------------------------------------------------
    def _plan(self, services: dict[str, _ServiceVars], rules: frozenset[str], info: SolveInfo) -> Plan:
        chosen = []
        for sid, v in services.items():
            costs = self.model.costs[sid]
            for i, var in v.alone.items():
                if var.varValue is not None and var.varValue > 0.5:
                    chosen.append(costs.stand_alone(self.members[i]))
            for h, var in v.opened.items():
                if var.varValue is not None and var.varValue > 0.5:
                    group = [self.members[i] for i, member in v.members_of(h) if (member.varValue or 0) > 0.5]
                    chosen.append(costs.unit(self.members[h], group))
        order = list(self.model.costs)
        chosen.sort(key=lambda u: (order.index(u.service), u.host, u.members))
        return Plan(tuple(chosen), {u: self.model.shares_of(u) for u in chosen}, info, rules)

"""The host-choice model: pick one unit per member and service at minimum total cost.

A *unit* u = (service, host, group) runs a service in one host for a group of members; its cost is
exact (``optimizer.units``: minimum professional environment, staffing steps, travel). A plan is,
for every enabled service, a partition of the members into units. Each member's payment under the
cost key is linear in the chosen units, so "no member pays more than alone" is a linear rule.

Rule groups (each named by its scenario key, so an infeasible scenario can name what to loosen):
- cost-side: ``services.<id>.max_travel_minutes``, ``.capacity_fte``, ``.forbidden_hosts``
  (units left out), ``.required_hosts`` (the host must run a unit), ``.max_units``;
- fairness: ``fairness.min_shared_units_hosted`` (each founding member hosts at least k units
  serving two or more members), ``fairness.fte_band`` (FTE hosted within a band around the
  population share), ``fairness.individual_rationality`` (no member pays more in total than its
  reference, less ``min_saving_percent``), ``fairness.max_fte_loss`` (no member hosts more than
  this many FTE fewer than it staffs alone).

A solve may also take ``Restrictions`` for the decision analyses (priorities, forced hosts): units
that must be chosen, services that may (or at most how many may) be shared.

Solving is ``optimizer.engine.exact``: every group of members is priced as arrays, each service is
solved exactly by a subset programme, and the fairness rules, which couple the services, are met by
a Lagrangian-bounded enumeration of service partitions and a small MILP, proven optimal. Ties are
broken towards lower host numbers by adding ``rank / n_members`` NOK per chosen unit (rank 0 for
the lowest number), so plans that differ by less than 1 NOK per unit count as tied; reported costs
leave it out. The old set-partitioning MILP over every candidate unit is kept in the tests as the
reference this engine is checked against. Beyond ``MAX_TABLE_MEMBERS`` (22) members, where the
unit tables no longer fit, the assignment MILP (``optimizer.engine.compact``) solves instead,
within the time limit and with its gap.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from optimizer.engine.compact import AssignmentMILP
from optimizer.engine.coupling import SCALE, Coupling
from optimizer.engine.exact import DEFAULT_TIME_LIMIT, Column, ExactEngine, Outcome, ServiceProblem, UnitMemo
from optimizer.engine.tables import MAX_TABLE_MEMBERS, ServiceTable, UnitRules
from optimizer.engine.reference import CandidateMILP
from optimizer.engine.plan import FAIRNESS_GROUPS, NO_RESTRICTIONS, Plan, Restrictions
from optimizer.errors import CutOff, SolverLimitError
from optimizer.parallel import each
from optimizer.pooling import pool_shares
from optimizer.scenario import Scenario
from optimizer.solver import SolveInfo
from optimizer.units import ServiceCosts, Unit

TIE_BREAK_NOK = 1.0
MAX_CACHED_PROBLEMS = 64  # service problems (unit costs under one rule set) kept per model
MAX_CACHED_BYTES = 600_000_000  # and at most about this much of their [host, group] tables (15 at 18 members)
MAX_WARM_PARTITIONS = 400  # partitions of the last solve kept per rule set to start the next one from
MAX_WARM_RULE_SETS = 16  # rule sets whose last pool is kept (a decision analysis lifts a few rules at a time)
MAX_MEMO_RULE_SETS = 4  # rule sets whose units' row coefficients are kept (about 1 kB a unit at 18 members)
MAX_MEMO_UNITS = 100_000  # units per rule set beyond which they are forgotten before the next solve
DIAGNOSIS_SECONDS = 30.0  # at most this long to find which rules conflict
ENGINE_FIRST_SECONDS = 3.0  # up to 10 members, the engine's share before the candidate-unit MILP takes over
CANDIDATE_SHARE = 0.5  # of the time left then, the candidate-unit MILP's; the engine resumes for the rest
REFERENCE_FEASIBILITY_UP_TO = 10  # members: an unproven "no plan" is settled by the candidate-unit MILP


class HostChoiceModel:
    """The units of a scenario and the solver over them, for any subset of rule groups."""

    def __init__(self, scenario: Scenario, costs: Mapping[str, ServiceCosts],
                 ir_reference: Mapping[str, float] | None = None) -> None:
        self.scenario = scenario
        self.costs = costs
        self.members = tuple(sorted(scenario.members))
        self.population = {m: scenario.population(m) for m in self.members}
        self.stand_alone = {
            (s, m): sc.stand_alone(m) for s, sc in costs.items() for m in self.members
        }
        # what individual rationality measures each member's payment against (default: robust alone)
        self.ir_reference = dict(ir_reference) if ir_reference is not None else {
            m: self.stand_alone_total(m) for m in self.members
        }
        self.tie = np.array([TIE_BREAK_NOK * i / len(self.members) for i in range(len(self.members))])
        self._tables: dict[str, ServiceTable] = {}
        self._problems: dict[tuple, ServiceProblem] = {}
        # per rule set, the partitions the last solve's pool held: the next solve under the same rules
        # (a decision analysis re-solving with restrictions) starts from them
        self._warm: dict[frozenset[str], list[tuple[int, tuple[tuple[int, int], ...]]]] = {}
        self._memos: dict[frozenset[str], UnitMemo] = {}  # per rule set: see UnitMemo
        self._share_tables: dict = {}  # what each member pays of each unit: the same under any rules

    def detached(self) -> HostChoiceModel:
        """A copy for a line of re-solves of its own (in a thread of its own, say): it shares the unit
        tables and service problems built so far, which solves only read (or fill in alike), and takes
        its own warm pools and memos, so what it solves neither depends on nor changes what another
        copy solves."""
        if len(self.members) <= MAX_TABLE_MEMBERS:  # beyond, the solves need no tables
            for service in self.costs:
                self.table(service)  # built here, once: the copies then only read the tables
        clone = copy.copy(self)
        clone._problems = dict(self._problems)
        clone._warm = dict(self._warm)
        memos = dict(self._memos)  # a snapshot first (one C-level copy), should another thread solve meanwhile
        clone._memos = {rules: replace(memo, coefficients=dict(memo.coefficients)) for rules, memo in memos.items()}
        return clone

    @property
    def candidate_count(self) -> int:
        """How many candidate units there are (every host and group, before any rule)."""
        n = len(self.members)
        return len(self.costs) * n * (1 << (n - 1))

    def shares_of(self, unit: Unit) -> dict[str, float]:
        """Fraction of ``unit``'s cost each member it serves pays under the cost key."""
        return pool_shares(self.scenario.cost_key, unit.members, self.population,
                           self.costs[unit.service].usage(unit.members))

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

    # -- solving ---------------------------------------------------------------------------------
    def solve(self, rules: Iterable[str], restrictions: Restrictions = NO_RESTRICTIONS, *,
              time_limit: float | None = None, cutoff: float | None = None) -> Plan | None:
        """Minimum-cost plan under ``rules`` and ``restrictions``; ``None`` if no plan satisfies them.

        ``cutoff`` (NOK): the search may stop as soon as it proves that no plan costs less, raising
        ``CutOff`` with that bound (for a caller that only needs to know whether the optimum is
        below it). Raises ``SolverLimitError`` when the time limit ends the search before any plan
        is found.
        """
        plans = self.solve_best(rules, 1, restrictions, time_limit=time_limit, cutoff=cutoff)
        return plans[0] if plans else None

    def solve_best(self, rules: Iterable[str], k: int, restrictions: Restrictions = NO_RESTRICTIONS, *,
                   time_limit: float | None = None, cutoff: float | None = None) -> list[Plan]:
        """The ``k`` cheapest distinct plans under ``rules``, cheapest first (fewer if fewer exist).

        Two plans are distinct when their sets of chosen units differ, i.e. some member is grouped
        differently or some group has another host for some service. Exact with the default zero
        gap, up to the tie-break of under 1 NOK per unit: the plans are returned sorted by true
        cost (stable, so exact ties keep the tie-break order). A search stopped by the time limit
        returns its plans with ``solve_info.status`` "feasible" and the gap to the proven bound:
        the list is then not proven to be the k best, and the caller must say so.
        """
        rules = frozenset(rules)
        if k < 1:
            return []
        start = time.perf_counter()
        limit = time_limit or self.scenario.solver.time_limit or DEFAULT_TIME_LIMIT
        if len(self.members) > MAX_TABLE_MEMBERS:  # beyond the unit tables: proven only when HiGHS closes the gap
            return AssignmentMILP(self, time_limit=limit).solve_best(rules, k, restrictions)
        small = len(self.members) <= REFERENCE_FEASIBILITY_UP_TO
        first = min(0.5 * limit, ENGINE_FIRST_SECONDS) if small else limit
        outcome = self._run_engine(rules, restrictions, first, k, cutoff, hand_over=True)
        if small and outcome.status in ("weak_bound", "feasible", "not_solved"):
            # a small case the engine did not settle quickly: the candidate-unit MILP is strong here
            decided = True
            try:
                if not outcome.plans:  # first settle whether any plan exists: much quicker without costs
                    remaining = max(0.1, limit - (time.perf_counter() - start))
                    if CandidateMILP(self, objective=False, time_limit=remaining).solve(rules, restrictions) is None:
                        return []
                remaining = max(0.1, limit - (time.perf_counter() - start))
                plans = CandidateMILP(self, time_limit=CANDIDATE_SHARE * remaining).solve_best(rules, k, restrictions)
            except SolverLimitError:
                plans, decided = [], False
            if not (plans and plans[0].solve_info.status == "optimal"):
                # neither settled it: the engine again, for the rest of the time, with the pool it built
                remaining = max(0.1, limit - (time.perf_counter() - start))
                again = self._run_engine(rules, restrictions, remaining, k, cutoff, hand_over=False)
                if again.status == "optimal" and again.plans:
                    return _ranked([self.plan_of(c, rules, again) for c in again.plans])
                if again.plans and (not outcome.plans or sum(c.cost for c in again.plans[0])
                                    < sum(c.cost for c in outcome.plans[0])):
                    outcome = again
            engine_plans = [self.plan_of(c, rules, replace(outcome, status="feasible")) for c in outcome.plans]
            if plans and (plans[0].solve_info.status == "optimal" or not engine_plans
                          or plans[0].total <= engine_plans[0].total):
                return plans
            if engine_plans:
                return _ranked(engine_plans)
            if not decided:
                raise SolverLimitError("not_solved", limit)
            return []  # the candidate-unit MILP proved that no plan exists
        if outcome.status == "infeasible" or (not outcome.plans and outcome.status == "optimal"):
            return []
        if not outcome.plans:
            raise SolverLimitError(outcome.status, limit)
        return _ranked([self.plan_of(columns, rules, outcome) for columns in outcome.plans])

    def _run_engine(self, rules: frozenset[str], restrictions: Restrictions, seconds: float, k: int,
                    cutoff: float | None, *, hand_over: bool) -> Outcome:
        """One engine search of ``seconds`` (``hand_over``: it may stop early on a small case, for the
        candidate-unit MILP); its pool is kept for the next solve of ``rules``. Raises ``CutOff``."""
        engine = self.engine(rules, restrictions, time_limit=seconds)
        if not hand_over:
            engine.feasibility = None
        # the engine's costs carry the tie-break: its bound, less the most that adds, bounds true costs
        outcome = engine.solve(k, np.inf if cutoff is None else SCALE * (cutoff + self.tie_slack()))
        if rules not in self._warm and len(self._warm) >= MAX_WARM_RULE_SETS:
            self._warm.pop(next(iter(self._warm)))
        self._warm[rules] = engine.pool_partitions()[-MAX_WARM_PARTITIONS:]
        if outcome.status == "cut_off":
            raise CutOff(outcome.lower_bound / SCALE - self.tie_slack())
        return outcome

    def forced_unit_bounds(self, rules: Iterable[str], service: str, members: Iterable[str], upper: float
                           ) -> dict[str, float]:
        """Per member of ``members``: a bound b (NOK) such that every plan under ``rules`` in which that
        member hosts the unit of ``service`` serving exactly ``members`` costs at least b or more than
        ``upper`` (``inf``: none costs ``upper`` or less; ``-inf`` beyond the unit tables). Cheap after
        the first call per rule set and ``upper``: a screen that spares the solves that cannot matter
        (see ``ExactEngine.forced_bounds``)."""
        members = list(members)
        if len(self.members) > MAX_TABLE_MEMBERS:
            return {m: -np.inf for m in members}
        index = {m: i for i, m in enumerate(self.members)}
        engine = self.engine(frozenset(rules))
        bounds = engine.forced_bounds(list(self.costs).index(service), sum(1 << index[m] for m in members),
                                      SCALE * (upper + self.tie_slack()))
        return {m: float(bounds[index[m]]) / SCALE - self.tie_slack() for m in members}

    def prepare_forced_bounds(self, rules: Iterable[str], upper: float) -> None:
        """Work out now the root ``forced_unit_bounds`` under ``rules`` and ``upper`` start from, once:
        it is kept in the rule set's memo, which the copies ``detached`` makes afterwards carry."""
        if len(self.members) <= MAX_TABLE_MEMBERS:
            self.engine(frozenset(rules)).forced_root(SCALE * (upper + self.tie_slack()))

    def tie_slack(self) -> float:
        """The most the tie-break adds to a plan's cost (NOK): a bound on tie-broken costs, less this,
        bounds true costs."""
        return TIE_BREAK_NOK * len(self.costs) * len(self.members)

    def engine(self, rules: frozenset[str], restrictions: Restrictions = NO_RESTRICTIONS, *,
               time_limit: float | None = None) -> ExactEngine:
        """The engine for one rule set; its service problems are shared across solves (cached)."""
        index = {m: i for i, m in enumerate(self.members)}
        keys = []
        for sid in self.costs:
            fixed = restrictions.fixed(sid)
            unit_rules = UnitRules(
                travel_limit=f"services.{sid}.max_travel_minutes" in rules,
                capacity=f"services.{sid}.capacity_fte" in rules,
                forbidden=f"services.{sid}.forbidden_hosts" in rules,
                required=f"services.{sid}.required_hosts" in rules,
                fixed_unit=None if fixed is None else (sum(1 << index[m] for m in fixed[0]),
                                                       sum(1 << index[m] for m in fixed[1])),
                shared_allowed=restrictions.shared_services is None or sid in restrictions.shared_services,
            )
            max_units = self.scenario.service(sid).max_units if f"services.{sid}.max_units" in rules else None
            keys.append((sid, unit_rules, max_units))
        problems = self._problems_for(keys)
        alone_fte = {m: self.stand_alone_fte(m) for m in self.members}
        coupling = Coupling(self.scenario, self.members, rules, self.ir_reference, alone_fte,
                            restrictions.max_shared_services)
        feasibility = None
        if len(self.members) <= REFERENCE_FEASIBILITY_UP_TO:
            def feasibility(seconds: float) -> list[list[tuple[int, int]]] | None:
                plan = CandidateMILP(self, objective=False, time_limit=seconds).solve(rules, restrictions)
                if plan is None:
                    return None
                return [[(index[u.host], sum(1 << index[m] for m in u.members)) for u in plan.units if u.service == sid]
                        for sid in self.costs]
        options = self.scenario.solver if time_limit is None else replace(self.scenario.solver, time_limit=time_limit)
        return ExactEngine(problems, coupling, options, feasibility, self._warm.get(rules, ()), self._memo(rules))

    def _memo(self, rules: frozenset[str]) -> UnitMemo:
        """What solves under ``rules`` share (the last few rule sets, each bounded in size)."""
        if rules not in self._memos:
            if len(self._memos) >= MAX_MEMO_RULE_SETS:
                self._memos.pop(next(iter(self._memos)))
            self._memos[rules] = UnitMemo(share_tables=self._share_tables)
        memo = self._memos[rules]
        memo.trim(MAX_MEMO_UNITS)
        return memo

    def table(self, service: str) -> ServiceTable:
        """Every unit of ``service`` as arrays over groups and hosts (built once)."""
        if service not in self._tables:
            self._tables[service] = ServiceTable(self.costs[service], self.members, self.tie)
        return self._tables[service]

    def _problems_for(self, keys: list[tuple[str, UnitRules, int | None]]) -> list[ServiceProblem]:
        """Each service under its rules (service, rules, max_units), cached; those not cached are built
        in parallel threads for large member sets (NumPy's work on 38 MB tables at 18 members runs
        outside the GIL: 1.7 s one after another). The least recently used go first, and at county
        scale the cache is bounded by size as well."""
        found = {key: self._problems[key] for key in keys if key in self._problems}  # before any is evicted below
        missing = list(dict.fromkeys(key for key in keys if key not in found))
        found.update(zip(missing, each(len(self.members), lambda key: ServiceProblem(self.table(key[0]), *key[1:]),
                                       missing)))
        for key in keys:
            if key in self._problems:
                self._problems[key] = self._problems.pop(key)  # now the most recently used
            else:
                size = self.table(key[0]).travel.nbytes
                while self._problems and len(self._problems) >= min(MAX_CACHED_PROBLEMS, MAX_CACHED_BYTES // size):
                    self._problems.pop(next(iter(self._problems)))
                self._problems[key] = found[key]
        return [found[key] for key in keys]

    def plan_of(self, columns: Sequence[Column], rules: frozenset[str], outcome: Outcome | None = None) -> Plan:
        """The plan made of ``columns`` (one partition per service), with its units' exact costs."""
        chosen = []
        for column in columns:
            sid = list(self.costs)[column.service]
            for h, g in column.units:
                group = [m for i, m in enumerate(self.members) if g >> i & 1]
                chosen.append(self.costs[sid].unit(self.members[h], group))
        order = list(self.costs)
        chosen.sort(key=lambda u: (order.index(u.service), u.host, u.members))
        total = sum(u.total for u in chosen)
        info = (SolveInfo(self.scenario.solver.name, outcome.status, total, outcome.seconds, outcome.gap())
                if outcome is not None else SolveInfo("dynamic programme", "optimal", total, 0.0, 0.0))
        return Plan(tuple(chosen), {u: self.shares_of(u) for u in chosen}, info, rules)

    def irreducible_conflict(self, rules: Sequence[str]) -> list[str]:
        """A smallest-by-deletion set of rule groups that together admit no plan.

        Deletion filter: drop each group in turn and keep it dropped if the rest is still
        infeasible; what remains cannot be met together, and loosening any one of them helps.
        Without fairness rules the services are independent, so the filter runs on the first
        service that has no plan, by its subset programme alone. Otherwise each trial gets a
        share of ``DIAGNOSIS_SECONDS``; a trial that cannot decide in its time keeps its group
        (the set still cannot be met together, but may not be the smallest).
        """
        rules = list(rules)
        if not any(g in FAIRNESS_GROUPS for g in rules):
            for sid in self.costs:
                mine = [g for g in rules if g.startswith(f"services.{sid}.")]
                if self.solve(mine) is None:
                    rules = mine
                    break
        deadline = time.perf_counter() + DIAGNOSIS_SECONDS
        needed = list(rules)
        for group in list(rules):
            trial = [g for g in needed if g != group]
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            try:
                if self.solve(trial, time_limit=min(remaining, self.scenario.solver.time_limit or remaining)) is None:
                    needed = trial
            except SolverLimitError:
                continue
        return needed


def _ranked(plans: Iterable[Plan]) -> list[Plan]:
    """Plans by true cost (stable, so exact ties keep the tie-break order)."""
    return sorted(plans, key=lambda p: round(p.total, 6))

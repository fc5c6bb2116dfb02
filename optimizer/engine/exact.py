"""Proven-optimal plans by Lagrangian-bounded enumeration of service partitions.

A plan chooses, for every service, a *partition* of the members into units (host, group). Without
coupling rows (``optimizer.engine.coupling``) each service is solved exactly by the subset
programme. With them:

1. Column generation on the master LP "one partition per service, coupling rows", priced exactly
   by the subset programme on Lagrangian unit costs, gives multipliers ``lam`` and, at every
   pricing, a valid lower bound ``L(lam) = sum_s min_P Lcost_s(P) - lam . b``.
2. Any plan ``x`` meeting the rows has ``cost(x) >= L(lam) + sum_s (Lcost_s(P_s) - min_s)``, so a
   plan costing at most ``L + D`` uses, in every service, a partition within ``D`` of that
   service's Lagrangian optimum. Those are enumerated exactly (``kernels.enumerate_partitions``).
3. A MILP picks one enumerated partition per service under the coupling rows. If its optimum is
   at most ``L + D`` it is proven optimal; otherwise ``D`` grows to the MILP's optimum, which then
   proves it. The same argument gives the k best plans.

Costs are in thousands of NOK. Every unit's cost carries the tie-break (under 1 NOK per unit,
towards lower member indices) in the programmes, the bounds, the enumeration and the MILPs alike,
so a proven plan is the cheapest with its tie-break: unique up to exact ties of the tie-broken
cost, and the same input gives the same plan. Its true cost is within the tie-break of the true
optimum. The coalition game and the plan without coupling rows use the true costs
(``ServiceProblem.true_programme``).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import InitVar, dataclass, field, replace

import highspy
import numpy as np
import pulp

from optimizer.engine.coupling import SCALE, Coupling, pooled_share_table
from optimizer.engine.kernels import (cheapest_units, compiles, distinct_partitions, enumerate_partition_arrays,
                                      enumerate_partitions, partition_layers)
from optimizer.engine.tables import ServiceTable, UnitRules
from optimizer.errors import SolverLimitError
from optimizer.parallel import each
from optimizer.solver import SolveInfo, SolverOptions, quiet_highs, solve

TOL = 1e-4  # thousands of NOK (0.1 NOK): slack added to every threshold, so enumerations err on the safe side
PHASE_ONE_SLACK = 1e-9  # summed slack on the rows below which phase one's LP counts as met (HiGHS: 1e-7 per row)
PHASE_ONE_INFEASIBLE = 1e-6  # least summed slack, priced to the end, above which no plan meets the rows
LP_NOISE = 1e-8  # relative: a bound read off the LP's multipliers may miss its plan's cost by this (HiGHS tolerances)
MAX_COLUMN_ROUNDS = 200
LOCAL_SEARCH_FROM = 13  # members: below this the exact pricing is cheaper than searching
DEFAULT_TIME_LIMIT = 60.0  # seconds, when the scenario sets none: an answer always comes
ENUMERATION_CAPACITY = 200_000  # partitions per service and round before we stop and say so
WEAK_BOUND = 0.01  # a relative gap above this after pricing hands small cases to the candidate-unit MILP
NODE_CAPACITY = 500_000  # partitions per service a branching node may enumerate; beyond, it branches
FIRST_CAPACITY = 20_000  # the same before the search, for a better first plan (the FTE rows come from its cost)
HEURISTIC_CAPACITY = 2_000  # partitions per service within a narrower gap when the node's own gap overflows
PREFETCH_FROM = 64  # new units of one listing at which their row coefficients are computed before its columns
MILP_COLUMNS = 20_000  # listed partitions kept for one MILP at most; beyond, the node is not solved by listing
LISTED_CELLS = 20_000_000  # listed partitions x rows in force at most (160 MB of coefficients)
LISTING_BLOCK = 4_096  # partitions whose columns are summed together (their units' rows: a few MB)
TIGHTEN_FROM = 11  # members: from here the band's rows are tightened by cost (below, the search is quick as is)
STRONG_CANDIDATES = 6  # FTE splits compared by LPs over the pool before a node branches
FTE_PRICE_SHARE = 0.8  # share of the cheapest cost per FTE used to bound a plan's total FTE by its cost


LOG = logging.getLogger(__name__)


def _each(n: int, work: Callable[[int], object], count: int) -> list:
    """``[work(s) for s in range(count)]``, in parallel threads for large member sets (``optimizer.parallel``)."""
    return each(n, work, range(count))


@dataclass
class Column:
    """One partition of one service's members into units, with its cost and row coefficients."""

    service: int
    units: tuple[tuple[int, int], ...]  # (host index, group mask), in the order found
    cost: float  # thousands of NOK, tie-break included (the MILP's objective)
    true: float  # thousands of NOK
    coef: np.ndarray
    shared: bool

    @property
    def key(self) -> tuple[int, frozenset]:
        return self.service, frozenset(self.units)


@dataclass
class UnitMemo:
    """What every solve of one model under one rule set computes alike, kept between its solves (a
    decision analysis re-solves the same rules many times): each unit's row coefficients, keyed
    (service, host, group) (they depend on the rows, hence the rules, but not on restrictions,
    branching or right-hand sides), and the share tables (``ExactEngine._shares``)."""

    coefficients: dict[tuple[int, int, int], np.ndarray] = field(default_factory=dict)
    share_tables: dict[tuple[float, ...] | None, np.ndarray] = field(default_factory=dict)
    # the cost bounding the plans considered, and the root there (see ExactEngine.forced_bounds)
    multipliers: tuple[float, tuple | None] | None = None

    def trim(self, most: int) -> None:
        """Forget the coefficients when more than ``most`` are kept (they are recomputed on demand)."""
        if len(self.coefficients) > most:
            self.coefficients.clear()


@dataclass
class ServiceProblem:
    """One service under the active rules: its unit costs and their subset programme."""

    table: ServiceTable
    rules: UnitRules
    max_units: int | None
    cost: np.ndarray = field(init=False)  # [host, group], thousands of NOK, inf = not allowed
    shares: np.ndarray | None = None
    plain: tuple[np.ndarray, np.ndarray] | None = None  # subset programme on the plain costs, tie-break included
    hosts: np.ndarray | None = None  # per group the cheapest host on the plain costs, tie-break included
    true_plain: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # the same without it, and its hosts
    fte_extremes: dict[float, tuple[float, float]] = field(default_factory=dict)  # see ExactEngine._bound_total_fte
    largest: np.ndarray | None = None  # see largest_hosted
    known_cost: InitVar[np.ndarray | None] = None  # ``cost`` when already known (a narrowed parent's)

    def __post_init__(self, known_cost: np.ndarray | None) -> None:
        if known_cost is None:
            known_cost = self.table.cost(self.rules)
            known_cost *= SCALE
        self.cost = known_cost

    def tie(self, host: int) -> float:
        return SCALE * float(self.table.tie[host])

    @property
    def ties(self) -> np.ndarray:
        """Per host the tie-break a unit it hosts adds, thousands of NOK."""
        return SCALE * self.table.tie

    def programme(self) -> tuple[np.ndarray, np.ndarray]:
        """``best[k, S]`` and first groups of the cheapest splits on plain costs with the tie-break (cached;
        not ``complete``, see ``partition_layers``)."""
        if self.plain is None:
            unit, self.hosts = self._cheapest(self.ties)
            self.plain = partition_layers(unit, self.max_units if self.limited else None, complete=False)
        return self.plain

    def true_programme(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``best[k, S]``, first groups and per group the cheapest host (the lowest on ties) of the cheapest
        splits on plain costs without the tie-break (cached): the coalition game and the plan without
        coupling rows, whose true cost must be the least."""
        if self.true_plain is None:
            unit, hosts = self._cheapest(np.zeros(self.table.n))
            best, choice = partition_layers(unit, self.max_units if self.limited else None)
            self.true_plain = (best, choice, hosts)
        return self.true_plain

    def _cheapest(self, ties: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per group the least ``cost[h] + ties[h]`` and that host (the lowest on ties), in one compiled pass
        from ``COMPILE_FROM`` members (no [host, group] temporary: 38 MB at 18 members, and numpy's argmin
        over hosts is strided)."""
        zero = np.zeros(self.table.n)
        return cheapest_units(self.cost, self.cost, self.table.fte, np.zeros(self.cost.shape[1], dtype=bool), zero,
                              0.0, zero, np.zeros(self.cost.shape[1]), ties)

    @property
    def limited(self) -> bool:
        return self.max_units is not None and self.max_units < self.table.n

    def largest_hosted(self) -> np.ndarray:
        """Per host the FTE of the largest unit it may host (``-inf`` where none; cached, as ``cost`` is
        fixed once built and the model's solves share the problem)."""
        if self.largest is None:
            fte = self.table.fte  # host by host: a whole-table temporary costs more in page faults at 18 members
            self.largest = np.array([np.max(fte, where=np.isfinite(row), initial=-np.inf) for row in self.cost])
        return self.largest

    def capped(self, caps: tuple[float, ...]) -> ServiceProblem:
        """The same service where no unit hosted by member m has more than ``caps[m]`` FTE."""
        old = self.rules.fte_caps if self.rules.fte_caps is not None else (np.inf,) * len(caps)
        return self._with_rules(replace(self.rules, fte_caps=tuple(min(a, b) for a, b in zip(old, caps))))

    def branched(self, pins: tuple[tuple[int, int, bool], ...], caps: np.ndarray, floors: np.ndarray
                 ) -> ServiceProblem:
        """The same service with branching decisions: pins (member, host, must) and per host the
        least and most FTE of a unit it hosts (a floor above 0 also makes that member host its own unit)."""
        old = np.array(self.rules.fte_caps if self.rules.fte_caps is not None else [np.inf] * len(caps))
        hosts = tuple((m, m, True) for m in np.flatnonzero(floors > 0))
        return self._with_rules(replace(
            self.rules, pins=self.rules.pins + pins + hosts, fte_caps=tuple(float(c) for c in np.minimum(old, caps)),
            fte_floors=tuple(float(f) for f in floors) if np.any(floors > 0) else self.rules.fte_floors))

    def _with_rules(self, rules: UnitRules) -> ServiceProblem:
        """This problem under ``rules``, which only add FTE caps, floors and pins to its own: its costs
        with the units those drop masked (the same as from the table, in a fraction of the time)."""
        cost = self.cost.copy()
        if not self.table.narrow(cost, self.rules, rules):
            cost = np.where(self.table.decided(rules), self.cost, np.inf)
        return ServiceProblem(self.table, rules, self.max_units, shares=self.shares,  # who pays does not depend on rules
                              known_cost=cost)


@dataclass(frozen=True)
class Listing:
    """Partitions of one service as arrays: partition i is the units ``starts[i]:starts[i + 1]``."""

    starts: np.ndarray
    hosts: np.ndarray
    groups: np.ndarray

    @property
    def count(self) -> int:
        return len(self.starts) - 1


NOTHING_LISTED = Listing(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class ListedPartitions:
    """A listing of service s as would-be columns: a column is made only for a partition a MILP may
    choose (at 18 members a listing holds up to 200 000 partitions, of which a few hundred differ on
    the rows in force; ``ExactEngine._listed_signatures``)."""

    service: int
    listing: Listing

    def units(self, i: int) -> tuple[tuple[int, int], ...]:
        a, b = self.listing.starts[i], self.listing.starts[i + 1]
        return tuple(zip(self.listing.hosts[a:b].tolist(), self.listing.groups[a:b].tolist()))


@dataclass(frozen=True)
class Signatures:
    """Listed partitions a MILP may choose: their index in the listing, cost (tie-break included), true
    cost, whether they share a unit, and coefficients on the rows in force."""

    index: np.ndarray
    cost: np.ndarray
    true: np.ndarray
    shared: np.ndarray
    coefs: np.ndarray


@dataclass
class Outcome:
    """Plans found (each a column per service), whether proven, the bound and the time used."""

    plans: list[list[Column]]
    status: str  # "optimal", "feasible" (not proven), "infeasible", "not_solved", "weak_bound" (see WEAK_BOUND),
    # or "cut_off" (the bound reached the solve's cutoff: plans may be empty)
    lower_bound: float | None  # thousands of NOK
    seconds: float

    def gap(self) -> float | None:
        if not self.plans or self.lower_bound is None:
            return None
        best = _cost(self.plans[0])
        return 0.0 if self.status == "optimal" else max(0.0, (best - self.lower_bound) / max(abs(best), TOL))


@dataclass(frozen=True)
class Node:
    """A branching node's decisions, per service: host pins, and bounds on the FTE of the unit a member hosts."""

    pins: tuple[tuple[int, int, int, bool], ...] = ()  # (service, member, host, must)
    limits: tuple[tuple[int, int, float, float], ...] = ()  # (service, member, least, most); least > 0: it hosts

    def of(self, s: int, n: int) -> tuple[tuple[tuple[int, int, bool], ...], np.ndarray, np.ndarray] | None:
        """Service s's pins, and per member the least and most FTE of a unit it hosts; ``None`` if s is free."""
        pins = tuple((m, h, must) for t, m, h, must in self.pins if t == s)
        limits = [(m, low, high) for t, m, low, high in self.limits if t == s]
        if not pins and not limits:
            return None
        floors, caps = np.zeros(n), np.full(n, np.inf)
        for m, low, high in limits:
            floors[m], caps[m] = max(floors[m], low), min(caps[m], high)
        return pins, caps, floors


class ExactEngine:
    """Solve one rule set (cost-side rules inside the services, coupling rows across them)."""

    def __init__(self, services: Sequence[ServiceProblem], coupling: Coupling, options: SolverOptions,
                 feasibility: Callable[[float], list[list[tuple[int, int]]] | None] | None = None,
                 warm: Sequence[tuple[int, tuple[tuple[int, int], ...]]] = (), memo: UnitMemo | None = None
                 ) -> None:
        """``feasibility``, if given, answers exactly whether any plan exists (its units per service, or
        None) within the seconds it is given, or raises ``SolverLimitError``. ``warm``: partitions
        (service, units) of an earlier solve of the same rules (``pool_partitions``), put in the pool
        first, a unit the current restrictions forbid moved to an allowed host; they only speed the
        search up (a column is one partition, whatever the restrictions). ``memo``: an earlier solve's
        of the same model and rules (``UnitMemo``)."""
        self.services = list(services)
        self.feasibility = feasibility
        self._warm = tuple(warm)
        self.memo = memo if memo is not None else UnitMemo()
        self._share_tables = self.memo.share_tables  # see _shares
        self.coupling = coupling
        self.options = options
        self.n = coupling.n
        self.full = (1 << self.n) - 1
        self.pool: dict[tuple[int, frozenset], Column] = {}
        self._coef = self.memo.coefficients
        self._active: set[int] = set()  # coupling rows the master MILP carries
        self._lp_solution: tuple[list[Column], np.ndarray] = ([], np.zeros(0))
        self._deadline = self._pricing_deadline = np.inf
        self._cutoff = np.inf  # see solve
        self._plain_bound = -np.inf
        self._best_priced: tuple[np.ndarray | None, list] = (None, [])  # multipliers and _price_all there
        self._last_minima: dict[int, tuple] = {}  # see _minima
        self._overflowed = -1  # the service whose enumeration last overflowed (tried first next time)

    # -- columns ---------------------------------------------------------------------------------
    def column(self, s: int, units: Sequence[tuple[int, int]]) -> Column:
        sp = self.services[s]
        coef = np.zeros(len(self.coupling.rows))
        true = tie = 0.0
        for h, g in units:
            true += self._unit_cost(s, h, g)
            tie += sp.tie(h)
            coef += self._unit_coef(s, h, g)
        shared = any(g & (g - 1) for _, g in units)
        return Column(s, tuple(units), float(true + tie), float(true), coef, shared)

    def _unit_coef(self, s: int, h: int, g: int) -> np.ndarray:
        if (s, h, g) not in self._coef:
            self._fill_coefs(s, [(h, g)])
        return self._coef[(s, h, g)]

    def _prefetch(self, s: int, units: set[tuple[int, int]]) -> None:
        """Row coefficients of many new units of service s at once (the enumeration lists thousands)."""
        missing = sorted(u for u in units if (s, *u) not in self._coef)
        if len(missing) >= PREFETCH_FROM:
            self._fill_coefs(s, missing)

    def _fill_coefs(self, s: int, missing: list[tuple[int, int]]) -> None:
        """Cache the row coefficients of the units (host, group) of service s, computed together."""
        sp = self.services[s]
        hosts = np.array([h for h, _ in missing], dtype=np.int64)
        groups = np.array([g for _, g in missing], dtype=np.int64)
        cost = SCALE * (sp.table.base[groups] + sp.table.travel[hosts, groups])  # as _unit_cost, unit by unit
        shares = self._shares(s)[:, groups] if any(r.kind == "ir" for r in self.coupling.rows) else None
        coefs = self.coupling.units_coefficients(hosts, groups, sp.table.fte[groups], cost, shares)
        for (h, g), coef in zip(missing, coefs):
            self._coef[(s, h, g)] = coef

    def _shares(self, s: int) -> np.ndarray:
        """What each member pays of each group's unit of service s (``pooled_share_table``); services
        share one table unless the key pools by usage, which differs by service."""
        sp = self.services[s]
        if sp.shares is None:
            by_usage = self.coupling.cost_key.method == "by_usage"
            key = tuple(np.asarray(sp.table.costs.workload, dtype=float).tolist()) if by_usage else None
            if key not in self._share_tables:
                self._share_tables[key] = pooled_share_table(self.coupling.cost_key, sp.table, self.coupling.population)
            sp.shares = self._share_tables[key]
        return sp.shares

    def _unit_cost(self, s: int, h: int, g: int) -> float:
        """A unit's cost in thousands of NOK, whatever rules the current node adds."""
        table = self.services[s].table
        return SCALE * float(table.base[g] + table.travel[h, g])

    def _compatible(self, column: Column) -> bool:
        sp = self.services[column.service]
        return all(np.isfinite(sp.cost[h, g]) for h, g in column.units)

    def _columns(self) -> list[Column]:
        """The pool's columns that the current services allow (all, outside branching)."""
        return [c for c in self.pool.values() if self._compatible(c)]

    def _add(self, column: Column) -> bool:
        if column.key in self.pool:
            return False
        self.pool[column.key] = column
        return True

    def _alone(self, s: int) -> list[tuple[int, int]] | None:
        sp = self.services[s]
        if sp.limited and self.n > sp.max_units:
            return None
        units = [(i, 1 << i) for i in range(self.n)]
        return units if all(np.isfinite(sp.cost[h, g]) for h, g in units) else None

    # -- Lagrangian pricing ----------------------------------------------------------------------
    def _lagrangian(self, s: int, lam: np.ndarray) -> np.ndarray:
        """Service s's [host, group] unit costs with the tie-break, plus ``lam``'s terms (a new array)."""
        sp = self.services[s]
        uses_ir = any(r.kind == "ir" and v > 0 for r, v in zip(self.coupling.rows, lam))
        shares = self._shares(s) if uses_ir else None
        return self.coupling.lagrangian_cost(sp.table, sp.cost, shares, lam, sp.ties)

    def _minima(self, s: int, lam: np.ndarray, *, zero_cost: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Per group the cheapest ``_lagrangian`` unit cost and its host, without building the table.

        The last answer per service is kept: a round's exact pricing asks again at the multipliers
        its local search just used (the same array, the same problem)."""
        sp = self.services[s]
        last = self._last_minima.get(s)
        if last is not None and last[0] is lam and last[1] == zero_cost and last[2] is sp:
            return last[3]
        base = np.where(np.isfinite(sp.cost), 0.0, np.inf) if zero_cost else sp.cost
        uses_ir = any(r.kind == "ir" and v > 0 for r, v in zip(self.coupling.rows, lam))
        ties = np.zeros(self.n) if zero_cost else sp.ties
        minima = self.coupling.lagrangian_minima(sp.table, base, sp.cost, self._shares(s) if uses_ir else None, lam,
                                                 ties)
        self._last_minima[s] = (lam, zero_cost, sp, minima)  # one key per service: safe from its pricing thread
        return minima

    def _price(self, s: int, lam: np.ndarray, lam_shared: float, *, zero_cost: bool = False, complete: bool = False
               ) -> tuple[float, list[tuple[int, int]], np.ndarray]:
        """Service s's Lagrangian optimum (a valid lower bound), its partition, and the programme's
        ``best`` (completion bounds for ``enumerate_partitions`` on ``_lagrangian(s, lam)``; every group's
        only if ``complete``, see ``partition_layers``)."""
        sp = self.services[s]
        if not zero_cost and not complete and not np.any(lam > 0):
            best, choice = sp.programme()
            hosts = sp.hosts
            unit = (sp.cost + sp.ties[:, None]).min(axis=0) if lam_shared > 0 else None  # the all-alone partition
        else:
            unit, hosts = self._minima(s, lam, zero_cost=zero_cost)
            best, choice = partition_layers(unit, sp.max_units if sp.limited else None, complete)
        value = float(best[-1, self.full])
        units = self._extract(hosts, choice, sp.limited)
        if lam_shared > 0:
            alone = self._alone(s)
            alone_value = sum(unit[g] for _, g in alone) if alone is not None else np.inf  # one host: the member
            value = min(alone_value, value + lam_shared)
            if alone is not None and alone_value <= value + TOL:
                units = alone
        return value, units, best

    def _price_all(self, lam: np.ndarray, lam_shared: float, *, zero_cost: bool = False, complete: bool = False
                   ) -> list:
        """``_price`` of every service (in parallel threads for large member sets)."""
        return _each(self.n, lambda s: self._price(s, lam, lam_shared, zero_cost=zero_cost, complete=complete),
                     len(self.services))

    def _extract(self, hosts: np.ndarray, choice: np.ndarray, limited: bool) -> list[tuple[int, int]]:
        """The partition the programme chose (``choice``), each group with its cheapest host (``hosts``)."""
        units, mask, layer = [], self.full, choice.shape[0] - 1
        while mask:
            group = int(choice[layer, mask])
            if group == 0:
                return []
            units.append((int(hosts[group]), group))
            mask ^= group
            layer -= 1 if limited else 0
        return units

    # -- master problems -------------------------------------------------------------------------
    def _lp(self, columns: list[Column], *, phase_one: bool) -> tuple[str, float, np.ndarray, float]:
        """Master LP over ``columns``: status, objective, multipliers of the rows, of max-shared."""
        rows = self.coupling.rows
        h = quiet_highs()
        n_rows = len(self.services) + len(rows) + (self.coupling.max_shared is not None)
        lower = [1.0] * len(self.services) + [-highspy.kHighsInf] * (n_rows - len(self.services))
        upper = [1.0] * len(self.services) + list(self.coupling.rhs)
        if self.coupling.max_shared is not None:
            upper.append(float(self.coupling.max_shared))
        h.addRows(n_rows, np.array(lower), np.array(upper), 0, np.array([], dtype=np.int32),
                  np.array([], dtype=np.int32), np.array([]))
        for col in columns:
            idx = [col.service] + [len(self.services) + r for r in np.flatnonzero(col.coef)]
            val = [1.0] + list(col.coef[np.flatnonzero(col.coef)])
            if self.coupling.max_shared is not None and col.shared:
                idx.append(n_rows - 1)
                val.append(1.0)
            h.addCol(0.0 if phase_one else col.cost, 0.0, highspy.kHighsInf, len(idx),
                     np.array(idx, dtype=np.int32), np.array(val))
        if phase_one:  # slack on every coupling row, at unit cost
            for r in range(len(self.services), n_rows):
                h.addCol(1.0, 0.0, highspy.kHighsInf, 1, np.array([r], dtype=np.int32), np.array([-1.0]))
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return ("infeasible" if status == highspy.HighsModelStatus.kInfeasible else "other"), np.inf, np.zeros(len(rows)), 0.0
        solution = h.getSolution()
        self._lp_solution = (columns, np.array(solution.col_value[: len(columns)]))
        duals = np.array(solution.row_dual)
        lam = np.maximum(0.0, -duals[len(self.services): len(self.services) + len(rows)])
        lam_shared = max(0.0, -duals[-1]) if self.coupling.max_shared is not None else 0.0
        return "optimal", float(h.getInfo().objective_function_value), lam, lam_shared

    def _milp(self, columns: list[Column], rows: Sequence[int], cuts: Sequence[Sequence[Column]] = ()
              ) -> tuple[list[Column] | None, SolveInfo]:
        """Cheapest choice of one column per service under ``rows`` (and no-good ``cuts``)."""
        problem = pulp.LpProblem("plan_master", pulp.LpMinimize)
        y = {c.key: problem.add_variable(f"y{i}", cat=pulp.LpBinary) for i, c in enumerate(columns)}
        problem.setObjective(pulp.LpAffineExpression([(y[c.key], c.cost) for c in columns]))
        one: list[list] = [[] for _ in self.services]
        terms: dict[int, list] = {r: [] for r in rows}
        shared = []
        for c in columns:
            var = y[c.key]
            one[c.service].append((var, 1.0))
            for r in rows:
                if c.coef[r] != 0.0:
                    terms[r].append((var, float(c.coef[r])))
            if c.shared:
                shared.append((var, 1.0))
        for s, entries in enumerate(one):
            problem.addConstraint(pulp.LpAffineExpression(entries) == 1, f"one_{s}")
        for r in rows:
            problem.addConstraint(pulp.LpAffineExpression(terms[r]) <= float(self.coupling.rhs[r]), f"row_{r}")
        if self.coupling.max_shared is not None:
            problem.addConstraint(pulp.LpAffineExpression(shared) <= self.coupling.max_shared, "max_shared")
        for i, plan in enumerate(cuts):
            problem.addConstraint(pulp.LpAffineExpression(
                [(y[c.key], 1.0) for c in plan if c.key in y]) <= len(plan) - 1, f"no_good_{i}")
        remaining = max(1e-3, self._deadline - time.perf_counter())
        info = solve(problem, replace(self.options, time_limit=remaining, gap_rel=0.0))  # the proofs need exact MILPs
        if not info.has_solution:
            return None, info
        chosen = [c for c in columns if (y[c.key].varValue or 0.0) > 0.5]
        return sorted(chosen, key=lambda c: c.service), info

    def _reduced(self, columns: list[Column], listed: Sequence[ListedPartitions], rows: list[int], k: int
                 ) -> list[Column] | None:
        """``_cheapest_per_signature`` over ``columns`` followed by the ``listed`` partitions, making
        columns only for those kept; ``None`` when more than ``MILP_COLUMNS`` would be kept or the
        coefficients would take more than ``LISTED_CELLS`` (where the rows in force barely merge
        partitions, as with individual rationality on small cases, a MILP of 100 000 columns took 16 s
        to build and solve against a 3 s limit). A listed partition may repeat a column: the column is
        made once (a copy summed in another order may differ by an ulp and so sit elsewhere among exact
        ties); with ``k > 1`` a copy could take a place, so listed partitions come with ``k = 1`` only."""
        if k != 1:
            raise ValueError("listed partitions are reduced for the single best plan only")
        if not compiles(self.n) and sum(p.listing.count for p in listed) * max(len(rows), 1) > LISTED_CELLS:
            return None
        found = [self._listed_signatures(p, rows) for p in listed]
        if any(len(f.index) > MILP_COLUMNS for f in found):  # the compiled pass stopped: more would be kept
            return None
        signatures = [_signature_arrays(columns, rows)]
        signatures += [(np.full(len(f.index), p.service), f.shared, f.cost, f.coefs) for p, f in zip(listed, found)]
        service, shared, cost, coefs = (np.concatenate(parts) for parts in zip(*signatures))
        chosen = _kept_per_signature(service, shared, cost, coefs, k)
        if len(chosen) > MILP_COLUMNS:
            return None
        known = {c.key: c for c in columns}
        origin = np.cumsum([0, len(columns), *(len(f.index) for f in found)])
        kept: list[Column | tuple[ListedPartitions, float, float, tuple]] = []
        for i in chosen.tolist():
            if i < len(columns):
                kept.append(columns[i])
                continue
            block = int(np.searchsorted(origin, i, side="right")) - 1
            p, f, j = listed[block - 1], found[block - 1], i - int(origin[block])
            units = p.units(int(f.index[j]))
            kept.append(known.get((p.service, frozenset(units)), (p, float(f.cost[j]), float(f.true[j]), units)))
        new = [entry for entry in kept if not isinstance(entry, Column)]
        for p in {id(p): p for p, *_ in new}.values():  # the new columns' units' coefficients at once
            self._prefetch(p.service, {unit for q, *_, units in new if q is p for unit in units})
        out: dict[tuple, Column] = {}
        for entry in kept:  # in the order kept (the MILP's column order decides between exact ties)
            if not isinstance(entry, Column):
                p, cost_j, true_j, units = entry
                entry = replace(self.column(p.service, units), cost=cost_j, true=true_j)
            out.setdefault(entry.key, entry)
        return list(out.values())

    def _violated(self, plan: Sequence[Column]) -> set[int]:
        """Coupling rows that ``plan`` breaks."""
        total = sum((c.coef for c in plan), np.zeros(len(self.coupling.rows)))
        return {int(r) for r in np.flatnonzero(total > self.coupling.rhs + 1e-7)}

    def _k_best(self, columns: list[Column], k: int, listed: Sequence[ListedPartitions] = ()
                ) -> tuple[list[list[Column]], SolveInfo]:
        """The k cheapest plans over ``columns`` and the ``listed`` partitions, with rows added lazily
        as plans break them.

        The MILP starts with the rows whose multiplier is positive. Among columns of a service that
        agree on every row in the MILP (and on being shared) only the k cheapest can be in a k-best
        plan, so the rest are left out. Plans that meet every row are optimal for the full problem,
        whose plans all meet the fewer rows; a broken row is added and the search starts again. No
        plans and status "not_solved" when the listed partitions are too many for one MILP (``_reduced``).
        """
        while True:
            rows = sorted(self._active)
            reduced = self._reduced(columns, listed, rows, k) if listed else _cheapest_per_signature(columns, rows, k)
            if reduced is None:  # too many for one MILP: no plan from here, and no proof
                return [], SolveInfo(self.options.name, "not_solved", None, 0.0, None)
            plans: list[list[Column]] = []
            info = SolveInfo(self.options.name, "infeasible", None, 0.0, None)
            broken: set[int] = set()
            while len(plans) < k:
                plan, info = self._milp(reduced, rows, plans)
                if plan is None:
                    break
                broken = self._violated(plan)
                if broken:
                    break
                plans.append(plan)
            if not broken:
                return plans, info
            self._active |= broken

    # -- the algorithm ---------------------------------------------------------------------------
    def solve(self, k: int = 1, cutoff: float = np.inf) -> Outcome:
        """The k best plans, proven unless the time limit ends the search. With k = 1 and a finite
        ``cutoff`` (thousands of NOK), the search ends with status "cut_off" (and the plan found so
        far, if any) as soon as its bound proves that no plan costs less than ``cutoff``."""
        start = time.perf_counter()
        self._cutoff = cutoff if k == 1 else np.inf
        limit = self.options.time_limit or DEFAULT_TIME_LIMIT
        self._deadline = start + limit
        self._pricing_deadline = start + 0.5 * limit  # the rest is for finding and proving plans
        base = self._seed()
        if base is None:
            return Outcome([], "infeasible", None, time.perf_counter() - start)
        self._plain_bound = sum(b[0] for b in base)
        coupled = bool(len(self.coupling.rows)) or self.coupling.max_shared is not None
        if not coupled and k == 1:
            plan = [self.column(s, b[1]) for s, b in enumerate(base)]
            return Outcome([plan], "optimal", sum(c.cost for c in plan), time.perf_counter() - start)
        if coupled and k == 1:
            if not (self.coupling.band and self.n >= TIGHTEN_FROM):
                return self._branch_and_price(start)
            if np.isfinite(cutoff):  # the pool's plans all above the cutoff: it bounds the FTE tighter than they do
                known, _ = self._k_best(self._columns(), 1)
                if known and _cost(known[0]) >= cutoff:
                    return self._below_cutoff(start, known)
            found = self._column_generation()  # a first plan bounds the FTE of every better one
            if found is None:
                return Outcome([], "infeasible", None, time.perf_counter() - start)
            if found[2] >= cutoff:
                return Outcome([], "cut_off", found[2], time.perf_counter() - start)
            plans, _ = self._k_best(self._columns(), 1)
            if not plans:
                return self._branch_and_price(start)
            upper = _cost(plans[0])
            if found[2] >= upper - TOL:  # proven already, as the search's first node would find
                return Outcome(plans, "optimal", upper, time.perf_counter() - start)
            # a better first plan bounds the FTE tighter (about one FTE per 0.5 MNOK at 18 members)
            early, proven = self._solve_by_enumeration(*found[:3], upper, FIRST_CAPACITY, search=True)
            if early and _cost(early) < upper:
                plans, upper = [early], _cost(early)
            if proven:
                return Outcome(plans, "optimal", found[2], time.perf_counter() - start)
            self._bound_total_fte(upper)
            return self._branch_and_price(start, plans[0])
        if coupled:
            found = self._column_generation()
            if found is None:
                return Outcome([], "infeasible", None, time.perf_counter() - start)
            lam, lam_shared, bound, _ = found
        else:
            lam, lam_shared, bound = np.zeros(len(self.coupling.rows)), 0.0, sum(b[0] for b in base)
        outcome = self._prove(lam, lam_shared, bound, k, start)
        if outcome.lower_bound is not None:  # no plan beats the plan without coupling rows
            outcome.lower_bound = max(outcome.lower_bound, self._plain_bound)
        return outcome

    def _below_cutoff(self, start: float, known: list[list[Column]]) -> Outcome:
        """The best plan below the cutoff, searched with the FTE rows of every plan up to the cutoff
        (``_bound_total_fte``, which allows ``TOL`` above it); "cut_off" when there is none. If the
        time limit ends the search before it finds one, the ``known`` plan (at or above the cutoff)
        comes back unproven, with the bound min(the search's bound, the cutoff)."""
        self._bound_total_fte(self._cutoff)
        if self._cheapest_into_pool() is None:  # a service has no partition under the caps: no plan below
            return Outcome([], "cut_off", self._cutoff, time.perf_counter() - start)
        outcome = self._branch_and_price(start, ceiling=self._cutoff + TOL)  # prunes bounds at the cutoff
        if outcome.status == "infeasible":  # the search ended without a plan below the cutoff
            return Outcome([], "cut_off", self._cutoff, outcome.seconds)
        if outcome.status == "not_solved":  # stopped without a plan below the cutoff
            bound = min(self._cutoff, outcome.lower_bound if outcome.lower_bound is not None else -np.inf)
            return Outcome(known, "feasible", max(bound, self._plain_bound), outcome.seconds)
        return outcome

    def forced_bounds(self, s: int, group: int, upper: float) -> np.ndarray:
        """Per host h, a bound (thousands of NOK, tie-break included) such that every plan whose
        service s has the unit (h, ``group``) costs at least that much or more than ``upper``
        (``inf``: none costs ``upper`` or less). Call it on an engine without restrictions.

        It is the Lagrangian bound at the root's multipliers, with service s's term taken over the
        partitions that contain that unit, on the problem whose FTE rows hold for every plan costing
        at most ``upper`` (``_bound_total_fte``: at 18 members that cuts the root's gap about six
        times). The root's column generation runs once per rule set and ``upper`` (kept in
        ``memo``), so each call costs one Lagrangian table of service s."""
        root = self.forced_root(upper)
        if root is None:
            return np.full(self.n, np.inf)
        lam, lam_shared, bound, values, programmes, caps = root
        sp, rest = self.services[s], self.full ^ group
        best = programmes[s]
        if rest == 0:
            completion = 0.0
        elif sp.limited:  # the unit is one of at most max_units
            completion = float(best[-2, rest]) if best.shape[0] > 1 else np.inf
        else:
            completion = float(best[-1, rest])
        shared = lam_shared if group & (group - 1) else 0.0
        term = self._lagrangian(s, lam)[:, group] + completion + shared
        return np.where(sp.table.fte[group] > caps + 1e-9, np.inf, bound - values[s] + term)

    def forced_root(self, upper: float) -> tuple | None:
        """The root ``forced_bounds`` starts from (``_capped_root``), computed once per rule set and
        ``upper`` and kept in ``memo``."""
        if self.memo.multipliers is None or self.memo.multipliers[0] != upper:
            self.memo.multipliers = (upper, self._capped_root(upper))
        return self.memo.multipliers[1]

    def _cheapest_into_pool(self) -> list[tuple[float, list, np.ndarray]] | None:
        """Each service's cheapest partition under its current rules into the pool (``_price`` at zero
        multipliers); ``None`` if some service has none. After FTE caps, this gives every service a
        column again (else even phase one's LP has no solution)."""
        base = self._price_all(np.zeros(len(self.coupling.rows)), 0.0)
        if not all(np.isfinite(priced[0]) and priced[1] for priced in base):
            return None
        for s, priced in enumerate(base):
            self._add(self.column(s, priced[1]))
        return base

    def _capped_root(self, upper: float) -> tuple | None:
        """The root's multipliers, bound, each service's Lagrangian optimum and programme there, and
        each member's FTE cap, with the FTE rows of plans costing at most ``upper``; ``None`` when
        no such plan can exist."""
        if self._seed() is None:
            return None
        self._bound_total_fte(upper)
        if self._cheapest_into_pool() is None:  # a service with no partition under the caps: no plan up to upper
            return None
        found = self._column_generation(strict=True)
        if found is None:
            return None
        lam, lam_shared, bound, values = found
        priced = self._price_all(lam, lam_shared, complete=True)  # a forced group's remainder may hold member 0
        caps = np.full(self.n, np.inf)
        for r, row in enumerate(self.coupling.rows):
            if row.kind == "fte_cap":
                caps[row.member] = self.coupling.rhs[r]
        return lam, lam_shared, bound, values, [p[2] for p in priced], caps

    def _bound_total_fte(self, upper: float) -> None:
        """Bound the total FTE of every plan costing at most ``upper``, and from it what each member hosts.

        For any ``t > 0`` a plan's ``cost - t FTE`` is at least the sum over services of the
        cheapest partition under unit costs ``cost - t f``, so ``FTE <= (upper - that sum) / t``;
        the least FTE comes from the programme on ``f``. Staffing costs make ``t`` near the price
        of an FTE tight: a plan that adds an FTE costs about that much more. With the band this
        caps what each member may host (``Coupling.bound_total_fte``), and a unit above its host's
        cap is left out of every service (the relaxation otherwise mixes it in fractionally).
        """
        prices = [SCALE * float(sp.table.costs.spec.value("cost_per_fte")) for sp in self.services]
        t = FTE_PRICE_SHARE * min(prices)
        if t <= 0:
            return

        def extremes(s: int) -> tuple[float, float]:
            sp = self.services[s]
            if t not in sp.fte_extremes:  # a service's problem is shared by the model's solves: once per t
                layers, fte = (sp.max_units if sp.limited else None), sp.table.fte[None, :]
                least = _least_total_fte(sp, self._fte_step())
                if least is None:
                    least = float(partition_layers(np.where(np.isfinite(sp.cost), fte, np.inf).min(axis=0),
                                                   layers, complete=False)[0][-1, self.full])
                most = partition_layers((sp.cost - t * fte).min(axis=0), layers, complete=False)[0]
                sp.fte_extremes[t] = (least, float(most[-1, self.full]))
            return sp.fte_extremes[t]

        least, most = (sum(v) for v in zip(*_each(self.n, extremes, len(self.services))))
        self.coupling.bound_total_fte(least, (upper + TOL - most) / t, self._fte_step())
        caps = tuple(float(self.coupling.rhs[r]) for r, row in enumerate(self.coupling.rows) if row.kind == "fte_cap")
        if caps:  # rebuilt (and its programme rerun) only where a cap leaves out a unit
            self.services = [sp.capped(caps) if np.any(sp.largest_hosted() > np.array(caps) + 1e-9) else sp
                             for sp in self.services]
            self._best_priced = (None, [])

    def _fte_step(self) -> float | None:
        """The step every unit's FTE is a multiple of (``None`` when staffing is continuous)."""
        scenario = self.services[0].table.costs.scenario
        step = float(scenario.fte_step)
        if scenario.staffing == "continuous":
            return None
        return step if all(sp.table.on_steps(step) for sp in self.services) else None

    def _seed(self) -> list[tuple[float, list, np.ndarray]] | None:
        """Each service's cheapest partition and its all-alone one into the pool; ``None`` if a service has none."""
        base = self._cheapest_into_pool()
        if base is None:
            return None
        for s in range(len(self.services)):
            alone = self._alone(s)
            if alone is not None:
                self._add(self.column(s, alone))
        warm = [(s, self._rehosted(s, units)) for s, units in self._warm]
        warm = [(s, units) for s, units in warm if units is not None]
        for s in {s for s, _ in warm}:  # their units' row coefficients at once, not one by one
            self._prefetch(s, {unit for t, units in warm if t == s for unit in units})
        for s, units in warm:
            self._add(self.column(s, units))
        return base

    def _rehosted(self, s: int, units: Sequence[tuple[int, int]]) -> list[tuple[int, int]] | None:
        """``units`` with each unit the current rules forbid moved to its group's cheapest allowed host
        (a forced host, say); ``None`` when some group has no allowed host."""
        cost = self.services[s].cost
        out = []
        for h, g in units:
            if not np.isfinite(cost[h, g]):
                h = int(np.argmin(cost[:, g]))
                if not np.isfinite(cost[h, g]):
                    return None
            out.append((h, g))
        return out

    def pool_partitions(self) -> list[tuple[int, tuple[tuple[int, int], ...]]]:
        """Every partition in the pool, for a later solve of the same rules to start from (``warm``)."""
        return [(c.service, c.units) for c in self.pool.values()]

    # -- branch and price ------------------------------------------------------------------------
    def _branch_and_price(self, start: float, incumbent: list[Column] | None = None,
                          ceiling: float = np.inf) -> Outcome:
        """Best-bound search over branching decisions (``Node``).

        At each node: column generation gives the node's bound; the MILP over the pool gives plans;
        if the node's gap is small enough, the enumeration of every partition within it solves the
        node exactly; otherwise it branches. Where rows weigh the FTE a member hosts (the band, the
        most FTE a member may lose), first on the FTE of the unit a member hosts in one service: the
        LP otherwise meets a member's FTE limit by mixing in a sliver of a plan that moves a whole
        unit away, which no single plan can do. Then on the most fractional (service, member, host).
        """
        root = list(self.services)
        step = self._fte_step() if self._fte_rows() else None
        self._pricing_deadline = self._deadline  # a node's bound proves nothing unless its pricing converged
        best = incumbent
        upper = min(_cost(incumbent) if incumbent else np.inf, ceiling)  # only plans below ``ceiling`` are sought
        counter = itertools.count()
        heap: list[tuple[float, int, Node, tuple | None]] = [(-np.inf, next(counter), Node(), None)]
        open_bound = np.inf  # the lowest bound of any node left unsettled
        settled = True  # every node was solved, pruned or found infeasible
        while heap:
            parent_bound, _, node, parent = heapq.heappop(heap)
            if parent_bound >= upper - TOL:
                continue
            if min(parent_bound, open_bound) >= self._cutoff:  # the least bound of every open node
                self.services = root  # (and below the best plan's cost, or this node would be pruned)
                return Outcome([best] if best else [], "cut_off", min(parent_bound, open_bound),
                               time.perf_counter() - start)
            if time.perf_counter() > self._deadline:
                open_bound = min([open_bound, parent_bound, *(b for b, *_ in heap)])
                settled = False
                break
            self._enter(node, root)
            if parent is not None and self._parent_bound(*parent) >= upper - TOL:
                continue  # the parent's multipliers already prove this node cannot beat the best plan
            found = self._column_generation()
            if found is None:
                continue  # no plan meets this node's decisions
            lam, lam_shared, bound, values = found
            bound = max(bound, parent_bound)  # a node's plans are among its parent's
            # the only open node: the search's bound is its own, the unsettled ones' or the best plan's cost
            # (the FTE rows may hold only for plans up to that cost, so a bound above it proves nothing more)
            least = min(bound, open_bound, upper)
            if not heap and least >= self._cutoff:
                self.services = root
                return Outcome([best] if best else [], "cut_off", least, time.perf_counter() - start)
            LOG.debug("node %s: bound %.1f, best %.1f, %.1f s", node, bound, upper, time.perf_counter() - start)
            if bound >= upper - TOL:
                continue
            plans, info = self._k_best(self._columns(), 1)
            if plans and _cost(plans[0]) < upper:
                best, upper = plans[0], _cost(plans[0])
            if bound >= upper - TOL:
                continue
            if np.isfinite(upper):
                capacity = NODE_CAPACITY if node != Node() else max(NODE_CAPACITY, ENUMERATION_CAPACITY)
                if node == Node() and self.feasibility is not None:  # a small case: a quick look before the hand-over
                    capacity = FIRST_CAPACITY
                solved, proven = self._solve_by_enumeration(lam, lam_shared, bound, upper, capacity,
                                                            search=node == Node())
                if solved and _cost(solved) < upper:
                    best, upper = solved, _cost(solved)
                if proven:
                    continue
            # judged after the root's listing, which often finds a much better plan than the pool's
            if node == Node() and self.feasibility is not None and upper - bound > WEAK_BOUND * abs(upper):
                return Outcome([best] if best else [], "weak_bound", bound, time.perf_counter() - start)
            children = self._children(node, step)
            if not children:  # the LP is integral: priced to the end, its bound meets its plan's cost
                found = self._column_generation(strict=True)
                if found is None or (best and max(found[2], bound) >= upper - TOL - LP_NOISE * abs(upper)):
                    continue
                lam, lam_shared, bound, values = found[0], found[1], max(found[2], bound), found[3]
                children = self._children(node, step)
            if not children:  # the LP is integral after the strict pricing: its plan is in the pool now
                plans, _ = self._k_best(self._columns(), 1)
                if plans and _cost(plans[0]) < upper:
                    best, upper = plans[0], _cost(plans[0])
                if bound >= upper - TOL - LP_NOISE * abs(upper):
                    continue
                # nothing to branch on, yet not solved (pricing or a MILP stopped early): stays open
                LOG.debug("node %s stays open", node)
                open_bound, settled = min(open_bound, bound), False
                continue
            for child, repriced in children:
                heapq.heappush(heap, (bound, next(counter), child, (repriced, lam, lam_shared, values)))
        self.services = root
        seconds = time.perf_counter() - start
        if best is None:  # every node was infeasible (an exhaustive search), or the search stopped (its bound)
            if settled:
                return Outcome([], "infeasible", None, seconds)
            return Outcome([], "not_solved", open_bound, seconds)
        lower = max(min(open_bound, upper), self._plain_bound)  # no plan beats the plan without coupling rows
        return Outcome([best], "optimal" if settled else "feasible", lower, seconds)

    def _enter(self, node: Node, root: list[ServiceProblem]) -> None:
        """Make ``node`` the current problem: a service is rebuilt only where a decision touches it."""
        services = []
        for s, sp in enumerate(root):
            decisions = node.of(s, self.n)
            services.append(sp if decisions is None else sp.branched(*decisions))
        self.services = services
        self._best_priced = (None, [])  # priced for other services

    def _children(self, node: Node, step: float | None) -> list[tuple[Node, int]]:
        """The two children of ``node`` and the service whose decisions they change."""
        splits = self._fte_splits(step) if step is not None else []
        if splits:
            s, m, below = self._strongest(splits, step)
            return [(replace(node, limits=node.limits + ((s, m, 0.0, below),)), s),
                    (replace(node, limits=node.limits + ((s, m, below + step, np.inf),)), s)]
        choice = self._fractional_choice()
        if choice is None:
            return []
        return [(replace(node, pins=node.pins + ((*choice, must),)), choice[0]) for must in (True, False)]

    def _fte_splits(self, step: float) -> list[tuple[int, int, float]]:
        """(service, member, FTE) splits of the last master LP's plans by the FTE of the unit a member hosts.

        For each service and member the LP's columns give that member a hosted FTE (0 if it hosts
        nothing); where they disagree, "at most v" and "at least v + step", v the step at or below
        their weighted mean, each cut off part of the LP's solution. Best first: the pair whose
        smaller part weighs most, then the widest spread, then the member hosting most."""
        columns, values = self._lp_solution
        hosted: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for column, value in zip(columns, values):
            if value <= 1e-9:
                continue
            own = self._hosted(column)
            for m in range(self.n):
                hosted.setdefault((column.service, m), []).append((own.get(m, 0.0), float(value)))
        scored = []
        for (s, m), seen in hosted.items():
            fte, weights = np.array([v for v, _ in seen]), np.array([w for _, w in seen])
            if fte.max() - fte.min() < 0.5 * step:
                continue
            mean = float(fte @ weights / weights.sum())
            below = min(np.floor(mean / step + 1e-9) * step, fte.max() - step)
            low_side = float(weights[fte <= below + 1e-9].sum())
            score = (min(low_side, weights.sum() - low_side), float(fte.max() - fte.min()), mean)
            scored.append((score, (s, m, float(below))))
        scored.sort(key=lambda x: (tuple(-v for v in x[0]), x[1]))
        return [split for _, split in scored]

    def _strongest(self, splits: list[tuple[int, int, float]], step: float) -> tuple[int, int, float]:
        """Of the first ``STRONG_CANDIDATES`` splits, the one whose weaker child has the dearest LP over the pool.

        An LP over the pool's columns only estimates a child's bound (it lacks the columns the child
        would price), but it costs milliseconds, and the first-ranked split is often a sliver whose
        host the next LP simply swaps for another."""
        saved, pool = self._lp_solution, self._columns()
        best, choice = -np.inf, splits[0]
        for s, m, below in splits[:STRONG_CANDIDATES]:
            weakest = np.inf
            for low, high in ((0.0, below), (below + step, np.inf)):
                kept = [c for c in pool if c.service != s or low - 1e-9 <= self._hosted(c).get(m, 0.0) <= high + 1e-9]
                status, objective, _, _ = self._lp(kept, phase_one=False)
                weakest = min(weakest, objective if status == "optimal" else np.inf)
            if weakest > best + TOL:
                best, choice = weakest, (s, m, below)
        self._lp_solution = saved
        return choice

    def _hosted(self, column: Column) -> dict[int, float]:
        """The FTE of the unit each host of ``column`` hosts."""
        fte = self.services[column.service].table.fte
        return {h: float(fte[g]) for h, g in column.units}

    def _parent_bound(self, s: int, lam: np.ndarray, lam_shared: float, values: list[float]) -> float:
        """A node's bound at its parent's multipliers: only service ``s`` (just branched) is priced again."""
        own = list(values)
        own[s] = self._price(s, lam, lam_shared)[0]
        return self._bound(own, lam, lam_shared)

    def _fte_rows(self) -> bool:
        """Whether a coupling row weighs the FTE a member hosts (then branching on it moves the bound)."""
        return any(row.kind in ("band_low", "band_high", "fte_loss") for row in self.coupling.rows)

    def _solve_by_enumeration(self, lam: np.ndarray, lam_shared: float, bound: float, upper: float,
                              capacity: int, search: bool = False) -> tuple[list[Column] | None, bool]:
        """The node's best plan found, and whether it is the node's best (no plan here beats ``upper``
        or the plan found) because every partition within ``upper - bound`` fit the capacity.

        Where a service's partitions within the gap overflow, those within a narrower gap (quartered
        until they fit ``HEURISTIC_CAPACITY``) still go into the MILP: its plan is then not proven the
        node's best, but it is a plan, and often the optimum, found long before the search proves it.
        """
        delta = upper - bound + TOL
        at, priced = self._best_priced  # the column generation priced every service at its best multipliers
        if at is not lam:
            priced = self._price_all(lam, lam_shared)
        found: dict[int, list] = {}
        proven = True
        order = sorted(range(len(priced)), key=lambda s: s != self._overflowed)  # the last to overflow first
        for s in order:
            table = self._lagrangian(s, lam)
            parts = self._listing(s, table, priced[s], delta, capacity if proven else HEURISTIC_CAPACITY, lam_shared)
            if parts is None and proven:
                LOG.debug("enumeration: service %d has over %d partitions within %.1f", s, capacity, delta)
                self._overflowed, proven = s, False
                if not search:
                    return None, False
            found[s] = parts if proven else self._narrowed(s, table, priced[s], delta, parts, lam_shared)
        if not proven:  # those listed while a proof was still possible, narrowed for the MILP too
            for s, parts in found.items():
                if parts.count > HEURISTIC_CAPACITY:
                    found[s] = self._narrowed(s, self._lagrangian(s, lam), priced[s], delta, parts, lam_shared)
        listed = [ListedPartitions(s, parts) for s, parts in sorted(found.items()) if parts.count]
        plans, info = self._k_best(self._columns(), 1, listed)  # listed columns stay out of the pool: LPs stay small
        for column in plans[0] if plans else ():
            self._add(column)
        return (plans[0] if plans else None), proven and info.status in ("optimal", "infeasible")

    def _listing(self, s: int, table: np.ndarray, priced: tuple, delta: float, capacity: int,
                 lam_shared: float) -> Listing | None:
        """Service s's partitions within ``delta`` of its Lagrangian optimum on ``table`` (``None`` past
        ``capacity``).

        A partition that shares a unit also pays ``lam_shared`` (the multiplier of "at most N shared
        services"), so shared partitions are listed within ``delta - lam_shared`` only, and the one
        partition that shares nothing (everyone alone) within ``delta``: with N small the multiplier is
        large, and listing every shared partition within ``delta`` overflowed at once (18 members,
        child welfare: over 20 000 partitions within 6 kNOK)."""
        value, _, best = priced
        threshold = value + delta + TOL
        starts, hosts, groups, overflow = enumerate_partition_arrays(
            table, best, self.services[s].limited, threshold - lam_shared, capacity)
        if overflow:
            return None
        alone = self._alone(s) if lam_shared > 0 else None
        listed = bool(np.any(np.diff(starts) == self.n))  # n units of n members: everyone alone
        if alone is not None and not listed and sum(table[h, g] for h, g in alone) <= threshold:
            hosts = np.concatenate([hosts, [h for h, _ in alone]]).astype(np.int64)
            groups = np.concatenate([groups, [g for _, g in alone]]).astype(np.int64)
            starts = np.append(starts, starts[-1] + len(alone))
        return Listing(starts, hosts, groups)

    def _narrowed(self, s: int, table: np.ndarray, priced: tuple, delta: float, parts: Listing | None,
                  lam_shared: float) -> Listing:
        """``parts`` (listed within ``delta``, ``None`` if they overflowed) cut to at most
        ``HEURISTIC_CAPACITY`` by quartering the gap."""
        while delta > TOL and (parts is None or parts.count > HEURISTIC_CAPACITY):
            delta /= 4
            parts = self._listing(s, table, priced, delta, HEURISTIC_CAPACITY, lam_shared)
        return parts or NOTHING_LISTED

    def _listed_signatures(self, listed: ListedPartitions, rows: Sequence[int]) -> Signatures:
        """The listed partitions a MILP on ``rows`` may choose. From ``COMPILE_FROM`` members only the
        cheapest of each signature (one compiled pass: at 17 members a node listed 270 000 partitions
        with 57 signatures, and summing and grouping them in numpy took 0.3 s), at most
        ``MILP_COLUMNS + 1`` of them; below, every one, each distinct unit costed once and summed per
        partition in blocks."""
        s, sp, listing = listed.service, self.services[listed.service], listed.listing
        per_fte, hosted_fte, hosted_shared, ir_member = self.coupling.linear_form(rows)
        ir_rows = np.flatnonzero(ir_member >= 0)
        ir_row = np.full(len(rows), -1, dtype=np.int64)
        ir_row[ir_rows] = np.arange(len(ir_rows))
        shares = self._shares(s)[ir_member[ir_rows]] if len(ir_rows) else np.zeros((0, 1 << self.n))
        compiled = distinct_partitions(listing.starts, listing.hosts, listing.groups, sp.table.fte, sp.table.base,
                                       sp.table.travel, SCALE, SCALE * sp.table.tie, (per_fte, hosted_fte, hosted_shared),
                                       shares, ir_row, MILP_COLUMNS)
        if compiled is not None:
            return Signatures(*compiled)
        unique, inverse = np.unique(listing.hosts << self.n | listing.groups, return_inverse=True)
        inverse = inverse.ravel()
        hosts, groups = unique >> self.n, unique & self.full
        true = SCALE * (sp.table.base[groups] + sp.table.travel[hosts, groups])  # as _unit_cost, unit by unit
        ties = SCALE * sp.table.tie[hosts]
        shared = ((groups & (groups - 1)) != 0).astype(np.int64)
        true_p, ties_p, shared_p = (self._per_partition(listing, inverse, values) for values in (true, ties, shared))
        coefs = np.zeros((listing.count, len(rows)))
        if len(rows) and listing.count:
            units = self.coupling.units_coefficients(hosts, groups, sp.table.fte[groups], true,
                                                     self._shares(s)[:, groups] if len(ir_rows) else None, rows)
            coefs = self._per_partition(listing, inverse, units)
        return Signatures(np.arange(listing.count), true_p + ties_p, true_p, shared_p > 0, coefs)

    @staticmethod
    def _per_partition(listing: Listing, inverse: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Per listed partition the sum of its units' ``values`` (indexed by distinct unit), in blocks."""
        starts, sums = listing.starts, []
        for a in range(0, listing.count, LISTING_BLOCK):  # blocks keep the per-unit rows small
            b = min(a + LISTING_BLOCK, listing.count)
            sums.append(np.add.reduceat(values[inverse[starts[a]: starts[b]]], starts[a:b] - starts[a], axis=0))
        return np.concatenate(sums) if sums else np.zeros((0, *values.shape[1:]))

    def _fractional_choice(self) -> tuple[int, int, int] | None:
        """(service, member, host) whose LP weight is nearest one half, from the last master LP."""
        columns, values = self._lp_solution
        weight: dict[tuple[int, int, int], float] = {}
        for column, value in zip(columns, values):
            if value <= 1e-9:
                continue
            for h, g in column.units:
                for m in range(self.n):
                    if g >> m & 1:
                        weight[(column.service, m, h)] = weight.get((column.service, m, h), 0.0) + float(value)
        # whether h hosts a unit in s moves the FTE and hosting rows most: branch on those first
        fractional = [(key[1] != key[2], abs(v - 0.5), key) for key, v in weight.items() if 1e-6 < v < 1 - 1e-6]
        return min(fractional)[2] if fractional else None

    def coalition_costs(self) -> list[np.ndarray]:
        """Per service the cheapest cost of every coalition on its own, without the tie-break (in
        parallel threads for large member sets)."""
        return _each(self.n, lambda s: self.services[s].true_programme()[0][-1], len(self.services))

    def plain_optimum(self) -> list[Column] | None:
        """The cheapest partition of every service on its own (no coupling rows) by true cost; ``None`` if
        one has none."""
        plan = []
        programmes = _each(self.n, lambda s: self.services[s].true_programme(), len(self.services))
        for s, (sp, (best, choice, hosts)) in enumerate(zip(self.services, programmes)):
            if not np.isfinite(best[-1, self.full]):
                return None
            plan.append(self.column(s, self._extract(hosts, choice, sp.limited)))
        return plan

    def _bound(self, values: Sequence[float], lam: np.ndarray, lam_shared: float) -> float:
        extra = lam_shared * self.coupling.max_shared if self.coupling.max_shared is not None else 0.0
        used = lam > 0  # rows not in force carry rhs inf and multiplier 0
        return float(sum(values) - lam[used] @ self.coupling.rhs[used] - extra)

    def _column_generation(self, strict: bool = False) -> tuple[np.ndarray, float, float, list[float]] | None:
        """Multipliers with the best Lagrangian bound, the bound and each service's Lagrangian optimum
        there; ``None`` when even the LP has no solution. It stops once the bound is within a relative
        ``TOL`` of the LP, or (``strict``) within ``TOL`` itself.

        Each round prices first by local search from the pool's best columns (cheap); only when
        that finds nothing does it run the exact subset programmes, which also give the bound.
        """
        phase_one = self._lp(self._columns(), phase_one=False)[0] != "optimal"
        cached = all(sp.plain is not None for sp in self.services)
        best = self._unpriced_bound() if cached else (np.zeros(len(self.coupling.rows)), 0.0, -np.inf, [])
        early = self.n >= LOCAL_SEARCH_FROM  # phase one may end as soon as its LP needs no slack
        left_early = ended = False
        for _ in range(MAX_COLUMN_ROUNDS):
            status, objective, lam, lam_shared = self._lp(self._columns(), phase_one=phase_one)
            if status != "optimal" and left_early:  # the slack left was not within HiGHS's tolerance after all
                phase_one, early, left_early = True, False, False
                continue
            if status != "optimal" and ended:  # phase one's least slack, though tiny, was not within it either
                return None
            if status != "optimal":
                raise RuntimeError(f"master LP ended with status {status}")
            left_early = False
            if phase_one and early and objective <= PHASE_ONE_SLACK:
                phase_one, left_early = False, True  # the pool meets every row: no need to prove it by programmes
                continue
            if self.n >= LOCAL_SEARCH_FROM and self._price_by_local_search(lam, lam_shared, zero_cost=phase_one):
                continue
            values, added = [], False
            priced = self._price_all(lam, lam_shared, zero_cost=phase_one)
            for s, (value, units, _) in enumerate(priced):
                values.append(value)
                if units:
                    added |= self._add(self.column(s, units))
            if phase_one:
                if not added:
                    if objective > PHASE_ONE_INFEASIBLE:
                        return None  # the LP relaxation is infeasible, so is every plan
                    phase_one, ended = False, True
                continue
            bound = self._bound(values, lam, lam_shared)
            LOG.debug("exact round: lp %.1f bound %.1f added %s columns %d", objective, bound, added, len(self.pool))
            if bound > best[2]:
                best = (lam, lam_shared, bound, values)
                self._best_priced = (lam, priced)
            if not added or objective - best[2] <= TOL * (1.0 if strict else max(1.0, abs(objective))):
                break
            if best[2] >= self._cutoff:  # enough to end the search (see solve)
                break
            if time.perf_counter() > self._pricing_deadline:
                break
        return best if best[3] else self._unpriced_bound()

    def _unpriced_bound(self) -> tuple[np.ndarray, float, float, list[float]]:
        """``_column_generation``'s answer without multipliers: the plan without coupling rows bounds all.

        Its programmes are cached per service, so this is free where they ran before; a branching
        node's rebuilt services skip it unless no exact round ran."""
        lam0 = np.zeros(len(self.coupling.rows))
        priced0 = self._price_all(lam0, 0.0)
        values0 = [p[0] for p in priced0]
        self._best_priced = (lam0, priced0)
        return lam0, 0.0, self._bound(values0, lam0, 0.0), values0

    def _price_by_local_search(self, lam: np.ndarray, lam_shared: float, *, zero_cost: bool = False) -> bool:
        """Add columns with negative reduced cost found by moving members between units; any found?
        (``zero_cost``: for phase one, where every allowed unit costs 0.)"""
        convexity = {}
        for c in self._columns():  # each service's cheapest pool column under these multipliers
            value = (0.0 if zero_cost else c.cost) + float(lam @ c.coef) + (lam_shared if c.shared else 0.0)
            if c.service not in convexity or value < convexity[c.service][0]:
                convexity[c.service] = (value, c)
        added = False
        minima = _each(self.n, lambda s: self._minima(s, lam, zero_cost=zero_cost) if s in convexity else None,
                       len(self.services))
        for s, (value, start) in convexity.items():
            unit, hosts = minima[s]
            units = _local_search(unit, [g for _, g in start.units], self.services[s])
            partition = [(int(hosts[g]), g) for g in units]
            candidate = sum(unit[g] for g in units) + (lam_shared if any(g & (g - 1) for g in units) else 0.0)
            if candidate < value - TOL:
                added |= self._add(self.column(s, partition))
        return added

    def _any_plan(self) -> list[list[tuple[int, int]]] | None | bool:
        """The ``feasibility`` answer within the time left (asked once per solve): units per service,
        ``None`` when no plan exists, ``False`` when it could not tell in time."""
        ask, self.feasibility = self.feasibility, None
        try:
            return ask(max(0.1, self._deadline - time.perf_counter()))
        except SolverLimitError:
            return False

    def _prove(self, lam: np.ndarray, lam_shared: float, bound: float, k: int, start: float) -> Outcome:
        self._active |= {int(r) for r in np.flatnonzero(lam > 1e-9)}
        priced = self._price_all(lam, lam_shared)
        bound = self._bound([p[0] for p in priced], lam, lam_shared)
        plans, info = self._k_best(list(self.pool.values()), k)
        if plans and self.feasibility is not None and _cost(plans[-1]) - bound > WEAK_BOUND * abs(_cost(plans[-1])):
            return Outcome(plans, "weak_bound", bound, time.perf_counter() - start)
        if not plans and info.status == "infeasible" and self.feasibility is not None:
            found = self._any_plan()  # does any plan exist at all?
            if found is None:
                return Outcome([], "infeasible", None, time.perf_counter() - start)
            if found is False:
                return Outcome([], "not_solved", None, time.perf_counter() - start)
            for s, units in enumerate(found):
                self._add(self.column(s, units))
            plans, info = self._k_best(list(self.pool.values()), k)
        upper = _cost(plans[-1]) if len(plans) == k else np.inf
        delta = upper - bound + TOL if np.isfinite(upper) else max(abs(bound) * 0.01, 10.0)
        enumerated_all = False
        tables = [self._lagrangian(s, lam) for s in range(len(self.services))]
        while True:
            overflow = False
            for s, (value, _, best) in enumerate(priced):
                # shared partitions also pay lam_shared, which the enumeration leaves out: a superset
                threshold = value + delta + TOL
                parts, cut = enumerate_partitions(tables[s], best, self.services[s].limited, threshold,
                                                  ENUMERATION_CAPACITY)
                overflow |= cut
                self._prefetch(s, {unit for units in parts for unit in units})
                for units in parts:
                    self._add(self.column(s, units))
            plans, info = self._k_best(list(self.pool.values()), k)
            if len(plans) < k and info.status != "infeasible":  # the MILP stopped (time limit)
                return Outcome(plans, "feasible" if plans else "not_solved", bound, time.perf_counter() - start)
            covered = bound + delta
            if plans and len(plans) == k and _cost(plans[-1]) <= covered + TOL and not overflow:
                return Outcome(plans, "optimal" if info.status == "optimal" else "feasible", bound,
                               time.perf_counter() - start)
            if overflow or time.perf_counter() > self._deadline:
                status = "feasible" if plans else "not_solved"
                return Outcome(plans, status, bound, time.perf_counter() - start)
            if not plans and self.feasibility is not None:  # the LP mixes plans; does any integral one exist?
                found = self._any_plan()
                if found is None:
                    return Outcome([], "infeasible", None, time.perf_counter() - start)
                if found is False:
                    return Outcome([], "not_solved", bound, time.perf_counter() - start)
                for s, units in enumerate(found):
                    self._add(self.column(s, units))
                continue
            if not plans and enumerated_all:
                return Outcome([], "infeasible", None, time.perf_counter() - start)
            if len(plans) < k and enumerated_all:
                return Outcome(plans, "optimal", bound, time.perf_counter() - start)
            if plans and len(plans) == k:
                delta = _cost(plans[-1]) - bound + TOL
            elif delta > 1e12:
                enumerated_all = True
            else:
                delta = delta * 8 if delta < 1e9 else np.inf
                enumerated_all = not np.isfinite(delta)
                if enumerated_all:
                    delta = 1e15



def _local_search(unit: np.ndarray, groups: list[int], problem: ServiceProblem) -> list[int]:
    """Improve a partition (groups as bitmasks) by the best single move until none helps.

    Moves: one member to another group or on its own, or two groups merged; ``unit[g]`` is the
    cheapest unit serving exactly g (``inf`` where none is allowed). Respects ``max_units``.
    """
    groups = list(groups)
    cap = problem.max_units if problem.limited else None
    while True:
        best_gain, best_move = TOL, None
        for i, g in enumerate(groups):
            bits = g
            while bits:
                bit = bits & -bits
                bits ^= bit
                left = g ^ bit
                before = unit[g]
                after_left = unit[left] if left else 0.0
                if cap is None or left == 0 or len(groups) < cap:
                    gain = before - after_left - unit[bit]
                    if left and gain > best_gain:
                        best_gain, best_move = gain, (i, None, bit)
                for j, h in enumerate(groups):
                    if j == i:
                        continue
                    gain = before + unit[h] - after_left - unit[h | bit]
                    if gain > best_gain:
                        best_gain, best_move = gain, (i, j, bit)
            for j in range(i + 1, len(groups)):
                gain = unit[g] + unit[groups[j]] - unit[g | groups[j]]
                if gain > best_gain:
                    best_gain, best_move = gain, (i, j, None)
        if best_move is None:
            return groups
        i, j, bit = best_move
        if bit is None:
            merged = groups[i] | groups[j]
            groups = [g for k, g in enumerate(groups) if k not in (i, j)] + [merged]
        elif j is None:
            groups = [g for k, g in enumerate(groups) if k != i] + [groups[i] ^ bit, bit]
        else:
            moved = groups[j] | bit
            left = groups[i] ^ bit
            groups = [g for k, g in enumerate(groups) if k not in (i, j)] + [moved] + ([left] if left else [])
    return groups


def _least_total_fte(sp: ServiceProblem, step: float | None) -> float | None:
    """A lower bound on the FTE of every partition of ``sp``'s members, without its subset programme,
    when the whole group may form one unit (then it is that unit's FTE, which the programme would
    find); ``None`` otherwise.

    Every unit has at least the minimum professional environment and at least its workload (rounded
    up to the step, less ``1e-9`` of a step), so a partition has at least the minimum and the summed
    workload less ``n 1e-9`` steps; when every unit is a multiple of ``step``, so is the sum."""
    table, full = sp.table, sp.cost.shape[1] - 1
    if not np.any(np.isfinite(sp.cost[:, full])):
        return None
    load = float(table.workload[full])
    scale = step if step is not None else float(table.costs.scenario.fte_step)
    total = load - table.n * 1e-9 * scale
    if step is not None:
        total = np.ceil(total / step - 1e-12) * step
    return max(float(table.costs.spec.value("min_fte")), float(total))


def _cheapest_per_signature(columns: list[Column], rows: Sequence[int], k: int) -> list[Column]:
    """The ``k`` cheapest columns of each service for each pattern of coefficients on ``rows``."""
    if not columns:
        return []
    return [columns[i] for i in _kept_per_signature(*_signature_arrays(columns, rows), k)]


def _signature_arrays(columns: list[Column], rows: Sequence[int]) -> tuple[np.ndarray, ...]:
    """Per column its service, whether it shares, its cost and its coefficients on ``rows``."""
    return (np.array([c.service for c in columns], dtype=np.int64), np.array([c.shared for c in columns], dtype=bool),
            np.array([c.cost for c in columns], dtype=float),
            np.array([c.coef[rows] for c in columns]).reshape(len(columns), len(rows)))


def _kept_per_signature(service: np.ndarray, shared: np.ndarray, cost: np.ndarray, coefs: np.ndarray, k: int
                        ) -> np.ndarray:
    """Indices of the ``k`` cheapest of each (service, shared, coefficients rounded to 1e-9) in the
    order the MILP gets them: by service, cost, the signature's first appearance, then rank."""
    count = len(cost)
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    group = _row_groups([service, shared, *np.round(coefs, 9).T])
    first = np.full(group.max() + 1, count)
    np.minimum.at(first, group, np.arange(count))  # where each signature first appears
    order = np.lexsort((cost, group))  # stable: equal costs keep the columns' order
    runs = np.r_[0, np.flatnonzero(np.diff(group[order])) + 1]
    rank = np.arange(count) - np.repeat(runs, np.diff(np.r_[runs, count]))
    kept = order[rank < k]
    return kept[np.lexsort((rank[rank < k], first[group[kept]], cost[kept], service[kept]))]


def _row_groups(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Per row an id shared by exactly the rows equal in every column (1-D sorts only: ``np.unique``
    over whole rows sorted 270 000 listed partitions in over a second at 17 members)."""
    key, size = np.zeros(len(columns[0]), dtype=np.int64), 1
    for column in columns:
        values, code = np.unique(column, return_inverse=True)
        if len(values) == 1:
            continue
        if size * len(values) >= 1 << 62:  # renumber the key so far to keep it in 64 bits
            values_so_far, key = np.unique(key, return_inverse=True)
            size = len(values_so_far)
        key, size = key * len(values) + code.ravel(), size * len(values)
    return np.unique(key, return_inverse=True)[1].ravel()


def _cost(plan: Sequence[Column]) -> float:
    """A plan's cost as the MILP sees it (tie-break included), thousands of NOK."""
    return sum(c.cost for c in plan)

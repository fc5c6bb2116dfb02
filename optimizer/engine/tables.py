"""Every unit of one service as arrays over groups: bitmask ``T`` of members, host ``h`` in ``T``.

Member ``i`` is bit ``1 << i`` in the model's member order. For each group the arrays hold its
workload, staffing (``fte``), fixed and staffing cost, and for each host the travel cost and whether
the unit is allowed under the active cost-side rules and restrictions; ``cost[h, T]`` is the unit's
total cost (``inf`` where not allowed); ``tie[h]`` is the tie-break a plan adds per unit hosted by h. The numbers are the ones ``optimizer.units`` computes unit
by unit (tested equal); arrays make every group of up to about 20 members cheap to price.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from optimizer.engine.allocator import keep_tables_in_heap
from optimizer.units import ServiceCosts

MAX_TABLE_MEMBERS = 22  # 2^22 groups x 22 hosts of float64 is about 800 MB: the ceiling for arrays


def subset_sums(values: np.ndarray) -> np.ndarray:
    """``out[..., T] = sum of values[..., i] for i in T`` for every bitmask ``T`` (last axis: members)."""
    values = np.asarray(values, dtype=float)
    n = values.shape[-1]
    out = np.empty(values.shape[:-1] + (1 << n,))
    out[..., 0] = 0.0
    for i in range(n):
        width = 1 << i  # groups whose highest member is i: the groups below it, plus i (no temporary: 38 MB at 18)
        np.add(out[..., :width], values[..., i: i + 1], out=out[..., width: 2 * width])
    return out


def popcounts(n: int) -> np.ndarray:
    """Number of members in each group."""
    return subset_sums(np.ones(n)).astype(np.int64)


@dataclass(frozen=True)
class UnitRules:
    """The cost-side rules and what-if restrictions that decide which units are allowed."""

    travel_limit: bool = True
    capacity: bool = True
    forbidden: bool = True
    required: bool = True
    fixed_unit: tuple[int, int] | None = None  # (hosts mask, group mask): a unit serving the group, one of them hosting
    shared_allowed: bool = True
    pins: tuple[tuple[int, int, bool], ...] = ()  # (member, host, must): the member's unit is (not) hosted there
    fte_caps: tuple[float, ...] | None = None  # per host: the most FTE one unit it hosts may have
    fte_floors: tuple[float, ...] | None = None  # per host: the least FTE one unit it hosts may have


class ServiceTable:
    """Units of one service for every group and host, as arrays (see module docstring)."""

    def __init__(self, costs: ServiceCosts, members: tuple[str, ...], tie_nok: np.ndarray) -> None:
        if tuple(costs.members) != tuple(members):
            raise ValueError("service costs and model must list the members in the same order")
        n = len(members)
        if n > MAX_TABLE_MEMBERS:
            raise ValueError(f"unit tables are limited to {MAX_TABLE_MEMBERS} members, got {n}")
        keep_tables_in_heap(n << n << 3)  # one float64 [host, group] table
        self.costs = costs
        self.members = members
        self.n = n
        spec, scenario = costs.spec, costs.scenario
        self.size = popcounts(n)
        self.workload = subset_sums(costs.workload)
        self.fte = self._staffing(self.workload)
        fixed = float(spec.value("fixed_cost"))
        cost_per_fte = float(spec.value("cost_per_fte"))
        # trip_cost[i, h]: one round trip from host h to member i; travel[h, T] = sum over i in T
        trips = np.array(costs.trips, dtype=float)[:, None] * np.array(costs.trip_cost, dtype=float)
        np.fill_diagonal(trips, 0.0)
        self.travel = subset_sums(trips.T)  # [host, group]
        self.fixed = np.full(1 << n, fixed)
        self.staffing = self.fte * cost_per_fte
        if scenario.scale_stand_alone:
            for i, m in enumerate(members):
                level = scenario.municipalities[m].cost_level or 1.0
                self.fixed[1 << i] *= level
                self.staffing[1 << i] *= level
        self.base = self.fixed + self.staffing  # the part of a unit's cost that does not depend on the host
        self.tie = np.asarray(tie_nok, dtype=float)
        self._reach = np.array([self._mask_where(costs.minutes[:, h] <= self._limit() + 1e-9) for h in range(n)])
        self._cache: dict[UnitRules, np.ndarray] = {}
        self._lacks: dict[int, np.ndarray] = {}
        self._on_steps: dict[float, bool] = {}

    def on_steps(self, step: float) -> bool:
        """Whether every group's FTE is a multiple of ``step`` (cached: asked by every solve)."""
        if step not in self._on_steps:
            ratio = self.fte / step
            self._on_steps[step] = bool(np.allclose(ratio, np.round(ratio), rtol=0.0, atol=1e-9))
        return self._on_steps[step]

    def _limit(self) -> float:
        limit = self.costs.spec.value("max_travel_minutes")
        return np.inf if limit is None else float(limit)

    @staticmethod
    def _mask_where(flags: np.ndarray) -> int:
        return int(sum(1 << i for i, f in enumerate(flags) if f))

    def _staffing(self, load: np.ndarray) -> np.ndarray:
        minimum = float(self.costs.spec.value("min_fte"))
        scenario = self.costs.scenario
        if scenario.staffing == "continuous":
            return np.maximum(minimum, load)
        step = scenario.fte_step
        return np.maximum(minimum, np.ceil(load / step - 1e-9) * step)

    def allowed(self, rules: UnitRules) -> np.ndarray:
        """Boolean ``[host, group]``: the host is in the group and the unit breaks none of ``rules``."""
        if rules in self._cache:
            return self._cache[rules]
        n, groups = self.n, np.arange(1 << self.n, dtype=np.int64)
        spec = self.costs.spec
        index = {m: i for i, m in enumerate(self.members)}
        ok = np.zeros((n, 1 << n), dtype=bool)
        required = sum(1 << index[h] for h in spec.required_hosts if h in index) if rules.required else 0
        for h in range(n):
            bit = 1 << h
            row = (groups & bit) != 0
            if rules.travel_limit:
                row &= (groups & ~self._reach[h]) == 0
            if rules.capacity and self.members[h] in spec.capacity_fte:
                row &= self.fte <= spec.capacity_fte[self.members[h]] + 1e-9
            if rules.forbidden and self.members[h] in spec.forbidden_hosts:
                row &= False
            if required:
                row &= (groups & required & ~bit) == 0  # a required host in the group must host it
            ok[h] = row
        if not rules.shared_allowed:
            ok &= self.size[None, :] == 1
        if rules.fte_caps is not None or rules.fte_floors is not None or rules.pins:
            ok &= self.decided(rules)
        if rules.fixed_unit is not None:  # only that unit may serve any of its members
            hosts, group = rules.fixed_unit
            keep = ok[:, group] & ((hosts >> np.arange(n)) & 1).astype(bool)
            ok[:, (groups & group) != 0] = False
            ok[:, group] = keep
        if not rules.pins and rules.fte_caps is None and rules.fte_floors is None:  # not a solve's own branching
            self._cache[rules] = ok
        return ok

    def decided(self, rules: UnitRules) -> np.ndarray:
        """Boolean ``[host, group]``: the units that ``rules``' FTE caps and floors and pins keep (the
        solve's own branching; every other rule is left to ``allowed``, which ands this in)."""
        n = self.n
        keep = np.ones((n, 1 << n), dtype=bool)
        if rules.fte_caps is not None:
            keep &= self.fte[None, :] <= np.array(rules.fte_caps)[:, None] + 1e-9
        if rules.fte_floors is not None:
            keep &= self.fte[None, :] >= np.array(rules.fte_floors)[:, None] - 1e-9
        for member, host, must in rules.pins:  # row by row: a boolean column index copies half the table
            for h in (h for h in range(n) if h != host) if must else (host,):
                keep[h] &= self._without(member)
        return keep

    def narrow(self, cost: np.ndarray, old: UnitRules, new: UnitRules) -> bool:
        """Set to ``inf`` in place the units of ``cost`` (allowed under ``old``) that ``new`` drops, when
        ``new`` is ``old`` with tighter FTE caps and floors and more pins; else ``False``, ``cost`` untouched.
        The same as ``decided(new)`` on the units ``old`` keeps, touching only the rows that change."""
        bare = dict(pins=(), fte_caps=None, fte_floors=None)
        if replace(old, **bare) != replace(new, **bare) or not set(old.pins) <= set(new.pins):
            return False
        n = self.n
        caps = [old.fte_caps or (np.inf,) * n, new.fte_caps or (np.inf,) * n]
        floors = [old.fte_floors or (0.0,) * n, new.fte_floors or (0.0,) * n]
        if any(b > a for a, b in zip(*caps)) or any(b < a for a, b in zip(*floors)):
            return False
        for h in range(n):
            if caps[1][h] < caps[0][h]:
                cost[h, self.fte > caps[1][h] + 1e-9] = np.inf
            if floors[1][h] > floors[0][h]:
                cost[h, self.fte < floors[1][h] - 1e-9] = np.inf
        for member, host, must in set(new.pins) - set(old.pins):
            inside = ~self._without(member)
            for h in (h for h in range(n) if h != host) if must else (host,):
                cost[h, inside] = np.inf
        return True

    def _without(self, member: int) -> np.ndarray:
        """Per group whether ``member`` is not in it (cached)."""
        if member not in self._lacks:
            self._lacks[member] = (np.arange(1 << self.n, dtype=np.int64) >> member & 1) == 0
        return self._lacks[member]

    def cost(self, rules: UnitRules) -> np.ndarray:
        """``[host, group]`` total cost, ``inf`` where the unit is not allowed."""
        out = self.travel + self.base[None, :]  # in place from here: the arrays are tens of MB at 18 members
        out[~self.allowed(rules)] = np.inf
        return out

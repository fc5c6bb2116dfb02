"""The rows that couple the services: fairness rules and "at most N shared services".

Each row reads ``sum over chosen units of a_r(unit) <= b_r`` (all in thousands of NOK, FTE or
counts), so a plan's services interact only through these rows. For multipliers ``lam >= 0`` the
*Lagrangian cost* of a unit, ``cost + sum_r lam_r a_r(unit)``, splits the problem into one subset
programme per service, whose optimum bounds the plan's cost from below (``optimizer.engine.exact``).

Rows, with ``f`` the unit's FTE, ``h`` its host, ``T`` its group and ``c`` its cost:
- ``fairness.min_shared_units_hosted`` (founding member m): ``-[h = m][|T| >= 2] <= -k``;
- ``fairness.fte_band`` (member m): ``(low_m - [h = m]) f <= 0`` and ``([h = m] - high_m) f <= 0``;
- ``fairness.individual_rationality`` (member m): ``[m in T] share_m(T) c <= keep x reference_m``;
- ``fairness.max_fte_loss`` (member m): ``-[h = m] f <= limit - FTE alone_m``;
- total FTE, and with the band the FTE each member hosts, within bounds that hold for every plan
  cheaper than a known one (``fte_total_max``/``fte_total_min``: ``+-f``; ``fte_cap``/``fte_floor``:
  ``+-[h = m] f``): inactive (``inf``) until ``bound_total_fte`` sets them;
- ``max_shared_services``: one per service that has a shared unit ``<= N`` (not per unit: handled
  as a service-level term).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.engine.kernels import cheapest_units, lagrangian_table
from optimizer.engine.tables import ServiceTable, subset_sums
from optimizer.scenario import CostKey, Scenario

SCALE = 1e-3  # NOK -> thousands of NOK inside the engine


@dataclass(frozen=True)
class Row:
    """One coupling row: its kind (rule group or restriction), member, and right-hand side."""

    kind: str
    member: int  # index, -1 for rows not tied to a member
    rhs: float


def pooled_share_table(key: CostKey, table: ServiceTable, population: np.ndarray) -> np.ndarray:
    """``share[m, T]``: the fraction of a unit serving ``T`` that member m pays (0 outside T)."""
    n = table.n
    inside = ((np.arange(1 << n)[None, :] >> np.arange(n)[:, None]) & 1).astype(float)
    pop_sum = subset_sums(population)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_pop = np.where(pop_sum > 0, population[:, None] / pop_sum, 0.0) * inside
        equal = np.where(table.size > 0, 1.0 / np.maximum(table.size, 1), 0.0) * inside
        if key.method == "fixed_plus_per_capita":
            return key.fixed_share * equal + (1.0 - key.fixed_share) * by_pop
        if key.method == "per_capita":
            return by_pop
        if key.method == "equal":
            return equal
        if key.method == "by_usage":
            workload = np.asarray(table.costs.workload, dtype=float)
            load = table.workload
            by_use = np.where(load > 0, workload[:, None] / np.where(load > 0, load, 1.0), 0.0) * inside
            return np.where(load[None, :] > 0, by_use, by_pop)
    raise ValueError(f"unknown cost key {key.method!r}")


class Coupling:
    """The coupling rows of one solve, and the Lagrangian unit costs they induce."""

    def __init__(self, scenario: Scenario, members: Sequence[str], rules: frozenset[str],
                 ir_reference: Mapping[str, float], alone_fte: Mapping[str, float],
                 max_shared_services: int | None) -> None:
        f = scenario.fairness
        index = {m: i for i, m in enumerate(members)}
        self.n = len(members)
        self.population = np.array([scenario.population(m) for m in members], dtype=float)
        self.cost_key = scenario.cost_key
        rows: list[Row] = []
        if "fairness.min_shared_units_hosted" in rules:
            rows += [Row("hosting", index[m], -float(f.min_shared_units_hosted))
                     for m in scenario.founding if m in index]
        if "fairness.fte_band" in rules:
            share = self.population / self.population.sum()
            self.low = np.maximum(0.0, share - f.fte_band)
            self.high = np.minimum(1.0, share + f.fte_band)
            rows += [Row("band_low", i, 0.0) for i in range(self.n)]
            rows += [Row("band_high", i, 0.0) for i in range(self.n)]
        if "fairness.individual_rationality" in rules:
            keep = 1.0 - f.min_saving_percent / 100.0
            rows += [Row("ir", i, SCALE * keep * ir_reference[m]) for i, m in enumerate(members)]
        if "fairness.max_fte_loss" in rules:
            rows += [Row("fte_loss", i, float(f.max_fte_loss) - alone_fte[m] + 1e-9)
                     for i, m in enumerate(members)]
        self.band = "fairness.fte_band" in rules
        if rows:  # valid rows that only tighten the relaxation; see bound_total_fte
            rows += [Row("fte_total_max", -1, np.inf), Row("fte_total_min", -1, np.inf)]
            if self.band:
                rows += [Row("fte_cap", i, np.inf) for i in range(self.n)]
                rows += [Row("fte_floor", i, np.inf) for i in range(self.n) if self.low[i] > 0]
        self.rows = tuple(rows)
        self._members = np.array([row.member for row in rows], dtype=np.int64)
        self._kinds = np.array([row.kind for row in rows], dtype=str)
        self.max_shared = max_shared_services
        self.rhs = np.array([r.rhs for r in rows])

    def bound_total_fte(self, low: float, high: float, step: float | None) -> None:
        """Set the rows that hold for every plan whose total FTE lies in ``[low, high]``.

        With the band, member m then hosts at most ``high_m * high`` and at least ``low_m * low``
        FTE; when every unit's FTE is a multiple of ``step``, so is what m hosts, and these bounds
        round down and up to the step (the strengthening the LP lacks).
        """
        def down(x: float) -> float:
            return x if step is None else np.floor(x / step + 1e-9) * step

        def up(x: float) -> float:
            return x if step is None else np.ceil(x / step - 1e-9) * step

        for r, row in enumerate(self.rows):
            if row.kind == "fte_total_max":
                self.rhs[r] = high
            elif row.kind == "fte_total_min":
                self.rhs[r] = -low
            elif row.kind == "fte_cap":
                self.rhs[r] = down(self.high[row.member] * high) + 1e-7
            elif row.kind == "fte_floor":
                self.rhs[r] = -up(self.low[row.member] * low) + 1e-7

    def linear_form(self, rows: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Each row's ``a_r`` of a unit (h, T) of FTE f, shared or not, costing c: ``f (per_fte[r] +
        hosted_fte[r, h]) + [T shared] hosted_shared[r, h]``, plus ``share_m(T) c`` where ``ir_member[r] = m``
        (-1 on the other rows). One form for every kind, so the engine's compiled reduction of listed
        partitions and ``units_coefficients`` compute the same terms in the same order."""
        rows = np.asarray(rows, dtype=np.int64)
        per_fte, hosted_fte, hosted_shared = np.zeros(len(rows)), np.zeros((len(rows), self.n)), np.zeros((len(rows), self.n))
        ir_member = np.full(len(rows), -1, dtype=np.int64)
        for i, r in enumerate(rows.tolist()):
            kind, m = self.rows[r].kind, self.rows[r].member
            if kind == "hosting":
                hosted_shared[i, m] = -1.0
            elif kind == "band_low":
                per_fte[i], hosted_fte[i, m] = self.low[m], -1.0
            elif kind == "band_high":
                per_fte[i], hosted_fte[i, m] = -self.high[m], 1.0
            elif kind == "ir":
                ir_member[i] = m
            elif kind in ("fte_loss", "fte_floor"):
                hosted_fte[i, m] = -1.0
            elif kind == "fte_cap":
                hosted_fte[i, m] = 1.0
            elif kind == "fte_total_max":
                per_fte[i] = 1.0
            elif kind == "fte_total_min":
                per_fte[i] = -1.0
        return per_fte, hosted_fte, hosted_shared, ir_member

    def units_coefficients(self, hosts: np.ndarray, groups: np.ndarray, fte: np.ndarray, cost_k: np.ndarray,
                           shares: np.ndarray | None, rows: Sequence[int] | None = None) -> np.ndarray:
        """``a_r`` of many units at once, ``[unit, row]`` for every row or just ``rows`` (``shares[m, u]``:
        what member m pays of unit u, needed only for ir rows)."""
        rows = np.arange(len(self.rows)) if rows is None else np.asarray(rows, dtype=np.int64)
        per_fte, hosted_fte, hosted_shared, ir_member = self.linear_form(rows)
        hosts, groups = np.asarray(hosts, dtype=np.int64), np.asarray(groups, dtype=np.int64)
        f = np.asarray(fte, dtype=float)[:, None]
        shared = ((groups & (groups - 1)) != 0).astype(float)[:, None]
        out = f * (per_fte[None, :] + hosted_fte.T[hosts]) + shared * hosted_shared.T[hosts]
        ir = np.flatnonzero(ir_member >= 0)
        if len(ir):
            out[:, ir] += shares[ir_member[ir], :].T * np.asarray(cost_k, dtype=float)[:, None]
        return out

    def _terms(self, lam: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
        """What ``lam`` adds to a unit: per host and common multipliers of f, per host for shared units, per member of ir."""
        n = self.n
        per_host = np.zeros(n)  # multiplies f for units hosted by that member
        common = 0.0  # multiplies f for every unit
        hosting = np.zeros(n)  # subtracted from shared units hosted by that member
        ir = np.zeros(n)
        for value, row in zip(lam, self.rows):
            if value <= 0:
                continue
            m = row.member
            if row.kind == "hosting":
                hosting[m] += value
            elif row.kind == "band_low":
                common += value * self.low[m]
                per_host[m] -= value
            elif row.kind == "band_high":
                common -= value * self.high[m]
                per_host[m] += value
            elif row.kind == "ir":
                ir[m] += value
            elif row.kind in ("fte_loss", "fte_floor"):
                per_host[m] -= value
            elif row.kind == "fte_cap":
                per_host[m] += value
            elif row.kind == "fte_total_max":
                common += value
            elif row.kind == "fte_total_min":
                common -= value
        return per_host, common, hosting, ir

    def lagrangian_cost(self, table: ServiceTable, true_k: np.ndarray, shares: np.ndarray | None, lam: np.ndarray,
                        ties: np.ndarray) -> np.ndarray:
        """``[host, group]`` unit cost ``true_k + ties[h]`` plus ``sum_r lam_r a_r`` (``inf`` stays ``inf``).

        Built in one new array, host by host: at 18 members it is 38 MB per service, and whole-table
        temporaries (one per term) cost more in page faults than the arithmetic."""
        if not len(self.rows) or not np.any(lam > 0):
            return true_k + ties[:, None]
        per_host, common, hosting, ir = self._terms(lam)
        shared = np.where(table.size > 1, 1.0, 0.0) if np.any(hosting) else None
        per_group_ir = ir @ shares if np.any(ir) and shares is not None else None
        compiled = lagrangian_table(true_k, ties, table.fte, shared, per_host, common, hosting, per_group_ir)
        if compiled is not None:
            return compiled
        out = true_k + ties[:, None]
        for h, row in enumerate(out):
            row += table.fte * (common + per_host[h])
            if shared is not None:
                row -= shared * hosting[h]
            if per_group_ir is not None:
                row += np.where(np.isfinite(true_k[h]), true_k[h], 0.0) * per_group_ir
        return out

    def lagrangian_minima(self, table: ServiceTable, cost_k: np.ndarray, true_k: np.ndarray,
                          shares: np.ndarray | None, lam: np.ndarray, ties: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
        """Per group the cheapest ``lagrangian_cost`` of ``cost_k + ties[h]`` over hosts and that host, in
        one pass (no table)."""
        per_host, common, hosting, ir = self._terms(lam)
        ir_per_group = ir @ shares if np.any(ir) and shares is not None else np.zeros(cost_k.shape[1])
        return cheapest_units(cost_k, true_k, table.fte, table.size > 1, per_host, common, hosting, ir_per_group,
                              ties)

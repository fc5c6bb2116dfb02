"""Candidate units: every way a service can be run by one host for a group of members, with its cost.

A *unit* of service s in host h serving the group T (h in T) costs per year
- fixed: the service's fixed cost per unit;
- staffing: FTE = max(min_fte, workload of T) (in steps of ``fte_step`` unless continuous) times
  the cost per FTE, where a member's workload is ``fte_per_1000 x population / 1000``;
- travel: for each other member m in T, trips per year (``trips_per_member + trips_per_1000 x
  population / 1000``) times one round trip from h to m and back, each way by the fastest route
  (they differ where a link runs one way only), valued at
  ``minutes / 60 x cost_per_fte / hours_per_fte + km x km_rate + fare``;
- the travel limit applies to the trip from the host to each member it serves.
A member running a service alone is the unit (s, m, {m}). Cost-side rules mark the candidates that
break them (``violates``) so a model can leave them out, or keep them to find what makes a
scenario infeasible.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from optimizer.scenario import Scenario, ServiceSpec
from optimizer.travel import TravelMatrix

COMPONENTS = ("fixed", "staffing", "travel")


@dataclass(frozen=True)
class Unit:
    """One candidate unit: service, host, the members it serves (sorted, host included), cost."""

    service: str
    host: str
    members: tuple[str, ...]
    fte: float
    fixed: float
    staffing: float
    travel: float
    violates: frozenset[str] = frozenset()

    @property
    def total(self) -> float:
        return self.fixed + self.staffing + self.travel

    @property
    def shared(self) -> bool:
        """A unit is shared when it serves two or more members."""
        return len(self.members) >= 2

    def component(self, name: str) -> float:
        return {"fixed": self.fixed, "staffing": self.staffing, "travel": self.travel}[name]


class ServiceCosts:
    """Per-member workload, trips and trip costs of one service: everything a unit's cost needs."""

    def __init__(self, scenario: Scenario, spec: ServiceSpec, matrix: TravelMatrix) -> None:
        self.scenario = scenario
        self.spec = spec
        self.members = matrix.members
        pop = np.array([scenario.population(m) for m in self.members], dtype=float)
        self.workload = spec.value("fte_per_1000") * pop / 1000.0
        self.trips = spec.value("trips_per_member") + spec.value("trips_per_1000") * pop / 1000.0
        travel = scenario.travel.params
        hourly = spec.value("cost_per_fte") / travel.hours_per_fte.value
        self.trip_cost = matrix.round_trip_cost(hourly, travel.km_rate.value)  # [member, host], symmetric
        self.minutes = matrix.minutes.T  # [member, host]: one way from the host to the member
        self._index = {m: i for i, m in enumerate(self.members)}

    def usage(self, members: Sequence[str]) -> dict[str, float]:
        """Workload (FTE needed) of each of ``members``: the usage a ``by_usage`` key splits by."""
        return {m: float(self.workload[self._index[m]]) for m in members}

    def fte(self, load: float) -> float:
        """Staffing of a unit with ``load`` FTE of workload."""
        minimum = self.spec.value("min_fte")
        if self.scenario.staffing == "continuous":
            return max(minimum, load)
        step = self.scenario.fte_step
        return max(minimum, math.ceil(load / step - 1e-9) * step)

    def unit(self, host: str, members: Sequence[str]) -> Unit:
        """The unit of this service in ``host`` serving ``members`` (which must include the host)."""
        h = self._index[host]
        idx = [self._index[m] for m in members]
        fte = self.fte(float(self.workload[idx].sum()))
        travel = float(sum(self.trips[i] * self.trip_cost[i, h] for i in idx if i != h))
        fixed = self.spec.value("fixed_cost")
        staffing = fte * self.spec.value("cost_per_fte")
        if len(idx) == 1 and self.scenario.scale_stand_alone:
            level = self.scenario.municipalities[host].cost_level or 1.0
            fixed, staffing = fixed * level, staffing * level
        return Unit(
            service=self.spec.id,
            host=host,
            members=tuple(sorted(members)),
            fte=fte,
            fixed=fixed,
            staffing=staffing,
            travel=travel,
            violates=self._violations(host, idx, fte),
        )

    def _violations(self, host: str, idx: list[int], fte: float) -> frozenset[str]:
        key = f"services.{self.spec.id}"
        out = set()
        limit = self.spec.value("max_travel_minutes")
        h = self._index[host]
        if limit is not None and any(self.minutes[i, h] > limit + 1e-9 for i in idx):
            out.add(f"{key}.max_travel_minutes")
        cap = self.spec.capacity_fte.get(host)
        if cap is not None and fte > cap + 1e-9:
            out.add(f"{key}.capacity_fte")
        if host in self.spec.forbidden_hosts:
            out.add(f"{key}.forbidden_hosts")
        return frozenset(out)

    def stand_alone(self, member: str) -> Unit:
        """The member running the service on its own."""
        return self.unit(member, [member])

    def candidates(self, members: Sequence[str] | None = None) -> Iterator[Unit]:
        """Every unit with a host in ``members`` serving a subset of ``members`` that includes it."""
        pool = sorted(members if members is not None else self.members)
        for host in pool:
            others = [m for m in pool if m != host]
            for size in range(len(others) + 1):
                for group in combinations(others, size):
                    yield self.unit(host, (host, *group))


def service_costs(scenario: Scenario, matrix: TravelMatrix) -> dict[str, ServiceCosts]:
    """``ServiceCosts`` for every enabled service, in catalogue order."""
    return {spec.id: ServiceCosts(scenario, spec, matrix) for spec in scenario.services}

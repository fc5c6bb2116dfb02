"""What a solve returns and what it may be asked: the plan, its rule groups, what-if restrictions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from optimizer.solver import SolveInfo
from optimizer.units import Unit

FAIRNESS_GROUPS = (
    "fairness.min_shared_units_hosted",
    "fairness.fte_band",
    "fairness.individual_rationality",
    "fairness.max_fte_loss",
)


@dataclass(frozen=True)
class Restrictions:
    """Extra conditions on a plan, beyond the scenario's rules (for what-if analyses).

    ``fixed_units``: service -> (host, members) of a unit the plan must contain; the host may be a
    set of members, any one of which may host it (``fixed``);
    ``shared_services``: only these services may have a unit serving two or more members
    (``None``: any); ``max_shared_services``: at most this many services may.
    """

    fixed_units: Mapping[str, tuple[str | frozenset[str], frozenset[str]]] = field(default_factory=dict)
    shared_services: frozenset[str] | None = None
    max_shared_services: int | None = None

    def allows(self, unit: Unit) -> bool:
        """Whether ``unit`` can be part of a plan under these restrictions (per unit only)."""
        if unit.shared and self.shared_services is not None and unit.service not in self.shared_services:
            return False
        fixed = self.fixed(unit.service)
        if fixed is None:
            return True
        hosts, group = fixed
        members = frozenset(unit.members)
        return (unit.host in hosts and members == group) or not (members & group)

    def fixed(self, service: str) -> tuple[frozenset[str], frozenset[str]] | None:
        """The hosts that may host ``service``'s fixed unit (those in its group) and its members."""
        if service not in self.fixed_units:
            return None
        host, group = self.fixed_units[service]
        hosts = frozenset([host]) if isinstance(host, str) else frozenset(host)
        return hosts & group, frozenset(group)


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

"""Who pays whom: payment flows between members under the adopted plan and a settlement method.

Each host bears the cost of the units it runs. Under a settlement method every member owes a share
of every service (``Statement.outcomes[method].shares``); it pays that share to the host of the unit
that serves it (nothing when it hosts that unit itself). When a service has several units and the
method's shares of a unit's members do not add up to that unit's cost (possible for every method
but the cost key, which splits unit by unit), the hosts of that service settle the difference among
themselves: hosts left with a surplus pay it to hosts left short, in proportion to the shortfalls
(``equalisation`` flows). Then for every member

    net position = received - paid = cost of the units it hosts - its share,

so the net positions sum to zero and each member ends up paying exactly its share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from optimizer.statement import Statement

TOLERANCE_NOK = 0.01  # below one øre a flow is rounding noise


@dataclass(frozen=True)
class UnitCost:
    """One unit of the plan: service, host, the members it serves (host included), its cost."""

    service: str
    host: str
    members: tuple[str, ...]
    cost: float


@dataclass(frozen=True)
class Flow:
    """``payer`` pays ``amount`` NOK a year to ``payee`` for ``service``."""

    payer: str
    payee: str
    service: str
    amount: float
    equalisation: bool = False


@dataclass(frozen=True)
class Position:
    """A member's settlement: its share, the cost of the units it hosts, what it pays and receives."""

    member: str
    share: float
    hosted_cost: float
    paid: float
    received: float

    @property
    def net(self) -> float:
        """Received minus paid (positive: the member receives money on balance)."""
        return self.received - self.paid


def unit_flows(units: Sequence[UnitCost], shares: Mapping[str, Mapping[str, float]]) -> list[Flow]:
    """Payment flows for ``units`` when member m owes ``shares[m][service]`` for each service.

    Each service's shares must add up to the cost of its units.
    """
    flows = []
    for service in dict.fromkeys(u.service for u in units):
        surplus: dict[str, float] = {}
        for u in (u for u in units if u.service == service):
            for m in u.members:
                if m != u.host and abs(shares[m][service]) >= TOLERANCE_NOK:
                    flows.append(Flow(m, u.host, service, shares[m][service]))
            surplus[u.host] = sum(shares[m][service] for m in u.members) - u.cost
        short = {h: -d for h, d in surplus.items() if d <= -TOLERANCE_NOK}
        for giver, extra in ((h, d) for h, d in surplus.items() if d >= TOLERANCE_NOK):
            for taker, lack in short.items():
                flows.append(Flow(giver, taker, service, extra * lack / sum(short.values()), equalisation=True))
    return flows


def positions(members: Sequence[str], units: Sequence[UnitCost], flows: Sequence[Flow],
              shares: Mapping[str, Mapping[str, float]]) -> list[Position]:
    """Each member's share, hosted cost, paid and received from ``flows``."""
    return [
        Position(
            member=m,
            share=sum(shares[m].values()),
            hosted_cost=sum(u.cost for u in units if u.host == m),
            paid=sum(f.amount for f in flows if f.payer == m),
            received=sum(f.amount for f in flows if f.payee == m),
        )
        for m in members
    ]


def plan_units(statement: Statement) -> list[UnitCost]:
    """The adopted plan's units as ``UnitCost``."""
    return [UnitCost(u.service, u.host, u.members, u.total) for u in statement.result.plan.units]


def settlement_flows(statement: Statement, method: str | None = None) -> list[Flow]:
    """Flows under ``method`` (default: the scenario's ``settlement_method``)."""
    outcome = statement.outcomes[method] if method else statement.chosen
    return unit_flows(plan_units(statement), outcome.shares)


def settlement_positions(statement: Statement, method: str | None = None) -> list[Position]:
    """Every member's position under ``method`` (default: the scenario's ``settlement_method``)."""
    outcome = statement.outcomes[method] if method else statement.chosen
    units = plan_units(statement)
    return positions(statement.result.members, units, unit_flows(units, outcome.shares), outcome.shares)

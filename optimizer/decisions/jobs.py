"""Jobs: FTE per member and service alone and in the cooperation, and where the difference goes.

For a unit u with host h serving group G, let A be the members' stand-alone FTE (sum of a_m over G)
and f the unit's FTE. The A - f positions the cooperation no longer needs are attributed to the
members in proportion to their stand-alone FTE (a_m / A of them); the rest of each other member's
positions, a_m * f / A, move to the host with the service (transferred: negative for the member
that gives them up, positive for the host). So, for every member,
``cooperation FTE = alone FTE + transferred - no longer needed``; per service, transferred
positions sum to zero and the positions no longer needed sum to the stand-alone FTE minus the
cooperation's FTE. Pooled staffing never exceeds the members' own (steps round up, the minimum
applies once), so no member's "no longer needed" is negative.

``fte_loss_price`` reports what the ``fairness.max_fte_loss`` rule costs: the plan's cost with the
rule on minus the cost with it off, all other rules unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from optimizer.model import HostChoiceModel, Plan

FTE_LOSS_RULE = "fairness.max_fte_loss"


@dataclass(frozen=True)
class JobRow:
    """Positions of one member for one service, alone and in the plan."""

    member: str
    service: str
    host: str  # who hosts the unit serving this member
    alone_fte: float  # the member's stand-alone staffing
    cooperation_fte: float  # FTE of the units of this service the member hosts
    transferred: float  # positions moved to (+) or from (-) this member with the service
    no_longer_needed: float  # the member's part of the positions the cooperation does not need

    @property
    def net(self) -> float:
        """Change in the member's positions: cooperation minus alone."""
        return self.cooperation_fte - self.alone_fte


@dataclass(frozen=True)
class MemberJobs:
    """A member's positions summed over services."""

    member: str
    alone_fte: float
    cooperation_fte: float
    transferred_in: float  # positions the member takes over as host
    transferred_out: float  # positions that leave the member with a service (a positive number)
    no_longer_needed: float

    @property
    def net(self) -> float:
        return self.cooperation_fte - self.alone_fte


def job_rows(model: HostChoiceModel, plan: Plan) -> list[JobRow]:
    """One row per member and service (services in catalogue order, members sorted)."""
    rows = []
    for service in model.costs:
        for m in model.members:
            unit = plan.unit_for(service, m)
            alone = {k: model.stand_alone[(service, k)].fte for k in unit.members}
            total_alone = sum(alone.values())
            # proportional attribution; equal parts if nobody staffs anything alone
            part = alone[m] / total_alone if total_alone > 0 else 1.0 / len(unit.members)
            moved = part * unit.fte  # this member's positions that go on in the unit
            transferred = (unit.fte - moved) if m == unit.host else -moved
            cooperation = sum(u.fte for u in plan.units if u.service == service and u.host == m)
            rows.append(JobRow(
                member=m,
                service=service,
                host=unit.host,
                alone_fte=alone[m],
                cooperation_fte=cooperation,
                transferred=transferred,
                no_longer_needed=part * (total_alone - unit.fte),
            ))
    return rows


def member_jobs(rows: list[JobRow]) -> list[MemberJobs]:
    """Per member, in the order the rows first name them: the rows summed over services."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        s = sums[r.member]
        s["alone"] += r.alone_fte
        s["coop"] += r.cooperation_fte
        s["in"] += max(r.transferred, 0.0)
        s["out"] += max(-r.transferred, 0.0)
        s["gone"] += r.no_longer_needed
    return [
        MemberJobs(m, s["alone"], s["coop"], s["in"], s["out"], s["gone"]) for m, s in sums.items()
    ]


@dataclass(frozen=True)
class FteLossPrice:
    """What the limit on lost FTE costs: the plan with the rule against the plan without it."""

    limit: float
    cost_with: float
    cost_without: float | None  # None: no plan meets the other rules without it either

    @property
    def price(self) -> float | None:
        return None if self.cost_without is None else self.cost_with - self.cost_without


def fte_loss_price(model: HostChoiceModel, plan: Plan) -> FteLossPrice | None:
    """The price of ``fairness.max_fte_loss`` in ``plan`` (``None`` when the plan does not apply it)."""
    if FTE_LOSS_RULE not in plan.rules:
        return None
    without = model.solve(plan.rules - {FTE_LOSS_RULE})
    limit = model.scenario.fairness.max_fte_loss
    return FteLossPrice(float(limit or 0.0), plan.total, None if without is None else without.total)

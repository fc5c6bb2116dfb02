"""Where to start: the best plan that cooperates on at most N services, for every N.

A service counts as cooperated on when some unit of it serves two or more members; the other
services stay with each member alone. For each N the plan is the model's optimum under the
scenario's rules with ``Restrictions(max_shared_services=N)``, re-solved on the same built model.
Where the rules cannot hold with N services (on the baseline, one service gives at most two shared
units for four founders who must each host one), the rules in conflict are named and the plan
with the fewest of them lifted is given instead, marked as such (``optimizer.decisions.relax``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from optimizer.decisions.relax import Outcome, solve_or_lift
from optimizer.model import HostChoiceModel, Plan, Restrictions

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ServiceSaving:
    """One service in the adopted plan: the members' cost alone against the plan's units."""

    service: str
    stand_alone: float
    cooperation: float
    shared: bool

    @property
    def saving(self) -> float:
        return self.stand_alone - self.cooperation


@dataclass(frozen=True)
class PriorityStep:
    """The best plan cooperating on at most ``n`` services."""

    n: int
    outcome: Outcome
    stand_alone: dict[str, float]  # member -> cost running everything alone

    @property
    def plan(self) -> Plan | None:
        return self.outcome.plan

    @property
    def services(self) -> tuple[str, ...]:
        """Services cooperated on, in catalogue order."""
        if self.plan is None:
            return ()
        shared = {u.service for u in self.plan.units if u.shared}
        return tuple(s for s in dict.fromkeys(u.service for u in self.plan.units) if s in shared)

    @property
    def total(self) -> float | None:
        return None if self.plan is None else self.plan.total

    @property
    def saving(self) -> float | None:
        return None if self.plan is None else sum(self.stand_alone.values()) - self.plan.total

    def member_saving(self, member: str) -> float | None:
        return None if self.plan is None else self.stand_alone[member] - self.plan.payment(member)

    @property
    def proven(self) -> bool:
        """Whether the solver proved this plan optimal (a time limit may stop it earlier)."""
        return self.plan is not None and self.plan.solve_info.status == "optimal"


@dataclass(frozen=True)
class Priorities:
    services: list[ServiceSaving]  # in the adopted plan, largest saving first
    steps: list[PriorityStep]  # by N


def service_savings(model: HostChoiceModel, plan: Plan) -> list[ServiceSaving]:
    """Each service's saving in ``plan`` (stand-alone cost of all members minus its units), largest first."""
    rows = []
    for service in model.costs:
        units = [u for u in plan.units if u.service == service]
        alone = sum(model.stand_alone[(service, m)].total for m in model.members)
        rows.append(ServiceSaving(service, alone, sum(u.total for u in units), any(u.shared for u in units)))
    return sorted(rows, key=lambda r: -r.saving)


def priorities(model: HostChoiceModel, plan: Plan, n_values: Iterable[int] | None = None,
               progress: Progress | None = None) -> Priorities:
    """Per-service savings in the adopted ``plan`` and the best plan for every N (default 1..services).

    The rules are those ``plan`` was solved under. For N at or above the number of services the
    adopted plan shares, a proven-optimal adopted plan is the answer (the restriction cuts nothing
    it uses) and is not solved again.
    """
    n_all = len(model.costs)
    ns = sorted(set(n_values)) if n_values is not None else list(range(1, n_all + 1))
    stand_alone = {m: model.stand_alone_total(m) for m in model.members}
    adopted_shared = len({u.service for u in plan.units if u.shared})
    adopted_proven = plan.solve_info.status == "optimal"
    steps = []
    for i, n in enumerate(ns):
        if progress is not None:
            progress(i / len(ns), f"N = {n}")
        if n >= adopted_shared and adopted_proven:
            outcome = Outcome(plan)
        else:
            outcome = solve_or_lift(model, plan.rules, Restrictions(max_shared_services=n))
        steps.append(PriorityStep(n, outcome, stand_alone))
    if progress is not None:
        progress(1.0, "")
    return Priorities(service_savings(model, plan), steps)

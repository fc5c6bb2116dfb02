"""Near-optimal alternatives: the k cheapest distinct host plans and how each differs from the optimum.

Two plans are *distinct* when their sets of chosen units differ: for some service a member is
grouped differently or a group has another host. The plans come from the scenario's MILP with
no-good cuts (``HostChoiceModel.solve_best``) and keep the scenario's rules, fairness included,
unless ``fairness=False``. Plans of equal cost (e.g. two hosts with the same cost for a service
without travel) are distinct alternatives and are listed in tie-break order (lower host number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.errors import InfeasibleError
from optimizer.model import FAIRNESS_GROUPS, HostChoiceModel, Plan
from optimizer.pipeline import build_model
from optimizer.scenario import Scenario
from optimizer.units import Unit


@dataclass(frozen=True)
class ServiceChange:
    """How one service is organised in the optimum (``before``) and in an alternative (``after``)."""

    service: str
    before: tuple[Unit, ...]
    after: tuple[Unit, ...]

    def text(self, scenario: Scenario) -> str:
        """E.g. ``ict: Gamvik -> Porsanger``; a service split in several units lists each with whom it serves."""
        def label(units: tuple[Unit, ...]) -> str:
            if len(units) == 1 and len(units[0].members) == len(scenario.members):
                return scenario.name(units[0].host)
            return " + ".join(f"{scenario.name(u.host)} ({', '.join(scenario.name(m) for m in u.members)})" for u in units)

        return f"{self.service}: {label(self.before)} -> {label(self.after)}"


@dataclass(frozen=True)
class Alternative:
    """One of the k best plans: rank 1 is the optimum; gap = extra cost per year against it."""

    rank: int
    plan: Plan
    gap_nok: float
    gap_percent: float
    changes: tuple[ServiceChange, ...]

    @property
    def total(self) -> float:
        return self.plan.total


def alternatives(scenario: Scenario, k: int = 5, *, model: HostChoiceModel | None = None,
                 fairness: bool = True) -> list[Alternative]:
    """The ``k`` cheapest distinct plans of ``scenario``, cheapest first, each compared with the optimum.

    Raises ``InfeasibleError`` (naming the rules to loosen) when no plan meets the rules.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    model = model or build_model(scenario)
    groups = model.rule_groups()
    rules = groups if fairness else [g for g in groups if g not in FAIRNESS_GROUPS]
    plans = model.solve_best(rules, k)
    if not plans:
        raise InfeasibleError(scenario.id, model.irreducible_conflict(rules))
    best = plans[0]
    return [
        Alternative(
            rank=i,
            plan=plan,
            gap_nok=plan.total - best.total,
            gap_percent=100.0 * (plan.total - best.total) / best.total if best.total else 0.0,
            changes=plan_changes(best, plan, list(model.costs)),
        )
        for i, plan in enumerate(plans, start=1)
    ]


def plan_changes(before: Plan, after: Plan, services: Sequence[str]) -> tuple[ServiceChange, ...]:
    """The services organised differently in ``after`` than in ``before``, in catalogue order."""
    out = []
    for s in services:
        a = tuple(u for u in before.units if u.service == s)
        b = tuple(u for u in after.units if u.service == s)
        if {(u.host, u.members) for u in a} != {(u.host, u.members) for u in b}:
            out.append(ServiceChange(s, a, b))
    return tuple(out)


def hosts_label(plan: Plan, service: str) -> str:
    """The host of ``service``, or ``host[members] ...`` when it has several units."""
    units = [u for u in plan.units if u.service == service]
    if len(units) == 1:
        return units[0].host
    return " ".join(f"{u.host}[{' '.join(u.members)}]" for u in units)


def alternative_rows(scenario: Scenario, found: Sequence[Alternative]) -> list[dict[str, Any]]:
    """One row per alternative: cost, gap, changes against the optimum, hosts and FTE hosted by member."""
    services = [spec.id for spec in scenario.services]
    members = sorted(scenario.members)
    return [
        {
            "scenario": scenario.id,
            "rank": a.rank,
            "total_nok": a.total,
            "gap_nok": a.gap_nok,
            "gap_percent": a.gap_percent,
            "changes": "; ".join(c.text(scenario) for c in a.changes),
            **{f"host.{s}": hosts_label(a.plan, s) for s in services},
            **{f"fte_hosted.{m}": a.plan.fte_hosted(m) for m in members},
        }
        for a in found
    ]

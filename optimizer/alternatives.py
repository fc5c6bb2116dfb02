"""Near-optimal alternatives: the k cheapest distinct host plans and how each differs from the optimum.

Two plans are *distinct* when their sets of chosen units differ: for some service a member is
grouped differently or a group has another host. The plans come from the scenario's MILP with
no-good cuts (``HostChoiceModel.solve_best``) and keep the scenario's rules, fairness included,
unless ``fairness=False``. They are listed by true cost (the model's tie-break of under 1 NOK per
unit left out), so the extra cost against plan 1 is never negative; plans within the tie-break
may be interchanged, and plan 1 may then differ from the adopted plan by less than that.

Plans of equal cost are kept as separate alternatives, in tie-break order (lower host number),
and marked: ``same_cost_as`` is the first earlier plan with the same cost to the krone, and
``free_host_choice`` says the plan differs from it only by hosts (same groups): a free choice of
host, e.g. claims collection (no travel) in Nordkapp, Lebesby or Gamvik in the baseline. The
table says so, so a steering group reads them as one decision left open rather than as rivals.
``proven`` is false when a solve stopped before proving optimality (e.g. ``solver.time_limit``):
then the list is good plans, not provably the k best.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.errors import InfeasibleError
from optimizer.i18n import tr
from optimizer.model import FAIRNESS_GROUPS, HostChoiceModel, Plan
from optimizer.pipeline import build_model
from optimizer.scenario import Scenario
from optimizer.units import Unit

SAME_COST_NOK = 0.5  # plans closer than this (to the krone) have the same cost

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
    same_cost_as: int | None = None  # rank of the first earlier plan with the same cost to the krone
    free_host_choice: bool = False  # ... and the same groups: it differs from that plan only by hosts
    proven: bool = True  # every solve of the list ended optimal

    @property
    def total(self) -> float:
        return self.plan.total

    def note(self) -> str:
        """Short remark for tables: same cost as an earlier plan, free choice of host, or not proven."""
        parts = []
        if self.same_cost_as is not None:
            n = self.same_cost_as
            parts.append(tr(f"samme kostnad som plan {n}: fritt valg av vert",
                            f"same cost as plan {n}: a free choice of host")
                         if self.free_host_choice else tr(f"samme kostnad som plan {n}", f"same cost as plan {n}"))
        if not self.proven:
            parts.append(tr("ikke bevist blant de k beste (løseren stoppet før optimum)",
                            "not proven among the k best (the solver stopped before optimality)"))
        return "; ".join(parts)


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
    proven = all(p.solve_info.status == "optimal" for p in plans)
    out: list[Alternative] = []
    for i, plan in enumerate(plans, start=1):
        same = next((a for a in out if abs(a.total - plan.total) < SAME_COST_NOK), None)
        out.append(Alternative(
            rank=i,
            plan=plan,
            gap_nok=plan.total - best.total,
            gap_percent=100.0 * (plan.total - best.total) / best.total if best.total else 0.0,
            changes=plan_changes(best, plan, list(model.costs)),
            same_cost_as=same.rank if same else None,
            free_host_choice=same is not None and _groups(same.plan) == _groups(plan),
            proven=proven,
        ))
    return out


def _groups(plan: Plan) -> set[tuple[str, tuple[str, ...]]]:
    return {(u.service, u.members) for u in plan.units}


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
            "same_cost_as": a.same_cost_as if a.same_cost_as is not None else "",
            "free_host_choice": a.free_host_choice,
            "proven": a.proven,
            **{f"host.{s}": hosts_label(a.plan, s) for s in services},
            **{f"fte_hosted.{m}": a.plan.fte_hosted(m) for m in members},
        }
        for a in found
    ]

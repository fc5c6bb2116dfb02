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
from typing import Any

from optimizer.decisions.relax import Outcome, solve_or_lift
from optimizer.explain import describe_rule
from optimizer.i18n import language, tr
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
    it uses) and is not solved again. The re-solves run on a copy of the model
    (``HostChoiceModel.detached``): what they leave does not change the next analysis on ``model``.
    """
    own = model.detached()
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
            outcome = solve_or_lift(own, plan.rules, Restrictions(max_shared_services=n))
        steps.append(PriorityStep(n, outcome, stand_alone))
    if progress is not None:
        progress(1.0, "")
    return Priorities(service_savings(model, plan), steps)


def step_note(model: HostChoiceModel, step: PriorityStep) -> str:
    """What the user must know about one N: rules that could not hold, and an unproven optimum."""
    scenario = model.scenario
    notes = []
    if step.outcome.timed_out:
        notes.append(tr(f"Med høyst {step.n} tjeneste(r) fant løseren ingen plan innen tidsgrensen.",
                        f"With at most {step.n} service(s) the solver found no plan within the time limit."))
    elif step.plan is None:
        notes.append(tr(f"Med høyst {step.n} tjeneste(r) finnes ingen plan, heller ikke uten reglene.",
                        f"With at most {step.n} service(s) there is no plan, not even without the rules."))
    elif step.outcome.lifted:
        conflict = "; ".join(describe_rule(g, scenario, with_key=False) for g in step.outcome.conflict)
        if step.outcome.lifted == step.outcome.conflict:
            notes.append(tr(
                f"Med høyst {step.n} tjeneste(r) kan ikke regelen «{conflict}» holdes; planen som vises, er den beste uten den.",
                f"With at most {step.n} service(s) the rule “{conflict}” cannot hold; the plan shown is the best without it."))
        else:
            lifted = "; ".join(describe_rule(g, scenario, with_key=False) for g in step.outcome.lifted)
            notes.append(tr(
                f"Med høyst {step.n} tjeneste(r) kan ikke reglene «{conflict}» holdes samtidig. "
                f"Planen som vises, er den beste uten «{lifted}».",
                f"With at most {step.n} service(s) the rules “{conflict}” cannot hold together. "
                f"The plan shown is the best without “{lifted}”."))
    if step.plan is not None and not step.proven:
        notes.append(tr("Ikke bevist optimal (løseren stoppet på tidsgrensen).",
                        "Not proven optimal (the solver stopped at its time limit)."))
    return " ".join(notes)


def priority_rows(model: HostChoiceModel, found: Priorities) -> list[dict[str, Any]]:
    """One tidy row per N (priorities.csv): services, totals, each member's saving, rules lifted."""
    scenario = model.scenario
    rows = []
    for step in found.steps:
        row: dict[str, Any] = {
            "scenario": scenario.id,
            "n": step.n,
            "services": " ".join(step.services),
            "service_names": ", ".join(scenario.service(s).service.name(language()) for s in step.services),
            "total_nok": step.total,
            "saving_nok": step.saving,
            "all_rules_hold": step.outcome.all_rules_hold,
            "lifted": " ".join(step.outcome.lifted),
            "proven_optimal": step.proven,
        }
        for m in model.members:
            row[f"saving_{m}_nok"] = step.member_saving(m)
        row["note"] = step_note(model, step)
        rows.append(row)
    return rows


def priorities_summary(model: HostChoiceModel, found: Priorities) -> dict[str, Any]:
    """The ``priorities`` section of ``summary.json``."""
    return {
        "service_savings": [
            {"service": s.service, "stand_alone_nok": s.stand_alone, "cooperation_nok": s.cooperation,
             "saving_nok": s.saving, "shared": s.shared}
            for s in found.services
        ],
        "steps": [{k: v for k, v in row.items() if k != "scenario"} for row in priority_rows(model, found)],
    }

"""The two references a saving is measured against: "i dag" (today) and "robust alene" (robust alone).

*Robust alene* is the model's stand-alone cost: the member running the service on its own with the
minimum professional environment (``min_fte``). For a small member the minimum sets the staffing of
every unit, so every small member shows the same robust-alone cost whatever its size.

*I dag* is what the member actually spends on the service today, from the first source that has it:
1. ``entered``: ``[agreement.today.<member>] <service> = NOK`` in the scenario (the app writes it
   from the filled-in template);
2. ``ssb``: imported KOSTRA spending (SSB 12362) where a function group matches the scenario's
   services like for like (``ScenarioResult.actual_spending_rows``: comparable rows); a group that
   covers several services is split between them in proportion to their estimates (below);
3. ``estimate``: the workload staffing without the minimum professional environment
   (``fte_per_1000 x population / 1000`` in the scenario's FTE steps) times ``cost_per_fte``, plus
   the fixed cost; an estimate, marked as such.
The staff behind today's cost (FTE) is the workload staffing for an estimate, and the cost less the
fixed cost over ``cost_per_fte`` for an entered or imported figure (derived, never below zero).

The scenario's ``[fairness] ir_reference`` picks which reference the individual-rationality rule
uses (``robust_alone`` by default). The coalition game keeps the model's costs either way, so a
member's actual cost today is never set against modelled coalition costs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.economics.csv_input import read_user_csv
from optimizer.economics.spec import agreement_spec
from optimizer.i18n import tr
from optimizer.output import csv_text
from optimizer.scenario import Scenario, resolve_municipality
from optimizer.units import ServiceCosts

SOURCES = ("entered", "ssb", "estimate")


@dataclass(frozen=True)
class TodayCost:
    """A member's cost of one service today, the staff behind it and where the figure comes from."""

    nok: float
    fte: float
    source: str  # one of SOURCES
    basis: str


def today_costs(scenario: Scenario, costs: Mapping[str, ServiceCosts]) -> dict[str, dict[str, TodayCost]]:
    """Member -> service -> today's cost, from the first source that has it (module docstring)."""
    entered = agreement_spec(scenario).today
    imported = _imported_split(scenario, costs)
    out: dict[str, dict[str, TodayCost]] = {}
    for m in sorted(scenario.members):
        out[m] = {}
        for sid, sc in costs.items():
            estimate = _estimate(sc, m)
            per_fte = sc.spec.value("cost_per_fte") or 0.0
            fixed = sc.spec.value("fixed_cost") or 0.0

            def derived_fte(nok: float) -> float:
                return max(0.0, (nok - fixed) / per_fte) if per_fte > 0 else estimate.fte

            if sid in entered.get(m, {}):
                nok = entered[m][sid]
                out[m][sid] = TodayCost(nok, derived_fte(nok), "entered", f"agreement.today.{m}.{sid} in the scenario")
            elif (m, sid) in imported:
                nok, basis = imported[(m, sid)]
                out[m][sid] = TodayCost(nok, derived_fte(nok), "ssb", basis)
            else:
                out[m][sid] = estimate
    return out


def _estimate(sc: ServiceCosts, member: str) -> TodayCost:
    load = float(sc.usage([member])[member])
    step = sc.scenario.fte_step
    fte = load if sc.scenario.staffing == "continuous" else math.ceil(load / step - 1e-9) * step
    nok = (sc.spec.value("fixed_cost") or 0.0) + fte * (sc.spec.value("cost_per_fte") or 0.0)
    return TodayCost(nok, fte, "estimate", "workload staffing without the minimum professional environment "
                     f"({fte:g} FTE) times cost_per_fte, plus fixed_cost; an estimate")


def _imported_split(scenario: Scenario, costs: Mapping[str, ServiceCosts]) -> dict[tuple[str, str], tuple[float, str]]:
    """(member, service) -> (NOK, basis) from comparable imported spending, split over the group's services."""
    if scenario.imported is None:
        return {}
    out = {}
    for spend in scenario.imported.actual_spending:
        services = list(spend.services)
        if (not spend.comparable or spend.member not in scenario.members or not services
                or any(sid not in costs for sid in services)):
            continue
        weights = {sid: _estimate(costs[sid], spend.member).nok for sid in services}
        total = sum(weights.values())
        for sid in services:
            part = weights[sid] / total if total > 0 else 1.0 / len(services)
            split = "" if len(services) == 1 else f", {part:.0%} of it by the services' estimates"
            out[(spend.member, sid)] = (spend.nok * part, f"SSB 12362 function {spend.group}, {spend.year}, "
                                                          f"{spend.measure} operating expenditure{split}")
    return out


def ir_reference(scenario: Scenario, costs: Mapping[str, ServiceCosts]) -> dict[str, float] | None:
    """What individual rationality measures each member's payment against: ``None`` for the model's
    robust-alone cost (the engine's default), else each member's total cost today."""
    if scenario.fairness.ir_reference == "robust_alone":
        return None
    return {m: sum(c.nok for c in by_service.values()) for m, by_service in today_costs(scenario, costs).items()}


def reference_label(reference: str) -> str:
    """``mot i dag`` / ``mot robust alene``: what a saving is measured against, for labels."""
    return tr("mot i dag", "against today") if reference == "today" else tr("mot robust alene", "against robust alone")


def why_references_differ() -> str:
    """One sentence: why "i dag" and "robust alene" differ, and why small members share one robust-alone cost."""
    return tr(
        "«Robust alene» er hva kommunen ville betale alene med et minste robuste fagmiljø i hver tjeneste; "
        "for små kommuner er det minstebemanningen som avgjør, så alle små kommuner får samme kostnad alene, "
        "mens «i dag» er det kommunen faktisk bruker nå (SSB-tall, egne tall eller et anslag uten minstekravet), "
        "ofte med et mindre fagmiljø enn det robuste.",
        "“Robust alone” is what the municipality would pay alone with a minimum robust professional environment in "
        "every service; for small municipalities the minimum staffing decides, so every small municipality shows the "
        "same cost alone, while “today” is what the municipality actually spends now (SSB figures, its own figures or "
        "an estimate without the minimum), often with a smaller professional environment than the robust one.",
    )


def source_label(source: str) -> str:
    return {
        "entered": tr("oppgitt i scenarioet", "entered in the scenario"),
        "ssb": tr("SSB (KOSTRA)", "SSB (KOSTRA)"),
        "estimate": tr("anslag*", "estimate*"),
    }[source]


TODAY_REQUIRED = ("member", "service", "today_nok")


def today_template(scenario: Scenario, today: Mapping[str, Mapping[str, TodayCost]], dialect: str = "pandas") -> str:
    """The CSV a finance officer fills in with today's actual costs: ``current_nok`` and ``source`` show
    the figure used now; ``today_nok`` is filled only where it was entered (an empty one keeps the
    current figure, so an SSB figure or an estimate is never passed off as entered)."""
    rows = [{
        "member": m,
        "member_name": scenario.name(m),
        "service": sid,
        "current_nok": float(round(c.nok)),
        "source": c.source,
        "today_nok": float(round(c.nok)) if c.source == "entered" else "",
    } for m, by_service in today.items() for sid, c in by_service.items()]
    return csv_text(rows, dialect)


def read_today_csv(raw: bytes, source: str, scenario: Scenario) -> dict[str, dict[str, float]]:
    """Member -> service -> NOK from a filled-in today template (lines with an empty ``today_nok`` are
    skipped); errors name the file, line and column. The result goes to ``[agreement.today]``."""
    table = read_user_csv(raw, source, TODAY_REQUIRED)
    services = {spec.id for spec in scenario.services}
    out: dict[str, dict[str, float]] = {}
    for line in table.lines:
        if not line.values["today_nok"]:
            continue
        member = resolve_municipality(line.values["member"], scenario.municipalities)
        if member is None or member not in scenario.members:
            line.fail("member", f"{line.values['member']!r} er ikke medlem i scenarioet",
                      f"{line.values['member']!r} is not a member of the scenario")
        if line.values["service"] not in services:
            line.fail("service", f"ukjent tjeneste {line.values['service']!r}; gyldige: {', '.join(sorted(services))}",
                      f"unknown service {line.values['service']!r}; valid: {', '.join(sorted(services))}")
        out.setdefault(member, {})[line.values["service"]] = table.amount(line, "today_nok")
    return out

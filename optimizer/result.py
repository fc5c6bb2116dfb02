"""A solved scenario as tidy tables: units (hosts), costs per member, service and component, totals.

The CLI, the app and the reports all read these same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optimizer import __version__
from optimizer.model import HostChoiceModel, Plan
from optimizer.scenario import Scenario
from optimizer.units import COMPONENTS


@dataclass(frozen=True)
class ScenarioResult:
    """The adopted plan (all rules) and the plan without the fairness rules."""

    scenario: Scenario
    model: HostChoiceModel
    plan: Plan
    unconstrained: Plan

    @property
    def members(self) -> tuple[str, ...]:
        return self.model.members

    @property
    def total_cost(self) -> float:
        return self.plan.total

    @property
    def total_without_fairness(self) -> float:
        return self.unconstrained.total

    @property
    def price_of_fairness(self) -> float:
        return self.plan.total - self.unconstrained.total

    def stand_alone(self, member: str, service: str | None = None, component: str | None = None) -> float:
        """What ``member`` would pay running the service(s) alone."""
        services = [service] if service is not None else list(self.model.costs)
        units = [self.model.stand_alone[(s, member)] for s in services]
        return sum(u.total if component is None else u.component(component) for u in units)

    @property
    def total_stand_alone(self) -> float:
        return sum(self.stand_alone(m) for m in self.members)

    def unit_rows(self) -> list[dict[str, Any]]:
        """One row per chosen unit: service, host, members served, FTE and cost components."""
        s = self.scenario
        return [
            {
                "scenario": s.id,
                "service": u.service,
                "host": u.host,
                "host_name": s.name(u.host),
                "served": " ".join(u.members),
                "served_names": ", ".join(s.name(m) for m in u.members),
                "n_served": len(u.members),
                "shared": u.shared,
                "fte": u.fte,
                "fixed_nok": u.fixed,
                "staffing_nok": u.staffing,
                "travel_nok": u.travel,
                "total_nok": u.total,
            }
            for u in self.plan.units
        ]

    def cost_rows(self) -> list[dict[str, Any]]:
        """Member x service x component: stand-alone vs cooperation cost and the saving."""
        rows = []
        for m in self.members:
            for service in self.model.costs:
                host = self.plan.unit_for(service, m).host
                for component in COMPONENTS:
                    alone = self.stand_alone(m, service, component)
                    coop = self.plan.payment(m, service, component)
                    rows.append({
                        "scenario": self.scenario.id,
                        "member": m,
                        "member_name": self.scenario.name(m),
                        "service": service,
                        "host": host,
                        "component": component,
                        "stand_alone_nok": alone,
                        "cooperation_nok": coop,
                        "saving_nok": alone - coop,
                    })
        return rows

    def member_rows(self) -> list[dict[str, Any]]:
        """Per member: stand-alone cost, what it pays, saving, FTE and shared units it hosts."""
        rows = []
        for m in self.members:
            alone = self.stand_alone(m)
            pays = self.plan.payment(m)
            rows.append({
                "member": m,
                "member_name": self.scenario.name(m),
                "founding": m in self.scenario.founding,
                "population": self.scenario.population(m),
                "stand_alone_nok": alone,
                "cooperation_nok": pays,
                "saving_nok": alone - pays,
                "saving_percent": 100.0 * (alone - pays) / alone if alone else 0.0,
                "fte_hosted": self.plan.fte_hosted(m),
                "shared_units_hosted": self.plan.shared_units_hosted(m),
            })
        return rows

    def actual_spending_rows(self) -> list[dict[str, Any]]:
        """Per member and KOSTRA function group with imported spending: today's actual spending (SSB
        12362) beside the modelled stand-alone cost and the cost in the cooperation.

        Empty without an imported data folder. Groups the model does not cover one-to-one
        (120/190 administration) are left out; a group's services absent from the scenario are
        listed in ``services_missing``, and then the actual spending pays for more than the
        modelled cost: ``comparable`` is false and ``saving_vs_actual_nok`` None.
        """
        s = self.scenario
        if s.imported is None:
            return []
        rows = []
        for spend in s.imported.actual_spending:
            services = [sid for sid in spend.services if sid in self.model.costs]
            if not spend.comparable or spend.member not in self.members or not services:
                continue
            missing = [sid for sid in spend.services if sid not in services]
            alone = sum(self.stand_alone(spend.member, sid) for sid in services)
            coop = sum(self.plan.payment(spend.member, sid) for sid in services)
            rows.append({
                "scenario": s.id,
                "member": spend.member,
                "member_name": s.name(spend.member),
                "kostra_functions": spend.group,
                "services": " ".join(services),
                "services_missing": " ".join(missing),
                "year": spend.year,
                "measure": f"{spend.measure} operating expenditure",
                "actual_nok": spend.nok,
                "stand_alone_nok": alone,
                "cooperation_nok": coop,
                "saving_vs_actual_nok": None if missing else spend.nok - coop,
                "comparable": not missing,  # false: the actual spending also pays for services_missing
                "basis": spend.basis,
            })
        return rows

    def summary(self) -> dict[str, Any]:
        """Everything about the run, for ``summary.json``."""
        s = self.scenario
        extra = {"actual_spending": self.actual_spending_rows()} if s.imported is not None else {}
        return {
            "scenario": {
                "id": s.id,
                "title": s.title,
                "description": s.description,
                "source": s.source,
                "members": list(s.members),
                "founding": list(s.founding),
                "resolved": resolved_inputs(s),
                "as_written": s.raw,
            },
            "totals": {
                "total_cost_nok": self.total_cost,
                "total_stand_alone_nok": self.total_stand_alone,
                "saving_nok": self.total_stand_alone - self.total_cost,
                "total_without_fairness_nok": self.total_without_fairness,
                "price_of_fairness_nok": self.price_of_fairness,
            },
            "rules_applied": sorted(self.plan.rules),
            "members": self.member_rows(),
            "units": self.unit_rows(),
            "units_without_fairness": [
                {"service": u.service, "host": u.host, "served": list(u.members), "total_nok": u.total}
                for u in self.unconstrained.units
            ],
            "solver": {  # no wall-clock times: two runs of the same scenario give the same bytes
                "with_fairness": _without_timing(self.plan.solve_info.as_dict()),
                "without_fairness": _without_timing(self.unconstrained.solve_info.as_dict()),
                "candidate_units": self.model.candidate_count,
            },
            "provenance": provenance(s),
            **extra,
        }


def _without_timing(info: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in info.items() if k != "seconds"}


def resolved_inputs(s: Scenario) -> dict[str, Any]:
    """The scenario's inputs as used: every parameter value with its status."""
    return {
        "municipalities": {m: _municipality_inputs(s, m) for m in s.members},
        "services": {
            spec.id: {
                "params": {k: {"value": p.value, "status": p.status} for k, p in spec.service.params.items()},
                "max_units": spec.max_units,
                "required_hosts": list(spec.required_hosts),
                "forbidden_hosts": list(spec.forbidden_hosts),
                "capacity_fte": dict(spec.capacity_fte),
            }
            for spec in s.services
        },
        "disabled_services": {
            svc.id: svc.disabled_reason_en or "switched off in the scenario" for svc in s.disabled_services
        },
        "fairness": vars(s.fairness),
        "cost_key": vars(s.cost_key),
        "travel": {
            "winter": s.travel.winter,
            "links": list(s.travel.links),
            "km_rate": s.travel.params.km_rate.value,
            "hours_per_fte": s.travel.params.hours_per_fte.value,
            "winter_penalty_minutes": s.travel.params.winter_penalty_minutes.value,
            "speed_kmh": {k: p.value for k, p in s.travel.params.speed_kmh.items()},
        },
        "solver": {
            "name": s.solver.name,
            "gap_rel": s.solver.gap_rel,
            "time_limit": s.solver.time_limit,
            "staffing": s.staffing,
            "fte_step": s.fte_step,
        },
        "scale_stand_alone_by_cost_level": s.scale_stand_alone,
        "settlement_method": s.settlement_method,
        "data": s.imported.folder if s.imported is not None else "embedded",
    }


def _municipality_inputs(s: Scenario, member: str) -> dict[str, Any]:
    m = s.municipalities[member]
    out = {"name": m.name, "centre": m.centre, "population": m.population}
    if m.children_0_17 is not None:
        out["children_0_17"] = m.children_0_17
    return out


def provenance(s: Scenario) -> dict[str, Any]:
    """Where the inputs come from, and which of them are estimates (and, with imported SSB data,
    which tables, years and import date)."""
    out = {
        "toolkit_version": __version__,
        "data": "embedded Mid-Finnmark data (optimizer/data, see SOURCES.md)",
        "population": "SSB, 1 January 2024 (table 07459 figures)",
        "roads": "optimizer/data/road_edges.csv (sources per edge)",
        "estimates": s.estimates(),
    }
    if s.imported is not None:
        imported = s.imported.summary()
        years = {m: f.population_year for m, f in s.imported.municipalities.items() if f.population is not None}
        out["data"] = f"imported SSB data folder {s.imported.folder} over the embedded data (optimizer/data)"
        out["population"] = "; ".join(
            f"{m}: SSB 07459, 1 January {years[m]}" if m in years else f"{m}: embedded, SSB 1 January 2024"
            for m in s.members)
        out["imported"] = imported
    return out

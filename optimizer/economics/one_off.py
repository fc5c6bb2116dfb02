"""One-off costs of moving a service to a host, and the staff that change employer.

For a shared unit u of service s (host h, members G) starting in its phase-in year:
- ``staff_today`` = the members' FTE today for s (``references.TodayCost.fte``, summed over G);
- ``surplus_fte`` = max(0, staff_today - u.fte): positions the unit does not need, which disappear
  as their holders leave (turnover), not by dismissal (``budget``);
- ``new_fte`` = max(0, u.fte - staff_today): positions the host must recruit;
- one-off cost = establishment + migration_per_member x (|G| - 1) + recruitment_per_fte x new_fte
  + project_management (catalogue ``[agreement.one_off.<service>]``, fixed prices).
A unit serving one member changes nothing and has no one-off cost.

Staff transfers are the jobs view's (``optimizer.decisions.jobs``): the FTE per member that move to
the host with a service (on the model's stand-alone staffing). Arbeidsmiljøloven chapter 16
(transfer of undertaking) may apply; the toolkit reports counts, not legal advice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from optimizer.decisions.jobs import job_rows
from optimizer.economics.references import TodayCost
from optimizer.economics.spec import AgreementSpec
from optimizer.result import ScenarioResult
from optimizer.units import Unit


@dataclass(frozen=True)
class UnitOneOff:
    """One-off costs and staffing change of one shared unit."""

    unit: Unit
    staff_today: float
    establishment: float
    migration: float
    recruitment: float
    project_management: float

    @property
    def surplus_fte(self) -> float:
        return max(0.0, self.staff_today - self.unit.fte)

    @property
    def new_fte(self) -> float:
        return max(0.0, self.unit.fte - self.staff_today)

    @property
    def total(self) -> float:
        return self.establishment + self.migration + self.recruitment + self.project_management


def unit_one_off(unit: Unit, spec: AgreementSpec, today: Mapping[str, Mapping[str, TodayCost]]) -> UnitOneOff:
    """The one-off costs of establishing ``unit`` (a shared unit)."""
    p = {item: param.value for item, param in spec.one_off[unit.service].items()}
    staff = sum(today[m][unit.service].fte for m in unit.members)
    new_fte = max(0.0, unit.fte - staff)
    return UnitOneOff(
        unit=unit,
        staff_today=staff,
        establishment=p["establishment"],
        migration=p["migration_per_member"] * (len(unit.members) - 1),
        recruitment=p["recruitment_per_fte"] * new_fte,
        project_management=p["project_management"],
    )


def staff_transfer_rows(result: ScenarioResult) -> list[dict[str, Any]]:
    """Per member and shared service with another host: FTE that change employer (jobs view)."""
    s = result.scenario
    rows = []
    for r in job_rows(result.model, result.plan):
        if r.host == r.member or r.transferred >= 0:
            continue
        rows.append({
            "member": r.member,
            "member_name": s.name(r.member),
            "service": r.service,
            "host": r.host,
            "host_name": s.name(r.host),
            "fte_alone": r.alone_fte,
            "fte_to_host": -r.transferred,
            "fte_no_longer_needed": r.no_longer_needed,
        })
    return rows

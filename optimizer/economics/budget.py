"""The budget over the years of the agreement: phase-in, running cost, one-off costs, payback, present value.

All amounts are fixed prices of the base year (as in the municipal economic plan); only the
payments on account are in nominal kroner (``payments``).

- *Fractions*: the scenario's settlement method (``[settlement] method``) fixes each member's
  fraction of each unit: its share of the service under the method, over the shares of the unit's
  members (for the cost key this is exactly the key's fraction). Accounts fix the amounts.
- *Phase-in*: every shared service starts in one year with its adopted host(s); ``[agreement]
  phase_in`` sets years, the rest start in priority order (largest yearly saving against today
  first), ``services_per_year`` a year. Before its start, and for a unit serving one member, a
  member pays what it pays today.
- *Running cost* of a shared unit u in its k-th year (k = 1 in the start year):
  ``u.total + surplus_fte x (1 - turnover_rate)^(k - 1) x cost_per_fte``: positions not needed are
  carried until their holders leave (``one_off``).
- *One-off costs* of a unit fall in its start year and are split by the same fractions.
- A member's *difference* in a year is today's cost minus (running cost + one-off costs): positive
  is a saving against today. *Cumulative* sums it; the *payback year* is the first year from which
  the cumulative balance stays at or above zero to the end (``None``: not within the agreement).
  The *present value* discounts year y by ``(1 + discount_rate)^-(y - (start_year - 1))``, i.e. to
  the year before the start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from optimizer.economics.one_off import UnitOneOff, unit_one_off
from optimizer.economics.references import TodayCost, today_costs
from optimizer.economics.spec import AgreementSpec
from optimizer.result import ScenarioResult
from optimizer.statement import MethodOutcome
from optimizer.units import Unit


def unit_fractions(result: ScenarioResult, outcome: MethodOutcome) -> dict[Unit, dict[str, float]]:
    """Each member's fraction of each unit of the plan under the settlement ``outcome``.

    A unit whose members' shares are not all positive falls back to the cost key's fractions.
    """
    out = {}
    for u in result.plan.units:
        shares = {m: outcome.shares[m][u.service] for m in u.members}
        total = sum(shares.values())
        if total > 0 and all(v > 0 for v in shares.values()):
            out[u] = {m: v / total for m, v in shares.items()}
        else:
            out[u] = dict(result.plan.shares[u])
    return out


def phase_in(result: ScenarioResult, spec: AgreementSpec, today: Mapping[str, Mapping[str, TodayCost]]) -> dict[str, int]:
    """Start year of every service with a shared unit (module docstring)."""
    shared = [s for s in result.model.costs if any(u.shared and u.service == s for u in result.plan.units)]

    def saving(service: str) -> float:
        units = [u for u in result.plan.units if u.service == service and u.shared]
        return sum(today[m][service].nok for u in units for m in u.members) - sum(u.total for u in units)

    start = {s: spec.phase_in[s] for s in shared if s in spec.phase_in}
    rest = sorted((s for s in shared if s not in start), key=lambda s: -saving(s))  # stable: catalogue order on ties
    for i, service in enumerate(rest):
        start[service] = min(spec.start_year + i // spec.services_per_year, spec.calendar[-1])
    return {s: start[s] for s in shared}


@dataclass(frozen=True)
class Budget:
    """A scenario's budget per member and year, and what it is built from."""

    result: ScenarioResult
    spec: AgreementSpec
    today: Mapping[str, Mapping[str, TodayCost]]
    fractions: Mapping[Unit, Mapping[str, float]]
    start: Mapping[str, int]  # service -> start year (services with a shared unit)
    one_off: Mapping[Unit, UnitOneOff]  # shared units

    @property
    def shared_units(self) -> list[Unit]:
        return [u for u in self.result.plan.units if u.shared]

    def running(self, unit: Unit, year: int) -> float:
        """Running cost of a shared unit in ``year`` (0 before its start), fixed prices."""
        k = year - self.start[unit.service] + 1
        if k < 1:
            return 0.0
        per_fte = self.result.scenario.service(unit.service).value("cost_per_fte") or 0.0
        carried = self.one_off[unit].surplus_fte * (1.0 - self.spec.turnover_rate.value) ** (k - 1)
        return unit.total + carried * per_fte

    def one_off_in(self, unit: Unit, year: int) -> float:
        """One-off costs of a shared unit that fall in ``year``."""
        return self.one_off[unit].total if year == self.start[unit.service] else 0.0

    def member_year(self, member: str, year: int) -> dict[str, float]:
        """Today's cost, running cost and one-off costs of ``member`` in ``year``."""
        today = running = one_off = 0.0
        for service in self.result.model.costs:
            unit = self.result.plan.unit_for(service, member)
            now = self.today[member][service].nok
            today += now
            if unit.shared and year >= self.start[service]:
                f = self.fractions[unit][member]
                running += f * self.running(unit, year)
                one_off += f * self.one_off_in(unit, year)
            else:
                running += now
        return {"today_nok": today, "running_nok": running, "one_off_nok": one_off}

    def rows(self) -> list[dict[str, Any]]:
        """``budget.csv``: member x year, fixed prices of the base year, measured against today."""
        s = self.result.scenario
        rows = []
        for m in self.result.members:
            cumulative = 0.0
            for year in self.spec.calendar:
                figures = self.member_year(m, year)
                cost = figures["running_nok"] + figures["one_off_nok"]
                difference = figures["today_nok"] - cost
                cumulative += difference
                rows.append({
                    "scenario": s.id,
                    "member": m,
                    "member_name": s.name(m),
                    "year": year,
                    "today_nok": figures["today_nok"],
                    "running_nok": figures["running_nok"],
                    "one_off_nok": figures["one_off_nok"],
                    "cooperation_nok": cost,
                    "difference_nok": difference,
                    "cumulative_nok": cumulative,
                    "discount_factor": self.spec.discount_factor(year),
                    "present_value_nok": difference * self.spec.discount_factor(year),
                    "reference": "today",
                    "price_level": f"fixed {self.spec.base_year} NOK",
                })
        return rows

    def member_summary(self) -> dict[str, dict[str, Any]]:
        """Per member: the sums over the agreement, its present value and the payback year."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.rows():
            entry = out.setdefault(row["member"], {"difference_nok": 0.0, "present_value_nok": 0.0,
                                                   "one_off_nok": 0.0, "payback_year": None})
            entry["difference_nok"] += row["difference_nok"]
            entry["present_value_nok"] += row["present_value_nok"]
            entry["one_off_nok"] += row["one_off_nok"]
            if row["cumulative_nok"] < 0:  # payback counts only if the balance stays non-negative to the end
                entry["payback_year"] = None
            elif entry["payback_year"] is None:
                entry["payback_year"] = row["year"]
        return out


def build_budget(result: ScenarioResult, outcome: MethodOutcome, spec: AgreementSpec) -> Budget:
    """The budget of ``result`` with fractions from the settlement ``outcome`` and the terms ``spec``."""
    today = today_costs(result.scenario, result.model.costs)
    shared = [u for u in result.plan.units if u.shared]
    return Budget(
        result=result,
        spec=spec,
        today=today,
        fractions=unit_fractions(result, outcome),
        start=phase_in(result, spec, today),
        one_off={u: unit_one_off(u, spec, today) for u in shared},
    )

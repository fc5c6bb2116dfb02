"""The ``[agreement]`` table of a scenario: validated over the catalogue's ``[agreement]`` parameters.

```toml
[agreement]
years = 4                    # length of the agreement; the same key as [uncertainty] years
start_year = 2027            # first year of the agreement
base_year = 2024             # fixed prices of this year (the catalogue's price level)
discount_rate = 0.04         # real; R-109/2021 (catalogue)
turnover_rate = 0.15         # staffing saving phases in as holders of surplus positions leave
deflator = 0.035             # or one per year: { 2025 = 0.042, 2026 = 0.036 }
notice_months = 12
payments_per_year = 4        # 4 (quarterly) or 12 (monthly) payments on account
services_per_year = 3        # default phase-in: this many shared services start each year
phase_in = { ict = 2027, child_welfare = 2028 }   # start year per service (others by priority)

[agreement.one_off.ict]      # one-off costs per service (catalogue defaults)
migration_per_member = 800000

[agreement.today.Gamvik]     # today's actual cost per service, NOK per year (else SSB or estimate)
child_welfare = 4200000
```
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from optimizer.data import Param
from optimizer.scenario import Scenario, _Validator, agreement_years

KEYS = {
    "years", "start_year", "base_year", "discount_rate", "turnover_rate", "deflator", "notice_months",
    "payments_per_year", "services_per_year", "phase_in", "one_off", "today",
}
ONE_OFF_ITEMS = ("establishment", "migration_per_member", "recruitment_per_fte", "project_management")
PAYMENTS_PER_YEAR = (4, 12)
DEFAULT_START_YEAR, DEFAULT_BASE_YEAR, DEFAULT_SERVICES_PER_YEAR = 2027, 2024, 3
YEAR_RANGE = (2000, 2100)


@dataclass(frozen=True)
class AgreementCatalogue:
    """The catalogue's ``[agreement]`` parameters (each with status and basis)."""

    discount_rate: Param
    turnover_rate: Param
    deflator: Param
    notice_months: Param
    one_off: Mapping[str, Mapping[str, Param]]  # service -> item -> Param


@cache
def agreement_catalogue() -> AgreementCatalogue:
    raw = tomllib.loads(resources.files("optimizer").joinpath("data", "catalogue.toml").read_text(encoding="utf-8"))
    table = raw["agreement"]

    def param(entry: Mapping[str, Any]) -> Param:
        return Param(float(entry["value"]), entry["status"], entry["basis"])

    return AgreementCatalogue(
        discount_rate=param(table["discount_rate"]),
        turnover_rate=param(table["turnover_rate"]),
        deflator=param(table["deflator"]),
        notice_months=param(table["notice_months"]),
        one_off={sid: {item: param(entry[item]) for item in ONE_OFF_ITEMS} for sid, entry in table["one_off"].items()},
    )


@dataclass(frozen=True)
class AgreementSpec:
    """The agreement's terms as a scenario sets them (catalogue values where it does not)."""

    years: int
    start_year: int
    base_year: int
    discount_rate: Param
    turnover_rate: Param
    deflator: Mapping[int, Param]  # yearly rate for every year from base_year + 1 to the last year
    notice_months: Param
    payments_per_year: int
    services_per_year: int
    phase_in: Mapping[str, int] = field(default_factory=dict)  # service -> start year set in the scenario
    one_off: Mapping[str, Mapping[str, Param]] = field(default_factory=dict)
    today: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # member -> service -> NOK entered

    @property
    def calendar(self) -> list[int]:
        """The agreement's years."""
        return list(range(self.start_year, self.start_year + self.years))

    def price_index(self, year: int) -> float:
        """Nominal kroner of ``year`` per krone of the base year: the product of the yearly deflators."""
        index = 1.0
        for y in range(self.base_year + 1, year + 1):
            index *= 1.0 + self.deflator[y].value
        return index

    def discount_factor(self, year: int) -> float:
        """Present value in the year before the start (the decision year) of one krone in ``year``."""
        return (1.0 + self.discount_rate.value) ** -(year - (self.start_year - 1))

    def parameters(self) -> list[dict[str, Any]]:
        """Every parameter used, with its value, status and basis (for summary.json and the annex)."""
        rows = [
            {"name": name, "value": p.value, "status": p.status, "basis": p.basis}
            for name, p in (("discount_rate", self.discount_rate), ("turnover_rate", self.turnover_rate),
                            ("notice_months", self.notice_months))
        ]
        rows += [{"name": f"deflator.{y}", "value": p.value, "status": p.status, "basis": p.basis}
                 for y, p in self.deflator.items()]
        rows += [{"name": f"one_off.{sid}.{item}", "value": p.value, "status": p.status, "basis": p.basis}
                 for sid, items in self.one_off.items() for item, p in items.items()]
        return rows

    def estimates(self) -> list[str]:
        return [f"agreement.{row['name']}" for row in self.parameters() if row["status"] == "estimate"]


def agreement_spec(scenario: Scenario) -> AgreementSpec:
    """Validate ``scenario.raw["agreement"]``; errors name the file and key like the scenario's own."""
    v = _Validator(scenario.source, scenario.origins)
    table = v.table(scenario.raw.get("agreement", {}), "agreement")
    v.known_keys(table, "agreement", KEYS)
    cat = agreement_catalogue()
    years = agreement_years(scenario)

    def year(value: Any, key: str) -> int:
        number = v.integer(value, key, low=YEAR_RANGE[0])
        if number > YEAR_RANGE[1]:
            v.fail(key, v.expected(f"et årstall til og med {YEAR_RANGE[1]}", f"a year up to {YEAR_RANGE[1]}", number))
        return number

    def scenario_param(value: Any, key: str, low: float, high: float) -> Param:
        return Param(v.number(value, key, low=low, high=high), "scenario", f"set in the scenario ({v.origin(key)})")

    def param(name: str, default: Param, low: float, high: float) -> Param:
        return default if name not in table else scenario_param(table[name], f"agreement.{name}", low, high)

    start = year(table.get("start_year", DEFAULT_START_YEAR), "agreement.start_year")
    base = year(table.get("base_year", DEFAULT_BASE_YEAR), "agreement.base_year")
    if base >= start:
        v.fail("agreement.base_year", v.expected(f"et år før start_year ({start})", f"a year before start_year ({start})", base))
    last = start + years - 1
    deflator_value = table.get("deflator", None)
    if isinstance(deflator_value, Mapping):
        given = {}
        for key, rate in deflator_value.items():
            full = f"agreement.deflator.{key}"
            if not str(key).isdigit():
                v.fail(full, v.expected("et årstall som nøkkel", "a year as key", key))
            given[year(int(key), full)] = scenario_param(rate, full, -0.2, 0.5)
        deflator = {y: given.get(y, cat.deflator) for y in range(base + 1, last + 1)}
    else:
        flat = param("deflator", cat.deflator, -0.2, 0.5)
        deflator = {y: flat for y in range(base + 1, last + 1)}

    services = {spec.id for spec in scenario.services}
    phase_in = {}
    for sid, value in v.table(table.get("phase_in", {}), "agreement.phase_in").items():
        key = f"agreement.phase_in.{sid}"
        if sid not in services:
            v.fail(key, v.unknown(sid, services, "tjeneste i scenarioet", "service in the scenario"))
        phase_in[sid] = year(value, key)
        if not start <= phase_in[sid] <= last:
            v.fail(key, v.expected(f"et år i avtalen ({start}–{last})", f"a year of the agreement ({start}–{last})",
                                   phase_in[sid]))

    one_off_table = v.table(table.get("one_off", {}), "agreement.one_off")
    for sid in one_off_table:
        if sid not in services:
            v.fail(f"agreement.one_off.{sid}", v.unknown(sid, services, "tjeneste i scenarioet", "service in the scenario"))
    one_off = {}
    for sid in (spec.id for spec in scenario.services):
        entry = v.table(one_off_table.get(sid, {}), f"agreement.one_off.{sid}")
        v.known_keys(entry, f"agreement.one_off.{sid}", set(ONE_OFF_ITEMS))
        defaults = cat.one_off.get(sid, {})
        one_off[sid] = {}
        for item in ONE_OFF_ITEMS:
            key = f"agreement.one_off.{sid}.{item}"
            if item in entry:
                one_off[sid][item] = scenario_param(entry[item], key, 0.0, 1e9)
            elif item in defaults:
                one_off[sid][item] = defaults[item]
            else:
                one_off[sid][item] = Param(0.0, "estimate", "no catalogue value for this service; set it in the scenario")

    today: dict[str, dict[str, float]] = {}
    for who, entry in v.table(table.get("today", {}), "agreement.today").items():
        number = v.member(who, f"agreement.today.{who}", scenario.municipalities)
        v.subset([number], list(scenario.members), f"agreement.today.{who}")
        today[number] = {}
        for sid, amount in v.table(entry, f"agreement.today.{who}").items():
            key = f"agreement.today.{who}.{sid}"
            if sid not in services:
                v.fail(key, v.unknown(sid, services, "tjeneste i scenarioet", "service in the scenario"))
            today[number][sid] = v.number(amount, key, low=0.0, high=1e10)

    payments = v.integer(table.get("payments_per_year", 4), "agreement.payments_per_year", low=1)
    if payments not in PAYMENTS_PER_YEAR:
        v.fail("agreement.payments_per_year", v.expected("4 (kvartalsvis) eller 12 (månedlig)", "4 (quarterly) or 12 (monthly)", payments))
    return AgreementSpec(
        years=years,
        start_year=start,
        base_year=base,
        discount_rate=param("discount_rate", cat.discount_rate, 0.0, 0.2),
        turnover_rate=param("turnover_rate", cat.turnover_rate, 0.0, 1.0),
        deflator=deflator,
        notice_months=param("notice_months", cat.notice_months, 0.0, 60.0),
        payments_per_year=payments,
        services_per_year=v.integer(table.get("services_per_year", DEFAULT_SERVICES_PER_YEAR),
                                    "agreement.services_per_year", low=1),
        phase_in=phase_in,
        one_off=one_off,
        today=today,
    )

"""Uncertain inputs of a scenario: the ``[uncertainty]`` table, its defaults and its validation.

Every value is an assumption (no statistics were found for the members; see ``docs/SIMULATION.md``)
and is reported as such: ``assumptions()`` lists each input with its value and whether it is the
built-in default or set in the scenario (with the file). ``enabled = false`` switches every source
off, and so does setting each to zero; the simulation then reproduces the deterministic costs.

```toml
[uncertainty]
enabled = true
years = 4                    # length of the agreement
paths = 2000                 # simulated paths (each path = `years` years)
seed = 2026

[uncertainty.demand]         # yearly cases per member ~ Poisson(cases_per_1000 x population / 1000)
cases_per_1000 = { child_welfare = 5.0, child_welfare_on_call = 4.0 }   # services not listed: steady

[uncertainty.staffing]       # whole positions; each holder leaves with a yearly probability
turnover = 0.15
turnover_by_service = {}     # e.g. { child_welfare = 0.25 }
vacancy_months = 6.0         # mean months to fill a vacancy in a host of reference_population
reference_population = 3000
size_elasticity = 0.5        # mean months x (reference_population / population) ^ elasticity
vacancy_months_by_host = {}  # e.g. { Gamvik = 12 }

[uncertainty.closures]       # share of the time a mountain pass is closed, in the closure months
probability = 0.05
by_pass = {}                 # e.g. { bekkarfjord_hopseidet = 0.15 }; ids: pass_ids()
months = [11, 12, 1, 2, 3, 4]

[uncertainty.cost_growth]    # real yearly growth of every cost, ~ Normal(mean, sd), common to all
mean = 0.0
sd = 0.01

[uncertainty.population]     # deterministic yearly change of each member's population
growth = 0.0
by_member = {}               # e.g. { Gamvik = -0.01 }
```
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from optimizer import data
from optimizer.bounds import bound
from optimizer.i18n import tr
from optimizer.scenario import Scenario, _Validator, agreement_years

TABLES = {
    "": {"enabled", "years", "paths", "seed", "demand", "staffing", "closures", "cost_growth", "population"},
    "demand": {"cases_per_1000"},
    "staffing": {"turnover", "turnover_by_service", "vacancy_months", "reference_population",
                 "size_elasticity", "vacancy_months_by_host"},
    "closures": {"probability", "by_pass", "months"},
    "cost_growth": {"mean", "sd"},
    "population": {"growth", "by_member"},
}
LIMITS = {name: (int(bound(f"uncertainty.{name}").low), int(bound(f"uncertainty.{name}").high))
          for name in ("years", "paths")}  # bounds of [uncertainty] years/paths and of --years/--paths
MAX_PATH_YEARS = int(bound("uncertainty.paths_x_years").high)  # paths x years: time and memory grow with it
MONTHS = 12  # months of a year; closures and staffing are drawn per month
DEFAULT_CASES = {"child_welfare": 5.0, "child_welfare_on_call": 4.0}
BASIS = {
    "years": "Length of the agreement; host agreements commonly run four years before review.",
    "paths": "Simulated paths; the Monte Carlo error of a mean falls as 1/sqrt(paths).",
    "seed": "Random seed; the same seed gives the same draws.",
    "demand.cases_per_1000": "Child welfare: about 5 children with measures per 1000 inhabitants (catalogue trips_per_1000 "
                             "basis); on-call: the catalogue's 4 call-outs per 1000. Cases are Poisson around the "
                             "expected level and workload follows them; other services have steady demand.",
    "staffing.turnover": "Yearly chance that an employee leaves; order of municipal turnover, not measured for the members.",
    "staffing.vacancy_months": "Mean months to fill a vacancy in a host of reference_population; Finnmark recruits slowly.",
    "staffing.reference_population": "Population at which the mean vacancy time is vacancy_months.",
    "staffing.size_elasticity": "Larger places recruit more easily: mean months x (reference / population) ^ elasticity.",
    "closures.probability": "Share of the time each mountain pass is closed in the closure months; no closure "
                            "statistics were found (optimizer/data/SOURCES.md).",
    "closures.months": "Months in which passes can close (November to April).",
    "cost_growth.mean": "Real yearly cost growth beyond the base-year level; 0 keeps costs at the deterministic level.",
    "cost_growth.sd": "Spread of real yearly cost growth (wage settlements), common to every unit.",
    "population.growth": "Yearly population change of every member; flat until SSB's regional projections are imported.",
}


@dataclass(frozen=True)
class UncertaintySpec:
    """Resolved uncertain inputs (see the module docstring for meaning and defaults)."""

    enabled: bool = True
    years: int = 4
    paths: int = 2000
    seed: int = 2026
    cases_per_1000: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_CASES))
    turnover: float = 0.15
    turnover_by_service: Mapping[str, float] = field(default_factory=dict)
    vacancy_months: float = 6.0
    reference_population: float = 3000.0
    size_elasticity: float = 0.5
    vacancy_months_by_host: Mapping[str, float] = field(default_factory=dict)
    closure_probability: float = 0.05
    closure_by_pass: Mapping[str, float] = field(default_factory=dict)
    closure_months: tuple[int, ...] = (11, 12, 1, 2, 3, 4)
    growth_mean: float = 0.0
    growth_sd: float = 0.01
    population_growth: float = 0.0
    population_by_member: Mapping[str, float] = field(default_factory=dict)
    set_in: Mapping[str, str] = field(default_factory=dict)  # dotted key -> file that set it

    def effective(self) -> UncertaintySpec:
        """This spec with every source switched off when ``enabled`` is false."""
        if self.enabled:
            return self
        return replace(self, cases_per_1000={}, turnover=0.0, turnover_by_service={}, closure_probability=0.0,
                       closure_by_pass={}, growth_mean=0.0, growth_sd=0.0, population_growth=0.0,
                       population_by_member={})

    def cases(self, service: str) -> float:
        return self.effective().cases_per_1000.get(service, 0.0)

    def turnover_for(self, service: str) -> float:
        spec = self.effective()
        return spec.turnover_by_service.get(service, spec.turnover)

    def vacancy_months_for(self, host: str, population: float) -> float:
        """Mean months to fill a vacancy in ``host`` (at least one month)."""
        if host in self.vacancy_months_by_host:
            return self.vacancy_months_by_host[host]
        scaled = self.vacancy_months * (self.reference_population / population) ** self.size_elasticity
        return max(1.0, scaled)

    def closure(self, pass_id: str) -> float:
        spec = self.effective()
        return spec.closure_by_pass.get(pass_id, spec.closure_probability)

    def population_growth_for(self, member: str) -> float:
        spec = self.effective()
        return spec.population_by_member.get(member, spec.population_growth)

    def assumptions(self) -> list[dict[str, Any]]:
        """Every uncertain input: key, value, ``assumption`` (built-in default) or ``scenario`` (set, with file)."""
        values = {
            "enabled": self.enabled, "years": self.years, "paths": self.paths, "seed": self.seed,
            "demand.cases_per_1000": dict(self.cases_per_1000),
            "staffing.turnover": self.turnover, "staffing.turnover_by_service": dict(self.turnover_by_service),
            "staffing.vacancy_months": self.vacancy_months,
            "staffing.reference_population": self.reference_population,
            "staffing.size_elasticity": self.size_elasticity,
            "staffing.vacancy_months_by_host": dict(self.vacancy_months_by_host),
            "closures.probability": self.closure_probability, "closures.by_pass": dict(self.closure_by_pass),
            "closures.months": list(self.closure_months),
            "cost_growth.mean": self.growth_mean, "cost_growth.sd": self.growth_sd,
            "population.growth": self.population_growth, "population.by_member": dict(self.population_by_member),
        }
        rows = []
        for key, value in values.items():
            full = f"uncertainty.{key}"
            origin = next((f for k, f in self.set_in.items() if k == full or k.startswith(full + ".")), None)
            rows.append({
                "key": full,
                "value": value,
                "status": "scenario" if origin else "assumption",
                "source": origin or "default",
                "basis": BASIS.get(key, ""),
            })
        return rows


def pass_id(name: str) -> str:
    """Short id of a mountain pass: ``"Bekkarfjord–Hopseidet (Fv888)"`` -> ``"bekkarfjord_hopseidet"``.

    Sami letters lose their accents (``"Kløfta / Silisávži (E45)"`` -> ``"klofta_silisavzi"``).
    """
    base = name.split("(")[0].strip().casefold().translate(str.maketrans({"ø": "o", "å": "a", "æ": "ae"}))
    base = "".join(c for c in unicodedata.normalize("NFKD", base) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", base).strip("_")


@cache
def pass_ids() -> tuple[str, ...]:
    """Ids of the mountain passes in the embedded road network, in file order."""
    return tuple(dict.fromkeys(pass_id(e.winter_pass) for e in data.road_edges() if e.winter_pass))


def uncertainty_spec(scenario: Scenario) -> UncertaintySpec:
    """Validate ``scenario.raw["uncertainty"]``; errors name the file and key like the scenario's own."""
    v = _Validator(scenario.source, scenario.origins)
    table = v.table(scenario.raw.get("uncertainty", {}), "uncertainty")
    for name, allowed in TABLES.items():
        sub = table if not name else v.table(table.get(name, {}), f"uncertainty.{name}")
        v.known_keys(sub, f"uncertainty.{name}".rstrip("."), allowed)
    demand, staffing, closures, growth, population = (
        table.get(name, {}) for name in ("demand", "staffing", "closures", "cost_growth", "population")
    )
    defaults = UncertaintySpec()
    services = data.catalogue().services
    members = list(scenario.members)

    def probability(value: Any, key: str, *, high: float = 1.0) -> float:
        return v.number(value, key, low=0.0, high=high)

    def by_service(value: Any, key: str, check: Any) -> dict[str, float]:
        out = {}
        for sid, item in v.table(value, key).items():
            if sid not in services:
                v.fail(f"{key}.{sid}", v.unknown(sid, services, "tjeneste", "service"))
            out[sid] = check(item, f"{key}.{sid}")
        return out

    def by_member(value: Any, key: str, check: Any) -> dict[str, float]:
        out = {}
        for who, item in v.table(value, key).items():
            number = v.member(who, f"{key}.{who}", scenario.municipalities)
            v.subset([number], members, f"{key}.{who}")
            out[number] = check(item, f"{key}.{who}")
        return out

    by_pass = {}
    for pid, item in v.table(closures.get("by_pass", {}), "uncertainty.closures.by_pass").items():
        if pid not in pass_ids():
            v.fail(f"uncertainty.closures.by_pass.{pid}", v.unknown(pid, set(pass_ids()), "fjellovergang", "mountain pass"))
        by_pass[pid] = probability(item, f"uncertainty.closures.by_pass.{pid}")
    months = closures.get("months", list(defaults.closure_months))
    if not isinstance(months, list):
        v.fail("uncertainty.closures.months", v.expected("en liste med månedsnumre", "a list of month numbers", months))
    months = tuple(v.integer(m, f"uncertainty.closures.months[{i}]", low=1) for i, m in enumerate(months))
    for i, m in enumerate(months):
        if m > 12 or m in months[:i]:
            v.fail(f"uncertainty.closures.months[{i}]", v.expected("ulike måneder 1–12", "distinct months 1–12", m))

    cases = defaults.cases_per_1000
    if "cases_per_1000" in demand:
        cases = by_service(demand["cases_per_1000"], "uncertainty.demand.cases_per_1000",
                           lambda x, k: v.number(x, k, low=0.0, high=1000.0))
    years = agreement_years(scenario)  # [agreement] years or [uncertainty] years: one length
    paths = _bounded_int(v, table.get("paths", defaults.paths), "uncertainty.paths", *LIMITS["paths"])
    check_path_years(paths, years, lambda problem: v.fail(
        "uncertainty.paths" if "paths" in table else "uncertainty.years" if "years" in table else "agreement.years",
        problem))
    return UncertaintySpec(
        enabled=v.boolean(table.get("enabled", True), "uncertainty.enabled"),
        years=years,
        paths=paths,
        seed=v.integer(table.get("seed", defaults.seed), "uncertainty.seed", low=0),
        cases_per_1000=cases,
        turnover=probability(staffing.get("turnover", defaults.turnover), "uncertainty.staffing.turnover", high=0.99),
        turnover_by_service=by_service(staffing.get("turnover_by_service", {}), "uncertainty.staffing.turnover_by_service",
                                       lambda x, k: probability(x, k, high=0.99)),
        vacancy_months=v.number(staffing.get("vacancy_months", defaults.vacancy_months),
                                "uncertainty.staffing.vacancy_months", low=1.0, high=120.0),
        reference_population=v.number(staffing.get("reference_population", defaults.reference_population),
                                      "uncertainty.staffing.reference_population", low=1.0),
        size_elasticity=v.number(staffing.get("size_elasticity", defaults.size_elasticity),
                                 "uncertainty.staffing.size_elasticity", low=0.0, high=3.0),
        vacancy_months_by_host=by_member(staffing.get("vacancy_months_by_host", {}),
                                         "uncertainty.staffing.vacancy_months_by_host",
                                         lambda x, k: v.number(x, k, low=1.0, high=120.0)),
        closure_probability=probability(closures.get("probability", defaults.closure_probability),
                                        "uncertainty.closures.probability"),
        closure_by_pass=by_pass,
        closure_months=months,
        growth_mean=v.number(growth.get("mean", defaults.growth_mean), "uncertainty.cost_growth.mean", low=-0.5, high=0.5),
        growth_sd=v.number(growth.get("sd", defaults.growth_sd), "uncertainty.cost_growth.sd", low=0.0, high=0.5),
        population_growth=v.number(population.get("growth", defaults.population_growth),
                                   "uncertainty.population.growth", low=-0.5, high=0.5),
        population_by_member=by_member(population.get("by_member", {}), "uncertainty.population.by_member",
                                       lambda x, k: v.number(x, k, low=-0.5, high=0.5)),
        set_in={key: v.origin(key) for key in _set_keys(table)},
    )


def check_path_years(paths: int, years: int, fail: Any) -> None:
    """Call ``fail(problem)`` when ``paths`` x ``years`` is above ``MAX_PATH_YEARS``."""
    if paths * years > MAX_PATH_YEARS:
        fail(tr(f"paths x years = {paths} x {years} = {paths * years} er over grensen {MAX_PATH_YEARS} "
                "(tid og minne vokser med produktet); færre forløp gir nesten samme svar",
                f"paths x years = {paths} x {years} = {paths * years} is above the limit {MAX_PATH_YEARS} "
                "(time and memory grow with it); fewer paths give almost the same answer"))


def _set_keys(table: Mapping[str, Any]) -> list[str]:
    """Dotted keys set in the ``[uncertainty]`` table, down to its sub-tables' entries."""
    keys = []
    for name, value in table.items():
        if isinstance(value, Mapping) and name in TABLES:
            keys += [f"uncertainty.{name}.{sub}" for sub in value]
        else:
            keys.append(f"uncertainty.{name}")
    return keys


def _bounded_int(v: _Validator, value: Any, key: str, low: int, high: int) -> int:
    number = v.integer(value, key, low=low)
    if number > high:
        v.fail(key, v.expected(f"høyst {high}", f"at most {high}", number))
    return number

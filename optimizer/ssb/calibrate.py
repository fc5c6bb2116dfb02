"""From figures read out of SSB tables to model inputs: populations, service parameters, actual spending.

Only the toolkit's municipalities (``optimizer/data/municipalities.csv``) are mapped. Parameters
are calibrated over the founding (core) municipalities present in the figures, or over every
toolkit municipality present when no founding one is, so a county-wide download is not dominated
by its largest towns. The formulas are in ``docs/IMPORT.md``; every derived value says which table,
year and municipalities it came from. Where a table cannot determine a parameter, the parameter
keeps its embedded estimate and the figure is reported as actual spending only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from optimizer import data
from optimizer.i18n import tr
from optimizer.ssb.tables import (
    CHILD_WELFARE_POSITIONS,
    CHILDREN,
    FIRE_FTE,
    POPULATION,
    SPENDING,
    Figure,
)

# Actual spending is compared with the model per group of KOSTRA functions and the services
# they pay for. 120/190 (administration, internal services) hold far more than the modelled ICT,
# procurement and claims collection, so they are reported but not compared.
SPENDING_GROUPS = (
    ("244", ("244",), ("child_welfare", "child_welfare_on_call"), True),
    ("338", ("338",), ("fire_prevention",), True),
    ("301+302", ("301", "302"), ("planning_building",), True),
    ("120+190", ("120", "190"), ("ict", "procurement", "claims_collection"), False),
)
COST_PER_FTE_RANGE = (100_000.0, 5_000_000.0)  # outside it the derivation is not trusted
FTE_STEP = 0.5  # the scenario default (solver.fte_step, staffing "steps"); see optimizer/units.py


@dataclass(frozen=True)
class MunicipalityFigures:
    number: str
    name: str
    population: int | None
    population_year: str
    children_0_17: int | None
    children_year: str


@dataclass(frozen=True)
class CalibratedParam:
    service: str
    param: str
    value: float
    status: str  # "imported" (read from a table) or "calibrated" (derived with a formula)
    table: str
    year: str
    basis: str

    @property
    def key(self) -> str:
        return f"services.{self.service}.{self.param}"


@dataclass(frozen=True)
class ActualSpending:
    member: str
    group: str  # e.g. "244" or "301+302"
    services: tuple[str, ...]
    year: str
    measure: str  # "gross" or "net" operating expenditure
    nok: float
    comparable: bool
    basis: str


@dataclass(frozen=True)
class Calibration:
    municipalities: tuple[MunicipalityFigures, ...]
    parameters: tuple[CalibratedParam, ...]
    actual_spending: tuple[ActualSpending, ...]
    warnings: tuple[str, ...]


def calibrate(figures: Iterable[Figure]) -> Calibration:
    """Model inputs from ``figures`` of the toolkit's municipalities."""
    known = data.municipalities()
    by_kind: dict[str, list[Figure]] = defaultdict(list)
    for f in figures:
        if f.member in known:
            by_kind[f.kind].append(f)
    c = _Calibrator(by_kind)
    fte = c.fire_fte_per_1000()
    cost = c.fire_cost_per_fte(fte) if fte else None
    parameters = [p for p in (fte, cost, c.child_welfare_fte_per_1000()) if p]
    return Calibration(tuple(c.municipalities()), tuple(parameters), tuple(c.actual_spending()), tuple(c.warnings))


class _Calibrator:
    def __init__(self, by_kind: dict[str, list[Figure]]) -> None:
        self.by_kind = by_kind
        self.warnings: list[str] = []
        self.fire_members: list[str] = []  # the municipalities fire_prevention.fte_per_1000 was derived over

    def _value(self, kind: str, member: str, year: str) -> float | None:
        return next((f.value for f in self.by_kind[kind] if f.member == member and f.year == year), None)

    def _latest(self, kind: str, member: str) -> Figure | None:
        found = [f for f in self.by_kind[kind] if f.member == member]
        return max(found, key=lambda f: f.year) if found else None

    def population(self, member: str, year: str) -> tuple[float, str]:
        """Population of ``member`` in ``year`` and where it comes from (nearest available)."""
        same = self._value(POPULATION, member, year)
        if same is not None:
            return same, f"07459 {year}"
        latest = self._latest(POPULATION, member)
        if latest is not None:
            return latest.value, f"07459 {latest.year}"
        return float(data.municipalities()[member].population), "embedded 1 January 2024"

    def municipalities(self) -> list[MunicipalityFigures]:
        members = sorted({f.member for f in self.by_kind[POPULATION] + self.by_kind[CHILDREN]})
        out = []
        for m in members:
            pop, kids = self._latest(POPULATION, m), self._latest(CHILDREN, m)
            out.append(MunicipalityFigures(
                number=m,
                name=data.municipalities()[m].name,
                population=round(pop.value) if pop else None,
                population_year=pop.year if pop else "",
                children_0_17=round(kids.value) if kids else None,
                children_year=kids.year if kids else "",
            ))
        return out

    def _pool(self, kind: str) -> tuple[list[Figure], str]:
        """Figures of ``kind`` from the founding municipalities if any is present, else from all; and which."""
        core = set(data.founding_numbers())
        found = [f for f in self.by_kind[kind] if f.member in core]
        if found:
            return found, "the founding (core) municipalities in the file"
        return self.by_kind[kind], "every toolkit municipality in the file (no founding municipality in it)"

    def model_population(self, member: str) -> tuple[int, str]:
        """The population a scenario on the imported data uses for ``member`` (latest 07459, else embedded)."""
        latest = self._latest(POPULATION, member)
        if latest is not None and round(latest.value) > 0:
            return round(latest.value), f"07459 {latest.year}"
        return data.municipalities()[member].population, "embedded 1 January 2024"

    def fire_fte_per_1000(self) -> CalibratedParam | None:
        pool, which = self._pool(FIRE_FTE)
        if not pool:
            return None
        year = max(f.year for f in pool)
        rows = [(f, *self.population(f.member, year)) for f in pool if f.year == year]
        total = sum(pop for _, pop, _ in rows)
        if total <= 0:
            return None
        value = sum(f.value * pop for f, pop, _ in rows) / total
        self.fire_members = [f.member for f, _, _ in rows]
        parts = ", ".join(f"{f.member} {f.value:g} (population {pop:.0f}, {src})" for f, pop, src in rows)
        return CalibratedParam("fire_prevention", "fte_per_1000", value, "imported", "12058", year,
                               f"SSB 12058 {year}: {rows[0][0].label}; population-weighted mean over {parts}; "
                               f"municipalities used: {', '.join(self.fire_members)} ({which}).")

    def fire_cost_per_fte(self, fte_per_1000: CalibratedParam) -> CalibratedParam | None:
        """Cost per FTE with which the model's stand-alone cost of the calibration municipalities equals
        their actual gross spending on function 338: (Σ S_m − n·F) / Σ staffed FTE_m."""
        year = fte_per_1000.year
        params = data.catalogue().services["fire_prevention"].params
        fixed, min_fte = params["fixed_cost"].value, params["min_fte"].value
        members = [m for m in self.fire_members if self._spending(m, "338", year, "gross") is not None]
        if not members:
            if any(s.function == "338" for s in self.by_kind[SPENDING]):
                self.warnings.append(tr(
                    f"fire_prevention.cost_per_fte beholder anslaget: 12362 har ikke brutto driftsutgifter (AGD10) "
                    f"for funksjon 338 i {year} for kommunene med årsverk fra 12058 (netto er for lavt: "
                    "feiegebyrene er trukket fra)",
                    f"fire_prevention.cost_per_fte kept as estimate: 12362 has no gross operating expenditure (AGD10) "
                    f"for function 338 in {year} for the municipalities with 12058 FTE figures (net is too low: "
                    "chimney-sweeping fees are deducted)"))
            return None
        spend = sum(self._spending(m, "338", year, "gross")[0] for m in members)
        staffed, parts, by_minimum = 0.0, [], []
        for m in members:
            pop, src = self.model_population(m)
            load = fte_per_1000.value * pop / 1000.0
            stepped = math.ceil(load / FTE_STEP - 1e-9) * FTE_STEP  # as ServiceCosts.fte in optimizer/units.py
            fte = max(min_fte, stepped)
            if min_fte > stepped:
                by_minimum.append(m)
            staffed += fte
            parts.append(f"{m} {fte:g} FTE (population {pop}, {src})")
        if by_minimum:
            self.warnings.append(tr(
                f"fire_prevention.cost_per_fte: minste fagmiljø (min_fte {min_fte:g}) avgjør bemanningen for "
                f"{', '.join(by_minimum)}; kostnaden per årsverk hviler da på anslaget for min_fte",
                f"fire_prevention.cost_per_fte: the minimum professional environment (min_fte {min_fte:g}) decides "
                f"the staffing of {', '.join(by_minimum)}; the cost per FTE then rests on the min_fte estimate"))
        value = (spend - len(members) * fixed) / staffed
        low, high = COST_PER_FTE_RANGE
        if not low <= value <= high:
            self.warnings.append(tr(
                f"fire_prevention.cost_per_fte beholder anslaget: utregningen gir {value:,.0f} kr, utenfor "
                f"{low:,.0f}–{high:,.0f} (brutto driftsutgifter 338 {spend:,.0f} kr, {staffed:g} årsverk, {year})",
                f"fire_prevention.cost_per_fte kept as estimate: the derivation gives {value:,.0f} NOK, outside "
                f"{low:,.0f}–{high:,.0f} (gross expenditure 338 {spend:,.0f} NOK, {staffed:g} FTE, {year})"))
            return None
        return CalibratedParam(
            "fire_prevention", "cost_per_fte", value, "calibrated", "12362+12058", year,
            f"(gross operating expenditure on function 338, SSB 12362 {year}: {spend:,.0f} NOK - "
            f"{len(members)} x catalogue fixed_cost {fixed:,.0f}) / {staffed:g} FTE as the model staffs each "
            f"municipality alone: max(catalogue min_fte {min_fte:g}, fte_per_1000 {fte_per_1000.value:.4g} x "
            f"population / 1000) in {FTE_STEP:g}-FTE steps: {'; '.join(parts)}. Municipalities used: "
            f"{', '.join(members)} (those of fte_per_1000 with a gross 338 figure). Uses the catalogue's fixed "
            "cost and min_fte (estimates) and the default staffing (0.5-FTE steps, no cost_level scaling); a "
            "scenario overriding them is not recalibrated.")

    def child_welfare_fte_per_1000(self) -> CalibratedParam | None:
        pool, which = self._pool(CHILD_WELFARE_POSITIONS)
        if not pool:
            return None
        year = max(f.year for f in pool)
        fte, pop_sum, parts, members = 0.0, 0.0, [], []
        for f in pool:
            kids = self._children(f.member, year)
            if f.year != year or kids is None:
                continue
            pop, src = self.population(f.member, year)
            fte += f.value * kids[0] / 1000.0
            pop_sum += pop
            members.append(f.member)
            parts.append(f"{f.member} {f.value:g} per 1000 children x {kids[0]:.0f} children ({kids[1]}), "
                         f"population {pop:.0f} ({src})")
        if not parts or pop_sum <= 0:
            self.warnings.append(tr(
                "child_welfare.fte_per_1000 beholder anslaget: stillinger per 1000 barn fra 12279 trenger barn 0–17 år "
                "fra 07459 for de samme kommunene",
                "child_welfare.fte_per_1000 kept as estimate: 12279 positions per 1000 children need children 0-17 "
                "from 07459 for the same municipalities"))
            return None
        return CalibratedParam(
            "child_welfare", "fte_per_1000", fte / pop_sum * 1000.0, "imported", "12279+07459", year,
            f"Positions in the child-welfare service, SSB 12279 {year}: {'; '.join(parts)}; {fte:.2f} FTE "
            f"per {pop_sum:.0f} inhabitants; municipalities used: {', '.join(members)} ({which}). "
            "The on-call service keeps its own workload.")

    def _children(self, member: str, year: str) -> tuple[float, str] | None:
        """Children 0-17 of ``member`` in ``year`` (else the latest imported) and the source."""
        same = self._value(CHILDREN, member, year)
        latest = self._latest(CHILDREN, member)
        if same is not None:
            return same, f"07459 {year}"
        return (latest.value, f"07459 {latest.year}") if latest else None

    def _spending(self, member: str, function: str, year: str, measure: str) -> tuple[float, str] | None:
        """NOK spent on ``function`` by ``member`` in ``year`` and how it was obtained."""
        found = {f.unit: f for f in self.by_kind[SPENDING]
                 if (f.member, f.function, f.year, f.measure) == (member, function, year, measure)}
        if "nok" in found:
            return found["nok"].value, f"{function} NOK 1000"
        if "per_capita" in found:
            pop, src = self.population(member, year)
            return found["per_capita"].value * pop, f"{function} NOK per inhabitant x population ({src})"
        return None

    def actual_spending(self) -> list[ActualSpending]:
        out = []
        members = sorted({f.member for f in self.by_kind[SPENDING]})
        for m in members:
            for group, functions, services, comparable in SPENDING_GROUPS:
                years = sorted({f.year for f in self.by_kind[SPENDING] if f.member == m}, reverse=True)
                row = self._group(m, group, functions, services, comparable, years)
                if row:
                    out.append(row)
        return out

    def _group(self, member: str, group: str, functions: tuple[str, ...], services: tuple[str, ...],
               comparable: bool, years: list[str]) -> ActualSpending | None:
        for measure in ("gross", "net"):
            for year in years:
                amounts = [self._spending(member, fn, year, measure) for fn in functions]
                if all(amounts):
                    how = "; ".join(a[1] for a in amounts)
                    return ActualSpending(member, group, services, year, measure, sum(a[0] for a in amounts), comparable,
                                          f"SSB 12362 {year}, {measure} operating expenditure: {how}")
        return None

"""Monte Carlo of a host plan over the years of the agreement (vectorised NumPy, seeded).

The deterministic cost of a plan is a sum over its units of fixed + FTE x cost per FTE + trips x
trip cost (``optimizer.units``); the random model perturbs exactly those terms, so with every
source off it reproduces the deterministic cost to the krone. Per path and year:

- demand: cases of member m ~ Poisson(lambda), lambda = cases_per_1000 x population / 1000; the
  member's workload and per-inhabitant trips scale by cases / lambda (services without a case
  rate keep their expected demand). A unit is staffed for the year's workload by the service's
  rule (minimum professional environment, 0.5-FTE steps);
- population: each member's population (and so workload, trips and population keys) changes by
  its yearly growth rate;
- cost growth: every cost is multiplied by an index prod(1 + g_t), g_t ~ Normal(mean, sd), the
  same for all units (wage settlements); the first year is at the base level;
- what each member pays: the scenario's cost key (``optimizer.pooling``) applied each year to the
  projected population; demand swings are pooled, as the agreement pools them.

Staffing: a unit has ceil(FTE) whole positions; each holder leaves in a month with probability
1 - (1 - turnover)^(1/12); a vacancy is filled in each later month with probability
1 / vacancy_months (a geometric delay whose mean depends on the host's size). A month counts as
below the minimum professional environment when fewer than ``min_fte`` positions are filled.
Vacancies do not change cost (substitutes and overtime are taken to cost what the vacancy saves).

Reachability (services with ``max_travel_minutes``): an event (a case) at member m served from
host h is out of reach when the fastest route is longer than the limit. In the closure months
each mountain pass is closed with its probability, independently per event; the chance p(m, h)
of an event being out of reach is summed exactly over the passes that lie between members
(``optimizer.reachability``), and the count of unreachable events is Binomial(cases, p(m, h)).
Closures delay trips but do not change their cost.

Random streams (common random numbers): every random quantity has its own generator, seeded by
the seed and a stable hash of what it belongs to (``_stream``): demand per (service, member),
cost growth once, staffing per (service, members served) and out-of-reach draws per (service,
member). Two plans simulated with the same seed therefore see the same demand and cost growth,
and a unit they share has the same staffing path, so differences between plans come from the
units that differ. The host is left out of the staffing key on purpose: each position draws one
uniform number a month for "filled" and one for "leaves", so the same unit at a host that fills
vacancies faster is never below its minimum in a month where the slower host is not.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.errors import UserInputError
from optimizer.i18n import tr
from optimizer.model import HostChoiceModel, Plan
from optimizer.pipeline import build_model
from optimizer.pooling import pool_shares
from optimizer.reachability import out_of_reach
from optimizer.scenario import Scenario
from optimizer.solver import SolveInfo
from optimizer.uncertainty import MONTHS, UncertaintySpec, uncertainty_spec
from optimizer.units import Unit


def stats(values: np.ndarray) -> dict[str, float]:
    """Mean, 10th and 90th percentile and CVaR at 90 % (mean of the worst tenth) of ``values``."""
    ordered = np.sort(np.asarray(values, dtype=float))
    p10, p90 = np.percentile(ordered, [10, 90])
    return {"mean": float(ordered.mean()), "p10": float(p10), "p90": float(p90), "cvar90": cvar90(ordered)}


def cvar90(ordered: np.ndarray) -> float:
    """Mean of the worst tenth of sorted ``ordered`` (exact: the path at the boundary counts in part).

    With n paths the tail holds n / 10 paths' worth of weight: the floor(n / 10) largest whole and
    the next one with the fractional rest (n = 15: (x15 + 0.5 x14) / 1.5; n < 10: the largest).
    """
    n = len(ordered)
    mass = n / 10
    whole = math.floor(mass)
    tail = float(ordered[n - whole:].sum()) if whole else 0.0
    if mass > whole:
        tail += (mass - whole) * float(ordered[n - whole - 1])
    return tail / mass


@dataclass(frozen=True)
class SimulationResult:
    """Simulated paths of one plan: costs per year and member, staffing and reachability."""

    scenario: Scenario
    plan: Plan
    spec: UncertaintySpec
    members: tuple[str, ...]
    years: int
    seed: int
    member_yearly: np.ndarray  # (paths, years, members): what each member pays, NOK
    below_minimum: np.ndarray  # (units of the plan, paths): share of months below the minimum
    events: Mapping[tuple[str, str], np.ndarray]  # (service, member) -> events per path
    unreachable: Mapping[tuple[str, str], np.ndarray]  # (service, member) -> out-of-reach events per path

    @property
    def paths(self) -> int:
        return self.member_yearly.shape[0]

    @property
    def yearly(self) -> np.ndarray:
        """Total cost per path and year, NOK (paths, years)."""
        return self.member_yearly.sum(axis=2)

    def distribution(self, member: str | None = None) -> np.ndarray:
        """Cost over the agreement per path: the total, or what ``member`` pays (paths,)."""
        if member is None:
            return self.member_yearly.sum(axis=(1, 2))
        return self.member_yearly[:, :, self.members.index(member)].sum(axis=1)

    def deterministic(self, member: str | None = None) -> float:
        """The plan's deterministic cost over the agreement (years x yearly cost)."""
        yearly = self.plan.total if member is None else self.plan.payment(member)
        return self.years * yearly

    def stats(self, member: str | None = None) -> dict[str, float]:
        return stats(self.distribution(member))

    @property
    def understaffed_share(self) -> float:
        """Share of member x service x months whose serving unit is below its minimum environment."""
        per_unit = self.below_minimum.mean(axis=1)
        weights = np.array([len(u.members) for u in self.plan.units], dtype=float)
        return float(per_unit @ weights / weights.sum()) if len(weights) else 0.0

    @property
    def unreachable_share(self) -> float:
        """Share of events of time-critical services that cannot be reached in time (0 if none)."""
        events = sum(float(v.sum()) for v in self.events.values())
        missed = sum(float(v.sum()) for v in self.unreachable.values())
        return missed / events if events else 0.0

    def summary_rows(self) -> list[dict[str, Any]]:
        """Total and per member: deterministic cost and the simulated mean, P10, P90, CVaR90 (NOK over the agreement)."""
        rows = []
        for member in (None, *self.members):
            s = self.stats(member)
            rows.append({
                "scenario": self.scenario.id,
                "who": member or "total",
                "name": self.scenario.name(member) if member else "",
                "years": self.years,
                "deterministic_nok": self.deterministic(member),
                **{f"{k}_nok": v for k, v in s.items()},
                "p90_over_deterministic": s["p90"] / self.deterministic(member) if self.deterministic(member) else 1.0,
            })
        return rows

    def staffing_rows(self) -> list[dict[str, Any]]:
        """Per unit: positions, minimum, mean vacancy months of the host, share of months below the minimum."""
        rows = []
        for u, below in zip(self.plan.units, self.below_minimum):
            months = self.spec.vacancy_months_for(u.host, self.scenario.population(u.host))
            rows.append({
                "scenario": self.scenario.id,
                "service": u.service,
                "host": u.host,
                "host_name": self.scenario.name(u.host),
                "served": " ".join(u.members),
                "positions": _positions(u.fte),
                "min_fte": self.scenario.service(u.service).value("min_fte"),
                "turnover": self.spec.turnover_for(u.service),
                "vacancy_months": months,
                "filled_within_6_months": 1.0 - (1.0 - 1.0 / months) ** 6,
                "below_minimum_share": float(below.mean()),
                "paths_ever_below": float((below > 0).mean()),
            })
        return rows

    def reach_rows(self) -> list[dict[str, Any]]:
        """Per time-critical service and member: events per year and the share out of reach."""
        rows = []
        for (service, member), events in self.events.items():
            missed = self.unreachable[(service, member)]
            total = float(events.sum())
            rows.append({
                "scenario": self.scenario.id,
                "service": service,
                "member": member,
                "member_name": self.scenario.name(member),
                "host": self.plan.unit_for(service, member).host,
                "max_travel_minutes": self.scenario.service(service).value("max_travel_minutes"),
                "events_per_year": total / (self.paths * self.years),
                "unreachable_share": float(missed.sum()) / total if total else 0.0,
            })
        return rows

    def summary(self) -> dict[str, Any]:
        """Everything for ``summary.json``: settings, assumptions, cost statistics, robustness."""
        return {
            "scenario": self.scenario.id,
            "paths": self.paths,
            "years": self.years,
            "seed": self.seed,
            "units": [{"service": u.service, "host": u.host, "served": list(u.members)} for u in self.plan.units],
            "costs": self.summary_rows(),
            "understaffed_share": self.understaffed_share,
            "unreachable_share": self.unreachable_share,
            "staffing": self.staffing_rows(),
            "reach": self.reach_rows(),
            "assumptions": self.spec.assumptions(),
        }


class Simulator:
    """Simulates plans of one scenario; precomputes travel under every combination of pass closures."""

    def __init__(self, scenario: Scenario, model: HostChoiceModel, spec: UncertaintySpec | None = None) -> None:
        self.scenario = scenario
        self.model = model
        self.spec = spec if spec is not None else uncertainty_spec(scenario)
        self.members = model.members
        self.population = np.array([scenario.population(m) for m in self.members], dtype=float)
        limits = {sid: limit for sid, sc in model.costs.items()
                  if (limit := sc.spec.value("max_travel_minutes")) is not None}
        by_limit = {limit: out_of_reach(scenario, self.members, self.spec, limit) for limit in sorted(set(limits.values()))}
        self.out_of_reach = {sid: by_limit[limit] for sid, limit in limits.items()}

    def run(self, plan: Plan, *, paths: int | None = None, years: int | None = None,
            seed: int | None = None) -> SimulationResult:
        """Draw ``paths`` paths of ``years`` years for ``plan`` (defaults from ``[uncertainty]``)."""
        spec = self.spec.effective()
        paths = self.spec.paths if paths is None else paths
        years = self.spec.years if years is None else years
        seed = self.spec.seed if seed is None else seed
        index = {m: i for i, m in enumerate(self.members)}
        growth = np.array([spec.population_growth_for(m) for m in self.members])
        popf = (1.0 + growth[None, :]) ** np.arange(years)[:, None]  # (years, members)

        cases: dict[str, np.ndarray] = {}  # service -> (paths, years, members) Poisson draws
        for sid in self.model.costs:
            rate = spec.cases(sid)
            if rate > 0:
                lam = rate * self.population * popf / 1000.0
                cases[sid] = np.stack([_stream(seed, "demand", sid, m).poisson(lam[:, i], size=(paths, years))
                                       for i, m in enumerate(self.members)], axis=2)

        cost_index = np.ones((paths, years))
        if spec.growth_sd > 0 or spec.growth_mean != 0:
            steps = 1.0 + _stream(seed, "cost_growth").normal(spec.growth_mean, spec.growth_sd, size=(paths, years - 1))
            cost_index[:, 1:] = np.cumprod(steps, axis=1)

        member_yearly = np.zeros((paths, years, len(self.members)))
        for u in plan.units:
            cost = self._unit_cost(u, cases.get(u.service), popf, index, spec) * cost_index
            for y, shares in enumerate(self._shares(plan, u, popf)):
                for m, share in shares.items():
                    member_yearly[:, y, index[m]] += share * cost[:, y]

        events, unreachable = {}, {}
        for u in plan.units:
            if u.service not in self.out_of_reach:
                continue
            p = self.out_of_reach[u.service]
            sc = self.model.costs[u.service]
            for m in u.members:
                i, h = index[m], index[u.host]
                if u.service in cases:
                    n = cases[u.service][:, :, i]
                    missed = (_stream(seed, "events", u.service, m).binomial(n, p[i, h]) if 0 < p[i, h] < 1
                              else n * p[i, h])
                else:  # steady demand: events at their expected rate
                    rate = sc.spec.value("trips_per_1000") * self.population[i] * popf[:, i] / 1000.0
                    n = np.broadcast_to(rate, (paths, years))
                    missed = n * p[i, h]
                events[(u.service, m)] = n.sum(axis=1).astype(float)
                unreachable[(u.service, m)] = np.asarray(missed).sum(axis=1).astype(float)

        below = np.array([self._staffing(u, paths, years, seed, spec) for u in plan.units]).reshape(-1, paths)
        return SimulationResult(self.scenario, plan, self.spec, self.members, years, seed,
                                member_yearly, below, events, unreachable)

    def _unit_cost(self, u: Unit, cases: np.ndarray | None, popf: np.ndarray, index: Mapping[str, int],
                   spec: UncertaintySpec) -> np.ndarray:
        """Yearly cost of unit ``u`` per path (paths, years) at the base cost level."""
        sc = self.model.costs[u.service]
        idx = [index[m] for m in u.members]
        h = index[u.host]
        scale = popf[None, :, :]
        if cases is not None:
            lam = spec.cases(u.service) * self.population * popf / 1000.0
            scale = scale * (cases / lam[None, :, :])
        load = sum(sc.workload[i] * scale[:, :, i] for i in idx)
        minimum = sc.spec.value("min_fte")
        if self.scenario.staffing == "continuous":
            fte = np.maximum(minimum, load)
        else:
            step = self.scenario.fte_step
            fte = np.maximum(minimum, np.ceil(load / step - 1e-9) * step)
        per_fte = u.staffing / u.fte if u.fte > 0 else 0.0
        per_member = sc.spec.value("trips_per_member")
        per_1000 = sc.spec.value("trips_per_1000") * self.population / 1000.0
        travel = sum(
            (per_member + per_1000[i] * scale[:, :, i]) * sc.trip_cost[i, h] for i in idx if i != h
        )
        return u.fixed + fte * per_fte + travel

    def _shares(self, plan: Plan, u: Unit, popf: np.ndarray) -> list[Mapping[str, float]]:
        """The cost key's shares of unit ``u`` in each year (the plan's own while population is flat)."""
        if np.all(popf == 1.0):
            return [plan.shares[u]] * len(popf)
        sc = self.model.costs[u.service]
        out = []
        for factor in popf:
            pop = {m: self.scenario.population(m) * factor[i] for i, m in enumerate(self.members)}
            usage = {m: sc.usage([m])[m] * factor[self.members.index(m)] for m in u.members}
            out.append(pool_shares(self.scenario.cost_key, u.members, pop, usage))
        return out

    def _staffing(self, u: Unit, paths: int, years: int, seed: int, spec: UncertaintySpec) -> np.ndarray:
        """Share of months unit ``u`` is below its minimum environment, per path (paths,).

        Each position draws a uniform number a month for "the vacancy is filled" and one for "the
        holder leaves", from the unit's own stream (see the module docstring).
        """
        leave = 1.0 - (1.0 - spec.turnover_for(u.service)) ** (1.0 / MONTHS)
        positions = _positions(u.fte)
        minimum = self.scenario.service(u.service).value("min_fte")
        if leave <= 0 or minimum <= 0:
            return np.zeros(paths)
        fill = 1.0 / spec.vacancy_months_for(u.host, self.scenario.population(u.host))
        rng = _stream(seed, "staffing", u.service, *u.members)
        vacant = np.zeros((paths, positions), dtype=bool)
        count = np.zeros(paths, dtype=np.int64)
        for _ in range(years * MONTHS):
            filled, leaves = rng.random((2, paths, positions), dtype=np.float32)
            vacant = (vacant & (filled >= fill)) | (leaves < leave)
            count += (positions - vacant.sum(axis=1)) < minimum - 1e-9
        return count / (years * MONTHS)


def simulate_plan(scenario: Scenario, plan: Plan, *, model: HostChoiceModel | None = None,
                  spec: UncertaintySpec | None = None, paths: int | None = None, years: int | None = None,
                  seed: int | None = None) -> SimulationResult:
    """Simulate ``plan`` of ``scenario``; ``paths``, ``years`` and ``seed`` default to ``[uncertainty]``."""
    return Simulator(scenario, model or build_model(scenario), spec).run(plan, paths=paths, years=years, seed=seed)


def typed_plan(model: HostChoiceModel, units: Mapping[str, Sequence[tuple[str, Sequence[str] | None]]],
               base: Plan | None = None) -> Plan:
    """A plan typed in: per service its units as ``(host, members served)``; other services from ``base``.

    ``members served = None`` means every member. Raises ``UserInputError`` (source ``--host``,
    key = service) unless each service's units serve every member exactly once, each with its
    host among those it serves. The plan is not checked against the scenario's rules.
    """
    chosen = [u for u in (base.units if base else ()) if u.service not in units]
    for service, given in units.items():
        if service not in model.costs:
            raise UserInputError("--host", service, tr(
                f"ukjent eller avslått tjeneste; gyldige: {', '.join(model.costs)}",
                f"unknown or disabled service; valid: {', '.join(model.costs)}"))
        groups = [(h, list(model.members) if ms is None else list(ms)) for h, ms in given]
        served = [m for _, members in groups for m in members]
        if sorted(served) != sorted(model.members) or any(h not in ms for h, ms in groups):
            raise UserInputError("--host", service, tr(
                "enhetene må betjene hvert medlem én gang, med verten blant dem den betjener",
                "the units must serve every member once, each unit's host among those it serves"))
        chosen += [model.costs[service].unit(h, sorted(ms)) for h, ms in groups]
    missing = [s for s in model.costs if not any(u.service == s for u in chosen)]
    if missing:
        raise UserInputError("--host", missing[0], tr("ingen vert oppgitt for tjenesten", "no host given for this service"))
    order = list(model.costs)
    chosen.sort(key=lambda u: (order.index(u.service), u.host, u.members))
    info = SolveInfo("typed in", "feasible", sum(u.total for u in chosen), 0.0, None)
    return Plan(tuple(chosen), {u: model.shares_of(u) for u in chosen}, info, frozenset())


def _stream(seed: int, *identity: str) -> np.random.Generator:
    """The generator of one random quantity: ``seed`` and a stable hash of ``identity`` (same in every process)."""
    digest = hashlib.sha256("\x1f".join(identity).encode()).digest()
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(int.from_bytes(digest[:8], "little"),)))


def _positions(fte: float) -> int:
    return math.ceil(fte - 1e-9)

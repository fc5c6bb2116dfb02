"""Why this host: what each other possible host of a shared unit would cost, in one sentence per service.

For a shared unit of the adopted plan (host h, group G) and each other member k of G, the
alternative is the best plan in which k hosts the unit serving G (``Restrictions(fixed_units=...)``),
everything else re-optimised under the same rules on the same built model. Its difference to the
adopted plan is split into fixed, staffing and travel cost, with each member's change in payment.
Where a rule forbids k (the unit breaks a forbidden-host, travel or capacity rule, or the fairness
rules cannot hold with k as host), the rule is named and the cost given with it lifted; where every
other host breaks a rule, the sentence names the one that lifts the fewest rules, cheapest first.

From ``SCREEN_FROM`` members (unless asked for every figure, ``exact=True``) the alternatives of
a unit are tried cheapest bound first, and one that provably cannot be the cheapest is not solved
to the end: it gets a proven lower bound ("at least") instead of its exact cost. Below
``SCREEN_FROM`` every alternative is solved, cheapest bound first, but one whose bound a cheaper
rival already beats gets ``RIVALLED_SECONDS``; if that search ends unproven, it shows its bound (a
7-member case had three such alternatives, each 9-12 MNOK dearer, that took 20 s each and left the
sentences marked unproven). The cheapest alternative, any tie with it, and so every sentence stay
exact. The bounds are the Lagrangian bound of the adopted rules
(``HostChoiceModel.forced_unit_bounds``) and the search's own bound (``HostChoiceModel.solve``'s
cutoff). An alternative screens only those that must lift at least as
many rules as it did (a host with fewer comes first whatever it costs); those that must lift more
are not worked out at all (they cannot change the sentence, and without their rules they might lift
others and cost less, so no bound is shown).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from optimizer.decisions.relax import Outcome, solve_or_lift
from optimizer.engine.exact import TIGHTEN_FROM
from optimizer.errors import CutOff, SolverLimitError
from optimizer.explain import describe_rule
from optimizer.i18n import format_nok, language, tr
from optimizer.model import HostChoiceModel, Plan, Restrictions
from optimizer.parallel import side_by_side
from optimizer.units import COMPONENTS, Unit

Progress = Callable[[float, str], None]
SCREEN_FROM = 9  # members: from here an alternative that cannot be the cheapest is bounded, not solved
SCREEN_SPAN = 0.005  # screening: alternatives up to this share above the adopted plan are sought first
RIVALLED_SECONDS = 1.0  # below SCREEN_FROM, an alternative with a cheaper rival is first given this long
# members: from here, screening, the hosts a rival's cost leaves open are solved as one. The engine then
# bounds a search with a cutoff by it (its TIGHTEN_FROM); below, the band's rows, mixed across hosts in
# the relaxation, made one such search take 12 s where each host alone took 0.01 s (all_border)
TOGETHER_FROM = TIGHTEN_FROM


@dataclass(frozen=True)
class HostOption:
    """The best plan with ``host`` hosting the group that ``unit`` serves in the adopted plan."""

    unit: Unit  # the adopted unit
    host: str  # the alternative host
    barred_by: tuple[str, ...]  # rule groups the alternative unit itself breaks (lifted for it)
    outcome: Outcome  # solved with ``barred_by`` left out; ``outcome.lifted`` adds what else had to go
    adopted: Plan
    bound: float | None = None  # screened: a proven lower bound (NOK) on its total under every rule, or -inf

    @property
    def screened(self) -> bool:
        """Not solved to the end: proven not to be the cheapest alternative (see ``bound``)."""
        return self.bound is not None

    @property
    def lifted(self) -> tuple[str, ...]:
        return (*self.barred_by, *self.outcome.lifted)

    @property
    def allowed(self) -> bool:
        """Whether the alternative was solved and meets every rule of the adopted plan."""
        return self.solved is not None and not self.lifted

    @property
    def solved(self) -> Plan | None:
        """The best plan with this host, when it was solved (proven, or stopped by the time limit)."""
        return None if self.screened else self.outcome.plan

    @property
    def proven(self) -> bool:
        return self.solved is not None and self.solved.solve_info.status == "optimal"

    @property
    def delta(self) -> float | None:
        """Total cost of the alternative minus the adopted plan (kr per year); ``None`` if screened."""
        plan = self.solved
        return None if plan is None else plan.total - self.adopted.total

    @property
    def delta_at_least(self) -> float | None:
        """For a screened alternative, what it costs at least more than the adopted plan."""
        return None if self.bound is None else self.bound - self.adopted.total

    def component_delta(self, component: str) -> float | None:
        plan = self.solved
        if plan is None:
            return None
        return sum(u.component(component) for u in plan.units) - sum(u.component(component) for u in self.adopted.units)

    def payment_change(self, member: str) -> float | None:
        """What ``member`` would pay more (+) or less (-) per year with this host."""
        plan = self.solved
        return None if plan is None else plan.payment(member) - self.adopted.payment(member)


@dataclass(frozen=True)
class ServiceExplanation:
    service: str
    options: list[HostOption]  # per shared unit of the service, one per other member of its group
    sentence: str


def host_options(model: HostChoiceModel, plan: Plan, unit: Unit, exact: bool | None = None) -> list[HostOption]:
    """Every other member of ``unit``'s group as host of that group, cheapest first (ties: lower
    number), then the screened ones by bound. ``exact``: solve every alternative to the end
    (default: below ``SCREEN_FROM`` members)."""
    screen = len(model.members) >= SCREEN_FROM if exact is None else not exact
    jointly = screen and len(model.members) >= TOGETHER_FROM
    tolerance = tie_tolerance(plan)
    barred = {h: tuple(g for g in sorted(model.costs[unit.service].unit(h, unit.members).violates) if g in plan.rules)
              for h in unit.members if h != unit.host}
    rules = {h: [g for g in sorted(plan.rules) if g not in why] for h, why in barred.items()}
    upper = _upper(plan)  # the sought alternatives first: those costing at most this
    bounds: dict[str, float] = {}  # what each costs at least, if it costs at most ``upper``
    if screen or exact is None:  # for screening, and below SCREEN_FROM for the order and the short tries
        for why in dict.fromkeys(barred.values()):
            hosts = [h for h in barred if barred[h] == why]
            per_host = model.forced_unit_bounds(rules[hosts[0]], unit.service, unit.members, upper)
            bounds.update({h: min(per_host[h], upper) for h in hosts})  # inf: more than ``upper`` (or none)
    costs = model.costs[unit.service]
    swapped = {h: plan.total + costs.unit(h, unit.members).total - unit.total for h in barred}
    # those that break the fewest rules first (one that breaks more matters only when none breaks fewer),
    # likely cheapest first: by the plan with just this unit's host changed, or the bound where higher
    order = sorted(barred, key=lambda h: (len(barred[h]), max(bounds.get(h, -math.inf), swapped[h]),
                                          bounds.get(h, -math.inf), h))
    found: dict[str, tuple[int, float]] = {}  # host -> (rules lifted, total of a plan with that host)
    above: dict[str, float] = {}  # host -> its search's bound, when it stopped above ``upper``
    apart: set[str] = set()  # hosts whose solve as one found no plan: each is solved on its own

    def rival(host: str) -> float | None:
        """The cheapest plan another host gives lifting as many rules as this host must at least: this one
        must beat it to matter. (A plan lifting fewer is no rival, see ``fewer``; one lifting more is
        none either: this host might lift as many and cost less.)"""
        return min((total for h, (lifts, total) in found.items() if h != host and lifts == len(barred[host])),
                   default=None)

    def fewer(host: str) -> bool:
        """Whether another host's plan lifts fewer rules than this host must: then this one comes after it."""
        return any(lifts < len(barred[host]) for h, (lifts, _) in found.items() if h != host)

    def beaten_by(host: str, beaten: float | None) -> float | None:
        """A proven lower bound on ``host``'s alternative that shows it cannot matter, if there is one."""
        if not screen:
            return None
        if fewer(host):  # not in the sentence, and unbounded (without its rules, it might lift others
            return -math.inf  # and cost less)
        if beaten is None:
            return None
        # under its own rules it costs at least the bound, or it cannot meet them and lifts more: after the rival
        if host in above and above[host] >= beaten + tolerance:
            return shown(host, above[host])
        if beaten + tolerance <= upper and bounds[host] >= beaten + tolerance:
            return shown(host, bounds[host])
        return None

    def shown(host: str, bound: float) -> float:
        """The bound to show: none (``-inf``) for a host that breaks a rule, as the bound holds only under
        rules it may not meet (then it lifts more and may cost less)."""
        return -math.inf if barred[host] else bound

    options: list[HostOption] = []
    group = frozenset(unit.members)
    # without a rival yet, a solve seeks only plans up to ``upper``; one that finds none waits at the end
    queue = list(order)
    while queue:
        host = queue.pop(0)
        beaten = rival(host)
        bound = beaten_by(host, beaten)
        if bound is not None:
            options.append(HostOption(unit, host, barred[host], Outcome(None), plan, bound=bound))
            continue
        # screening, once a rival is known, the hosts that break no rule and that its cost and the bounds
        # leave open are solved as one: the best plan in which any of them hosts the group (the best
        # with its host), or a bound for them all. (Not before: with the rival found first, the bounds
        # usually settle most hosts, and some of those are slow to solve.)
        together = [h for h in queue if jointly and beaten is not None and not barred[host] and not barred[h]
                    and rival(h) == beaten and beaten_by(h, beaten) is None and not {host, h} & apart]
        if together:
            hosts = [host, *together]
            try:
                best = model.solve(rules[host], Restrictions(fixed_units={unit.service: (frozenset(hosts), group)}),
                                   cutoff=beaten + tolerance)
            except CutOff as stop:
                queue = [h for h in queue if h not in hosts]
                options += [HostOption(unit, h, (), Outcome(None), plan, bound=stop.bound) for h in hosts]
                continue
            except SolverLimitError:
                best = None
            if best is None:  # none meets the rules (or no plan in time): each host on its own, from here
                apart.update(hosts)
            else:
                winner = best.unit_for(unit.service, unit.host).host
                found[winner] = (0, best.total)
                options.append(HostOption(unit, winner, (), Outcome(best), plan))
                queue = [h for h in hosts if h != winner] + [h for h in queue if h not in hosts]
                continue
        seeking = screen and beaten is None and host not in above and len(queue) > 0
        cutoff = beaten + tolerance if screen and beaten is not None else (upper if seeking else None)
        forced = Restrictions(fixed_units={unit.service: (host, group)})
        # below SCREEN_FROM every figure is sought, but one whose bound a cheaper rival already beats
        # gets a short try: if that ends unproven, it shows the bound (it cannot be the cheapest)
        quick = (exact is None and not screen and beaten is not None and not barred[host]
                 and bounds[host] >= beaten + tolerance)
        try:
            outcome = solve_or_lift(model, rules[host], forced, cutoff, RIVALLED_SECONDS if quick else None)
            if quick and not _settled(outcome):
                floor = _proven_floor(model, outcome.plan) if outcome.plan is not None and not outcome.lifted else None
                options.append(HostOption(unit, host, barred[host], Outcome(None), plan,
                                          bound=max(bounds[host], floor if floor is not None else -math.inf)))
                continue
        except CutOff as stop:
            if seeking:
                above[host] = stop.bound
                queue.append(host)
            else:
                options.append(HostOption(unit, host, barred[host], Outcome(None), plan, bound=shown(host, stop.bound)))
            continue
        option = HostOption(unit, host, barred[host], outcome, plan)
        if option.solved is not None:
            found[host] = (len(option.lifted), option.solved.total)
        options.append(option)
    return sorted(options, key=_option_order)


def _settled(outcome: Outcome) -> bool:
    """Whether a solve ended proven: a plan proven optimal, or proven that there is none."""
    if outcome.plan is None:
        return not outcome.timed_out
    return outcome.plan.solve_info.status == "optimal"


def _proven_floor(model: HostChoiceModel, plan: Plan) -> float | None:
    """A proven lower bound (NOK) on the optimum of a search that stopped at ``plan`` with its gap
    (less twice the tie-break, which the solver's objective includes and a total leaves out)."""
    gap = plan.solve_info.gap
    return None if gap is None else plan.total - gap * abs(plan.total) - 2 * model.tie_slack()


def _option_order(o: HostOption) -> tuple:
    """Solved ones by the number of rules lifted (none first), cheapest first; then the screened."""
    if o.screened:
        return (1, 0, o.bound, o.host)
    return (0, len(o.lifted), o.delta if o.delta is not None else float("inf"), o.host)


def why_host(model: HostChoiceModel, plan: Plan, services: Iterable[str] | None = None,
             progress: Progress | None = None, exact: bool | None = None) -> list[ServiceExplanation]:
    """One explanation per service (catalogue order, or just ``services``) of the adopted ``plan``
    (``exact``: see ``host_options``).

    Each service's alternatives are re-solved on a copy of the model of its own
    (``HostChoiceModel.detached``) that starts from the model as it is, so the answer does not depend
    on the order or on the other services (nor changes ``model``); from ``PARALLEL_FROM`` members
    two services run at once (``side_by_side``), those with the most alternatives first. (A copy
    per service, not per unit: a unit's solves start from the pool its service's last solve left,
    which at 18 members made the whole 17 % quicker.)"""
    chosen = list(model.costs) if services is None else [s for s in model.costs if s in set(services)]
    units = {s: [u for u in plan.units if u.service == s and u.shared] for s in chosen}
    if any(units.values()) and exact is not True:  # the bounds' root under the adopted rules, once for every copy
        model.prepare_forced_bounds(plan.rules, _upper(plan))
    order = sorted(chosen, key=lambda s: -sum(len(u.members) - 1 for u in units[s]))  # stable on ties

    def explain(service: str) -> ServiceExplanation:
        own = model.detached()
        options = [o for u in units[service] for o in host_options(own, plan, u, exact)]
        return ServiceExplanation(service, options, service_sentence(model, plan, service, units[service], options))

    explained: dict[str, ServiceExplanation] = {}
    if progress is not None:
        progress(0.0, order[0] if order else "")
    for done, (service, answer) in enumerate(zip(order, side_by_side(len(model.members), explain, order)), start=1):
        explained[service] = answer
        if progress is not None and done < len(order):
            progress(done / len(order), order[done])
    if progress is not None:
        progress(1.0, "")
    return [explained[s] for s in chosen]


def _upper(plan: Plan) -> float:
    """The alternatives sought first cost at most this (``SCREEN_SPAN`` above the adopted plan)."""
    return plan.total * (1.0 + SCREEN_SPAN)


def tie_tolerance(plan: Plan) -> float:
    """Plans closer than this count as equally good: the model's tie-break adds under 1 kr per unit."""
    return float(len(plan.units)) + 1.0


def service_sentence(model: HostChoiceModel, plan: Plan, service: str, units: list[Unit],
                     options: list[HostOption]) -> str:
    """The plain-language answer for one service (bokmål or English)."""
    scenario = model.scenario
    name = scenario.service(service).service.name(language())
    if not units:
        return tr(f"{_cap(name)}: hver kommune driver tjenesten selv i denne planen.",
                  f"{_cap(name)}: every member runs the service itself in this plan.")
    parts = []
    for unit in units:
        mine = [o for o in options if o.unit == unit]
        parts.append(_unit_sentence(model, plan, name, unit, mine, several=len(units) > 1))
    unproven = [o for o in options if o.solved is not None and not o.proven]  # the screened cannot be the cheapest
    if unproven or plan.solve_info.status != "optimal":
        parts.append(tr("(Ikke bevist optimalt: løseren stoppet på tidsgrensen, så tallene er øvre grenser.)",
                        "(Not proven optimal: the solver stopped at its time limit, so the figures are upper bounds.)"))
    return " ".join(parts)


def _unit_sentence(model: HostChoiceModel, plan: Plan, name: str, unit: Unit, options: list[HostOption],
                   several: bool) -> str:
    s = model.scenario
    host = s.name(unit.host)
    served = tr(f" (for {_names(s, unit.members)})", f" (for {_names(s, unit.members)})") if several else ""
    ties = [o for o in options if o.allowed and abs(o.delta) <= tie_tolerance(plan)]
    if ties:
        others = _names(s, [o.host for o in ties])
        return tr(f"{host} er vert for {name}{served}, men {others} koster det samme: fritt valg.",
                  f"{host} hosts {name}{served}, but {others} costs the same: a free choice.")
    allowed = [o for o in options if o.allowed]
    if allowed and allowed[0].delta < 0:  # only when the adopted plan is not proven optimal
        best = allowed[0]
        return tr(
            f"{host} er vert for {name}{served} i planen løseren fant; med {s.name(best.host)} som vert ville "
            f"samlet kostnad {_change(best.delta)} per år{_payments(s, best)}.",
            f"{host} hosts {name}{served} in the plan the solver found; with {s.name(best.host)} as host "
            f"the total would {_change(best.delta)} per year{_payments(s, best)}.")
    if allowed:
        best = allowed[0]
        return tr(
            f"{host} er vert for {name}{served} fordi det gir lavest samlet kostnad; "
            f"med {s.name(best.host)} som vert ville samlet kostnad {_change(best.delta)} per år, "
            f"{_mostly(best)}{_payments(s, best)}.",
            f"{host} hosts {name}{served} because that gives the lowest total cost; "
            f"with {s.name(best.host)} as host the total would {_change(best.delta)} per year, "
            f"{_mostly(best)}{_payments(s, best)}.")
    barred = [o for o in options if o.solved is not None]
    if not barred and any(o.outcome.timed_out for o in options):
        return tr(f"{host} er vert for {name}{served}; løseren fant ingen plan med en annen vert innen tidsgrensen.",
                  f"{host} hosts {name}{served}; the solver found no plan with another host within the time limit.")
    if not barred:
        return tr(f"{host} er vert for {name}{served}; ingen annen i gruppen kan være vert.",
                  f"{host} hosts {name}{served}; no other member of the group can host it.")
    best = min(barred, key=lambda o: (len(o.lifted), o.delta, o.host))  # the fewest rules lifted, then cheapest
    rules = "; ".join(describe_rule(g, s, with_key=False) for g in best.lifted)
    change = _change(best.delta)
    return tr(
        f"{host} er vert for {name}{served} fordi reglene krever det: med {s.name(best.host)} som vert "
        f"kan ikke regelen «{rules}» holdes; uten den ville samlet kostnad {change} per år.",
        f"{host} hosts {name}{served} because the rules require it: with {s.name(best.host)} as host "
        f"the rule “{rules}” cannot hold; without it the total would {change} per year.")


def _change(delta: float) -> str:
    """``øke med 102 600 kr`` or ``synke med …``."""
    if delta >= 0:
        return tr(f"øke med {format_nok(delta)}", f"rise by {format_nok(delta)}")
    return tr(f"synke med {format_nok(-delta)}", f"fall by {format_nok(-delta)}")


COMPONENT_TEXT = {
    "fixed": ("faste kostnader", "fixed costs"),
    "staffing": ("bemanning", "staffing"),
    "travel": ("reisetid og reiser", "travel"),
}


def _mostly(option: HostOption) -> str:
    """``mest reisetid og reiser (+300 000 kr)``: the component that grows most."""
    component = max(COMPONENTS, key=lambda c: option.component_delta(c))
    amount = option.component_delta(component)
    sign = "+" if amount >= 0 else ""
    return tr(f"mest {COMPONENT_TEXT[component][0]} ({sign}{format_nok(amount)})",
              f"mostly {COMPONENT_TEXT[component][1]} ({sign}{format_nok(amount)})")


def _payments(scenario, option: HostOption) -> str:
    """What the two hosts in question would pay more or less."""
    parts = []
    for member in dict.fromkeys((option.host, option.unit.host)):
        change = option.payment_change(member)
        if abs(change) < 1.0:
            continue
        who = scenario.name(member)
        parts.append(tr(f"{who} ville betale {format_nok(abs(change))} {'mer' if change > 0 else 'mindre'}",
                        f"{who} would pay {format_nok(abs(change))} {'more' if change > 0 else 'less'}"))
    return ("; " + tr(" og ", " and ").join(parts)) if parts else ""


def _names(scenario, members: Iterable[str]) -> str:
    names = [scenario.name(m) for m in members]
    joiner = tr(" og ", " and ")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + joiner + names[-1]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def option_rows(model: HostChoiceModel, explained: list[ServiceExplanation]) -> list[dict[str, Any]]:
    """One tidy row per service and alternative host: cost differences and each member's payment change."""
    scenario = model.scenario
    rows = []
    for item in explained:
        for o in item.options:
            row: dict[str, Any] = {
                "scenario": scenario.id,
                "service": item.service,
                "host": o.unit.host,
                "served": " ".join(o.unit.members),
                "alternative_host": o.host,
                "allowed": o.allowed,
                "lifted": " ".join(o.lifted),
                "delta_nok": o.delta,
                "delta_at_least_nok": o.delta_at_least,  # screened: a proven lower bound instead of delta_nok
                **{f"delta_{c}_nok": o.component_delta(c) for c in COMPONENTS},
                **{f"payment_change_{m}_nok": o.payment_change(m) for m in model.members},
                "proven_optimal": o.proven,
                "screened": o.screened,
            }
            rows.append(row)
    return rows

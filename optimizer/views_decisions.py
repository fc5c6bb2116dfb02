"""What the app shows for the decisions (issue 13): plain rows and sentences in the current language.

Every number comes from ``optimizer.decisions``; the app only lays these rows out.
"""

from __future__ import annotations

import math
from typing import Any

from optimizer.decisions.jobs import fte_loss_price, job_rows, member_jobs
from optimizer.decisions.locks import LockCosts
from optimizer.decisions.priorities import Priorities, step_note
from optimizer.decisions.why_host import HostOption, ServiceExplanation
from optimizer.explain import describe_rule
from optimizer.i18n import format_nok, format_number, tr
from optimizer.result import ScenarioResult
from optimizer.views import member_label, service_label


WHY_HOST_AUTOMATIC_BELOW = 6  # members: below, why-this-host runs with every change (at most 1 s for every
# set of 5 of the shipped 11 municipalities); from 6 on a click (some sets of 6 and 7 take 15-25 s: a
# forced host that the engine proves in 3 s goes to the candidate-unit MILP after its first 3 s)


def jobs_rows(result: ScenarioResult) -> list[dict[str, Any]]:
    """Per member: FTE alone and in the cooperation, transferred in and out, no longer needed, net."""
    return [
        {
            tr("Kommune", "Municipality"): member_label(result.scenario, t.member),
            tr("Årsverk alene", "FTE alone"): format_number(round(t.alone_fte, 2)),
            tr("Årsverk i samarbeidet", "FTE in the cooperation"): format_number(round(t.cooperation_fte, 2)),
            tr("Overføres hit", "Transferred in"): format_number(round(t.transferred_in, 2)),
            tr("Overføres herfra", "Transferred out"): format_number(round(t.transferred_out, 2)),
            tr("Trengs ikke lenger", "No longer needed"): format_number(round(t.no_longer_needed, 2)),
            tr("Netto endring", "Net change"): format_number(round(t.net, 2)),
        }
        for t in member_jobs(job_rows(result.model, result.plan))
    ]


def jobs_service_rows(result: ScenarioResult) -> list[dict[str, Any]]:
    """Per member and service: the same split, and who hosts the member's unit."""
    s = result.scenario
    return [
        {
            tr("Kommune", "Municipality"): member_label(s, r.member),
            tr("Tjeneste", "Service"): service_label(s, r.service),
            tr("Vert", "Host"): member_label(s, r.host),
            tr("Årsverk alene", "FTE alone"): format_number(round(r.alone_fte, 2)),
            tr("Årsverk i samarbeidet", "FTE in the cooperation"): format_number(round(r.cooperation_fte, 2)),
            tr("Overført (+ inn, − ut)", "Transferred (+ in, − out)"): format_number(round(r.transferred, 2)),
            tr("Trengs ikke lenger", "No longer needed"): format_number(round(r.no_longer_needed, 2)),
        }
        for r in job_rows(result.model, result.plan)
    ]


def jobs_text(result: ScenarioResult) -> str:
    """One sentence on the jobs: totals alone and together, how many move and how many are not needed."""
    totals = member_jobs(job_rows(result.model, result.plan))
    alone = sum(t.alone_fte for t in totals)
    together = sum(t.cooperation_fte for t in totals)
    moved = sum(t.transferred_out for t in totals)
    text = tr(
        f"Alene trenger kommunene {format_number(round(alone, 2))} årsverk, i samarbeidet "
        f"{format_number(round(together, 2))}: {format_number(round(moved, 2))} årsverk flyttes til en vertskommune "
        f"med tjenesten, og {format_number(round(alone - together, 2))} trengs ikke lenger (naturlig avgang, "
        "omplassering). Stillingene som ikke trengs, er fordelt på kommunene etter hvor mange årsverk de har alene.",
        f"Alone the members need {format_number(round(alone, 2))} FTE, in the cooperation "
        f"{format_number(round(together, 2))}: {format_number(round(moved, 2))} FTE move to a host with the service, "
        f"and {format_number(round(alone - together, 2))} are no longer needed (natural turnover, redeployment). "
        "The positions no longer needed are attributed to the members by their FTE alone.")
    price = fte_loss_price(result.model, result.plan)
    if price is not None:
        cost = (tr("ingen plan finnes uten regelen", "no plan exists without the rule") if price.price is None
                else format_nok(price.price) + tr(" per år", " per year"))
        text += " " + tr(f"Regelen om at ingen mister mer enn {format_number(price.limit)} årsverk koster {cost}.",
                         f"The rule that no member loses more than {format_number(price.limit)} FTE costs {cost}.")
    return text


def jobs_compare_rows(a: ScenarioResult, b: ScenarioResult) -> list[dict[str, Any]]:
    """Per member: FTE alone, in A and in B, and the change from A to B (– where not a member)."""
    in_a = {t.member: t for t in member_jobs(job_rows(a.model, a.plan))}
    in_b = {t.member: t for t in member_jobs(job_rows(b.model, b.plan))}
    rows = []
    for m in dict.fromkeys([*a.members, *b.members]):
        ta, tb = in_a.get(m), in_b.get(m)
        scenario = b.scenario if tb is not None else a.scenario
        alone = (tb or ta).alone_fte
        rows.append({
            tr("Kommune", "Municipality"): member_label(scenario, m),
            tr("Årsverk alene", "FTE alone"): format_number(round(alone, 2)),
            "A": "–" if ta is None else format_number(round(ta.cooperation_fte, 2)),
            "B": "–" if tb is None else format_number(round(tb.cooperation_fte, 2)),
            tr("Endring", "Change"): "–" if ta is None or tb is None
            else format_number(round(tb.cooperation_fte - ta.cooperation_fte, 2)),
        })
    return rows


def service_saving_rows(result: ScenarioResult, found: Priorities) -> list[dict[str, Any]]:
    """Each service's saving in the adopted plan, largest first."""
    return [
        {
            tr("Tjeneste", "Service"): service_label(result.scenario, s.service),
            tr("Alene", "Alone"): format_nok(s.stand_alone),
            tr("I samarbeidet", "In the cooperation"): format_nok(s.cooperation),
            tr("Besparelse per år", "Saving per year"): format_nok(s.saving),
        }
        for s in found.services
    ]


def priority_rows(result: ScenarioResult, found: Priorities) -> list[dict[str, Any]]:
    """Per N: which services, the total saving, each member's saving and a note where rules were lifted."""
    s = result.scenario
    rows = []
    for step in found.steps:
        row: dict[str, Any] = {
            tr("Høyst antall tjenester", "At most services"): step.n,
            tr("Tjenester", "Services"): ", ".join(service_label(s, x) for x in step.services),
            tr("Besparelse per år", "Saving per year"): "–" if step.saving is None else format_nok(step.saving),
        }
        for m in result.members:
            saving = step.member_saving(m)
            row[s.name(m)] = "–" if saving is None else format_nok(saving)
        row[tr("Merknad", "Note")] = ("⚠ " if step.outcome.lifted or not step.proven else "") + step_note(result.model, step)
        rows.append(row)
    return rows


def priority_headline(result: ScenarioResult, found: Priorities, n: int = 3) -> str:
    """``Med tre tjenester – … – sparer dere … per år (… av alt samarbeidet kan gi).``"""
    step = next((x for x in found.steps if x.n == n), None)
    full = found.steps[-1] if found.steps else None
    if step is None or step.saving is None or full is None or not full.saving:
        return ""
    names = ", ".join(service_label(result.scenario, x) for x in step.services)
    share = round(100 * step.saving / full.saving)
    return tr(f"Med høyst {n} tjenester ({names}) sparer dere {format_nok(step.saving)} per år, "
              f"{share} % av det samarbeid om alle tjenestene gir.",
              f"With at most {n} services ({names}) you save {format_nok(step.saving)} per year, "
              f"{share} % of what cooperating on every service gives.")


def why_host_sentences(explained: list[ServiceExplanation]) -> list[str]:
    return [e.sentence for e in explained]


def why_host_rows(result: ScenarioResult, explained: list[ServiceExplanation]) -> list[dict[str, Any]]:
    """Per service and alternative host: the extra cost, by component, and the two hosts' payments."""
    s = result.scenario
    rows = []
    for e in explained:
        for o in e.options:
            missing = o.solved is None
            rows.append({
                tr("Tjeneste", "Service"): service_label(s, e.service),
                tr("Vert nå", "Host now"): member_label(s, o.unit.host),
                tr("Annen vert", "Other host"): member_label(s, o.host),
                tr("Merkostnad per år", "Extra cost per year"): _extra_cost(o),
                tr("Faste", "Fixed"): "–" if missing else format_nok(o.component_delta("fixed")),
                tr("Bemanning", "Staffing"): "–" if missing else format_nok(o.component_delta("staffing")),
                tr("Reise", "Travel"): "–" if missing else format_nok(o.component_delta("travel")),
                tr("Annen vert betaler mer", "Other host pays more"):
                    "–" if missing else format_nok(o.payment_change(o.host)),
                tr("Vert nå betaler mer", "Host now pays more"): "–" if missing else format_nok(o.payment_change(o.unit.host)),
                tr("Regel som må oppheves", "Rule to lift"): "; ".join(describe_rule(g, s, with_key=False) for g in o.lifted),
            })
    return rows


def why_host_note(explained: list[ServiceExplanation]) -> str | None:
    """What "at least" in the table means, when some alternative was screened."""
    if not any(o.screened for e in explained for o in e.options):
        return None
    return tr("«Minst»: en plan med den verten som holder alle reglene, koster minst så mye mer (finnes ingen slik "
              "plan, må verten bryte en regel). Den kan ikke bli billigere enn det beste alternativet, så kostnaden er "
              "ikke regnet helt ut; tallet er en bevist nedre grense. Setningene over er regnet helt ut.",
              "“At least”: a plan with that host that meets every rule costs at least this much more (if there is no "
              "such plan, that host must break a rule). It cannot be cheaper than the best alternative, so its cost was "
              "not worked out to the end; the figure is a proven lower bound. The sentences above are exact.")


def _extra_cost(option: HostOption) -> str:
    """The alternative's extra cost: exact, "at least" where it was screened, or marked unproven."""
    if option.screened and not math.isfinite(option.delta_at_least):
        return tr("ikke regnet ut (bryter en regel)", "not worked out (breaks a rule)")
    if option.screened:
        return tr(f"minst {format_nok(option.delta_at_least)}", f"at least {format_nok(option.delta_at_least)}")
    if option.solved is None:
        return "–"
    if not option.proven:
        return tr(f"{format_nok(option.delta)} (ikke bevist optimalt)", f"{format_nok(option.delta)} (not proven optimal)")
    return format_nok(option.delta)


def lock_text(result: ScenarioResult, costs: LockCosts) -> str:
    """The cost of all locks together against the free optimum."""
    if not costs.groups:
        return tr("Ingen verter er låst eller utelukket.", "No host is locked or excluded.")
    rules = "; ".join(describe_rule(g, result.scenario, with_key=False) for g in costs.groups)
    return tr(f"Låsingene ({rules}) koster til sammen {format_nok(costs.cost)} per år mot fritt valg av verter.",
              f"The locks ({rules}) cost {format_nok(costs.cost)} per year together against a free choice of hosts.")


def lock_rows(result: ScenarioResult, costs: LockCosts) -> list[dict[str, Any]]:
    """Each lock's own cost (the free optimum with only that lock)."""
    return [
        {
            tr("Låsing", "Lock"): describe_rule(g, result.scenario, with_key=False),
            tr("Egen kostnad per år", "Own cost per year"): tr("umulig alene med de andre reglene",
                                                                 "impossible with the other rules")
            if costs.each.get(g) is None else format_nok(costs.each[g]),
        }
        for g in costs.groups
    ]

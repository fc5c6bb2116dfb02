"""What the group decides and gains, in three or four sentences (the deck's first slide, the workbook's
first sheet): the hosts, the total and its saving, each member's saving under the chosen settlement
method, and the price of fairness; plus a sentence when the plan is not proven optimal."""

from __future__ import annotations

from optimizer.i18n import format_nok, format_percent, tr
from optimizer.statement import Statement
from optimizer.views import join_names, method_label, service_label


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if not text[:3].isupper() else text  # keep "IKT-drift"


def hosts_sentence(statement: Statement) -> str:
    """Who hosts which services (shared units), and who runs which services alone."""
    result = statement.result
    s = result.scenario
    hosted: dict[str, list[str]] = {}
    alone: dict[str, list[str]] = {}
    for unit in result.plan.units:
        target = hosted if unit.shared else alone
        name = _lower(service_label(s, unit.service))
        if name not in target.setdefault(unit.host, []):
            target[unit.host].append(name)
    parts = [f"{s.name(h)} for {join_names(services)}" for h, services in hosted.items()]
    n_services = len(result.model.costs)
    text = tr(f"Gruppen avgjør hvem som er vertskommune for {n_services} tjenester: ",
              f"The group decides who hosts {n_services} services: ")
    text += "; ".join(parts) + "." if parts else tr("ingen tjeneste deles.", "no service is shared.")
    if alone:
        text += " " + " ".join(tr(f"{s.name(m)} driver {join_names(v)} selv.", f"{s.name(m)} runs {join_names(v)} itself.")
                               for m, v in alone.items())
    return text


def total_sentence(statement: Statement) -> str:
    """The total cost per year and what it saves against every member going alone."""
    r = statement.result
    saving = r.total_stand_alone - r.total_cost
    share = format_percent(100 * saving / r.total_stand_alone, 0) if r.total_stand_alone else "–"
    return tr(f"Samarbeidet koster {format_nok(r.total_cost)} i året, {format_nok(saving)} ({share}) mindre enn om "
              "hver kommune driver alt selv.",
              f"The cooperation costs {format_nok(r.total_cost)} a year, {format_nok(saving)} ({share}) less than if "
              "each member ran everything itself.")


def members_sentence(statement: Statement) -> str:
    """Each member's saving against going alone under the chosen settlement method."""
    r = statement.result
    s = r.scenario
    bits = []
    for m in r.members:
        saving = round(r.stand_alone(m) - statement.chosen.total(m))
        bits.append(tr(f"{s.name(m)} {format_nok(saving)}" if saving >= 0 else
                       f"{s.name(m)} betaler {format_nok(-saving)} mer",
                       f"{s.name(m)} {format_nok(saving)}" if saving >= 0 else
                       f"{s.name(m)} pays {format_nok(-saving)} more"))
    method = method_label(s.settlement_method)
    return tr(f"Med oppgjørsmodellen «{method}» sparer hver kommune i året mot å stå alene: {join_names(bits)}.",
              f"Under the settlement method “{method}”, each member saves a year against going alone: {join_names(bits)}.")


def fairness_sentence(statement: Statement) -> str:
    """What the fairness rules cost, or that there are none."""
    r = statement.result
    if not any(g.startswith("fairness.") for g in r.plan.rules):
        return tr("Det er ingen rettferdighetsregler i dette scenarioet.", "This scenario has no fairness rules.")
    share = format_percent(100 * r.price_of_fairness / r.total_without_fairness) if r.total_without_fairness else "–"
    return tr(f"Rettferdighetsreglene (arbeidsplasser og at ingen skal tape) koster {format_nok(r.price_of_fairness)} "
              f"i året ({share}) mer enn den billigste planen uten dem.",
              f"The fairness rules (jobs and nobody losing) cost {format_nok(r.price_of_fairness)} a year ({share}) "
              "more than the cheapest plan without them.")


def proof_sentence(statement: Statement) -> str | None:
    """A warning when the adopted plan is not proven the cheapest."""
    info = statement.result.plan.solve_info
    if info.status == "optimal":
        return None
    gap = format_percent(100 * info.gap) if info.gap is not None else "?"
    return tr(f"Planen er den beste løseren fant innen tidsgrensen, ikke bevist billigst (høyst {gap} dyrere enn den "
              "beste mulige).",
              f"The plan is the best the solver found within the time limit, not proven cheapest (at most {gap} more "
              "expensive than the best possible).")


def summary_sentences(statement: Statement) -> list[str]:
    """The decision and the gain in three or four sentences (five when the plan is not proven optimal)."""
    sentences = [hosts_sentence(statement), total_sentence(statement), members_sentence(statement),
                 fairness_sentence(statement)]
    proof = proof_sentence(statement)
    return sentences + ([proof] if proof else [])

"""What the app shows, as plain rows: labels in the current language, amounts as Norwegians write them.

Every number here comes from ``ScenarioResult`` / ``Statement``; the app only lays the rows out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optimizer.editing import interactive_time_limit
from optimizer.i18n import format_nok, format_number, format_percent, language, tr
from optimizer import geo
from optimizer.labels import basis_text
from optimizer.newcomer import MembershipChange
from optimizer.result import ScenarioResult
from optimizer.scenario import Scenario
from optimizer.statement import Statement

METHOD_LABELS = {
    "cost_key": ("Som kostnadsnøkkelen", "As the cost key"),
    "per_capita": ("Per innbygger", "Per capita"),
    "fixed_plus_per_capita": ("Fast del + per innbygger", "Fixed part + per capita"),
    "by_usage": ("Etter bruk", "By usage"),
    "proportional_to_stand_alone": ("Forholdsmessig etter alenekostnad", "Proportional to stand-alone cost"),
    "equal_savings": ("Lik besparelse", "Equal savings"),
    "shapley": ("Shapley-verdi", "Shapley value"),
    "nucleolus": ("Nukleolus", "Nucleolus"),
    "least_core": ("Minste kjerne", "Least core"),
}
PARAM_LABELS = {
    "fte_per_1000": ("Årsverk per 1000 innbyggere", "FTE per 1000 inhabitants"),
    "min_fte": ("Minste fagmiljø (årsverk)", "Minimum professional environment (FTE)"),
    "cost_per_fte": ("Kostnad per årsverk", "Cost per FTE"),
    "fixed_cost": ("Faste kostnader per enhet", "Fixed cost per unit"),
    "trips_per_member": ("Reiser per medlem og år", "Trips per member and year"),
    "trips_per_1000": ("Reiser per 1000 innbyggere", "Trips per 1000 inhabitants"),
    "max_travel_minutes": ("Lengste reisetid (minutter)", "Longest travel time (minutes)"),
}
ESTIMATE_MARK = "*"
PROJECTOR_COLUMNS = 3  # value columns per table in projector mode (beside the first, naming column)
LONG_CELL = 24  # characters from which a cell's text makes a projector page one column narrower
MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:")


def label(pair: tuple[str, str]) -> str:
    """The bokmål or English half of a ``(nb, en)`` pair."""
    return tr(*pair)


def method_label(method: str) -> str:
    """A settlement method in words."""
    return label(METHOD_LABELS[method])


def cost_key_label(key: str) -> str:
    """A scenario cost key (``cost_key.method``) in words."""
    return tr("Likt på alle", "Equal shares") if key == "equal" else method_label(key)


def member_label(scenario: Scenario, member: str) -> str:
    """``5620 Nordkapp``."""
    return f"{member} {scenario.name(member)}"


def service_label(scenario: Scenario, service: str) -> str:
    """A service's name in the current language."""
    return scenario.service(service).service.name(language())


def key_figures(result: ScenarioResult) -> dict[str, str]:
    """The three figures on top of the page: total cost, saving, price of fairness."""
    return {
        tr("Samlet kostnad per år", "Total cost per year"): format_nok(result.total_cost),
        tr("Besparelse mot robust alene", "Saving against robust alone"):
            format_nok(result.total_stand_alone - result.total_cost),
        tr("Rettferdighetens pris", "Price of fairness"): format_nok(result.price_of_fairness),
    }


LARGE_GROUP = 8  # members from which a fresh solve can take tens of seconds


def size_warning(n_members: int) -> str | None:
    """A note before a slow solve: many members give very many possible groupings."""
    if n_members < LARGE_GROUP:
        return None
    return tr(f"{n_members} medlemmer: utregningen kan ta opptil et minutt.",
              f"{n_members} members: the calculation can take up to a minute.")


def no_plan_in_time(n_members: int) -> str:
    """Why there is no result: the solver found no plan within the interactive time limit."""
    return tr(
        f"Løseren fant ingen plan innen tidsgrensen på {format_number(interactive_time_limit(n_members))} s "
        f"({n_members} medlemmer gir svært mange mulige grupperinger). Ta med færre kommuner, eller kjør "
        "scenarioet med python -m optimizer run og en lengre [solver] time_limit.",
        f"The solver found no plan within the time limit of {format_number(interactive_time_limit(n_members))} s "
        f"({n_members} members give very many possible groupings). Include fewer municipalities, or run the "
        "scenario with python -m optimizer run and a longer [solver] time_limit.",
    )


def plain(text: str) -> str:
    """``text`` with Markdown's special characters escaped, so a title from a file shows as written."""
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in text)


def solver_note(result: ScenarioResult) -> str | None:
    """A warning when the adopted plan is the best found within the time limit, not proven optimal."""
    info = result.plan.solve_info
    if info.status == "optimal":
        return None
    gap = format_percent(100 * info.gap) if info.gap is not None else "?"
    return tr(
        f"Løseren stoppet etter {format_number(round(info.seconds, 1))} s før den hadde bevist at planen er den "
        f"billigste. Planen er den beste den fant, høyst {gap} dyrere enn det beste mulige, og en ny kjøring "
        f"(eller en raskere maskin) kan finne en annen.",
        f"The solver stopped after {format_number(round(info.seconds, 1))} s before proving the plan cheapest. "
        f"It is the best plan found, at most {gap} more expensive than the best possible; another run "
        f"(or a faster machine) may find another.",
    )


def host_rows(result: ScenarioResult) -> list[dict[str, Any]]:
    """One row per unit of the adopted plan."""
    s = result.scenario
    return [
        {
            tr("Tjeneste", "Service"): service_label(s, r["service"]),
            tr("Vert", "Host"): f'{r["host"]} {r["host_name"]}',
            tr("Betjener", "Serves"): r["served_names"],
            tr("Årsverk", "FTE"): format_number(r["fte"]),
            tr("Kostnad per år", "Cost per year"): format_nok(r["total_nok"]),
        }
        for r in result.unit_rows()
    ]


def member_rows(result: ScenarioResult) -> list[dict[str, Any]]:
    """Per member: alone vs in the cooperation, saving, jobs hosted."""
    return [
        {
            tr("Kommune", "Municipality"): f'{r["member"]} {r["member_name"]}',
            tr("Robust alene", "Robust alone"): format_nok(r["stand_alone_nok"]),
            tr("I samarbeidet", "In the cooperation"): format_nok(r["cooperation_nok"]),
            tr("Besparelse mot robust alene", "Saving against robust alone"): format_nok(r["saving_nok"]),
            tr("Besparelse mot robust alene %", "Saving against robust alone %"): format_percent(r["saving_percent"]),
            tr("Årsverk hos seg", "FTE hosted"): format_number(r["fte_hosted"]),
        }
        for r in result.member_rows()
    ]


def cost_chart_rows(result: ScenarioResult) -> list[dict[str, Any]]:
    """Long rows for the alone-vs-cooperation chart (numbers, not text)."""
    alone, coop = tr("Alene", "Alone"), tr("I samarbeidet", "In the cooperation")
    rows = []
    for r in result.member_rows():
        who = f'{r["member_name"]}'
        rows.append({"member": who, "case": alone, "nok": r["stand_alone_nok"], "label": millions(r["stand_alone_nok"])})
        rows.append({"member": who, "case": coop, "nok": r["cooperation_nok"], "label": millions(r["cooperation_nok"])})
    return rows


def millions(amount: float) -> str:
    """An amount in millions for chart labels, as Norwegians write it: ``18,9 mill. kr``."""
    return tr(f"{format_number(round(amount / 1e6, 1))}\u00a0mill.\u00a0kr", f"NOK\u00a0{format_number(round(amount / 1e6, 1))}\u00a0m")


def member_colours(result: ScenarioResult) -> dict[str, str]:
    """Each member's name and its fixed colour (``geo.member_colour``), in member order."""
    return {result.scenario.name(m): geo.member_colour(m) for m in result.members}


def cost_chart_text(result: ScenarioResult) -> str:
    """The alone-vs-cooperation chart in words (its text alternative)."""
    parts = [tr(f"{r['member_name']} {millions(r['stand_alone_nok'])} alene og {millions(r['cooperation_nok'])} i samarbeidet",
                f"{r['member_name']} {millions(r['stand_alone_nok'])} alone and {millions(r['cooperation_nok'])} in the cooperation")
             for r in result.member_rows()]
    return tr("Kostnad per kommune per år: ", "Cost per member per year: ") + "; ".join(parts) + "."


def actual_spending_rows(result: ScenarioResult) -> list[dict[str, Any]]:
    """Imported actual spending per member and KOSTRA function beside the modelled costs."""
    return [
        {
            tr("Kommune", "Municipality"): f'{r["member"]} {r["member_name"]}',
            tr("KOSTRA-funksjon", "KOSTRA function"): r["kostra_functions"],
            tr("År", "Year"): r["year"],
            tr("Faktisk i dag (SSB)", "Actual today (SSB)"): format_nok(r["actual_nok"]),
            tr("Modell: alene", "Model: alone"): format_nok(r["stand_alone_nok"]),
            tr("I samarbeidet", "In the cooperation"): format_nok(r["cooperation_nok"]),
            tr("Besparelse mot i dag", "Saving against today"):
                format_nok(r["saving_vs_actual_nok"]) if r["saving_vs_actual_nok"] is not None
                else tr("– (ikke alle tjenestene i funksjonen er med)", "– (not every service of the function is included)"),
        }
        for r in result.actual_spending_rows()
    ]


def settlement_rows(statement: Statement) -> list[dict[str, Any]]:
    """One row per method (after a row with the stand-alone costs): each member's total share."""
    result = statement.result
    method_col, core_col = tr("Modell", "Method"), tr("I kjernen?", "In the core?")
    rows = [{method_col: tr("Alene (til sammenligning)", "Alone (for reference)"),
             **{member_label(result.scenario, m): format_nok(result.stand_alone(m)) for m in result.members},
             core_col: ""}]
    for method, outcome in statement.outcomes.items():
        chosen = method == result.scenario.settlement_method
        row: dict[str, Any] = {method_col: method_label(method) + (tr(" (valgt)", " (chosen)") if chosen else "")}
        row.update({member_label(result.scenario, m): format_nok(outcome.total(m)) for m in result.members})
        row[core_col] = tr("ja", "yes") if outcome.in_core else "⚠ " + tr("nei", "no")
        rows.append(row)
    return rows


def core_warnings(statement: Statement) -> list[str]:
    """One sentence per method outside the core, naming the group that would do better alone."""
    s = statement.result.scenario
    warnings = []
    for method, outcome in statement.outcomes.items():
        if outcome.in_core:
            continue
        worst = outcome.violations[0]
        names = join_names([s.name(m) for m in sorted(worst.coalition)])
        warnings.append(tr(
            f"{method_label(method)}: {names} ville samlet betalt {format_nok(worst.excess)} mindre "
            f"per år ved å samarbeide bare seg imellom.",
            f"{method_label(method)}: {names} would together pay {format_nok(worst.excess)} less "
            f"per year by cooperating only among themselves.",
        ))
    return warnings


def join_names(names: list[str]) -> str:
    """``Nordkapp, Porsanger og Lebesby`` (``and`` in English)."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + tr(" og ", " and ") + names[-1]


def projector_pages(rows: list[dict[str, Any]], per_page: int | None = None) -> list[list[dict[str, Any]]]:
    """A table cut for large text: turned on its side when it has more columns than rows, then split
    into tables of the first column and at most ``per_page`` others (default ``PROJECTOR_COLUMNS``,
    one fewer when a cell holds a long text), so nothing scrolls or is cut."""
    if not rows:
        return []
    first, *values = list(rows[0])
    if per_page is None:
        long_text = any(len(str(row[c])) > LONG_CELL for row in rows for c in values)
        per_page = PROJECTOR_COLUMNS - 1 if long_text else PROJECTOR_COLUMNS
    if len(values) > per_page and len(values) > len(rows):
        turned = [{" ": column} for column in values]
        for row in rows:
            name = str(row[first])
            for out, column in zip(turned, values):
                out[name] = row[column]
        rows, (first, *values) = turned, [" ", *(str(r[first]) for r in rows)]
    return [[{first: row[first], **{c: row[c] for c in values[i:i + per_page]}} for row in rows]
            for i in range(0, max(len(values), 1), per_page)]


def signed_nok(delta: float) -> str:
    """An amount of change with its sign: ``+63 053 kr``, ``−63 053 kr``, ``0 kr``."""
    rounded = round(delta)
    return ("+" if rounded > 0 else "") + format_nok(rounded)


VERBS = {"pays": ("betaler", "pays"), "costs": ("koster", "costs"), "saves": ("sparer", "saves")}


def change_words(delta: float, verb: str = "pays") -> str:
    """A change in words: ``betaler 63 053 kr mindre``; ``uendret`` when it rounds to zero."""
    rounded = round(delta)
    if rounded == 0:
        return tr("uendret", "unchanged")
    nb, en = VERBS[verb]
    amount = format_nok(abs(rounded))
    return tr(f"{nb} {amount} {'mer' if rounded > 0 else 'mindre'}", f"{en} {amount} {'more' if rounded > 0 else 'less'}")


def change_cell(delta: float, verb: str = "pays") -> str:
    """A change for a table cell: sign and words, ``−63 053 kr (betaler mindre)``."""
    rounded = round(delta)
    if rounded == 0:
        return tr("0\u00a0kr (uendret)", "0\u00a0kr (unchanged)")
    nb, en = VERBS[verb]
    return signed_nok(rounded) + " (" + tr(f"{nb} {'mer' if rounded > 0 else 'mindre'}",
                                           f"{en} {'more' if rounded > 0 else 'less'}") + ")"


def input_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """Every service parameter in use, with its status; estimates carry ``ESTIMATE_MARK``."""
    status_label = {
        "sourced": tr("kildebelagt", "sourced"),
        "estimate": tr("anslag", "estimate"),
        "scenario": tr("satt i scenarioet", "set in the scenario"),
        "imported": tr("importert fra SSB", "imported from SSB"),
        "calibrated": tr("kalibrert fra SSB", "calibrated from SSB"),
    }
    rows = []
    for spec in scenario.services:
        for name, p in spec.service.params.items():
            value = format_nok(p.value) if name in ("cost_per_fte", "fixed_cost") else format_number(p.value)
            rows.append({
                tr("Tjeneste", "Service"): spec.service.name(language()),
                tr("Parameter", "Parameter"): label(PARAM_LABELS[name]),
                tr("Verdi", "Value"): value + (f" {ESTIMATE_MARK}" if p.is_estimate else ""),
                tr("Status", "Status"): status_label.get(p.status, p.status),
                tr("Grunnlag", "Basis"): basis_text(f"services.{spec.id}.{name}", p.basis),
            })
    return rows


@dataclass(frozen=True)
class Comparison:
    """Result A (kept) against result B (current)."""

    totals: list[dict[str, Any]]
    hosts: list[dict[str, Any]]
    shares: list[dict[str, Any]]
    moved: int
    changed_shares: int
    saving: SavingSplit


def compare(a: Statement, b: Statement, *, tolerance_nok: float = 1.0) -> Comparison:
    """Totals, hosts per service and member and each member's share (chosen method) in A and B."""
    ra, rb = a.result, b.result
    col_a, col_b, col_diff = "A", "B", tr("Endring", "Change")
    totals = [
        {tr("Størrelse", "Figure"): name, col_a: format_nok(va), col_b: format_nok(vb),
         col_diff: change_cell(round(vb) - round(va), verb)}
        for name, va, vb, verb in (
            (tr("Samlet kostnad per år", "Total cost per year"), ra.total_cost, rb.total_cost, "costs"),
            (tr("Besparelse mot robust alene", "Saving against robust alone"),
             ra.total_stand_alone - ra.total_cost, rb.total_stand_alone - rb.total_cost, "saves"),
            (tr("Rettferdighetens pris", "Price of fairness"), ra.price_of_fairness, rb.price_of_fairness, "costs"),
        )
    ]
    services = list(dict.fromkeys([*ra.model.costs, *rb.model.costs]))
    members = list(dict.fromkeys([*ra.members, *rb.members]))
    hosts, moved = [], 0
    for service in services:
        for m in members:
            ha, hb = _host_of(ra, service, m), _host_of(rb, service, m)
            if ha is None and hb is None:
                continue
            changed = ha != hb
            moved += changed and ha is not None and hb is not None
            scenario = rb.scenario if service in rb.model.costs else ra.scenario
            hosts.append({
                tr("Tjeneste", "Service"): service_label(scenario, service),
                tr("Kommune", "Municipality"): member_label(rb.scenario if m in rb.members else ra.scenario, m),
                col_a: ha or "–",
                col_b: hb or "–",
                tr("Flyttet", "Moved"): "" if not changed else "◆ " + (
                    tr("ja", "yes") if ha is not None and hb is not None else tr("ny / ute", "joined / left")),
            })
    shares, changed_shares = [], 0
    for m in members:
        sa = a.chosen.total(m) if m in ra.members else None
        sb = b.chosen.total(m) if m in rb.members else None
        changed = sa is None or sb is None or abs(sb - sa) > tolerance_nok
        changed_shares += changed
        shares.append({
            tr("Kommune", "Municipality"): member_label(rb.scenario if m in rb.members else ra.scenario, m),
            col_a: "–" if sa is None else format_nok(sa),
            col_b: "–" if sb is None else format_nok(sb),
            col_diff: change_cell(round(sb) - round(sa)) if sa is not None and sb is not None
            else tr("ny / ute", "joined / left"),
        })
    return Comparison(totals, hosts, shares, moved, changed_shares, split_saving(a, b))


@dataclass(frozen=True)
class SavingSplit:
    """Who gains from A to B: members in both (their shares A − B), newcomers (alone − share in B)."""

    staying: dict[str, float]
    newcomers: dict[str, float]
    sentence: str


def split_saving(a: Statement, b: Statement) -> SavingSplit:
    """The change from A to B split between the members in both and the members who joined in B.

    A member in both gains what its share falls by (chosen method); a newcomer gains what it saves
    against running every service alone.
    """
    ra, rb = a.result, b.result
    staying = {m: a.chosen.total(m) - b.chosen.total(m) for m in rb.members if m in ra.members}
    newcomers = {m: rb.stand_alone(m) - b.chosen.total(m) for m in rb.members if m not in ra.members}
    names = rb.scenario.name
    together = sum(staying.values())
    each = ", ".join(f"{names(m)} {change_words(-v)}" for m, v in staying.items())
    parts = [tr(f"Medlemmene som er med i både A og B, betaler til sammen {_amount_words(-together)} i B "
                f"({each}).",
                f"The members in both A and B together pay {_amount_words(-together)} in B ({each}).")]
    for m, gain in newcomers.items():
        parts.append(tr(f"{names(m)} er ny i B og sparer {format_nok(gain)} mot å stå alene." if gain >= 0 else
                        f"{names(m)} er ny i B og betaler {format_nok(-gain)} mer enn alene.",
                        f"{names(m)} is new in B and saves {format_nok(gain)} against going alone." if gain >= 0 else
                        f"{names(m)} is new in B and pays {format_nok(-gain)} more than alone."))
    for m in (m for m in ra.members if m not in rb.members):
        saved = ra.stand_alone(m) - a.chosen.total(m)
        parts.append(tr(f"{ra.scenario.name(m)} er ikke med i B (i A sparte {ra.scenario.name(m)} "
                        f"{format_nok(saved)} mot å stå alene).",
                        f"{ra.scenario.name(m)} is not in B (in A it saved {format_nok(saved)} against going alone)."))
    return SavingSplit(staying, newcomers, " ".join(parts))


def _amount_words(delta: float) -> str:
    """``63 053 kr mindre`` / ``63 053 kr mer`` / ``det samme``."""
    rounded = round(delta)
    if rounded == 0:
        return tr("det samme", "the same")
    return format_nok(abs(rounded)) + " " + (tr("mer", "more") if rounded > 0 else tr("mindre", "less"))


def _host_of(result: ScenarioResult, service: str, member: str) -> str | None:
    if service not in result.model.costs or member not in result.members:
        return None
    host = result.plan.unit_for(service, member).host
    return f"{host} {result.scenario.name(host)}"


def member_role(result: ScenarioResult, service: str, member: str) -> str:
    """``host``, ``served`` (from another member) or ``alone`` for a member in a service of the plan."""
    unit = result.plan.unit_for(service, member)
    return "alone" if not unit.shared else "host" if unit.host == member else "served"


def map_roles(result: ScenarioResult) -> list[dict[str, Any]]:
    """Per service, every municipality near the members (``geo.near``): its role there (host, served, alone, or
    outside for non-members) in words, whether it is a member, and a label that says the role too:
    "Porsanger (vert)", "Gamvik (alene)"; served members and non-members by name (told apart by fill
    and text colour). ``number`` joins the row to its outline (``outline_features``)."""
    s = result.scenario
    words = geo.role_names()
    rows = []
    for service in result.model.costs:
        name = service_label(s, service)
        for number in geo.near(result.members):
            outline = geo.outlines()[number]
            role = member_role(result, service, number) if number in result.members else "outside"
            label = f"{outline.short} ({words[role]})" if role in ("host", "alone") else outline.short
            rows.append({"service": name, "number": number, "name": outline.short, "role": words[role],
                         "label": label, "member": role != "outside",
                         "label_lon": outline.label_lon, "label_lat": outline.label_lat})
    return rows


def outline_features() -> list[dict[str, Any]]:
    """Every outline as a row to look up by ``number``: ``type`` and ``geometry`` of a GeoJSON feature."""
    return [{"number": n, "type": "Feature", "geometry": o.geometry} for n, o in geo.outlines().items()]


def map_text(result: ScenarioResult) -> str:
    """The maps in words (their text alternative): per service, who hosts and whom it serves."""
    s = result.scenario
    parts = []
    for service in result.model.costs:
        units = [u for u in result.plan.units if u.service == service]
        shared = [u for u in units if u.shared]
        alone = [u.host for u in units if not u.shared]
        bits = [tr(f"{s.name(u.host)} er vert for {join_names([s.name(m) for m in u.members if m != u.host])}",
                   f"{s.name(u.host)} hosts {join_names([s.name(m) for m in u.members if m != u.host])}")
                for u in shared]
        if alone:
            bits.append(tr(f"{join_names([s.name(m) for m in alone])} driver alene",
                           f"{join_names([s.name(m) for m in alone])} run it alone"))
        parts.append(f"{service_label(s, service)}: " + "; ".join(bits) + ".")
    return tr("Kart over vertskommuner per tjeneste. ", "Map of host municipalities per service. ") + " ".join(parts)


def newcomer_figures(change: MembershipChange) -> dict[str, str]:
    """A newcomer's marginal cost to the group and its stand-alone cost."""
    return {
        tr("Merkostnad for gruppen", "Marginal cost to the group"): format_nok(change.marginal_cost),
        tr("Kostnad alene", "Cost alone"): format_nok(change.stand_alone),
    }


def entry_price_text(change: MembershipChange) -> str:
    """The fair entry price range in a sentence (or why there is none)."""
    name = change.after.result.scenario.name(change.municipality)
    span = change.entry_price_range
    if span is None:
        return tr(f"Ingen rimelig inngangspris: at {name} blir med, koster gruppen mer enn {name} sparer.",
                  f"No fair entry price: {name} joining costs the group more than {name} saves.")
    return tr(f"Rimelig inngangspris for {name}: fra {format_nok(span[0])} (ingen andre taper) "
              f"til {format_nok(span[1])} (det {name} betaler alene) per år.",
              f"Fair entry price for {name}: from {format_nok(span[0])} (nobody else loses) "
              f"to {format_nok(span[1])} (what {name} pays alone) per year.")


def newcomer_rows(change: MembershipChange) -> list[dict[str, Any]]:
    """Each member's share under the scenario's settlement method, before and after joining."""
    method = change.after.result.scenario.settlement_method
    return [
        {
            tr("Kommune", "Municipality"): f'{r["member"]} {r["member_name"]}',
            tr("Før", "Before"): "–" if r["before_nok"] is None else format_nok(r["before_nok"]),
            tr("Etter", "After"): "–" if r["after_nok"] is None else format_nok(r["after_nok"]),
            tr("Endring", "Change"): "–" if r["change_nok"] is None else change_cell(r["change_nok"]),
        }
        for r in change.share_rows() if r["method"] == method
    ]


def newcomer_text(change: MembershipChange) -> str:
    """What the members gain together and each when a newcomer joins (chosen method), and whether
    the newcomer's share lies inside the fair entry price range."""
    after = change.after.result
    name = after.scenario.name
    newcomer = change.municipality
    method = after.scenario.settlement_method
    staying = [r for r in change.share_rows() if r["method"] == method and r["member"] != newcomer
               and r["change_nok"] is not None]
    together = -sum(r["change_nok"] for r in staying)
    each = ", ".join(f"{name(r['member'])} {change_words(r['change_nok'])}" for r in staying)
    gain = tr(f"Når {name(newcomer)} blir med, sparer dagens medlemmer {format_nok(together)} til sammen per år"
              if round(together) >= 0 else
              f"Når {name(newcomer)} blir med, betaler dagens medlemmer {format_nok(-together)} mer til sammen per år",
              f"When {name(newcomer)} joins, the present members save {format_nok(together)} together per year"
              if round(together) >= 0 else
              f"When {name(newcomer)} joins, the present members pay {format_nok(-together)} more together per year")
    share = change.after.chosen.total(newcomer)
    span = change.entry_price_range
    if span is None:
        where = tr(f"Det finnes ikke noe rimelig spenn for andelen til {name(newcomer)}.",
                   f"There is no fair range for the share of {name(newcomer)}.")
    else:
        inside = span[0] - 1 <= share <= span[1] + 1
        where = tr(f"Andelen til {name(newcomer)}, {format_nok(share)}, ligger "
                   f"{'innenfor' if inside else 'utenfor'} det rimelige spennet "
                   f"({format_nok(span[0])} til {format_nok(span[1])}).",
                   f"The share of {name(newcomer)}, {format_nok(share)}, lies "
                   f"{'inside' if inside else 'outside'} the fair range ({format_nok(span[0])} to {format_nok(span[1])}).")
    return f"{gain} ({each}). {where}"

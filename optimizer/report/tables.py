"""The tables every report format shares (deck, workbook, HTML statement); the app can show them too.

Each function returns a ``Table``: typed columns with labels in the current language
(``optimizer.i18n``) and rows of real numbers, not text; each format decides how to write them
(``cell_text`` for slides and HTML, number formats in Excel). Every number comes from
``ScenarioResult`` / ``Statement`` or from ``optimizer.report.flows``. Columns whose values rest on
estimated inputs carry ``ESTIMATE_MARK`` in their label, explained by ``estimate_note``.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import numpy as np

from optimizer import __version__, settlement
from optimizer.decisions.jobs import job_rows, member_jobs
from optimizer.decisions.priorities import Priorities, priorities, step_note
from optimizer.decisions.why_host import why_host
from optimizer.economics.agreement import build_agreement
from optimizer.economics.payments import payment_rows
from optimizer.engine.tables import subset_sums
from optimizer.i18n import format_nok, format_number, format_percent, set_language, tr
from optimizer.pipeline import scenario_travel
from optimizer.result import provenance
from optimizer.scenario import Scenario
from optimizer.statement import Statement
from optimizer.report import people
from optimizer.report.flows import settlement_flows, settlement_positions
from optimizer.report.provenance import data_versions, inputs_hash, solver_text
from optimizer.labels import basis_text, glossary, key_label
from optimizer.report.summary import summary_sentences
from optimizer.titles import value_text
from optimizer.views import (
    ESTIMATE_MARK, change_cell, PARAM_LABELS, label, member_label, method_label, service_label,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    """``kind``: text, nok, nok_change (a change in NOK: shown with its sign and a word), fte, percent
    (0-100), integer, minutes, km, number, count (people, already suppressed: a whole number or
    ``<5``/``:``) or flag (bool)."""

    key: str
    label: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """A titled table: ``key`` is stable (``"hosts"``), ``title`` is in the current language."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None = None
    note: str = ""
    widths: Mapping[str, int] = field(default_factory=dict)  # preferred width in characters, if any


def in_language(language: str, build: Callable[..., T], *args: Any) -> T:
    """``build(*args)`` with text in ``language``, leaving the caller's language as it was."""

    def call() -> T:
        set_language(language)
        return build(*args)

    return contextvars.copy_context().run(call)


def cell_text(value: Any, kind: str) -> str:
    """A cell as Norwegians write it (``1 234 567 kr``, ``8,5``, ``12,3 %``); text stays text."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if kind == "flag":
        return tr("ja", "yes") if value else tr("nei", "no")
    if kind == "nok":
        return format_nok(value)
    if kind == "nok_change":
        return change_cell(value)
    if kind == "percent":
        return format_percent(value)
    if kind in ("integer", "count", "minutes"):
        return format_nok(value, unit=False)
    if kind == "km":
        return format_number(round(value, 1))
    return format_number(value)


def has_estimates(scenario: Scenario) -> bool:
    """Whether any input of ``scenario`` is an estimate (its amounts then carry ``ESTIMATE_MARK``)."""
    return bool(scenario.estimates())


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def report_date(day: date) -> str:
    """``27.11.2026`` in bokmål, ``27 November 2026`` in English."""
    return tr(day.strftime("%d.%m.%Y"), f"{day.day} {MONTHS[day.month - 1]} {day.year}")


def distinct_labels(statements: Sequence[Statement], labels: Sequence[str] | None = None) -> list[str]:
    """One display label per statement, all different: ``labels`` if given (blank ones replaced by the
    scenario id), else the scenario ids; a label that repeats gets `` (1)``, `` (2)``, … in order."""
    ids = [st.result.scenario.id for st in statements]
    if labels is None:
        labels = ids
    if len(labels) != len(statements):
        raise ValueError(f"{len(labels)} labels for {len(statements)} scenarios")
    names = [str(name).strip() or sid for name, sid in zip(labels, ids)]
    counts = Counter(names)
    taken = {name for name in names if counts[name] == 1}
    numbers: Counter[str] = Counter()
    out = []
    for name in names:
        if counts[name] > 1:
            numbers[name] += 1
            while f"{name} ({numbers[name]})" in taken:
                numbers[name] += 1
            name = f"{name} ({numbers[name]})"
            taken.add(name)
        out.append(name)
    return out


def estimate_note(scenario: Scenario) -> str:
    """The footnote for ``ESTIMATE_MARK``; empty when no input is an estimate."""
    n = len(scenario.estimates())
    if not n:
        return ""
    return tr(f"{ESTIMATE_MARK} Estimat: bygger på {n} anslåtte inndata (ikke kildebelagte tall), se Inndata.",
              f"{ESTIMATE_MARK} Estimate: rests on {n} estimated inputs (not sourced figures), see Inputs.")


def _nok(key: str, nb: str, en: str, scenario: Scenario, kind: str = "nok") -> Column:
    mark = f" {ESTIMATE_MARK}" if has_estimates(scenario) else ""
    return Column(key, tr(nb, en) + mark, kind)


def _cost_key(nb: str, en: str) -> tuple[str, str]:
    """A label for an amount under the cost key (the plan's own split), not the settlement method."""
    return f"{nb} (kostnadsnøkkel)", f"{en} (cost key)"


def _member() -> Column:
    return Column("member", tr("Kommune", "Municipality"))


def _sum_row(rows: Sequence[Mapping[str, Any]], first: str, keys: Sequence[str]) -> dict[str, Any]:
    return {first: tr("Sum", "Total"), **{k: sum(r[k] for r in rows) for k in keys}}


# --- the plan ----------------------------------------------------------------------------------

def hosts_table(statement: Statement) -> Table:
    """One row per unit of the adopted plan: service, host, members served, FTE, cost by component."""
    result = statement.result
    s = result.scenario
    rows = [
        {
            "service": service_label(s, r["service"]),
            "host": member_label(s, r["host"]),
            "served": r["served_names"],
            "n_served": r["n_served"],
            "fte": r["fte"],
            "fixed_nok": r["fixed_nok"],
            "staffing_nok": r["staffing_nok"],
            "travel_nok": r["travel_nok"],
            "total_nok": r["total_nok"],
        }
        for r in result.unit_rows()
    ]
    columns = (
        Column("service", tr("Tjeneste", "Service")),
        Column("host", tr("Vert", "Host")),
        Column("served", tr("Betjener", "Serves")),
        Column("n_served", tr("Antall kommuner", "Members served"), "integer"),
        Column("fte", tr("Årsverk", "FTE"), "fte"),
        _nok("fixed_nok", "Faste kostnader", "Fixed cost", s),
        _nok("staffing_nok", "Bemanning", "Staffing", s),
        _nok("travel_nok", "Reise", "Travel", s),
        _nok("total_nok", "Kostnad per år", "Cost per year", s),
    )
    total = _sum_row(rows, "service", ("fte", "fixed_nok", "staffing_nok", "travel_nok", "total_nok"))
    return Table("hosts", tr("Verter", "Hosts"), columns, rows, total, estimate_note(s), {"served": 40})


def members_table(statement: Statement) -> Table:
    """Per member: population, alone vs in the cooperation (cost key), saving, FTE and shared units hosted."""
    result = statement.result
    s = result.scenario
    rows = [
        {
            "member": member_label(s, r["member"]),
            "population": r["population"],
            "stand_alone_nok": r["stand_alone_nok"],
            "cooperation_nok": r["cooperation_nok"],
            "saving_nok": r["saving_nok"],
            "saving_percent": r["saving_percent"],
            "fte_hosted": r["fte_hosted"],
            "shared_units_hosted": r["shared_units_hosted"],
        }
        for r in result.member_rows()
    ]
    columns = (
        _member(),
        Column("population", tr("Innbyggere", "Population"), "integer"),
        _nok("stand_alone_nok", "Alene", "Alone", s),
        _nok("cooperation_nok", *_cost_key("I samarbeidet", "In the cooperation"), s),
        _nok("saving_nok", *_cost_key("Besparelse mot robust alene", "Saving against robust alone"), s),
        Column("saving_percent", label(_cost_key("Besparelse mot robust alene %", "Saving against robust alone %")), "percent"),
        Column("fte_hosted", tr("Årsverk hos seg", "FTE hosted"), "fte"),
        Column("shared_units_hosted", tr("Felles enheter hos seg", "Shared units hosted"), "integer"),
    )
    total = _sum_row(rows, "member", ("population", "stand_alone_nok", "cooperation_nok", "saving_nok",
                                      "fte_hosted", "shared_units_hosted"))
    total["saving_percent"] = 100.0 * total["saving_nok"] / total["stand_alone_nok"]
    return Table("members", tr("Per kommune", "Per member"), columns, rows, total, estimate_note(s))


def costs_table(statement: Statement) -> Table:
    """Member x service x component (fixed, staffing, travel): alone vs in the cooperation, saving."""
    result = statement.result
    s = result.scenario
    names = {"fixed": tr("faste", "fixed"), "staffing": tr("bemanning", "staffing"), "travel": tr("reise", "travel")}
    rows = [
        {
            "member": member_label(s, r["member"]),
            "service": service_label(s, r["service"]),
            "host": member_label(s, r["host"]),
            "component": names[r["component"]],
            "stand_alone_nok": r["stand_alone_nok"],
            "cooperation_nok": r["cooperation_nok"],
            "saving_nok": r["saving_nok"],
        }
        for r in result.cost_rows()
    ]
    columns = (
        _member(),
        Column("service", tr("Tjeneste", "Service")),
        Column("host", tr("Vert", "Host")),
        Column("component", tr("Kostnadsdel", "Component")),
        _nok("stand_alone_nok", "Alene", "Alone", s),
        _nok("cooperation_nok", *_cost_key("I samarbeidet", "In the cooperation"), s),
        _nok("saving_nok", *_cost_key("Besparelse mot robust alene", "Saving against robust alone"), s),
    )
    total = _sum_row(rows, "member", ("stand_alone_nok", "cooperation_nok", "saving_nok"))
    return Table("costs", tr("Kostnader", "Costs"), columns, rows, total, estimate_note(s))


def fairness_table(statement: Statement) -> Table:
    """What each member pays with and without the fairness rules (the price of fairness by member).

    Payments under the cost key (the plan's own split), whatever the scenario's settlement method.
    """
    result = statement.result
    s = result.scenario
    rows = [
        {
            "member": member_label(s, m),
            "without_nok": result.unconstrained.payment(m),
            "with_nok": result.plan.payment(m),
            "change_nok": result.plan.payment(m) - result.unconstrained.payment(m),
        }
        for m in result.members
    ]
    columns = (
        _member(),
        _nok("without_nok", *_cost_key("Uten rettferdighetsregler", "Without fairness rules"), s),
        _nok("with_nok", *_cost_key("Med rettferdighetsregler", "With fairness rules"), s),
        _nok("change_nok", *_cost_key("Endring", "Change"), s, "nok_change"),
    )
    total = _sum_row(rows, "member", ("without_nok", "with_nok", "change_nok"))
    return Table("fairness", tr("Rettferdighetens pris", "Price of fairness"), columns, rows, total, estimate_note(s))


# --- settlement --------------------------------------------------------------------------------

def settlement_table(statement: Statement) -> Table:
    """Method x member x service (and the member's sum): stand-alone, share, saving, in the core."""
    s = statement.result.scenario
    total_label = tr("Sum alle tjenester", "All services")
    rows = [
        {
            "method": method_label(r["method"]),
            "chosen": r["method"] == s.settlement_method,
            "member": member_label(s, r["member"]),
            "service": total_label if r["service"] == "total" else service_label(s, r["service"]),
            "stand_alone_nok": r["stand_alone_nok"],
            "share_nok": r["share_nok"],
            "saving_nok": r["saving_nok"],
            "saving_percent": r["saving_percent"],
            "in_core": r["method_in_core"],
        }
        for r in statement.rows()
    ]
    columns = (
        Column("method", tr("Modell", "Method")),
        Column("chosen", tr("Valgt", "Chosen"), "flag"),
        _member(),
        Column("service", tr("Tjeneste", "Service")),
        _nok("stand_alone_nok", "Alene", "Alone", s),
        _nok("share_nok", "Andel", "Share", s),
        _nok("saving_nok", "Besparelse mot robust alene", "Saving against robust alone", s),
        Column("saving_percent", tr("Besparelse mot robust alene %", "Saving against robust alone %"), "percent"),
        Column("in_core", tr("Modellen i kjernen", "Method in the core"), "flag"),
    )
    return Table("settlement", tr("Fordeling", "Settlement"), columns, rows, None, estimate_note(s), {"method": 34})


def settlement_summary_table(statement: Statement) -> Table:
    """One row per method (after the stand-alone costs): each member's total share, in the core."""
    result = statement.result
    s = result.scenario
    keys = {m: f"m{m}" for m in result.members}
    rows = [{"method": tr("Alene (til sammenligning)", "Alone (for reference)"),
             **{keys[m]: result.stand_alone(m) for m in result.members}, "in_core": None}]
    for method, outcome in statement.outcomes.items():
        chosen = tr(" (valgt)", " (chosen)") if method == s.settlement_method else ""
        rows.append({"method": method_label(method) + chosen,
                     **{keys[m]: outcome.total(m) for m in result.members},
                     "in_core": outcome.in_core})
    columns = (Column("method", tr("Modell", "Method")),
               *(_nok(keys[m], s.name(m), s.name(m), s) for m in result.members),
               Column("in_core", tr("I kjernen?", "In the core?"), "flag"))
    return Table("settlement_summary", tr("Fordelingsmodeller", "Settlement methods"), columns, rows, None,
                 estimate_note(s))


COALITION_ROWS = 200  # above this many coalitions, show the blocking ones and those nearest to blocking


def coalitions_table(statement: Statement) -> Table:
    """Coalitions S: cost c(S) and what the chosen method charges its members (core check).

    Every coalition while there are at most ``COALITION_ROWS``; beyond that (11 members and more)
    the blocking ones, largest overcharge first, then those nearest to blocking, and the note says
    how many there are in all.
    """
    result = statement.result
    s = result.scenario
    shares = {m: statement.chosen.total(m) for m in result.members}
    game = statement.game.total
    charged = subset_sums(np.array([shares[m] for m in game.players]))
    excess = charged - game.cost
    masks = np.arange(1, len(game.cost))
    if len(masks) > COALITION_ROWS:
        masks = masks[np.argsort(-excess[masks], kind="stable")][:COALITION_ROWS]
    else:
        masks = np.array(sorted(masks, key=lambda m: (bin(m).count("1"), sorted(_members_of(game, m)))))
    alone = {m: result.stand_alone(m) for m in result.members}
    rows = []
    for mask in masks:
        coalition = _members_of(game, int(mask))
        rows.append({
            "coalition": ", ".join(s.name(m) for m in sorted(coalition)),
            "size": len(coalition),
            "cost_nok": float(game.cost[mask]),
            "stand_alone_nok": sum(alone[m] for m in coalition),
            "charged_nok": float(charged[mask]),
            "excess_nok": float(excess[mask]),
            "blocks": float(excess[mask]) > settlement.CORE_TOLERANCE_NOK,
        })
    columns = (
        Column("coalition", tr("Koalisjon", "Coalition")),
        Column("size", tr("Antall", "Size"), "integer"),
        _nok("cost_nok", "Kostnad c(S)", "Cost c(S)", s),
        _nok("stand_alone_nok", "Sum alene", "Sum alone", s),
        _nok("charged_nok", "Andel etter valgt modell", "Share under the chosen method", s),
        _nok("excess_nok", "Overbelastet med", "Overcharged by", s),
        Column("blocks", tr("Bedre alene", "Better off alone"), "flag"),
    )
    note = tr(f"Valgt modell: {method_label(s.settlement_method)}. c(N) er den vedtatte planens kostnad.",
              f"Chosen method: {method_label(s.settlement_method)}. c(N) is the adopted plan's cost.")
    if len(game) > len(rows):
        note += tr(f" Viser {len(rows)} av {len(game)} koalisjoner: de som ville betalt mindre alene, og de nærmest det.",
                   f" Showing {len(rows)} of {len(game)} coalitions: those better off alone, then those nearest to it.")
    return Table("coalitions", tr("Koalisjoner", "Coalitions"), columns, rows, None, note, {"coalition": 40})


def _members_of(game: settlement.VectorGame, mask: int) -> list[str]:
    return [p for k, p in enumerate(game.players) if mask >> k & 1]


def flows_table(statement: Statement) -> Table:
    """Per member: what it pays to each host, what it receives as host (chosen method), and its net.

    Amounts are signed (+ received, − paid), so each member's rows add up to its net position, which
    follows them in a row marked ``subtotal``.
    """
    s = statement.result.scenario
    flows = settlement_flows(statement)
    rows: list[dict[str, Any]] = []
    for m in statement.result.members:
        mine = []
        for f in flows:
            if m not in (f.payer, f.payee):
                continue
            paying = f.payer == m
            service = service_label(s, f.service)
            mine.append({
                "member": member_label(s, m),
                "direction": tr("betaler til", "pays") if paying else tr("mottar fra", "receives from"),
                "counterpart": member_label(s, f.payee if paying else f.payer),
                "service": service + (tr(" (utjevning mellom verter)", " (equalisation between hosts)")
                                      if f.equalisation else ""),
                "amount_nok": -f.amount if paying else f.amount,
            })
        rows += mine
        rows.append({"member": member_label(s, m), "direction": tr("nettoposisjon", "net position"),
                     "counterpart": "", "service": "", "amount_nok": sum(r["amount_nok"] for r in mine),
                     "subtotal": True})
    columns = (
        _member(),
        Column("direction", tr("Retning", "Direction")),
        Column("counterpart", tr("Motpart", "Counterpart")),
        Column("service", tr("Tjeneste", "Service")),
        _nok("amount_nok", "Beløp per år (+ mottar, − betaler)", "Amount per year (+ receives, − pays)", s),
    )
    note = tr(f"Fordelingsmodell: {method_label(s.settlement_method)}. Nettoposisjon = mottatt − betalt.",
              f"Settlement method: {method_label(s.settlement_method)}. Net position = received − paid.")
    return Table("flows", tr("Oppgjør", "Statement"), columns, rows, None, note, {"service": 44})


def positions_table(statement: Statement) -> Table:
    """Per member: its share, the cost of the units it hosts, paid, received and net position."""
    s = statement.result.scenario
    rows = [
        {
            "member": member_label(s, p.member),
            "share_nok": p.share,
            "hosted_nok": p.hosted_cost,
            "paid_nok": p.paid,
            "received_nok": p.received,
            "net_nok": p.net,
        }
        for p in settlement_positions(statement)
    ]
    columns = (
        _member(),
        _nok("share_nok", "Egen andel (valgt fordelingsmodell)", "Own share (chosen settlement method)", s),
        _nok("hosted_nok", "Kostnad for enheter kommunen er vert for", "Cost of units it hosts", s),
        _nok("paid_nok", "Betaler til verter", "Pays to hosts", s),
        _nok("received_nok", "Mottar som vert", "Receives as host", s),
        _nok("net_nok", "Nettoposisjon (+ mottar)", "Net position (+ receives)", s),
    )
    total = _sum_row(rows, "member", ("share_nok", "hosted_nok", "paid_nok", "received_nok", "net_nok"))
    note = tr("Nettoposisjon = mottatt − betalt = kostnad for egne vertsenheter − egen andel; summen er null.",
              "Net position = received − paid = cost of the units it hosts − own share; the sum is zero.")
    return Table("positions", tr("Nettoposisjon", "Net positions"), columns, rows, total, note)


# --- inputs and provenance ---------------------------------------------------------------------

CASE_LABELS = {
    "child_welfare": ("Barn med tiltak per år (forventet)", "Children with measures per year (expected)"),
    "child_welfare_on_call": ("Utrykninger per år (forventet)", "Call-outs per year (expected)"),
}


def caseload_table(statement: Statement) -> Table:
    """Expected yearly child-welfare cases per member, suppressed by ``people`` (``<5``, ``:``)."""
    return caseload_tables([statement])[0]


def caseload_tables(statements: Sequence[Statement]) -> list[Table]:
    """``caseload_table`` for each scenario of one report, suppressed alike (``people.suppress_columns``)."""
    cases = [people.expected_cases(st.result.scenario) for st in statements]
    services = dict.fromkeys(sid for c in cases for sid in c)
    suppressed: list[dict[str, tuple[dict[str, people.Cell], people.Cell]]] = [{} for _ in statements]
    for service in services:
        having = [i for i, c in enumerate(cases) if service in c]
        for i, found in zip(having, people.suppress_columns([cases[i][service] for i in having])):
            suppressed[i][service] = found
    return [_caseload(st, found) for st, found in zip(statements, suppressed)]


def _caseload(statement: Statement, suppressed: Mapping[str, tuple[Mapping[str, people.Cell], people.Cell]]) -> Table:
    """The caseload table of ``statement`` from its suppressed cells and totals per service."""
    s = statement.result.scenario
    members = list(statement.result.members)
    rows = [{"member": member_label(s, m), "population": s.population(m)} for m in members]
    total: dict[str, Any] = {"member": tr("Sum", "Total"), "population": sum(s.population(m) for m in members)}
    columns = [_member(), Column("population", tr("Innbyggere", "Population"), "integer")]
    for service, (cells, column_total) in suppressed.items():
        for row, m in zip(rows, members):
            row[service] = cells[m]
        total[service] = column_total
        columns.append(Column(service, label(CASE_LABELS.get(service, ("Saker per år (forventet)",
                                                                       "Cases per year (expected)"))), "count"))
    note = tr(f"Forventet antall = sats per 1000 innbyggere × innbyggere. Tall under {people.THRESHOLD} vises som "
              f"<{people.THRESHOLD}; «{people.SECONDARY}» er skjult for at de små tallene ikke skal kunne regnes ut "
              "fra summen (likt i alle scenarioene i rapporten).",
              f"Expected number = rate per 1000 inhabitants × population. Counts below {people.THRESHOLD} are shown "
              f"as <{people.THRESHOLD}; '{people.SECONDARY}' is hidden so that the small counts cannot be worked out "
              "from the total (alike in every scenario of the report).")
    return Table("caseload", tr("Saksgrunnlag", "Caseload"), tuple(columns), rows, total, note)


def municipalities_table(statement: Statement) -> Table:
    """The members: number, name, official name (with its Sámi and Kven forms), centre, population,
    coordinates, whether a founding member."""
    s = statement.result.scenario
    rows = [
        {
            "number": m, "name": s.name(m), "official_name": s.municipalities[m].official_name,
            "centre": s.municipalities[m].centre,
            "population": s.population(m), "lat": s.municipalities[m].lat, "lon": s.municipalities[m].lon,
            "founding": m in s.founding,
        }
        for m in statement.result.members
    ]
    columns = (
        Column("number", tr("Kommunenr.", "Number")),
        Column("name", tr("Kommune", "Municipality")),
        Column("official_name", tr("Offisielt navn", "Official name")),
        Column("centre", tr("Kommunesenter", "Centre")),
        Column("population", tr("Innbyggere", "Population"), "integer"),
        Column("lat", tr("Breddegrad", "Latitude"), "number"),
        Column("lon", tr("Lengdegrad", "Longitude"), "number"),
        Column("founding", tr("Grunnleggende medlem", "Founding member"), "flag"),
    )
    return Table("municipalities", tr("Kommuner", "Municipalities"), columns, rows)


def inputs_table(statement: Statement) -> Table:
    """Every service and travel parameter in use: value, status (sourced / estimate / scenario), basis."""
    s = statement.result.scenario
    status = {"sourced": tr("kildebelagt", "sourced"), "estimate": tr("anslag", "estimate"),
              "scenario": tr("satt i scenarioet", "set in the scenario")}
    rows = []

    def add(group: str, name: str, key: str, p: Any) -> None:
        rows.append({"group": group, "parameter": name, "key": key, "value": p.value,
                     "status": status.get(p.status, p.status), "estimate": p.is_estimate,
                     "basis": basis_text(key, p.basis)})

    for spec in s.services:
        for name, p in spec.service.params.items():
            add(service_label(s, spec.id), label(PARAM_LABELS[name]), f"services.{spec.id}.{name}", p)
    t = s.travel.params
    travel = tr("Reise", "Travel")
    add(travel, tr("Timer per årsverk", "Hours per FTE"), "travel.hours_per_fte", t.hours_per_fte)
    add(travel, tr("Kilometersats (kr)", "Rate per km (NOK)"), "travel.km_rate", t.km_rate)
    add(travel, tr("Vinterforsinkelse per fjellovergang (min)", "Winter delay per mountain pass (min)"),
        "travel.winter_penalty_minutes", t.winter_penalty_minutes)
    for road, p in t.speed_kmh.items():
        add(travel, tr(f"Fart på {road}-vei (km/t)", f"Speed on {road} roads (km/h)"), f"travel.speed_kmh.{road}", p)
    for lid in s.travel.links:
        link = t.links[lid]
        add(travel, tr(f"{lid}: minutter", f"{lid}: minutes"), f"travel.links.{lid}.minutes", link.minutes)
        add(travel, tr(f"{lid}: billett (kr)", f"{lid}: fare (NOK)"), f"travel.links.{lid}.fare", link.fare)
    columns = (
        Column("group", tr("Tjeneste", "Service")),
        Column("parameter", tr("Parameter", "Parameter")),
        Column("key", tr("Nøkkel i scenariofil", "Scenario key")),
        Column("value", tr("Verdi", "Value"), "number"),
        Column("status", tr("Status", "Status")),
        Column("estimate", tr("Anslag", "Estimate"), "flag"),
        Column("basis", tr("Grunnlag og kilde", "Basis and source")),
    )
    return Table("inputs", tr("Inndata", "Inputs"), columns, rows, None, "", {"basis": 90, "key": 36})


def travel_table(statement: Statement) -> Table:
    """Fastest route between every pair of member centres: minutes, km and fares (one way)."""
    s = statement.result.scenario
    matrix = scenario_travel(s)
    rows = [
        {"from": member_label(s, a), "to": member_label(s, b), "minutes": float(matrix.minutes[i, j]),
         "km": float(matrix.km[i, j]), "fare_nok": float(matrix.fare[i, j])}
        for i, a in enumerate(matrix.members) for j, b in enumerate(matrix.members) if a != b
    ]
    columns = (
        Column("from", tr("Fra", "From")),
        Column("to", tr("Til", "To")),
        Column("minutes", tr("Minutter", "Minutes"), "minutes"),
        Column("km", "km", "km"),
        Column("fare_nok", tr("Billett", "Fare"), "nok"),
    )
    note = tr("Vinterkjøring" if s.travel.winter else "Sommerføre", "Winter driving" if s.travel.winter else "Summer")
    return Table("travel", tr("Reisetider", "Travel times"), columns, rows, None, note)


def about_table(statement: Statement, today: date) -> Table:
    """How the result was made: scenario, date, version, inputs hash, data versions, solver, method."""
    result = statement.result
    s = result.scenario
    items = [
        (tr("Scenario", "Scenario"), s.id),
        (tr("Navn", "Name"), s.title),
        (tr("Beskrivelse", "Description"), s.description),
        (tr("Scenariofil", "Scenario file"), s.source),
        (tr("Laget", "Made"), today.isoformat()),
        (tr("Vertskommune-versjon", "Vertskommune version"), __version__),
        (tr("Inndata-hash (SHA-256)", "Inputs hash (SHA-256)"), inputs_hash(s)),
        (tr("Løser, vedtatt plan", "Solver, adopted plan"), solver_text(statement)),
        (tr("Plan uten rettferdighetsregler", "Plan without fairness rules"),
         f"{result.unconstrained.solve_info.solver}: {result.unconstrained.solve_info.status}"),
        (tr("Kandidatenheter", "Candidate units"), result.model.candidate_count),
        (tr("Regler brukt", "Rules applied"), ", ".join(sorted(result.plan.rules)) or "–"),
        (tr("Fordelingsmodell", "Settlement method"), method_label(s.settlement_method)),
        (tr("Anslåtte inndata", "Estimated inputs"), len(s.estimates())),
        (tr("Prikking", "Suppression"), tr(
            f"antall personer under {people.THRESHOLD} vises som <{people.THRESHOLD} (se docs/REPORTS.md)",
            f"counts of people below {people.THRESHOLD} are shown as <{people.THRESHOLD} (see docs/REPORTS.md)")),
        *((tr(f"Datafil {name} (SHA-256)", f"Data file {name} (SHA-256)"), digest)
          for name, digest in data_versions().items()),
        *((tr(f"Kilde: {key}", f"Source: {key}"), value)
          for key, value in _provenance_items(s).items()),
    ]
    rows = [{"item": item, "value": value} for item, value in items]
    columns = (Column("item", tr("Hva", "Item")), Column("value", tr("Verdi", "Value"), "integer"))
    return Table("about", tr("Om beregningen", "About"), columns, rows, None, estimate_note(s),
                 {"item": 34, "value": 80})


def _provenance_items(s: Scenario) -> dict[str, str]:
    return {k: v for k, v in provenance(s).items() if isinstance(v, str) and k != "toolkit_version"}


def scenario_table(statement: Statement) -> Table:
    """What the scenario sets (its file, ``extends`` followed, and any edits), in words: one row per
    setting with its plain label and value; everything else is the catalogue's (sheet Inndata)."""
    s = statement.result.scenario
    rows = [{"setting": tr("Medlemmer", "Members"), "value": ", ".join(s.name(m) for m in s.members),
             "key": "members"}]
    for key, value in _flatten(s.raw):
        if key.split(".")[0] in ("name", "description", "members", "founding", "extends"):
            continue
        rows.append({"setting": key_label(key), "value": value_text(key, value), "key": key})
    columns = (Column("setting", tr("Innstilling", "Setting")), Column("value", tr("Verdi", "Value")),
               Column("key", tr("Nøkkel i scenariofil", "Scenario key")))
    note = tr("Bare det scenarioet setter; alle andre inndata er katalogens (se Inndata). Hele scenarioet slik det "
              "ble brukt står i summary.json og i notatene til lysbildenes første side.",
              "Only what the scenario sets; every other input is the catalogue's (see Inputs). The whole scenario as "
              "used is in summary.json and in the notes of the slides' first page.")
    return Table("scenario", tr("Scenarioets valg", "Scenario settings"), columns, rows, None, note,
                 {"setting": 50, "value": 40, "key": 40})


def glossary_table(statement: Statement) -> Table:
    """The glossary (the same for every scenario)."""
    rows = [{"term": t.term, "text": t.text} for t in glossary()]
    columns = (Column("term", tr("Ord", "Term")), Column("text", tr("Forklaring", "Explanation")))
    return Table("glossary", tr("Ordliste", "Glossary"), columns, rows, None, "", {"term": 24, "text": 100})


def summary_table(statement: Statement) -> Table:
    """What the group decides and gains, one sentence per row (``optimizer.report.summary``)."""
    rows = [{"text": sentence} for sentence in summary_sentences(statement)]
    columns = (Column("text", tr("Hva gruppen bestemmer og får", "What the group decides and gains")),)
    return Table("summary", tr("Sammendrag", "Summary"), columns, rows, None, "", {"text": 120})


def _flatten(document: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for key, value in document.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out += _flatten(value, full + ".")
        else:
            out.append((full, value))
    return out


# --- several scenarios -------------------------------------------------------------------------

def comparison_table(statements: Sequence[Statement], labels: Sequence[str] | None = None) -> Table:
    """Scenarios side by side: total cost, saving, price of fairness, hosts per service, each share.

    Column headings are ``distinct_labels(statements, labels)``.
    """
    keys = [f"s{i}" for i in range(len(statements))]
    rows: list[dict[str, Any]] = []

    def add(figure: str, values: Sequence[Any]) -> None:
        rows.append({"figure": figure, **dict(zip(keys, values))})

    results = [st.result for st in statements]
    add(tr("Samlet kostnad per år", "Total cost per year"), [r.total_cost for r in results])
    add(tr("Besparelse mot robust alene", "Saving against robust alone"),
        [r.total_stand_alone - r.total_cost for r in results])
    add(tr("Rettferdighetens pris", "Price of fairness"), [r.price_of_fairness for r in results])
    services = list(dict.fromkeys(sid for r in results for sid in r.model.costs))
    for sid in services:
        scenario = next(r.scenario for r in results if sid in r.model.costs)
        add(tr("Vert: ", "Host: ") + service_label(scenario, sid),
            [" / ".join(r.scenario.name(u.host) for u in r.plan.units if u.service == sid) or None for r in results])
    members = sorted({m for r in results for m in r.members})
    for m in members:
        scenario = next(r.scenario for r in results if m in r.members)
        add(tr("Andel: ", "Share: ") + scenario.name(m),
            [st.chosen.total(m) if m in st.result.members else None for st in statements])
    mark = f" {ESTIMATE_MARK}" if any(has_estimates(r.scenario) for r in results) else ""
    columns = (Column("figure", tr("Størrelse", "Figure")),
               *(Column(k, name + mark, "nok") for k, name in zip(keys, distinct_labels(statements, labels))))
    note = tr("Andel: hvert medlems andel etter scenarioets fordelingsmodell; – betyr ikke medlem.",
              "Share: each member's share under the scenario's settlement method; – means not a member.")
    return Table("comparison", tr("Sammenligning", "Comparison"), columns, rows, None, note, {"figure": 40})


def key_figures(statement: Statement) -> dict[str, float]:
    """Total cost, saving and the price of fairness (label -> NOK)."""
    r = statement.result
    return {
        tr("Samlet kostnad per år", "Total cost per year"): r.total_cost,
        tr("Besparelse mot robust alene", "Saving against robust alone"): r.total_stand_alone - r.total_cost,
        tr("Uten rettferdighetsregler", "Without fairness rules"): r.total_without_fairness,
        tr("Rettferdighetens pris", "Price of fairness"): r.price_of_fairness,
    }


# --- the agreement (optimizer.economics) -----------------------------------------------------------


def budget_table(statement: Statement) -> Table:
    """Member x year of the agreement's budget: fixed prices of the base year, measured against today."""
    agreement = build_agreement(statement, with_leave=False)
    s = statement.result.scenario
    summary = agreement.budget.member_summary()
    rows = [{**r, "member": member_label(s, r["member"]), "payback_year": summary[r["member"]]["payback_year"]}
            for r in agreement.budget.rows()]
    spec = agreement.budget.spec
    columns = (
        _member(),
        Column("year", tr("År", "Year"), "number"),
        _nok("today_nok", "I dag", "Today", s),
        _nok("running_nok", "Drift i samarbeidet", "Running in the cooperation", s),
        _nok("one_off_nok", "Engangskostnader", "One-off costs", s),
        _nok("difference_nok", "Differanse mot i dag", "Difference against today", s),
        _nok("cumulative_nok", "Akkumulert", "Cumulative", s),
        _nok("present_value_nok", "Nåverdi", "Present value", s),
        Column("payback_year", tr("Tilbakebetalt (år)", "Payback (year)"), "number"),
    )
    note = tr(f"Faste {spec.base_year}-kroner; differanse = i dag minus (drift + engangskostnader); nåverdi med "
              f"{format_percent(100 * spec.discount_rate.value)} realrente (R-109/2021). {estimate_note(s)}",
              f"Fixed {spec.base_year} NOK; difference = today minus (running + one-off costs); present value at "
              f"{format_percent(100 * spec.discount_rate.value)} real (R-109/2021). {estimate_note(s)}")
    return Table("budget", tr("Budsjett", "Budget"), columns, rows, None, note.strip())


def payments_table(statement: Statement) -> Table:
    """Payments on account: year x period x payer x unit, nominal kroner."""
    agreement = build_agreement(statement, with_leave=False)
    s = statement.result.scenario
    rows = [{**r, "payer": member_label(s, r["payer"]), "host": member_label(s, r["host"]),
             "service": service_label(s, r["service"])} for r in payment_rows(agreement.budget)]
    columns = (
        Column("year", tr("År", "Year"), "number"),
        Column("period", tr("Termin", "Instalment"), "number"),
        Column("payer", tr("Betaler", "Payer")),
        Column("host", tr("Til vertskommune", "To host")),
        Column("service", tr("Tjeneste", "Service")),
        _nok("amount_nok", "Beløp", "Amount", s),
    )
    note = tr("À konto i løpende kroner (budsjettet justert med den kommunale deflatoren); årsavregning mot "
              "vertskommunens regnskap.", "On account in nominal kroner (the budget adjusted by the municipal "
              "deflator); settled each year against the host's accounts.")
    return Table("payments", tr("À konto", "On account"), columns, rows, None, note)


# --- decisions (issue 13) ----------------------------------------------------------------------

def jobs_table(statement: Statement) -> Table:
    """Per member: FTE alone and in the cooperation, transferred in and out, no longer needed, net."""
    result = statement.result
    rows = [
        {
            "member": member_label(result.scenario, t.member),
            "alone_fte": t.alone_fte,
            "cooperation_fte": t.cooperation_fte,
            "transferred_in": t.transferred_in,
            "transferred_out": t.transferred_out,
            "no_longer_needed": t.no_longer_needed,
            "net": t.net,
        }
        for t in member_jobs(job_rows(result.model, result.plan))
    ]
    columns = (
        _member(),
        Column("alone_fte", tr("Årsverk alene", "FTE alone"), "fte"),
        Column("cooperation_fte", tr("Årsverk i samarbeidet", "FTE in the cooperation"), "fte"),
        Column("transferred_in", tr("Overføres hit", "Transferred in"), "fte"),
        Column("transferred_out", tr("Overføres herfra", "Transferred out"), "fte"),
        Column("no_longer_needed", tr("Trengs ikke lenger", "No longer needed"), "fte"),
        Column("net", tr("Netto endring", "Net change"), "fte"),
    )
    total = _sum_row(rows, "member", [c.key for c in columns[1:]])
    note = tr("Stillinger som ikke trengs, er fordelt etter årsverk alene; resten av en kommunes stillinger i en "
              "felles enhet flyttes til verten.",
              "Positions no longer needed are attributed by FTE alone; the rest of a member's positions in a "
              "shared unit move to the host.")
    return Table("jobs", tr("Arbeidsplasser", "Jobs"), columns, rows, total, note)


def priorities_table(statement: Statement, found: Priorities | None = None) -> Table:
    """Per N: the best plan cooperating on at most N services, its saving and a note where rules were lifted."""
    result = statement.result
    s = result.scenario
    found = found or priorities(result.model, result.plan)
    rows = [
        {
            "n": step.n,
            "services": ", ".join(service_label(s, x) for x in step.services),
            "saving_nok": step.saving,
            "note": step_note(result.model, step),
        }
        for step in found.steps
    ]
    columns = (
        Column("n", tr("Høyst antall tjenester", "At most services"), "integer"),
        Column("services", tr("Tjenester", "Services")),
        _nok("saving_nok", "Besparelse per år", "Saving per year", s),
        Column("note", tr("Merknad", "Note")),
    )
    return Table("priorities", tr("Hvor starter vi?", "Where do we start?"), columns, rows, None, estimate_note(s),
                 widths={"note": 60})


def why_host_lines(statement: Statement) -> list[str]:
    """One sentence per service: why its host, and what another host would cost."""
    result = statement.result
    return [e.sentence for e in why_host(result.model, result.plan)]

"""The agreement's economic annex as a Word document (python-docx), in bokmål: a draft for the councils.

Sections: the parties, the host of each service, the cost key and the settlement method with the
formula in words, the phase-in, each member's budget and payment schedule, the year-end settlement
rule, the price adjustment, the exit terms, the assumptions (estimates marked), and the items of
kommuneloven § 20-4 with what this annex fills and clearly marked placeholders for the rest. Every
amount is the library's figure (``optimizer.economics``) formatted with ``format_nok``.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.shared import Pt

from optimizer import __version__
from optimizer.economics.agreement import Agreement
from optimizer.economics.exit_terms import exit_rows
from optimizer.economics.one_off import staff_transfer_rows
from optimizer.economics.payments import instalments, on_account
from optimizer.i18n import format_nok, format_percent
from optimizer.labels import basis_text, key_label
from optimizer.report.provenance import inputs_hash, solver_text
from optimizer.report.tables import in_language

PLACEHOLDER = "[FYLLES UT AV KOMMUNENE: {}]"
STATUS = {"estimate": "anslag*", "sourced": "kildebelagt", "scenario": "satt i scenarioet"}
GUIDANCE = ("Kommunal- og distriktsdepartementet, «Veileder om interkommunalt samarbeid» (regjeringen.no, "
            "id2998121), kapittel 5 Vertskommunesamarbeid; kommuneloven (LOV-2018-06-22-83) § 20-4")
R109 = ("Finansdepartementet, rundskriv R-109/2021 «Prinsipper og krav ved utarbeidelse av samfunnsøkonomiske "
        "analyser mv.»: 4 % realrente de første 40 årene for statlige tiltak (en referanse, ikke bindende for kommuner)")
METHOD_WORDS = {
    "cost_key": "etter kostnadsnøkkelen i planen: hver enhets kostnad deles mellom kommunene den betjener etter nøkkelen",
    "per_capita": "etter innbyggertall: tjenestens kostnad fordeles i forhold til folketallet",
    "fixed_plus_per_capita": "med en fast del likt mellom kommunene og resten etter innbyggertall",
    "by_usage": "etter bruk: i forhold til den arbeidsmengden (årsverk) hver kommune trenger",
    "proportional_to_stand_alone": "i forhold til hva hver kommune ville betalt for tjenesten alene (robust alene)",
    "equal_savings": "slik at hver kommune sparer like mange kroner mot å drive tjenesten alene (robust alene)",
    "shapley": ("etter Shapley-verdien: hver kommunes gjennomsnittlige merkostnad når den slutter seg til, tatt over "
                "alle rekkefølger kommunene kan slutte seg til samarbeidet i"),
    "nucleolus": ("etter nukleolus: fordelingen der den gruppen av kommuner som tjener minst på å være med, "
                  "tjener så mye som mulig, og så videre for de neste gruppene"),
    "least_core": ("etter minste kjerne: ingen gruppe av kommuner betaler mer enn den ville betalt alene, "
                   "eller så lite mer som mulig"),
}
KEY_WORDS = {
    "fixed_plus_per_capita": "{fixed} likt mellom kommunene enheten betjener og resten etter innbyggertall",
    "per_capita": "etter innbyggertall",
    "by_usage": "etter arbeidsmengde (årsverk kommunen trenger)",
    "equal": "likt mellom kommunene enheten betjener",
}


def annex_bytes(agreement: Agreement, today: date | None = None) -> bytes:
    """The annex as .docx bytes."""
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    a, s = agreement, agreement.scenario
    budget, result = a.budget, a.statement.result
    service_name = {spec.id: spec.service.name_nb for spec in s.services}
    today = today or date.today()

    doc.add_heading("Vedlegg: økonomiske vilkår i vertskommuneavtalen", level=0)
    doc.add_paragraph(
        f"UTKAST til behandling i kommunestyrene – ikke vedtatt. Scenario: {s.title} ({s.id}). Laget {today.isoformat()} "
        f"med Vertskommune {__version__}; inndata-hash {inputs_hash(s)[:12]}. Alle beløp i budsjettet er i faste "
        f"{budget.spec.base_year}-kroner; innbetalinger og avregning er i løpende kroner. Tall merket * bygger på anslag.")
    info = result.plan.solve_info
    if info.status != "optimal":
        doc.add_paragraph(f"Planen er ikke bevist optimal (løser: {solver_text(a.statement)}); en billigere plan kan finnes.")

    doc.add_heading("1 Parter", level=1)
    hosts = {u.host for u in budget.shared_units}
    _table(doc, ["Kommunenr.", "Kommune", "Rolle"], [
        [m, s.name(m), "vertskommune og samarbeidskommune" if m in hosts else "samarbeidskommune"] for m in result.members])

    doc.add_heading("2 Vertskommune for hver tjeneste", level=1)
    _table(doc, ["Tjeneste", "Vertskommune", "Betjener", "Årsverk", "Årlig kostnad", "Oppstart"], [
        [service_name[u.service], f"{u.host} {s.name(u.host)}", ", ".join(s.name(m) for m in u.members),
         f"{u.fte:g}".replace(".", ","), format_nok(u.total), str(budget.start[u.service])] for u in budget.shared_units])
    alone = [u for u in result.plan.units if not u.shared]
    if alone:
        doc.add_paragraph("Drives av kommunen selv (ikke i samarbeidet): " + "; ".join(
            f"{service_name[u.service]} – {s.name(u.host)}" for u in alone) + ".")

    doc.add_heading("3 Kostnadsnøkkel og oppgjørsmetode", level=1)
    key = s.cost_key
    doc.add_paragraph("Kostnadsnøkkel i planen: " + KEY_WORDS[key.method].format(
        fixed=format_percent(100 * key.fixed_share, 0)) + ".")
    doc.add_paragraph(
        f"Oppgjørsmetode ({s.settlement_method}): kostnaden fordeles {METHOD_WORDS[s.settlement_method]}. "
        "Metoden fastsetter hver kommunes brøk av hver enhet i budsjettet (tabellen under); regnskapet fastsetter "
        "beløpene. Brøken er kommunens andel av tjenesten etter metoden delt på andelene til kommunene enheten betjener.")
    _table(doc, ["Tjeneste", "Vertskommune", *[s.name(m) for m in result.members]], [
        [service_name[u.service], s.name(u.host),
         *[format_percent(100 * budget.fractions[u][m], 2) if m in u.members else "–" for m in result.members]]
        for u in budget.shared_units])

    doc.add_heading("4 Besparelse og referanse", level=1)
    ref = "i dag" if s.fairness.ir_reference == "today" else "robust alene"
    doc.add_paragraph(
        "Besparelsen vises mot to referanser: «i dag» (det kommunen bruker på tjenestene nå) og «robust alene» "
        "(det kommunen ville betalt alene med et minste robuste fagmiljø). Små kommuner har samme kostnad robust "
        f"alene fordi minstebemanningen avgjør. Regelen om at ingen skal betale mer enn alene, måles mot «{ref}».")
    _table(doc, ["Kommune", "I dag", "Robust alene", "I samarbeidet", "Besparelse mot i dag",
                 "Besparelse mot robust alene"], [
        [r["member_name"], format_nok(r["today_nok"]) + ("*" if "estimate" in r["today_sources"] else ""),
         format_nok(r["robust_alone_nok"]), format_nok(r["cooperation_nok"]), format_nok(r["saving_vs_today_nok"]),
         format_nok(r["saving_vs_robust_alone_nok"])] for r in a.reference_rows()])

    doc.add_heading("5 Budsjett for hver kommune", level=1)
    doc.add_paragraph(
        f"Faste {budget.spec.base_year}-kroner. Engangskostnader (etablering, system- og IKT-migrering per kommune som "
        "slutter seg til, rekruttering per nytt årsverk hos verten, prosjektledelse) fordeles med de samme brøkene i "
        "oppstartsåret. Stillinger som ikke trengs, forsvinner ved naturlig avgang (avgangsrate "
        f"{format_percent(100 * budget.spec.turnover_rate.value, 0)} per år), ikke ved oppsigelse. Differanse = i dag "
        f"minus (drift + engangskostnader); nåverdi med {format_percent(100 * budget.spec.discount_rate.value, 1)} "
        f"realrente til året før oppstart ({R109}).")
    summary = budget.member_summary()
    rows = budget.rows()
    for m in result.members:
        doc.add_heading(f"{m} {s.name(m)}", level=2)
        _table(doc, ["År", "I dag", "Drift i samarbeidet", "Engangskostnader", "Differanse", "Akkumulert", "Nåverdi"], [
            [str(r["year"]), format_nok(r["today_nok"]), format_nok(r["running_nok"]), format_nok(r["one_off_nok"]),
             format_nok(r["difference_nok"]), format_nok(r["cumulative_nok"]), format_nok(r["present_value_nok"])]
            for r in rows if r["member"] == m])
        payback = summary[m]["payback_year"]
        doc.add_paragraph(
            f"Tilbakebetalt: {payback if payback is not None else 'ikke innen avtaleperioden'}. "
            f"Nåverdi over avtaleperioden: {format_nok(summary[m]['present_value_nok'])}.")

    doc.add_heading("6 Innbetaling à konto", level=1)
    per_year = budget.spec.payments_per_year
    period = "kvartal" if per_year == 4 else "måned"
    doc.add_paragraph(
        f"Hver samarbeidskommune betaler vertskommunen à konto hvert {period} ({per_year} like terminer i hele kroner; "
        "siste termin tar avrundingen): brøken av enhetens budsjett (drift og engangskostnader) i løpende kroner. "
        "Vertskommunens egen andel blir i egne regnskaper.")
    for m in result.members:
        lines = []
        for year in budget.spec.calendar:
            for u in budget.shared_units:
                if m in u.members and m != u.host and year >= budget.start[u.service]:
                    parts = instalments(on_account(budget, u, m, year), per_year)
                    lines.append([str(year), f"{s.name(u.host)} ({service_name[u.service]})", format_nok(parts[0]),
                                  format_nok(sum(parts))])
        if lines:
            doc.add_heading(f"{m} {s.name(m)} betaler", level=2)
            _table(doc, ["År", "Til", f"Per {period}", "Sum året"], lines)

    doc.add_heading("7 Årsavregning", level=1)
    doc.add_paragraph(
        "Etter årets slutt legger vertskommunen fram regnskapsførte kostnader for hver enhet (malen "
        "actuals_template_ÅR.csv). Hver kommunes andel er brøken i punkt 3 ganger enhetens faktiske kostnad; "
        "avregningen er andelen minus det kommunen har betalt à konto. Positivt beløp betales til vertskommunen, "
        "negativt betales tilbake. Summen av avregningene for en enhet er faktisk kostnad minus budsjett. "
        "Beregningen: python -m optimizer settle-year SCENARIO REGNSKAP.csv.")
    doc.add_paragraph("Frist for regnskap og oppgjør: " + PLACEHOLDER.format("dato for framlegg og betaling"))

    doc.add_heading("8 Prisjustering", level=1)
    doc.add_paragraph(
        f"Budsjettet er i faste {budget.spec.base_year}-kroner. Innbetalingene justeres hvert år med den kommunale "
        "deflatoren (statsbudsjettet); tabellen viser satsene som er lagt til grunn og prisindeksen for hvert år.")
    _table(doc, ["År", "Deflator", "Prisindeks", "Status"], [
        [str(y), format_percent(100 * p.value, 1), f"{budget.spec.price_index(y):.4f}".replace(".", ","),
         STATUS.get(p.status, p.status)] for y, p in budget.spec.deflator.items()])

    doc.add_heading("9 Uttreden", level=1)
    doc.add_paragraph(
        f"Oppsigelsestid {budget.spec.notice_months.value:g} måneder; i oppsigelsestiden betaler kommunen sin andel som "
        f"før. Engangskostnader avskrives lineært over {budget.spec.years} år fra enhetens oppstart; en kommune som går ut, "
        "betaler sin andel av det som ikke er avskrevet.")
    _table(doc, ["Kommune", *[f"Ut ved utgangen av {y}" for y in budget.spec.calendar]], [
        [s.name(m), *[format_nok(r["unwritten_one_off_nok"]) for r in exit_rows(budget) if r["member"] == m]]
        for m in result.members])
    if a.leave:
        doc.add_paragraph("Hva de andre betaler per år uten kommunen (oppgjørsmetoden, ny plan uten den):")
        _table(doc, ["Kommune som går ut", "De andre med den", "De andre uten den"], [
            [s.name(m), format_nok(e["others_before_nok"]),
             format_nok(e["others_after_nok"]) if e["feasible"] else "ingen gyldig plan"] for m, e in a.leave.items()])
    doc.add_paragraph("Avvikling av samarbeidet: " + PLACEHOLDER.format("framgangsmåte ved avvikling og fordeling av eiendeler"))

    doc.add_heading("10 Kommuneloven § 20-4: hva avtalen skal inneholde", level=1)
    doc.add_paragraph(
        f"Kilde: {GUIDANCE}. Punktene er gjengitt etter verktøyets lesning; ordlyden må kontrolleres mot Lovdata "
        "før saken legges fram.")
    _table(doc, ["Punkt i avtalen", "I dette vedlegget"], [
        ["Hvilken kommune som er vertskommune, og hvilke som er samarbeidskommuner", "Punkt 1 og 2"],
        ["Hvilke oppgaver og hvilken myndighet som overlates til vertskommunen",
         PLACEHOLDER.format("oppgaver og delegert myndighet for hver tjeneste")],
        ["Økonomi: fordeling av kostnader, innbetaling og avregning", "Punkt 3–8"],
        ["Uttreden og avvikling", "Punkt 9 (økonomien); " + PLACEHOLDER.format("framgangsmåte")],
        ["Felles folkevalgt nemnd (bare ved nemndsmodellen): antall medlemmer og valg",
         PLACEHOLDER.format("gjelder bare vertskommunesamarbeid med nemnd")],
        ["Andre vilkår (rapportering, tvisteløsning, ikrafttreden)", PLACEHOLDER.format("andre vilkår")],
    ])

    doc.add_heading("11 Virksomhetsoverdragelse (til orientering)", level=1)
    doc.add_paragraph(
        "Årsverk som skifter arbeidsgiver når en tjeneste flyttes til vertskommunen (etter modellens bemanning alene). "
        "Arbeidsmiljøloven kapittel 16 kan gjelde; dette er tall, ikke juridisk rådgivning.")
    _table(doc, ["Kommune", "Tjeneste", "Til", "Årsverk"], [
        [r["member_name"], service_name[r["service"]], r["host_name"], f"{r['fte_to_host']:.1f}".replace(".", ",")]
        for r in staff_transfer_rows(result)])

    doc.add_heading("12 Forutsetninger", level=1)
    _table(doc, ["Parameter", "Verdi", "Status", "Grunnlag"], in_language("nb", lambda: [
        [key_label(f"agreement.{p['name']}"), f"{p['value']:g}".replace(".", ","), STATUS.get(p["status"], p["status"]),
         basis_text(f"agreement.{p['name'].split('.')[0] if p['name'].startswith('deflator') else p['name']}",
                    p["basis"])]
        for p in budget.spec.parameters() if not p["name"].startswith("one_off.")]))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _table(doc: Document, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text

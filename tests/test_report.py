"""Reports: deck, workbook and HTML statement carry the library's numbers; flows, suppression, hash."""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
from dataclasses import replace
from datetime import date

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from optimizer.cli import main
from optimizer.i18n import format_nok, format_number
from optimizer.newcomer import statement_for
from optimizer.report import people
from optimizer.report.files import distinct_labels, report_bytes, write_report
from optimizer.report.flows import Flow, UnitCost, positions, settlement_flows, settlement_positions, unit_flows
from optimizer.report.html_statement import statement_html
from optimizer.report.pptx_deck import deck_bytes
from optimizer.report.provenance import data_versions, inputs_hash
from optimizer.report.tables import caseload_table, caseload_tables
from optimizer.report.xlsx_workbook import NOK_FORMAT, workbook_bytes
from optimizer.scenario import load_scenario, read_scenario_file, resolve
from optimizer.views import method_label

from conftest import SCENARIOS

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def baseline():
    return statement_for(load_scenario(SCENARIOS / "baseline.toml"))


@pytest.fixture(scope="module")
def tana():
    return statement_for(load_scenario(SCENARIOS / "join_tana.toml"))


@pytest.fixture(scope="module")
def berlevag():
    return statement_for(load_scenario(SCENARIOS / "join_berlevag.toml"))


@pytest.fixture(scope="module")
def baseline_b():
    """The baseline changed (fairness off, Shapley settlement) but resolved with the same id, as the app's B."""
    table, _ = read_scenario_file(SCENARIOS / "baseline.toml")
    changed = {**table, "fairness": {"enabled": False}, "settlement": {"method": "shapley"}}
    return statement_for(resolve(changed, scenario_id="baseline"))


@pytest.fixture(scope="module")
def deck(baseline):
    return Presentation(io.BytesIO(deck_bytes([baseline], "nb", TODAY)))


@pytest.fixture(scope="module")
def book(baseline, tana):
    return load_workbook(io.BytesIO(workbook_bytes([baseline, tana], "nb", TODAY)))


# --- flows and net positions -------------------------------------------------------------------

def test_flows_of_a_hand_computed_case():
    # Service A: h hosts {h, m} for 100. Service B: h runs alone (30), m hosts {m, k} for 60.
    units = [UnitCost("A", "h", ("h", "m"), 100.0), UnitCost("B", "h", ("h",), 30.0),
             UnitCost("B", "m", ("k", "m"), 60.0)]
    shares = {"h": {"A": 40.0, "B": 40.0}, "m": {"A": 60.0, "B": 20.0}, "k": {"A": 0.0, "B": 30.0}}
    flows = unit_flows(units, shares)
    # m pays h its 60 of A; k pays m 30 of B; B's unit in h got 40 for a cost of 30 and m's unit
    # got 50 for 60, so h passes the surplus of 10 to m
    assert flows == [Flow("m", "h", "A", 60.0), Flow("k", "m", "B", 30.0), Flow("h", "m", "B", 10.0, equalisation=True)]
    result = {p.member: p for p in positions(["h", "m", "k"], units, flows, shares)}
    assert [(p.share, p.hosted_cost, p.paid, p.received, p.net) for p in result.values()] == [
        (80.0, 130.0, 10.0, 60.0, 50.0), (80.0, 60.0, 60.0, 40.0, -20.0), (30.0, 0.0, 30.0, 0.0, -30.0)]
    assert sum(p.net for p in result.values()) == 0


def test_net_positions_reconcile_for_every_method(baseline):
    result = baseline.result
    for method in baseline.outcomes:
        found = settlement_positions(baseline, method)
        assert sum(p.net for p in found) == pytest.approx(0, abs=0.05)
        assert sum(p.share for p in found) == pytest.approx(result.total_cost, abs=0.05)
        for p in found:  # each member ends up paying exactly its share
            assert p.hosted_cost + p.paid - p.received == pytest.approx(p.share, abs=0.05)
    # the cost key splits unit by unit: no equalisation, and each flow is the plan's payment
    flows = settlement_flows(baseline, "cost_key")
    assert not any(f.equalisation for f in flows)
    for f in flows:
        assert f.amount == pytest.approx(result.plan.payment(f.payer, f.service))


# --- suppression and hash ----------------------------------------------------------------------

def test_small_counts_are_suppressed_with_a_complementary_cell():
    cells, total = people.suppress_column({"a": 3.2, "b": 10.0, "c": 12.4})
    assert cells == {"a": "<5", "b": people.SECONDARY, "c": 12} and total == 26
    cells, total = people.suppress_column({"a": 3.0, "b": 2.0, "c": 10.0})  # two hidden, their sum 5 pins neither
    assert cells == {"a": "<5", "b": "<5", "c": 10} and total == 15
    assert people.suppress_column({"a": 0.0, "b": 7.0}) == ({"a": 0, "b": 7}, 7)
    assert people.suppress_column({"a": 0.3, "b": 0.0}) == ({"a": "<5", "b": 0}, "<5")
    assert people.primary(4.6) == 5 and people.primary(4.4) == "<5"


def test_hidden_cells_whose_sum_the_total_pins_get_a_complementary_cell():
    hidden = people.SECONDARY
    # 12 - 10 = 2 = the least two <5 cells can hold: a = b = 1 would show
    assert people.suppress_column({"a": 1, "b": 1, "c": 10}) == ({"a": "<5", "b": "<5", "c": hidden}, 12)
    # 18 - 10 = 8 = the most two <5 cells can hold: a = b = 4 would show
    assert people.suppress_column({"a": 4, "b": 4, "c": 10, "d": 12}) == (
        {"a": "<5", "b": "<5", "c": hidden, "d": 12}, 30)
    # a <5 and a : cell: 6 = 1 + 5 pins both, so a third cell goes; with nothing left, the total goes
    assert people.suppress_column({"a": 1, "b": 5, "c": 9}) == ({"a": "<5", "b": hidden, "c": hidden}, 15)
    assert people.suppress_column({"a": 1, "b": 5}) == ({"a": "<5", "b": hidden}, hidden)


def test_no_hidden_count_can_be_worked_out_from_the_total():
    """Brute force: every assignment a reader who knows the rule cannot rule out (<5 is 1-4, : is 5
    or more, the shown cells and total as printed) leaves each <5 cell at least two possible values."""
    rng = random.Random(7)
    for _ in range(400):
        values = {k: rng.choice([0, 1, 2, 3, 4, 4, 5, 5, 6, 9, 14]) for k in "abcde"[:rng.randint(2, 5)]}
        cells, total = people.suppress_column(values)
        if isinstance(total, str):
            continue
        hidden = [k for k, c in cells.items() if isinstance(c, str)]
        rest = total - sum(c for c in cells.values() if not isinstance(c, str))
        ranges = [range(1, 5) if cells[k] != people.SECONDARY else range(5, rest + 1) for k in hidden]
        feasible = [combo for combo in itertools.product(*ranges) if sum(combo) == rest]
        for i, k in enumerate(hidden):
            if cells[k] != people.SECONDARY:
                assert len({combo[i] for combo in feasible}) >= 2, (values, cells, total)


def test_one_report_hides_the_same_members_in_every_scenario(baseline, berlevag):
    # alone, Berlevåg's table would show Lebesby's 5 (Gamvik and Berlevåg hidden already pin nothing),
    # while the baseline hides it as the complement of Gamvik: the two together would give Gamvik away
    found = [{r["member"]: r["child_welfare_on_call"] for r in t.rows} for t in caseload_tables([baseline, berlevag])]
    assert {r["member"]: r["child_welfare_on_call"] for r in caseload_table(berlevag).rows}["5624 Lebesby"] == 5
    assert [f["5624 Lebesby"] for f in found] == [people.SECONDARY, people.SECONDARY]
    assert [f["5626 Gamvik"] for f in found] == ["<5", "<5"]
    # in every format: the workbook
    ws = load_workbook(io.BytesIO(workbook_bytes([baseline, berlevag], "nb", TODAY)))["Saksgrunnlag"]
    lebesby = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "5624 Lebesby"]
    assert [r[0] for r in lebesby] == ["baseline", "join_berlevag"] and {r[-1] for r in lebesby} == {":"}
    # and alike across columns of several tables given directly
    a, b = people.suppress_columns([{"x": 3, "y": 6, "z": 20}, {"x": 3, "y": 6, "z": 20, "w": 7}])
    assert a[0]["y"] == b[0]["y"] == people.SECONDARY


def test_baseline_caseload_hides_gamvik_on_call_and_one_more(baseline):
    table = caseload_table(baseline)
    on_call = {r["member"]: r["child_welfare_on_call"] for r in table.rows}
    assert on_call["5626 Gamvik"] == "<5"  # 4 per 1000 x 1070
    assert on_call["5624 Lebesby"] == people.SECONDARY
    assert table.total["child_welfare_on_call"] == 36


def test_inputs_hash_follows_the_inputs_not_the_name():
    table, _ = read_scenario_file(SCENARIOS / "baseline.toml")
    a = resolve(table, scenario_id="a")
    same = resolve(table, scenario_id="another_name")
    changed = resolve({**table, "municipalities": {"5624": {"population": 1250}}}, scenario_id="a")
    assert inputs_hash(a) == inputs_hash(same) == inputs_hash(load_scenario(SCENARIOS / "baseline.toml"))
    assert inputs_hash(changed) != inputs_hash(a)
    assert inputs_hash(replace(a, settlement_method="shapley")) != inputs_hash(a)
    assert {"municipalities.csv", "road_edges.csv", "catalogue.toml"} <= set(data_versions())


# --- slide deck --------------------------------------------------------------------------------

def slide_titles(prs: Presentation) -> list[str]:
    return [slide.shapes.title.text for slide in prs.slides]


def table_cells(slide) -> list[list[str]]:
    """The rows of every table on ``slide``, one table after the other (headers included)."""
    return [[cell.text for cell in row.cells] for s in slide.shapes if s.has_table for row in s.table.rows]


def slide_text(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def test_deck_slides_and_numbers_are_the_librarys(deck, baseline):
    result = baseline.result
    assert slide_titles(deck) == [
        result.scenario.title, "Hva gruppen bestemmer og får", "Verter og tilknytning", "Verter per tjeneste",
        "Hvorfor denne verten?", "Hvor starter vi?", "Kostnad per kommune: alene og i samarbeidet",
        "Arbeidsplasser: alene og i samarbeidet", "Fordeling av kostnadene", "Rettferdighetens pris",
        "Saksgrunnlag i barnevernet", "Budsjett for avtaleperioden 2027–2030", "Ordliste", "Om beregningen",
    ]
    slides = list(deck.slides)
    by_title = {slide.shapes.title.text: slide for slide in slides}
    title = slide_text(slides[0])
    assert "27.11.2026" in title
    assert "optimal" not in title and inputs_hash(result.scenario)[:12] not in title  # solver details go last
    about = slide_text(slides[-1])
    assert "optimal" in about and inputs_hash(result.scenario) in about
    assert json.loads(slides[0].notes_slide.notes_text_frame.text)[0]["inputs_hash"] == inputs_hash(result.scenario)

    summary = slide_text(slides[1])  # the decision in sentences, numbers from the library, never broken
    assert format_nok(result.total_cost) in summary and format_nok(result.price_of_fairness) in summary
    for m in result.members:
        assert f"{result.scenario.name(m)} {format_nok(result.stand_alone(m) - baseline.chosen.total(m))}" in summary
    assert 3 <= summary.count(". ") + summary.count(".\n") + 1 <= 6

    picture = next(s for s in by_title["Verter og tilknytning"].shapes if s.shape_type == 13)  # described in words
    description = picture._element.nvPicPr.cNvPr.get("descr")
    assert "Porsanger er vert for" in description and "Kartverket" in description

    hosts_slide = by_title["Verter per tjeneste"]
    hosts = table_cells(hosts_slide)
    assert hosts[0][-1] == "Kostnad per år *"
    assert [row[-1] for row in hosts[1:-1]] == [format_nok(u.total) for u in result.plan.units]
    assert hosts[-1][-1] == format_nok(result.total_cost)
    grid = next(s for s in hosts_slide.shapes if s.has_table).table
    assert all(grid.cell(r, len(grid.columns) - 1).text_frame.word_wrap is False for r in range(1, len(grid.rows)))

    chart = next(s for s in by_title["Kostnad per kommune: alene og i samarbeidet"].shapes if s.has_chart).chart
    alone, coop = chart.plots[0].series
    assert list(coop.values) == pytest.approx([result.plan.payment(m) / 1e6 for m in result.members])
    assert list(alone.values) == pytest.approx([result.stand_alone(m) / 1e6 for m in result.members])
    labels = [coop.points[i].data_label.text_frame.text for i in range(len(result.members))]
    assert labels == [format_number(round(result.plan.payment(m) / 1e6, 1)) + "\u00a0mill.\u00a0kr"
                      for m in result.members]
    assert all("." not in label.split("\u00a0")[0] for label in labels)  # Norwegian decimal comma

    settlement_slide = by_title["Fordeling av kostnadene"]
    settlement = table_cells(settlement_slide)
    by_method = {row[0].removesuffix(" (valgt)"): row for row in settlement[1:]}
    for method, outcome in baseline.outcomes.items():
        row = by_method[method_label(method)]
        assert row[1:-1] == [format_nok(outcome.total(m)) for m in result.members]
        assert row[-1] == ("ja" if outcome.in_core else "nei")
    assert "⚠ Per innbygger:" in slide_text(settlement_slide)  # a core warning for a method outside the core

    assert format_nok(result.price_of_fairness) in slide_text(by_title["Rettferdighetens pris"])
    caseload = table_cells(by_title["Saksgrunnlag i barnevernet"])
    assert caseload[4][-1] == "<5" and caseload[3][-1] == ":"  # Gamvik, Lebesby on-call
    assert "* Estimat" in slide_text(hosts_slide)
    glossary = slide_text(by_title["Ordliste"])
    assert "Nukleolus:" in glossary and "I kjernen:" in glossary and "Frø:" in glossary


def test_deck_for_several_scenarios_compares_them_in_english(baseline, tana):
    prs = Presentation(io.BytesIO(deck_bytes([baseline, tana], "en", TODAY)))
    titles = slide_titles(prs)
    assert titles[0] == "Host municipality: 2 scenarios"
    assert titles.count("Hosts per service") == 2
    assert titles[-3:] == ["Scenarios compared", "Glossary", "How this was computed"]
    summary = slide_text(list(prs.slides)[1])  # one paragraph per scenario, in English
    assert "join_tana: Tana blir med" in summary and summary.count("The cooperation costs") == 2
    assert sum(s.has_table for s in list(prs.slides)[-3].shapes) == 2  # totals and hosts | shares
    rows = {row[0]: row[1:] for row in table_cells(list(prs.slides)[-3])}
    assert rows["Total cost per year"] == [format_nok(baseline.result.total_cost), format_nok(tana.result.total_cost)]
    assert rows["Share: Tana"] == ["–", format_nok(tana.chosen.total("5628"))]
    assert rows["Share: Gamvik"] == [format_nok(baseline.chosen.total("5626")), format_nok(tana.chosen.total("5626"))]


# --- workbook ----------------------------------------------------------------------------------

SHEETS = ["Sammendrag", "Om beregningen", "Scenarioets valg", "Kommuner", "Inndata", "Reisetider", "Verter",
          "Kostnader", "Per kommune", "Arbeidsplasser", "Fordeling", "Koalisjoner", "Nettoposisjon", "Oppgjør",
          "Saksgrunnlag", "Budsjett", "À konto", "Sammenligning", "Ordliste"]


def test_workbook_reads_in_words(book, baseline, tana):
    summary = records(book["Sammendrag"], "join_tana")
    assert any(format_nok(tana.result.total_cost) in r["Hva gruppen bestemmer og får"] for r in summary)
    settings = records(book["Scenarioets valg"], "join_tana")
    by_key = {r["Nøkkel i scenariofil"]: r for r in settings}
    assert by_key["members"]["Verdi"] == "Nordkapp, Porsanger, Lebesby, Gamvik, Tana"
    assert by_key["fairness.fte_band"]["Innstilling"] == "Arbeidsplasser etter folketall (tillatt avvik)"
    assert by_key["fairness.fte_band"]["Verdi"] == "15\u00a0%"
    assert by_key["cost_key.method"]["Verdi"] == "Fast del + per innbygger"
    assert len(settings) < 15  # what the scenario sets, not every resolved key
    basis = [r["Grunnlag og kilde"] for r in records(book["Inndata"], "baseline")]
    assert not any("Caseworker" in b for b in basis)  # bokmål basis texts
    glossary = {r[0]: r[1] for r in book["Ordliste"].iter_rows(min_row=2, values_only=True)}
    assert "Nukleolus" in glossary and "Shapley-verdi" in glossary
    official = {r["Kommune"]: r["Offisielt navn"] for r in records(book["Kommuner"], "baseline")}
    assert official["Porsanger"] == "Porsanger - Porsáŋgu - Porsanki"  # official names keep their Sámi forms


def records(ws, scenario: str) -> list[dict]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, r)) for r in rows if r[0] == scenario]


def test_workbook_sheets_are_numeric_and_reconcile(book, baseline, tana):
    assert book.sheetnames == SHEETS
    for ws in book:
        assert ws.freeze_panes == "A2"
    for statement in (baseline, tana):
        result = statement.result
        sid = result.scenario.id
        members = records(book["Per kommune"], sid)
        coop = "I samarbeidet (kostnadsnøkkel) *"
        assert [r[coop] for r in members[:-1]] == pytest.approx([result.plan.payment(m) for m in result.members])
        assert members[-1]["Kommune"] == "Sum"
        assert members[-1][coop] == pytest.approx(result.total_cost)
        hosts = records(book["Verter"], sid)
        assert sum(r["Kostnad per år *"] for r in hosts[:-1]) == pytest.approx(result.total_cost)
        settlement = records(book["Fordeling"], sid)
        for method in statement.outcomes:
            totals = [r["Andel *"] for r in settlement
                      if r["Modell"] == method_label(method) and r["Tjeneste"] == "Sum alle tjenester"]
            assert len(totals) == len(result.members)
            assert sum(totals) == pytest.approx(result.total_cost)  # sum of shares = total cost
        net = records(book["Nettoposisjon"], sid)
        assert [r["Egen andel (valgt fordelingsmodell) *"] for r in net[:-1]] == pytest.approx(
            [statement.chosen.total(m) for m in result.members])
        assert net[-1]["Nettoposisjon (+ mottar) *"] == pytest.approx(0, abs=0.05)
        assert sum(r["Nettoposisjon (+ mottar) *"] for r in net[:-1]) == pytest.approx(0, abs=0.05)
        flows = records(book["Oppgjør"], sid)
        amount = "Beløp per år (+ mottar, − betaler) *"
        for p in net[:-1]:
            block = [r for r in flows if r["Kommune"] == p["Kommune"]]
            assert block[-1]["Retning"] == "nettoposisjon"
            assert sum(r[amount] for r in block[:-1]) == pytest.approx(block[-1][amount])
            assert block[-1][amount] == pytest.approx(p["Nettoposisjon (+ mottar) *"])
        coalitions = records(book["Koalisjoner"], sid)
        assert len(coalitions) == 2 ** len(result.members) - 1
        about = {r["Hva"]: r["Verdi"] for r in records(book["Om beregningen"], sid)}
        assert about["Inndata-hash (SHA-256)"] == inputs_hash(result.scenario)
    # amounts are numbers with the NOK format, never text
    for name in ("Verter", "Kostnader", "Per kommune", "Fordeling", "Koalisjoner", "Nettoposisjon", "Oppgjør"):
        ws = book[name]
        header = [c.value for c in ws[1]]
        for i, label in enumerate(header):
            if label.endswith("*"):
                cells = [row[i] for row in ws.iter_rows(min_row=2) if row[0].value]
                assert cells and all(isinstance(c.value, (int, float)) for c in cells), (name, label)
                assert all(c.number_format == NOK_FORMAT for c in cells), (name, label)
    assert book["Oppgjør"].row_breaks.count == len(baseline.result.members) + len(tana.result.members) - 1
    comparison = {r[0]: r[1:] for r in book["Sammenligning"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert comparison["Samlet kostnad per år"] == pytest.approx((baseline.result.total_cost, tana.result.total_cost))


# --- HTML statement ----------------------------------------------------------------------------

def test_statement_html_has_a_page_per_member_with_its_net_position(baseline):
    text = statement_html([baseline], "nb", TODAY)
    sections = dict(re.findall(r'<section class="member" id="mbaseline-(\d+)">(.*?)</section>', text))
    assert list(sections) == list(baseline.result.members)
    caseload = {r["member"]: r for r in caseload_table(baseline).rows}
    for p in settlement_positions(baseline):
        page = sections[p.member]
        verb = "Mottar netto" if p.net > 0 else "Betaler netto"
        assert f"{verb} {format_nok(abs(p.net))} per år" in page
        assert f"<td class=num>{format_nok(p.share)}</td>" in page  # own share in total
        row = caseload[f"{p.member} {baseline.result.scenario.name(p.member)}"]
        expected = [str(row[k]).replace("<", "&lt;") for k in ("child_welfare", "child_welfare_on_call")]
        cells = re.findall(r"<td class=num>([^<]*)</td>", page.split("Saksgrunnlag i barnevernet")[1])
        assert cells[:2] == expected
    assert "&lt;5" in sections["5626"]  # Gamvik's on-call count
    assert "@media print" in text and "break-after: page" in text
    embedded = text.split('<script type="application/json" id="scenario-baseline">')[1].split("</script>")[0]
    assert json.loads(embedded)["inputs_hash"] == inputs_hash(baseline.result.scenario)
    assert "<script>" not in text


# --- several statements of one scenario id (the app's A against B) -----------------------------

def html_ids(text: str) -> list[str]:
    return re.findall(r'\sid="([^"]*)"', text)


def test_scenarios_that_share_an_id_are_told_apart(baseline, baseline_b):
    a, b = baseline, baseline_b
    assert a.result.scenario.id == b.result.scenario.id == "baseline"
    assert a.result.total_cost != b.result.total_cost and b.result.scenario.settlement_method == "shapley"
    assert distinct_labels([a, b]) == ["baseline (1)", "baseline (2)"]
    assert distinct_labels([a, b], ["A", ""]) == ["A", "baseline"]
    assert distinct_labels([a, b, a], ["x", "x (1)", "x"]) == ["x (2)", "x (1)", "x (3)"]
    with pytest.raises(ValueError):
        distinct_labels([a, b], ["A"])

    labels = ["baseline (A)", "baseline (B)"]
    book = load_workbook(io.BytesIO(report_bytes([a, b], "xlsx", "nb", TODAY, labels=labels)))
    header = [c.value for c in book["Sammenligning"][1]]
    assert header == ["Størrelse", "baseline (A) *", "baseline (B) *"]
    comparison = {r[0]: r[1:] for r in book["Sammenligning"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert comparison["Samlet kostnad per år"] == pytest.approx((a.result.total_cost, b.result.total_cost))
    assert comparison["Andel: Gamvik"] == pytest.approx((a.chosen.total("5626"), b.chosen.total("5626")))
    for statement, name in zip((a, b), labels):
        result = statement.result
        members = records(book["Per kommune"], name)
        assert [r["I samarbeidet (kostnadsnøkkel) *"] for r in members[:-1]] == pytest.approx(
            [result.plan.payment(m) for m in result.members])
        net = records(book["Nettoposisjon"], name)
        assert [r["Egen andel (valgt fordelingsmodell) *"] for r in net[:-1]] == pytest.approx(
            [statement.chosen.total(m) for m in result.members])
    # each scenario's own notes carry its own settlement method, marked with its label
    notes = {(r[0], r[1]): r[2] for r in book["Om beregningen"].iter_rows(values_only=True)
             if r[1] and str(r[1]).startswith("Merknad: ")}
    assert method_label("cost_key") in notes[("baseline (A)", "Merknad: Koalisjoner")]
    assert method_label("shapley") in notes[("baseline (B)", "Merknad: Koalisjoner")]
    assert method_label("shapley") in notes[("baseline (B)", "Merknad: Oppgjør")]

    # without labels the ids are numbered
    book = load_workbook(io.BytesIO(report_bytes([a, b], "xlsx", "en", TODAY)))
    assert [c.value for c in book["Comparison"][1]][1:] == ["baseline (1) *", "baseline (2) *"]
    assert {r[0] for r in book["Per member"].iter_rows(min_row=2, values_only=True)} == {"baseline (1)", "baseline (2)"}

    for given in (None, labels):
        text = report_bytes([a, b], "html", "nb", TODAY, labels=given).decode("utf-8")
        ids = html_ids(text)
        assert len(ids) == 2 * len(a.result.members) + 2 and len(set(ids)) == len(ids)
        assert all(re.fullmatch(r"[\w-]+", i) for i in ids), ids
        scripts = re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', text)
        assert [json.loads(x)["settlement_method"] for x in scripts] == ["cost_key", "shapley"]
    assert "baseline (B): " in text and method_label("shapley") in text
    prs = Presentation(io.BytesIO(report_bytes([a, b], "pptx", "nb", TODAY, labels=labels)))
    compared = [row for slide in prs.slides for row in table_cells(slide) if row[0] == "Størrelse"]
    assert compared[0][1:] == ["baseline (A) *", "baseline (B) *"]
    assert any("baseline (B) · inndata-hash" in slide_text(slide) for slide in prs.slides)


def test_labels_say_which_payments_are_meant_in_both_languages(baseline_b):
    book = load_workbook(io.BytesIO(report_bytes([baseline_b], "xlsx", "en", TODAY)))
    assert "In the cooperation (cost key) *" in [c.value for c in book["Per member"][1]]
    assert "Own share (chosen settlement method) *" in [c.value for c in book["Net positions"][1]]
    text = report_bytes([baseline_b], "html", "en", TODAY).decode("utf-8")
    assert "Share per year (Shapley value) *" in text
    prs = Presentation(io.BytesIO(report_bytes([baseline_b], "pptx", "nb", TODAY)))
    fairness = next(s for s in prs.slides if s.shapes.title.text == "Rettferdighetens pris")
    assert table_cells(fairness)[0][1:] == ["Uten rettferdighetsregler (kostnadsnøkkel) *",
                                           "Med rettferdighetsregler (kostnadsnøkkel) *", "Endring (kostnadsnøkkel) *"]


def test_dates_are_written_as_each_language_writes_them(baseline):
    assert "27.11.2026" in statement_html([baseline], "nb", TODAY)
    english = statement_html([baseline], "en", TODAY)
    assert "27 November 2026" in english and "27.11.2026" not in english
    title = slide_text(list(Presentation(io.BytesIO(deck_bytes([baseline], "en", TODAY))).slides)[0])
    assert title.splitlines()[1] == "27 November 2026" and "27.11.2026" not in title


# --- command line ------------------------------------------------------------------------------

def test_report_command_goes_on_past_a_bad_file_and_writes_atomically(tmp_path, write_scenario, capsys):
    bad = write_scenario("bad", 'members = ["5620", "9999"]')
    bad_rates = write_scenario("bad_rates", f"""
        extends = "{(SCENARIOS / 'baseline.toml').as_posix()}"
        [uncertainty.demand]
        cases_per_1000 = {{ child_welfare = "many" }}
    """)
    out = tmp_path / "reports"
    out.mkdir()
    (out / "keep.txt").write_text("not mine")
    code = main(["report", str(SCENARIOS / "baseline.toml"), str(bad), str(bad_rates), "--format", "xlsx",
                 "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.count("UGYLDIG") == 2 and "cases_per_1000.child_welfare" in captured.err
    assert sorted(p.name for p in out.iterdir()) == [".vertskommune-files.json", "baseline.xlsx", "keep.txt"]
    assert load_workbook(out / "baseline.xlsx").sheetnames == [name for name in SHEETS if name != "Sammenligning"]

    assert main(["report", str(bad), "--format", "html", "--out", str(out)]) == 2
    assert "ingen rapport skrevet: ingen av scenarioene kunne brukes" in capsys.readouterr().err
    assert main(["report", str(SCENARIOS / "baseline.toml"), "--format", "html", "--out", str(out), "--lang", "en"]) == 0
    assert "Settlement statement" in (out / "baseline.html").read_text(encoding="utf-8")
    assert "wrote" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [".vertskommune-files.json", "baseline.html", "baseline.xlsx", "keep.txt"]


@pytest.mark.skipif(os.name != "posix", reason="file modes and umask are POSIX")
def test_write_report_syncs_before_renaming_and_respects_the_umask(tmp_path, baseline, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    old = os.umask(0o027)
    try:
        path = write_report([baseline], "html", tmp_path / "out")
    finally:
        os.umask(old)
    assert calls[:2] == ["fsync", "replace"]  # the report itself; then the manifest of written files
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == [".vertskommune-files.json", "baseline.html"]


def test_changes_in_reports_carry_sign_and_word(baseline):
    from optimizer.report.tables import cell_text, fairness_table

    table = fairness_table(baseline)
    column = next(c for c in table.columns if c.key == "change_nok")
    assert column.kind == "nok_change"
    for row, m in zip(table.rows, baseline.result.members):
        delta = baseline.result.plan.payment(m) - baseline.result.unconstrained.payment(m)
        text = cell_text(row["change_nok"], column.kind)
        assert text.startswith("+" if round(delta) > 0 else "\u2212" if round(delta) < 0 else "0")
        assert text.endswith("(betaler mer)" if round(delta) > 0 else "(betaler mindre)" if round(delta) < 0
                             else "(uendret)")


def test_ab_deck_labels_say_what_each_side_is(baseline, tana):
    labels = ["A: Grunnscenario: Nordkapp, Porsanger, Lebesby og Gamvik", "B: + Tana"]
    prs = Presentation(io.BytesIO(deck_bytes([baseline, tana], "nb", TODAY, labels)))
    title = slide_text(list(prs.slides)[0])
    assert labels[0] in title and f"{labels[0]}: " not in title  # not said twice
    assert "B: + Tana: Tana blir med" in title  # B's label does not say its title, so both are shown
    summary = slide_text(list(prs.slides)[1])
    assert summary.count("Samarbeidet koster") == 2

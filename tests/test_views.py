"""The app's rows show the library's numbers, and the comparison and map rows are right."""

from __future__ import annotations

from itertools import combinations

import pytest

from optimizer import views
from optimizer.games import model_game
from optimizer.i18n import format_nok, format_number, format_percent, set_language
from optimizer.newcomer import join
from optimizer.pipeline import run
from optimizer.scenario import load_scenario
from optimizer.statement import settlement_statement

from conftest import SCENARIOS


def statement_of(name: str):
    result = run(load_scenario(SCENARIOS / f"{name}.toml"))
    return settlement_statement(result, model_game(result.model, result.plan))


@pytest.fixture(scope="module")
def baseline():
    return statement_of("baseline")


@pytest.fixture(scope="module")
def masoy():
    return statement_of("join_masoy")


def test_number_formats_follow_the_language():
    assert format_number(8.5) == "8,5"
    assert format_number(15.0) == "15"
    assert format_percent(27.345) == "27,3\u00a0%"
    assert format_percent(-1.25) == "\u22121,2\u00a0%"
    assert format_percent(0.284, 2) == "0,28\u00a0%"
    set_language("en")
    assert format_number(8.5) == "8.5"
    assert format_percent(27.345) == "27.3\u00a0%"


def test_key_figures_and_tables_show_the_result(baseline):
    result = baseline.result
    assert list(views.key_figures(result).values()) == [
        format_nok(result.total_cost),
        format_nok(result.total_stand_alone - result.total_cost),
        format_nok(result.price_of_fairness),
    ]
    hosts = views.host_rows(result)
    assert [r["Kostnad per år"] for r in hosts] == [format_nok(u.total) for u in result.plan.units]
    members = views.member_rows(result)
    assert [r["I samarbeidet"] for r in members] == [format_nok(result.plan.payment(m)) for m in result.members]
    chart = views.cost_chart_rows(result)
    assert sum(r["nok"] for r in chart if r["case"] == "I samarbeidet") == pytest.approx(result.total_cost)


def test_settlement_rows_and_core_flags(baseline):
    rows = views.settlement_rows(baseline)
    assert len(rows) == 1 + len(baseline.outcomes)
    for row, (method, outcome) in zip(rows[1:], baseline.outcomes.items()):
        chosen = " (valgt)" if method == baseline.result.scenario.settlement_method else ""
        assert row["Modell"] == views.method_label(method) + chosen
        for m in baseline.result.members:
            assert row[views.member_label(baseline.result.scenario, m)] == format_nok(outcome.total(m))
        assert row["I kjernen?"] == ("ja" if outcome.in_core else "⚠ nei")


def test_core_warnings_name_the_group_with_the_largest_overcharge(baseline):
    """Independent check: scan every coalition of the total game for each method's split."""
    result, game = baseline.result, baseline.game.total
    expected = []
    for method, outcome in baseline.outcomes.items():
        worst, excess = None, 1.0  # the library's 1 NOK tolerance
        for k in range(1, len(result.members)):
            for group in combinations(result.members, k):
                over = sum(outcome.total(m) for m in group) - game[frozenset(group)]
                if over > excess:
                    worst, excess = group, over
        if worst is not None:
            expected.append((method, worst, excess))
    warnings = views.core_warnings(baseline)
    assert len(warnings) == len(expected)
    for text, (method, group, excess) in zip(warnings, expected):
        assert text.startswith(views.method_label(method))
        assert all(result.scenario.name(m) in text for m in group)
        assert format_nok(excess) in text


def test_comparison_with_itself_shows_no_change(baseline):
    comparison = views.compare(baseline, baseline)
    assert comparison.moved == 0 and comparison.changed_shares == 0
    assert all(r["Flyttet"] == "" for r in comparison.hosts)


def test_comparison_finds_moved_hosts_and_the_newcomer(baseline, masoy):
    comparison = views.compare(baseline, masoy)
    a, b = baseline.result, masoy.result
    moved = sum(
        a.plan.unit_for(s, m).host != b.plan.unit_for(s, m).host
        for s in a.model.costs for m in a.members
    )  # the newcomer's services are new, not moved
    assert comparison.moved == moved
    newcomer_rows = [r for r in comparison.hosts if r["Kommune"].startswith("5618")]
    assert len(newcomer_rows) == len(b.model.costs) and all(r["Flyttet"] == "◆ ny / ute" for r in newcomer_rows)
    newcomer = [r for r in comparison.shares if r["Kommune"].startswith("5618")]
    assert newcomer[0]["A"] == "–" and newcomer[0]["Endring"] == "ny / ute"
    total = comparison.totals[0]
    assert total["Endring"] == views.change_cell(round(b.total_cost) - round(a.total_cost), "costs")
    for row in comparison.shares[:-1]:  # A + change = B, as printed, to the krone
        parse = lambda text: int(text.split(" (")[0].replace("\u00a0", "").replace("kr", "").replace("\u2212", "-").replace("+", ""))  # noqa: E731
        assert parse(row["A"]) + parse(row["Endring"]) == parse(row["B"])


def test_map_roles_put_each_member_on_its_host_and_say_it(baseline):
    result = baseline.result
    rows = views.map_roles(result)
    members = [r for r in rows if r["member"]]
    assert len(members) == len(result.members) * len(result.model.costs)
    assert {r["name"] for r in rows} >= {result.scenario.name(m) for m in result.members}
    text = views.map_text(result)
    for r in members:
        unit = next(u for u in result.plan.units if r["number"] in u.members
                    and views.service_label(result.scenario, u.service) == r["service"])
        role = "alene" if not unit.shared else "vert" if unit.host == r["number"] else "betjenes"
        assert r["role"] == role
        assert r["label"] == (f"{r['name']} ({role})" if role != "betjenes" else r["name"])
        if role == "vert":
            served = [result.scenario.name(m) for m in unit.members if m != unit.host]
            assert f"{r['name']} er vert for {served[0]}" in text
    assert all(r["role"] == "ikke med" and r["label"] == r["name"] for r in rows if not r["member"])


def test_newcomer_figures_follow_the_membership_change(baseline):
    change = join(baseline.result.scenario, "5618", before=baseline)
    figures = list(views.newcomer_figures(change).values())
    assert figures[0] == format_nok(change.marginal_cost)
    assert figures[1] == format_nok(change.stand_alone)
    low, high = change.entry_price_range
    assert f"fra {format_nok(low)}" in views.entry_price_text(change)
    assert f"til {format_nok(high)}" in views.entry_price_text(change)
    rows = views.newcomer_rows(change)
    assert len(rows) == len(change.after.result.members)
    newcomer = next(r for r in rows if r["Kommune"].startswith("5618"))
    assert newcomer["Før"] == "–" and newcomer["Etter"] != "–"


def test_english_labels(baseline):
    set_language("en")
    assert "Total cost per year" in views.key_figures(baseline.result)
    assert views.settlement_rows(baseline)[1]["Method"] == "As the cost key (chosen)"


def test_inputs_mark_estimates(baseline):
    rows = views.input_rows(baseline.result.scenario)
    marked = [r for r in rows if r["Verdi"].endswith(views.ESTIMATE_MARK)]
    assert len(marked) == sum(1 for e in baseline.result.scenario.estimates() if e.startswith("services."))
    assert all(r["Status"] == "anslag" for r in marked)


def test_actual_spending_rows_say_when_a_function_is_not_comparable():
    from optimizer.scenario import read_scenario_file, resolve
    from optimizer.ssb import import_files

    from conftest import ROOT

    folder = ROOT / "tests" / "data" / "ssb"
    files = [(n, (folder / n).read_bytes()) for n in ("07459_midt_finnmark_2024_2025.jsonstat2.json",
                                                      "12362_midt_finnmark.jsonstat2.json")]
    table, _ = read_scenario_file(SCENARIOS / "baseline.toml")
    table = dict(table, services={"child_welfare_on_call": {"enabled": False}})
    result = run(resolve(table, scenario_id="x", imported=import_files(files).data()))
    rows = views.actual_spending_rows(result)
    child = [r for r in rows if r["KOSTRA-funksjon"].startswith("244")]
    assert child and all(r["Besparelse mot i dag"].startswith("–") for r in child)
    other = [r for r in rows if not r["KOSTRA-funksjon"].startswith("244")]
    assert all(r["Besparelse mot i dag"].endswith("kr") for r in other)


def test_solver_note_only_when_the_plan_is_not_proven(baseline):
    from dataclasses import replace

    result = baseline.result
    assert views.solver_note(result) is None
    stopped = replace(result, plan=replace(result.plan, solve_info=replace(
        result.plan.solve_info, status="feasible", gap=0.0553, seconds=20.04)))
    note = views.solver_note(stopped)
    assert "20 s" in note and "5,5\u00a0%" in note


def test_plain_text_escapes_markdown():
    text = "Tana ![bilde](http://x/y.png) *viktig* :red[a]"
    shown = views.plain(text)
    assert "](" not in shown.replace("\\](", "") and "\\!" in shown and "\\*" in shown and "\\:" in shown
    assert shown.replace("\\", "") == text


def test_size_warning_from_eight_members():
    assert views.size_warning(7) is None
    assert "8 medlemmer" in views.size_warning(8)


def krone(text: str) -> int:
    """A shown amount (``1 234 567 kr``, minus as U+2212) back to a number."""
    return int(text.replace("\u00a0", "").replace("kr", "").replace("\u2212", "-"))


def test_shown_figures_add_up_across_the_tables(baseline):
    """Independent of how the key figures are computed: sum what the tables show, row by row."""
    result = baseline.result
    total, saving, fairness = (krone(v) for v in views.key_figures(result).values())
    hosts = views.host_rows(result)
    members = views.member_rows(result)
    assert abs(total - sum(krone(r["Kostnad per år"]) for r in hosts)) <= len(hosts)
    assert abs(total - sum(krone(r["I samarbeidet"]) for r in members)) <= len(members)
    assert abs(saving - sum(krone(r["Besparelse mot robust alene"]) for r in members)) <= len(members)
    components = sum(u.fixed + u.staffing + u.travel for u in result.plan.units)
    without = sum(u.fixed + u.staffing + u.travel for u in result.unconstrained.units)
    assert abs(total - components) <= 1 and abs(fairness - (components - without)) <= 1

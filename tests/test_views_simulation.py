"""Uncertainty and alternatives as the app shows them: the library's numbers, per year."""

from __future__ import annotations

import pytest

from optimizer import views_simulation as vs
from optimizer.alternatives import alternatives
from optimizer.i18n import format_nok
from optimizer.pipeline import run
from optimizer.robust import CRITERIA, rank_alternatives
from optimizer.scenario import load_scenario
from optimizer.simulate import simulate_plan

from conftest import SCENARIOS


@pytest.fixture(scope="module")
def baseline():
    return run(load_scenario(SCENARIOS / "baseline.toml"))


@pytest.fixture(scope="module")
def sim(baseline):
    return simulate_plan(baseline.scenario, baseline.plan, model=baseline.model, paths=400)


def test_figures_are_the_simulated_statistics_per_year(sim):
    figures = list(vs.simulation_figures(sim).values())
    total = sim.stats()
    assert figures[0] == format_nok(total["mean"] / sim.years)
    assert figures[1] == format_nok(total["p90"] / sim.years)


def test_deterministic_column_is_the_plans_yearly_cost(baseline, sim):
    rows = vs.cost_spread_rows(sim)
    assert rows[0]["Beregnet (fast)"] == format_nok(baseline.total_cost)
    assert [r["Beregnet (fast)"] for r in rows[1:]] == [format_nok(baseline.plan.payment(m)) for m in baseline.members]
    assert len(vs.distribution_rows(sim)) == sim.paths


def test_without_uncertainty_expected_equals_deterministic(write_scenario):
    path = write_scenario("calm", f"""
        extends = "{(SCENARIOS / 'baseline.toml').as_posix()}"
        [uncertainty]
        enabled = false
    """)
    result = run(load_scenario(path))
    calm = simulate_plan(result.scenario, result.plan, model=result.model, paths=50)
    for row in vs.cost_spread_rows(calm):
        assert row["Forventet"] == row["Beregnet (fast)"] == row["P10"] == row["P90"]
    assert list(vs.simulation_figures(calm).values())[2:] == ["0,0\u00a0%", "0,0\u00a0%"]


def test_alternative_rows_and_winners(baseline):
    found = alternatives(baseline.scenario, 3, model=baseline.model)
    ranking = rank_alternatives(baseline.scenario, found, model=baseline.model, paths=200)
    rows = vs.alternative_rows(baseline.scenario, found, ranking)
    assert [r["Plan"] for r in rows] == ["1 (optimum)", "2", "3"]
    assert rows[0]["Merkostnad"] == format_nok(0) and rows[0]["Hva er annerledes"] == "–"
    for row, alt in zip(rows, found):
        assert row["Kostnad per år"] == format_nok(alt.total)
        assert row["Hva er annerledes"].count("→") >= len(alt.changes)
    sentences = vs.winner_sentences(ranking)
    assert len(sentences) == len(CRITERIA)
    assert all(f"plan {rank}" in s for s, rank in zip(sentences, ranking.winners().values()))
    # plans 1 and 2 differ only in who hosts claims collection (same cost, same draws): a tie, said in words
    assert sentences[0] == "Best på forventet kostnad: plan 1 (optimum) – innenfor støyen, ikke sikkert bedre enn plan 2"
    assert [r["Merknad"] for r in rows] == ["–"] + ["samme kostnad som plan 1: fritt valg av vert"] * 2
    assert "Dårlig forløp (P90), per år" in rows[0]


def test_p90_is_labelled_as_the_agreements_total_not_one_year(sim):
    from optimizer.robust import CRITERION_LABELS

    assert "Dårlig forløp (P90), per år" in vs.simulation_figures(sim)
    assert CRITERION_LABELS["p90_cost"] == ("90-persentil av samlet kostnad over avtalen",
                                            "90th percentile of the total cost over the agreement")
    assert not any("år)" in nb or "year)" in en for nb, en in CRITERION_LABELS.values())

"""The decision views: sentences and rows carry independently computed figures."""

from __future__ import annotations

from optimizer import views_decisions
from optimizer.i18n import format_nok, set_language
from optimizer.pipeline import run
from optimizer.scenario import load_scenario

from conftest import SCENARIOS


def test_jobs_text_reports_the_price_of_the_fte_loss_rule(write_scenario):
    base = SCENARIOS / "baseline.toml"
    limited = write_scenario("limited", f'extends = "{base.as_posix()}"\n[fairness]\nmax_fte_loss = 12\n')
    with_rule, without = run(load_scenario(limited)), run(load_scenario(base))
    text = views_decisions.jobs_text(with_rule)
    assert "Alene trenger kommunene 75 årsverk" in text
    assert f"ingen mister mer enn 12 årsverk koster {format_nok(with_rule.total_cost - without.total_cost)}" in text
    assert "årsverk koster" not in views_decisions.jobs_text(without)  # no rule, no price
    set_language("en")
    assert "no member loses more than 12 FTE costs" in views_decisions.jobs_text(with_rule)


def test_jobs_in_a_and_b_mark_members_only_in_one():
    a, b = run(load_scenario(SCENARIOS / "baseline.toml")), run(load_scenario(SCENARIOS / "join_tana.toml"))
    rows = {r["Kommune"]: r for r in views_decisions.jobs_compare_rows(a, b)}
    assert rows["5628 Tana"]["A"] == "–" and rows["5628 Tana"]["Endring"] == "–"
    assert (rows["5620 Nordkapp"]["A"], rows["5620 Nordkapp"]["B"], rows["5620 Nordkapp"]["Endring"]) == ("9", "7,5", "−1,5")

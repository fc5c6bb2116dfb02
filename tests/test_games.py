"""Coalition games from the model, the settlement statement, newcomers and leavers."""

from __future__ import annotations

import itertools
import json
import random

import pytest

from optimizer import settlement
from optimizer.cli import main
from optimizer.games import cost_side_plan, model_game
from optimizer.model import FAIRNESS_GROUPS
from optimizer.newcomer import join, leave, statement_for, with_members
from optimizer.pipeline import build_model
from optimizer.scenario import load_scenario, resolve
from optimizer.statement import METHODS, SHOWN_VIOLATIONS

from conftest import SCENARIOS
from test_model import brute_force, random_scenario


def milp_cost(scenario, coalition):
    """c(S) the slow way: build the scenario restricted to S and solve its MILP, cost-side rules only."""
    sub = with_members(scenario, tuple(sorted(coalition)))
    model = build_model(sub)
    rules = [g for g in model.rule_groups() if g not in FAIRNESS_GROUPS]
    plan = model.solve(rules)
    return None if plan is None else {s: sum(u.total for u in plan.units if u.service == s) for s in model.costs}


@pytest.mark.parametrize("seed", range(12))
def test_dynamic_programme_equals_milp_for_every_coalition(seed):
    scenario = resolve(random_scenario(random.Random(seed)), scenario_id=f"g{seed}")
    game = model_game(build_model(scenario))
    members = scenario.members
    for size in range(1, len(members) + 1):
        for coalition in itertools.combinations(members, size):
            expected = milp_cost(scenario, coalition)
            key = frozenset(coalition)
            if expected is None:
                assert any(key in bad for bad in game.infeasible.values())
                continue
            for service, cost in expected.items():
                if key in game.infeasible.get(service, []):
                    continue
                assert game.by_service[service][key] == pytest.approx(cost, abs=len(members))


@pytest.mark.parametrize("seed", range(25))
def test_cost_side_plan_from_the_programme_matches_brute_force(seed):
    scenario = resolve(random_scenario(random.Random(seed)), scenario_id=f"d{seed}")
    model = build_model(scenario)
    rules = frozenset(g for g in model.rule_groups() if g not in FAIRNESS_GROUPS)
    expected = brute_force(scenario, model, rules)
    plan = cost_side_plan(model)
    if expected is None:
        assert plan is None
        return
    assert plan.total == pytest.approx(expected)
    for service in model.costs:  # a real plan: every member served once per service
        served = sorted(m for u in plan.units if u.service == service for m in u.members)
        assert served == sorted(scenario.members)


def test_infeasible_coalition_is_reported_and_priced_alone():
    table = {
        "members": ["5624", "5626"],
        "services": {s: {"enabled": s == "ict"} for s in (
            "child_welfare", "child_welfare_on_call", "fire_prevention", "ict",
            "procurement", "planning_building", "claims_collection")},
    }
    table["services"]["ict"].update({"forbidden_hosts": ["5624"]})
    scenario = resolve(table, scenario_id="forbid")
    model = build_model(scenario)
    game = model_game(model)
    assert game.infeasible == {"ict": [frozenset({"5624"})]}
    assert game.by_service["ict"][frozenset({"5624"})] == pytest.approx(model.stand_alone[("ict", "5624")].total)


@pytest.fixture(scope="module")
def baseline_statement():
    return statement_for(load_scenario(SCENARIOS / "baseline.toml"))


def test_every_method_splits_the_adopted_plan(baseline_statement):
    result = baseline_statement.result
    assert baseline_statement.game.total[frozenset(result.members)] == pytest.approx(result.total_cost)
    for method in METHODS:
        outcome = baseline_statement.outcomes[method]
        assert sum(outcome.total(m) for m in result.members) == pytest.approx(result.total_cost, abs=1e-3), method
        for service in result.model.costs:
            paid = sum(outcome.shares[m][service] for m in result.members)
            assert paid == pytest.approx(baseline_statement.game.by_service[service][frozenset(result.members)], abs=1e-3)
    cost_key = baseline_statement.outcomes["cost_key"]
    for m in result.members:
        assert cost_key.total(m) == pytest.approx(result.plan.payment(m))


def test_core_flags_agree_with_an_independent_check(baseline_statement):
    game = baseline_statement.game.total
    members = baseline_statement.result.members
    for method, outcome in baseline_statement.outcomes.items():
        split = {m: outcome.total(m) for m in members}
        excess = [sum(split[m] for m in s) - c for s, c in game.items() if len(s) < len(members)]
        assert outcome.in_core == (max(excess) <= settlement.CORE_TOLERANCE_NOK), method
        overcharged = sum(e > settlement.CORE_TOLERANCE_NOK for e in excess)
        assert outcome.overcharged == overcharged and len(outcome.violations) == min(overcharged, SHOWN_VIOLATIONS)
    # the baseline's core is not empty, so the nucleolus is in it
    assert baseline_statement.least_core_epsilon < 0
    assert baseline_statement.outcomes["nucleolus"].in_core


def test_newcomer_marginal_cost_and_entry_range(baseline_statement):
    scenario = baseline_statement.result.scenario
    change = join(scenario, "5618", baseline_statement)
    assert change.marginal_cost == pytest.approx(change.after.result.total_cost - baseline_statement.result.total_cost)
    assert change.stand_alone == pytest.approx(change.after.result.stand_alone("5618"))
    low, high = change.entry_price_range
    assert low == pytest.approx(change.marginal_cost) and high == pytest.approx(change.stand_alone)
    rows = [r for r in change.share_rows() if r["method"] == "shapley"]
    assert {r["member"] for r in rows} == {*scenario.members, "5618"}
    after = sum(r["after_nok"] for r in rows)
    assert after == pytest.approx(change.after.result.total_cost, abs=1e-3)


def test_leaving_member(baseline_statement):
    change = leave(baseline_statement.result.scenario, "5626", baseline_statement)
    assert "5626" not in change.after.result.members
    rows = [r for r in change.share_rows() if r["method"] == "nucleolus" and r["member"] != "5626"]
    assert sum(r["after_nok"] for r in rows) == pytest.approx(change.after.result.total_cost, abs=1e-3)


def test_run_writes_settlement_csv_and_section(tmp_path):
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "baseline" / "summary.json").read_text(encoding="utf-8"))
    section = summary["settlement"]
    assert section["coalitions"] == 15 and section["chosen_method"] == "cost_key"
    assert set(section["methods"]) == set(METHODS)
    for method, entry in section["methods"].items():
        assert entry["overcharged_coalitions"] == len(entry["core_violations"]) or entry["overcharged_coalitions"] > 10
        assert entry["in_core"] == (entry["overcharged_coalitions"] == 0), method
    header = (tmp_path / "baseline" / "settlement.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("scenario,method,member")


def test_join_cli_by_name_and_errors(capsys):
    assert main(["join", str(SCENARIOS / "baseline.toml"), "Berlevåg"]) == 0
    out = capsys.readouterr().out
    assert "5630 Berlevåg" in out and "Shapley-verdi" in out
    assert main(["join", str(SCENARIOS / "baseline.toml"), "Atlantis"]) == 2
    assert "ukjent kommune 'Atlantis'" in capsys.readouterr().err
    assert main(["join", str(SCENARIOS / "baseline.toml"), "5620"]) == 2
    assert main(["leave", str(SCENARIOS / "baseline.toml"), "Lebesby", "--lang", "en"]) == 0
    assert "leaves" in capsys.readouterr().out

"""Simulation: exact reduction to the deterministic costs, the [uncertainty] table, typed plans, CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from optimizer.cli import main
from optimizer.errors import UserInputError
from optimizer.pipeline import run
from optimizer.scenario import load_scenario
from optimizer.simulate import Simulator, simulate_plan, stats, typed_plan
from optimizer.uncertainty import UncertaintySpec, pass_ids, uncertainty_spec

from conftest import SCENARIOS


@pytest.fixture(scope="module")
def baseline():
    scenario = load_scenario(SCENARIOS / "baseline.toml")
    return scenario, run(scenario)


def assert_deterministic(scenario, result, spec, years=3):
    sim = Simulator(scenario, result.model, spec).run(result.plan, paths=7, years=years, seed=1)
    assert sim.distribution() == pytest.approx(np.full(7, years * result.total_cost), abs=1.0)
    assert sim.yearly == pytest.approx(np.full((7, years), result.total_cost), abs=1.0)
    for m in result.members:
        assert sim.distribution(m) == pytest.approx(np.full(7, years * result.plan.payment(m)), abs=1.0)
        assert sim.stats(m)["cvar90"] == pytest.approx(sim.deterministic(m), abs=1.0)
    assert sim.understaffed_share == 0.0
    assert sim.unreachable_share == 0.0
    return sim


@pytest.mark.parametrize("name", ["baseline", "coastal_winter"])
def test_everything_off_reproduces_the_deterministic_costs_to_the_krone(name):
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    result = run(scenario)
    assert_deterministic(scenario, result, dataclasses.replace(uncertainty_spec(scenario), enabled=False))


def test_every_source_set_to_zero_is_the_same_as_switched_off(baseline):
    scenario, result = baseline
    zero = UncertaintySpec(cases_per_1000={}, turnover=0.0, closure_probability=0.0, growth_sd=0.0)
    assert_deterministic(scenario, result, zero, years=4)


def test_stats_of_a_known_sample():
    values = np.arange(1.0, 101.0)
    s = stats(values)
    assert s["mean"] == 50.5
    assert s["p10"] == pytest.approx(10.9) and s["p90"] == pytest.approx(90.1)
    assert s["cvar90"] == pytest.approx(np.mean(np.arange(91.0, 101.0)))


def test_same_seed_same_paths_other_seed_other_paths(baseline):
    scenario, result = baseline
    a = simulate_plan(scenario, result.plan, model=result.model, paths=200, seed=5)
    b = simulate_plan(scenario, result.plan, model=result.model, paths=200, seed=5)
    c = simulate_plan(scenario, result.plan, model=result.model, paths=200, seed=6)
    assert np.array_equal(a.member_yearly, b.member_yearly) and np.array_equal(a.below_minimum, b.below_minimum)
    assert not np.array_equal(a.member_yearly, c.member_yearly)
    # what members pay adds up to the total in every path and year
    assert a.member_yearly.sum(axis=2) == pytest.approx(a.yearly)
    assert a.paths == 200 and a.years == 4


def test_shared_units_are_more_robust_than_standing_alone(baseline):
    """The point of cooperation: a 2-FTE unit is below its minimum far more often than a 15-FTE one."""
    scenario, result = baseline
    sim = simulate_plan(scenario, result.plan, model=result.model, paths=500, seed=3)
    rows = {(r["service"], r["host"]): r for r in sim.staffing_rows()}
    assert rows[("child_welfare", "5622")]["below_minimum_share"] < 0.001
    assert rows[("child_welfare_on_call", "5624")]["below_minimum_share"] > 0.05
    # larger places fill vacancies faster
    assert rows[("child_welfare_on_call", "5622")]["vacancy_months"] < rows[("child_welfare_on_call", "5624")]["vacancy_months"]


def test_population_decline_lowers_cost_and_keeps_the_key(write_scenario):
    path = write_scenario("shrinking", f"""
        extends = "{(SCENARIOS / 'baseline.toml').as_posix()}"
        [uncertainty]
        enabled = true
        [uncertainty.demand]
        cases_per_1000 = {{}}
        [uncertainty.staffing]
        turnover = 0
        [uncertainty.cost_growth]
        sd = 0
        [uncertainty.population]
        growth = -0.02
        by_member = {{ Gamvik = 0.0 }}
    """)
    scenario = load_scenario(path)
    result = run(scenario)
    sim = simulate_plan(scenario, result.plan, model=result.model, paths=3, years=4)
    yearly = sim.yearly[0]
    assert yearly[0] == pytest.approx(result.total_cost, abs=1.0)
    assert np.all(np.diff(yearly) <= 1e-6) and yearly[-1] < yearly[0]
    gamvik = sim.member_yearly[0, :, sim.members.index("5626")] / yearly
    assert gamvik[-1] > gamvik[0]  # the others shrink, so Gamvik's population share grows
    statuses = {a["key"]: a["status"] for a in sim.spec.assumptions()}
    assert statuses["uncertainty.population.growth"] == "scenario"
    assert statuses["uncertainty.closures.probability"] == "assumption"


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        ("[uncertainty]\nyear = 4", "uncertainty.year", "years"),
        ("[uncertainty.staffing]\nturnover = 1.5", "uncertainty.staffing.turnover", "høyst"),
        ("[uncertainty.closures]\nby_pass = { borselv = 0.1 }", "uncertainty.closures.by_pass.borselv", "borselvfjellet"),
        ("[uncertainty.closures]\nmonths = [1, 13]", "uncertainty.closures.months[1]", "1–12"),
        ("[uncertainty.demand]\ncases_per_1000 = { daycare = 3 }", "uncertainty.demand.cases_per_1000.daycare", "tjeneste"),
        ("[uncertainty.staffing]\nvacancy_months_by_host = { Tana = 3 }", "uncertainty.staffing.vacancy_months_by_host.Tana", "ikke medlem"),
        ("[uncertainty]\npaths = 0", "uncertainty.paths", "minst 1"),
    ],
)
def test_invalid_uncertainty_names_file_and_key(write_scenario, body, key, words):
    path = write_scenario("bad", f'extends = "{(SCENARIOS / "baseline.toml").as_posix()}"\n{body}\n')
    with pytest.raises(UserInputError) as err:
        uncertainty_spec(load_scenario(path))
    assert err.value.source == str(path) and err.value.key == key
    assert words in err.value.problem


def test_pass_ids_cover_the_named_passes():
    assert {"borselvfjellet", "ifjordfjellet", "bekkarfjord_hopseidet", "kongsfjordfjellet",
            "batsfjordfjellet", "snefjord_havoysund", "mehamnelv_bru_kifjord",
            # added with all 18 Finnmark municipalities (road_edges.csv, 30 November 2026)
            "sennalandet", "domen", "klofta_silisavzi", "oksfjord_oksfjordbotn", "hasvik_sorvaer"} == set(pass_ids())


def test_typed_plan_rebuilds_the_optimum_and_checks_the_partition(baseline):
    _, result = baseline
    units = {s: [(u.host, list(u.members)) for u in result.plan.units if u.service == s] for s in result.model.costs}
    plan = typed_plan(result.model, units)
    assert plan.units == result.plan.units
    moved = typed_plan(result.model, {"ict": [("5622", None)]}, base=result.plan)
    assert moved.unit_for("ict", "5620").host == "5622" and moved.total != result.total_cost
    with pytest.raises(UserInputError) as err:
        typed_plan(result.model, {"ict": [("5622", ["5620", "5622"])]}, base=result.plan)
    assert err.value.key == "ict"


def test_cli_simulate_writes_files_and_exits_2_on_bad_input(tmp_path, write_scenario, capsys):
    assert main(["simulate", str(SCENARIOS / "baseline.toml"), "--out", str(tmp_path), "--paths", "300",
                 "--host", "ict=Porsanger"]) == 0
    folder = tmp_path / "baseline-simulation"
    assert sorted(p.name for p in folder.iterdir()) == [".vertskommune", "costs.csv", "paths.csv", "reach.csv", "staffing.csv", "summary.json"]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["paths"] == 300 and summary["costs"][0]["who"] == "total"
    assert {"service": "ict", "host": "5622", "served": ["5620", "5622", "5624", "5626"]} in summary["units"]
    assert "snitt" in capsys.readouterr().out
    bad = write_scenario("bad", 'members = ["5620", "5622"]\n[uncertainty]\nseed = -1\n')
    assert main(["simulate", str(bad), "--out", str(tmp_path), "--lang", "en"]) == 2
    assert "uncertainty.seed" in capsys.readouterr().err
    assert not (tmp_path / "bad-simulation").exists()


def test_cvar_weights_the_boundary_path_when_a_tenth_is_fractional():
    values = np.arange(1.0, 16.0)  # n = 15: the worst tenth is 1.5 paths' worth
    assert stats(values)["cvar90"] == pytest.approx((15.0 + 0.5 * 14.0) / 1.5)
    assert stats(np.arange(1.0, 6.0))["cvar90"] == 5.0  # fewer than ten paths: the worst one


def test_plans_sharing_a_unit_share_its_staffing_draws(baseline):
    """Common random numbers per unit: moving one service leaves every other unit's staffing path unchanged,
    and the moved unit at a host that fills vacancies faster is below its minimum in no more months, path by path."""
    scenario, result = baseline
    simulator = Simulator(scenario, result.model)
    at = {host: typed_plan(result.model, {"claims_collection": [(host, None)]}, base=result.plan)
          for host in ("5620", "5626")}
    assert at["5620"].units == result.plan.units
    sims = {host: simulator.run(plan, paths=400, seed=8) for host, plan in at.items()}
    below = {host: dict(zip(plan.units, sims[host].below_minimum)) for host, plan in at.items()}
    shared = set(at["5620"].units) & set(at["5626"].units)
    assert len(shared) == len(at["5620"].units) - 1
    for u in shared:
        assert np.array_equal(below["5620"][u], below["5626"][u])
    fast, slow = (next(b for u, b in below[h].items() if u.service == "claims_collection") for h in ("5620", "5626"))
    assert np.all(fast <= slow) and fast.mean() < slow.mean()  # Nordkapp fills in 6.0 months, Gamvik in 10.0
    assert np.array_equal(sims["5620"].member_yearly, sims["5626"].member_yearly)  # no travel: same cost draws


def test_random_streams_do_not_depend_on_the_python_process(baseline, tmp_path):
    """Streams are keyed by a SHA-256 of the unit, not Python's salted hash(): another process, same numbers."""
    import os
    import subprocess
    import sys

    scenario, result = baseline
    here = simulate_plan(scenario, result.plan, model=result.model, paths=50, seed=3)
    code = ("import sys; sys.path.insert(0, 'tests'); from conftest import SCENARIOS;"
            "from optimizer.scenario import load_scenario; from optimizer.pipeline import run;"
            "from optimizer.simulate import simulate_plan; s = load_scenario(SCENARIOS / 'baseline.toml'); r = run(s);"
            "sim = simulate_plan(s, r.plan, model=r.model, paths=50, seed=3);"
            "print(repr(float(sim.distribution().sum())), repr(float(sim.below_minimum.sum())))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                         cwd=str(SCENARIOS.parent)).stdout.split()
    assert out == [repr(float(here.distribution().sum())), repr(float(here.below_minimum.sum()))]


@pytest.mark.parametrize(("option", "value"), [("--years", "31"), ("--paths", "1000001"), ("--years", "0")])
def test_cli_draw_options_have_the_bounds_of_the_uncertainty_table(tmp_path, capsys, option, value):
    code = main(["simulate", str(SCENARIOS / "baseline.toml"), "--out", str(tmp_path), "--paths", "10", option, value])
    assert code == 2
    err = capsys.readouterr().err
    assert option in err and value in err
    assert not (tmp_path / "baseline-simulation").exists()


def test_every_file_named_in_the_assumptions_exists():
    from optimizer.uncertainty import BASIS

    named = [word.strip("().,") for text in BASIS.values() for word in text.split() if word.strip("().,").endswith(".md")]
    assert named and all((SCENARIOS.parent / path).is_file() for path in named)

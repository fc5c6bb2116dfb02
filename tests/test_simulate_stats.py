"""Statistical tests: simulated means and frequencies against their analytic values on small cases.

Each test is seeded (reproducible) and accepts a deviation of at most 4 standard errors of the
simulated estimate; a correct simulation fails such a bound with probability about 6e-5.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from optimizer.pipeline import build_model, run
from optimizer.scenario import resolve
from optimizer.simulate import Simulator
from optimizer.uncertainty import UncertaintySpec

from test_model import only

SIGMAS = 4.0
OFF = UncertaintySpec(cases_per_1000={}, turnover=0.0, closure_probability=0.0, growth_sd=0.0)


def solved(table):
    scenario = resolve(table, scenario_id="stat")
    result = run(scenario)
    return scenario, result


def within(estimate: float, expected: float, standard_error: float) -> bool:
    return abs(estimate - expected) <= SIGMAS * standard_error


def test_poisson_demand_step_staffing_mean_matches_the_pmf_sum():
    """Lebesby alone, ICT with 1 FTE per 1000, minimum 1 FTE, 0.5-FTE steps, no fixed cost or travel.

    Cases N ~ Poisson(4 x 1.215) a year; workload 1.215 x N / 4.86 = N / 4 FTE, so FTE = max(1, ceil(N / 2) / 2).
    """
    ict = {"fte_per_1000": 1.0, "min_fte": 1.0, "cost_per_fte": 800000, "fixed_cost": 0,
           "trips_per_member": 0, "trips_per_1000": 0}
    scenario, result = solved(only({"ict": ict}, ["5624"], fairness={"enabled": False}))
    lam = 4.0 * 1215 / 1000
    n = np.arange(0, 80)
    fte = np.maximum(1.0, np.ceil(n / 2) / 2)
    expected = 800000 * float(np.sum(sps.poisson.pmf(n, lam) * fte))
    spec = UncertaintySpec(cases_per_1000={"ict": 4.0}, turnover=0.0, closure_probability=0.0, growth_sd=0.0)
    sim = Simulator(scenario, result.model, spec).run(result.plan, paths=5000, years=2, seed=11)
    yearly = sim.yearly.ravel()
    assert within(yearly.mean(), expected, yearly.std(ddof=1) / math.sqrt(yearly.size))


def test_poisson_demand_continuous_variance_is_scale_squared_over_lambda():
    ict = {"fte_per_1000": 2.0, "min_fte": 0.0, "cost_per_fte": 1_000_000, "fixed_cost": 0,
           "trips_per_member": 0, "trips_per_1000": 0}
    table = only({"ict": ict}, ["5626"], fairness={"enabled": False}, solver={"staffing": "continuous"})
    scenario, result = solved(table)
    lam = 3.0 * 1070 / 1000
    scale = 2.0 * 1.070 * 1_000_000  # expected yearly cost
    spec = UncertaintySpec(cases_per_1000={"ict": 3.0}, turnover=0.0, closure_probability=0.0, growth_sd=0.0)
    sim = Simulator(scenario, result.model, spec).run(result.plan, paths=8000, years=1, seed=12)
    x = sim.yearly.ravel()
    assert within(x.mean(), scale, scale / math.sqrt(lam * x.size))
    variance = scale**2 / lam
    fourth = scale**4 * (lam * (1 + 3 * lam)) / lam**4  # fourth central moment of scale x N / lam
    assert within(x.var(ddof=1), variance, math.sqrt((fourth - variance**2) / x.size))


def on_call_pair(members, host, limit, winter=False):
    on_call = {"fte_per_1000": 0.25, "min_fte": 2.0, "max_travel_minutes": limit,
               "max_units": 1, "required_hosts": [host]}
    table = only({"child_welfare_on_call": on_call}, members, fairness={"enabled": False},
                 travel={"winter": winter})
    return solved(table)


def test_single_pass_closure_share_matches_its_probability():
    """Mehamn is reached from Kjøllefjord only over Mehamnelv bru–Kifjord: closed 30 % of Jan–Mar."""
    scenario, result = on_call_pair(["5624", "5626"], "5624", 60)
    spec = UncertaintySpec(cases_per_1000={"child_welfare_on_call": 4.0}, turnover=0.0, growth_sd=0.0,
                           closure_probability=0.0, closure_by_pass={"mehamnelv_bru_kifjord": 0.3},
                           closure_months=(1, 2, 3))
    simulator = Simulator(scenario, result.model, spec)
    p = 0.3 * 3 / 12
    i, h = result.model.members.index("5626"), result.model.members.index("5624")
    assert simulator.out_of_reach["child_welfare_on_call"][i, h] == pytest.approx(p)
    assert simulator.out_of_reach["child_welfare_on_call"][h, h] == 0.0
    sim = simulator.run(result.plan, paths=4000, years=4, seed=13)
    events = sim.events[("child_welfare_on_call", "5626")].sum()
    missed = sim.unreachable[("child_welfare_on_call", "5626")].sum()
    assert events > 50_000
    assert within(missed / events, p, math.sqrt(p * (1 - p) / events))
    assert sim.unreachable[("child_welfare_on_call", "5624")].sum() == 0
    # cases are Poisson(4 x 1.070) a year at Gamvik
    assert within(events / (4000 * 4), 4.28, math.sqrt(4.28 / (4000 * 4)))


def test_two_passes_in_series_combine_exactly():
    """Lakselv to Kjøllefjord needs Børselvfjellet (the Tana detour is too long) and Bekkarfjord–Hopseidet."""
    scenario, result = on_call_pair(["5622", "5624"], "5622", 300)
    spec = UncertaintySpec(cases_per_1000={"child_welfare_on_call": 4.0}, turnover=0.0, growth_sd=0.0,
                           closure_probability=0.0, closure_months=tuple(range(1, 13)),
                           closure_by_pass={"borselvfjellet": 0.1, "bekkarfjord_hopseidet": 0.2, "ifjordfjellet": 0.5})
    simulator = Simulator(scenario, result.model, spec)
    i, h = result.model.members.index("5624"), result.model.members.index("5622")
    assert simulator.out_of_reach["child_welfare_on_call"][i, h] == pytest.approx(1 - 0.9 * 0.8)
    sim = simulator.run(result.plan, paths=4000, years=4, seed=14)
    events = sim.events[("child_welfare_on_call", "5624")].sum()
    missed = sim.unreachable[("child_welfare_on_call", "5624")].sum()
    assert within(missed / events, 0.28, math.sqrt(0.28 * 0.72 / events))


def test_months_below_minimum_match_the_two_state_chain():
    """Gamvik alone runs ICT with 3 positions and a minimum of 3: any vacancy is a month below.

    Each position is a two-state chain: at the start of a month a vacancy is filled with
    probability q, then a holder leaves with probability p; positions are independent.
    """
    scenario, result = solved(only({"ict": {}}, ["5626"], fairness={"enabled": False}))
    (unit,) = result.plan.units
    assert unit.fte == 3.0
    turnover, months_to_fill, years = 0.3, 4.0, 3
    spec = UncertaintySpec(cases_per_1000={}, turnover=turnover, closure_probability=0.0, growth_sd=0.0,
                           vacancy_months_by_host={"5626": months_to_fill})
    sim = Simulator(scenario, result.model, spec).run(result.plan, paths=6000, years=years, seed=15)
    p, q = 1 - (1 - turnover) ** (1 / 12), 1 / months_to_fill
    vacant, below = 0.0, []
    for _ in range(12 * years):
        vacant = vacant * (1 - q)
        vacant = vacant + (1 - vacant) * p
        below.append(1 - (1 - vacant) ** 3)
    expected = float(np.mean(below))
    shares = sim.below_minimum[0]
    assert within(shares.mean(), expected, shares.std(ddof=1) / math.sqrt(shares.size))


def test_cost_growth_index_has_the_analytic_mean():
    scenario, result = solved(only({"ict": {}}, ["5626"], fairness={"enabled": False}))
    spec = UncertaintySpec(cases_per_1000={}, turnover=0.0, closure_probability=0.0, growth_mean=0.03, growth_sd=0.05)
    sim = Simulator(scenario, result.model, spec).run(result.plan, paths=5000, years=4, seed=16)
    last = sim.yearly[:, -1] / result.total_cost
    assert np.all(sim.yearly[:, 0] == pytest.approx(result.total_cost))
    assert within(last.mean(), 1.03**3, last.std(ddof=1) / math.sqrt(last.size))
    assert build_model(scenario).members == ("5626",)
    assert OFF.effective() == OFF

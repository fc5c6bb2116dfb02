"""The assignment MILP (``optimizer.engine.compact``) against the exact engine and the candidate-unit MILP.

Two independent formulations of the same model: where both prove an optimum they must agree, under
every rule group, cost key and restriction; where one finds no plan, so must the other.
"""

from __future__ import annotations

import random

import pulp
import pytest

from optimizer import model as model_module
from optimizer.engine.compact import HIGHS_OPTIONS, AssignmentMILP
from optimizer.engine.reference import CandidateMILP
from optimizer.errors import SolverLimitError
from optimizer.model import Restrictions
from optimizer.pipeline import build_model
from optimizer.scenario import read_scenario_file, resolve
from optimizer.solver import solve

from conftest import SCENARIOS
from test_engine import random_case
from test_model import ALL_SERVICES

FOUNDERS = ["5620", "5622", "5624", "5626"]


def scenario_with(members: list[str]):
    """The baseline's services and rules with ``members`` (the four founders among them)."""
    raw, _ = read_scenario_file(SCENARIOS / "baseline.toml")
    return resolve(dict(raw, members=members, founding=FOUNDERS), scenario_id=f"m{len(members)}")


def agree(fast, slow) -> None:
    """Same optimum (up to the tie-break of under 1 NOK per unit), both proven, or both no plan."""
    if slow is None:
        assert fast is None
        return
    assert fast is not None and fast.solve_info.status == "optimal"
    assert fast.total == pytest.approx(slow.total, abs=len(slow.units) * 1.0)


@pytest.mark.parametrize("seed", range(24))
def test_assignment_milp_equals_the_engine_on_random_cases(seed):
    rng = random.Random(7000 + seed)
    size = rng.choice([2, 3, 4, 5, 6, 7])
    model = build_model(resolve(random_case(rng, size), scenario_id=f"a{seed}"))
    groups = model.rule_groups()
    services = list(model.costs)
    host = rng.choice(model.members)
    others = [m for m in model.members if m != host]
    group = frozenset([host, *rng.sample(others, min(len(others), rng.choice([0, 1, 2])))])
    for restrictions in (Restrictions(), Restrictions(fixed_units={rng.choice(services): (host, group)}),
                         Restrictions(shared_services=frozenset(rng.sample(services, 1))),
                         Restrictions(max_shared_services=rng.choice([0, 1, 2]))):
        for rules in (groups, [g for g in groups if not g.startswith("fairness.")]):
            agree(AssignmentMILP(model, time_limit=60).solve(rules, restrictions), model.solve(rules, restrictions))


@pytest.mark.parametrize("seed", range(4))
def test_k_best_equal_the_candidate_unit_milp(seed):
    """No-good cuts on the assignments give the same k best plans as those on candidate units."""
    rng = random.Random(7100 + seed)
    model = build_model(resolve(random_case(rng, rng.choice([3, 4, 5])), scenario_id=f"ak{seed}"))
    rules = model.rule_groups()
    new = [round(p.total) for p in AssignmentMILP(model).solve_best(rules, 4)]
    old = [round(p.total) for p in CandidateMILP(model).solve_best(rules, 4)]
    assert new == pytest.approx(old, abs=5)


def test_the_baseline_with_masoy_equals_the_engine():
    """The four founders and Måsøy under every rule of the baseline (its staffing minimums, band, key)."""
    model = build_model(scenario_with(FOUNDERS + ["5618"]))
    rules = model.rule_groups()
    agree(AssignmentMILP(model, time_limit=120).solve(rules), model.solve(rules))


def test_a_stopped_search_says_so():
    """Twelve members with one second: a plan marked not proven with its gap, or the limit error."""
    model = build_model(scenario_with(FOUNDERS + ["5618", "5628", "5610", "5630", "5632", "5603", "5601", "5605"]))
    try:
        plan = AssignmentMILP(model, time_limit=1).solve(model.rule_groups())
    except SolverLimitError as error:
        assert "time limit" in str(error)
        return
    assert plan is not None and plan.solve_info.status == "feasible" and plan.solve_info.gap > 0


def test_the_model_hands_regions_beyond_the_tables_to_the_assignment_milp(monkeypatch):
    """Above ``MAX_TABLE_MEMBERS`` the model solves without unit tables (here with the limit lowered)."""
    rng = random.Random(7200)
    model = build_model(resolve(random_case(rng, 5), scenario_id="beyond"))
    rules = model.rule_groups()
    exact = model.solve(rules)
    monkeypatch.setattr(model_module, "MAX_TABLE_MEMBERS", 4)
    built = []
    monkeypatch.setattr(model_module.ServiceTable, "__init__", lambda *a: built.append(a))
    agree(model_module.HostChoiceModel(model.scenario, model.costs, model.ir_reference).solve(rules), exact)
    assert not built


@pytest.mark.parametrize("seed", range(6))
def test_a_unit_admits_only_its_true_staffing(seed):
    """Maximising a unit's FTE over the formulation's rows gives exactly ``optimizer.units``'s staffing
    (no over-staffing a host could use to meet the band or the FTE-loss limit), and minimising too."""
    rng = random.Random(7300 + seed)
    model = build_model(resolve(random_case(rng, rng.choice([3, 4, 5])), scenario_id=f"st{seed}"))
    milp = AssignmentMILP(model)
    sid = rng.choice(list(model.costs))
    host = rng.choice(model.members)
    group = frozenset([host, *rng.sample([m for m in model.members if m != host], rng.choice([1, 2]))])
    restrictions = Restrictions(fixed_units={sid: (host, group)})
    expected = model.costs[sid].unit(host, sorted(group)).fte
    for sense in (pulp.LpMaximize, pulp.LpMinimize):
        problem = pulp.LpProblem("staffing", sense)
        v = milp._service(problem, sid, model.costs[sid], frozenset(), restrictions)
        fte = v.fte[model.members.index(host)]
        problem.setObjective(pulp.LpAffineExpression([(fte, 1.0)]))
        assert solve(problem, milp.options, HIGHS_OPTIONS).status == "optimal"
        assert fte.varValue == pytest.approx(expected, abs=1e-5)


def test_a_shared_unit_without_workload_is_staffed_at_the_minimum():
    """No workload, a minimum of one step: a shared unit still costs its minimum (found by review)."""
    services = {sid: {"enabled": False} for sid in ALL_SERVICES}
    services["ict"] = {"enabled": True, "fte_per_1000": 0.0, "min_fte": 0.5, "cost_per_fte": 900000, "fixed_cost": 0,
                       "trips_per_member": 200, "trips_per_1000": 0}
    model = build_model(resolve({"members": ["5601", "5603", "5605"], "founding": ["5601"], "services": services,
                                 "fairness": {"individual_rationality": False}}, scenario_id="zero_load"))
    rules = model.rule_groups()
    agree(AssignmentMILP(model).solve(rules), model.solve(rules))
    assert model.solve(rules).total == pytest.approx(3 * 0.5 * 900000)  # everyone alone, by hand


def test_malformed_or_conflicting_restrictions_admit_no_plan_as_in_the_engine():
    """A fixed shared unit in a service that may not be shared, and a fixed group without its host."""
    model = build_model(resolve(random_case(random.Random(1), 4), scenario_id="conflicts"))
    sid = next(iter(model.costs))
    host, other = model.members[:2]
    for restrictions in (
        Restrictions(fixed_units={sid: (host, frozenset({host, other}))},
                     shared_services=frozenset(s for s in model.costs if s != sid)),
        Restrictions(fixed_units={sid: (host, frozenset({other}))}),
    ):
        assert model.solve([], restrictions) is None
        assert AssignmentMILP(model).solve([], restrictions) is None

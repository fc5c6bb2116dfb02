"""Priorities against brute force over every subset of services, and the baseline's N = 1 conflict."""

from __future__ import annotations

import itertools

import pytest

from optimizer.decisions.priorities import priorities, service_savings, step_note
from optimizer.model import Restrictions
from optimizer.pipeline import build_model, run
from optimizer.scenario import load_scenario, resolve
from tests.conftest import SCENARIOS

SERVICES = ("child_welfare", "child_welfare_on_call", "fire_prevention", "ict",
            "procurement", "planning_building", "claims_collection")


def small(members, services, **extra) -> dict:
    table = {"members": list(members), "services": {s: {"enabled": s in services} for s in SERVICES}}
    table.update(extra)
    return table


def brute_force(model, rules, n):
    """Cheapest plan over every set of at most ``n`` services allowed to be shared (None: none feasible)."""
    best = None
    for k in range(n + 1):
        for subset in itertools.combinations(model.costs, k):
            plan = model.solve(rules, Restrictions(shared_services=frozenset(subset)))
            if plan is not None and (best is None or plan.total < best.total):
                best = plan
    return best


@pytest.mark.parametrize("table", [
    small(["5622", "5624", "5626"], ("ict", "procurement", "fire_prevention", "claims_collection")),
    small(["5620", "5624", "5626"], ("ict", "child_welfare", "planning_building"),
          fairness={"min_shared_units_hosted": 1, "individual_rationality": True, "fte_band": 0.3}),
    small(["5620", "5622", "5624", "5626"], ("ict", "procurement", "fire_prevention"),
          fairness={"min_shared_units_hosted": 1}),
], ids=["no-fairness", "fair-3", "fair-4"])
def test_equal_to_brute_force(table):
    result = run(resolve(table, scenario_id="small"))
    model, plan = result.model, result.plan
    found = priorities(model, plan)
    assert [s.n for s in found.steps] == list(range(1, len(model.costs) + 1))
    for step in found.steps:
        reference = brute_force(model, plan.rules, step.n)
        if reference is not None:  # every rule holds: the same optimum
            assert step.outcome.all_rules_hold and step.outcome.conflict == ()
            assert step.total == pytest.approx(reference.total, abs=1.0)
        else:  # no subset meets the rules: conflict named, and the plan is the optimum without the lifted ones
            assert step.outcome.conflict and step.outcome.lifted
            assert set(step.outcome.lifted) <= set(step.outcome.conflict) | set(plan.rules)
            lifted = brute_force(model, plan.rules - set(step.outcome.lifted), step.n)
            assert step.total == pytest.approx(lifted.total, abs=1.0)
        assert len(step.services) <= step.n
        assert all(any(u.shared for u in step.plan.units if u.service == s) for s in step.services)
        alone = sum(model.stand_alone_total(m) for m in model.members)
        assert step.saving == pytest.approx(alone - step.plan.total)
        assert sum(step.member_saving(m) for m in model.members) == pytest.approx(step.saving)


def test_baseline_n1_cannot_meet_founders_hosting_and_says_so():
    result = run(load_scenario(SCENARIOS / "baseline.toml"))
    calls = []
    found = priorities(result.model, result.plan, progress=lambda done, text: calls.append(done))
    assert calls[0] == 0.0 and calls[-1] == 1.0 and calls == sorted(calls)
    first = found.steps[0]
    assert first.n == 1 and first.outcome.conflict == ("fairness.min_shared_units_hosted",)
    assert first.outcome.lifted == ("fairness.min_shared_units_hosted",)
    assert len(first.services) == 1
    # with two services every founder can host one shared unit again
    assert found.steps[1].outcome.all_rules_hold and len(found.steps[1].services) == 2
    # the full N is the adopted plan; per-service savings add up to the adopted plan's saving
    last = found.steps[-1]
    assert last.total == pytest.approx(result.total_cost)
    assert sum(s.saving for s in found.services) == pytest.approx(result.total_stand_alone - result.total_cost)
    # the figures from the workbook: ICT 8.05 M, child welfare 7.22 M, planning 4.55 M
    savings = {s.service: round(s.saving / 1e4) / 100 for s in found.services}
    assert (savings["ict"], savings["child_welfare"], savings["planning_building"]) == (8.05, 7.22, 4.55)
    # savings never fall as N grows (every plan for N is allowed for N + 1) while all rules hold
    holding = [s.saving for s in found.steps if s.outcome.all_rules_hold]
    assert holding == sorted(holding)


def test_service_savings_by_hand():
    """One service, two members: the saving is the two stand-alone units minus the shared one."""
    table = small(["5624", "5626"], ("ict",))
    model = build_model(resolve(table, scenario_id="two"))
    plan = model.solve([])
    (row,) = service_savings(model, plan)
    alone = model.costs["ict"].stand_alone("5624").total + model.costs["ict"].stand_alone("5626").total
    assert row.stand_alone == pytest.approx(alone)
    assert row.saving == pytest.approx(alone - sum(u.total for u in plan.units))


def test_a_solve_without_a_plan_in_time_is_marked_not_raised(monkeypatch):
    """A time limit that stops a solve before any plan: that N says so; the others are unaffected."""
    from optimizer.errors import SolverLimitError

    result = run(load_scenario(SCENARIOS / "baseline.toml"))
    model = result.model
    real = model.solve

    def slow_for_one(rules, restrictions=Restrictions(), **options):
        if restrictions.max_shared_services == 2:
            raise SolverLimitError("not_solved", 1.0)
        return real(rules, restrictions, **options)

    monkeypatch.setattr(model, "solve", slow_for_one)
    found = priorities(model, result.plan, [1, 2, 3])
    assert [s.outcome.timed_out for s in found.steps] == [False, True, False]
    assert found.steps[1].plan is None and "innen tidsgrensen" in step_note(model, found.steps[1])
    assert found.steps[2].plan is not None

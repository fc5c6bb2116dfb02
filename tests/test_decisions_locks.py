"""Locked and forbidden hosts: overlay round trip, and lock costs against scenarios solved from scratch."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer.decisions.locks import HostLocks, lock_costs, lock_overlay, locks_of
from optimizer.editing import edited_table
from optimizer.pipeline import run
from optimizer.scenario import load_scenario, read_scenario_file, resolve
from tests.conftest import SCENARIOS

BASE = SCENARIOS / "baseline.toml"
# "Lebesby keeps procurement" and "Porsanger does not host child welfare"
LOCKS = HostLocks(required={"procurement": ("5624",)}, forbidden={"child_welfare": ("5622",)})


def with_services(table: dict, services: dict) -> dict:
    return edited_table(table, {"services": services})


def test_overlay_round_trip_and_only_differences():
    table, _ = read_scenario_file(BASE)
    base = load_scenario(BASE)
    changes = lock_overlay(base, LOCKS)
    assert changes == {"services": {"procurement": {"required_hosts": ["5624"]},
                                    "child_welfare": {"forbidden_hosts": ["5622"]}}}
    locked = resolve(edited_table(table, changes), scenario_id="locked")
    assert locks_of(locked) == LOCKS
    assert lock_overlay(locked, LOCKS) == {}
    # removing a lock writes the emptied list
    assert lock_overlay(locked, HostLocks(required={"procurement": ("5624",)})) == {
        "services": {"child_welfare": {"forbidden_hosts": []}}}


def test_lock_costs_equal_scenarios_solved_from_scratch():
    table, _ = read_scenario_file(BASE)
    free = run(resolve(table, scenario_id="free"))
    locked = run(resolve(edited_table(table, lock_overlay(load_scenario(BASE), LOCKS)), scenario_id="locked"))
    costs = lock_costs(locked.model, locked.plan, each=True)
    assert set(costs.groups) == {"services.procurement.required_hosts", "services.child_welfare.forbidden_hosts"}
    assert costs.free.total == pytest.approx(free.total_cost, abs=5.0)
    assert costs.cost == pytest.approx(locked.total_cost - free.total_cost, abs=5.0)
    assert costs.cost > 0  # the free plan has Porsanger host both
    one = run(resolve(with_services(table, {"procurement": {"required_hosts": ["5624"]}}), scenario_id="one"))
    two = run(resolve(with_services(table, {"child_welfare": {"forbidden_hosts": ["5622"]}}), scenario_id="two"))
    assert costs.each["services.procurement.required_hosts"] == pytest.approx(one.total_cost - free.total_cost, abs=5.0)
    assert costs.each["services.child_welfare.forbidden_hosts"] == pytest.approx(two.total_cost - free.total_cost,
                                                                                 abs=5.0)
    assert any(u.service == "procurement" and u.host == "5624" for u in locked.plan.units)
    assert not any(u.service == "child_welfare" and u.host == "5622" for u in locked.plan.units)


def test_no_locks_cost_nothing():
    result = run(load_scenario(BASE))
    costs = lock_costs(result.model, result.plan, each=True)
    assert costs.groups == () and costs.cost == 0.0 and costs.each == {}


def test_settings_carry_locks_into_the_overlay_and_the_downloaded_file():
    """The app's lock widgets (``Settings.host_locks``) become the scenario keys, and the saved TOML
    resolves to the same locks."""
    import tomllib

    from optimizer.editing import apply, settings_of, to_toml

    table, _ = read_scenario_file(BASE)
    base = load_scenario(BASE)
    start = settings_of(base)
    assert start.host_locks == HostLocks()
    edited, scenario = apply(table, base, replace(start, host_locks=LOCKS), scenario_id="app")
    assert locks_of(scenario) == LOCKS
    saved = resolve(tomllib.loads(to_toml(edited, "t")), scenario_id="saved")
    assert locks_of(saved) == LOCKS

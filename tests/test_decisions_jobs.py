"""Jobs before and after: hand-computed case, the issue's figures and the invariants on real scenarios."""

from __future__ import annotations

from collections import defaultdict

import pytest

from optimizer.decisions.jobs import fte_loss_price, job_rows, member_jobs
from optimizer.pipeline import run
from optimizer.scenario import load_scenario, resolve
from tests.conftest import SCENARIOS

ICT_SIMPLE = {"fte_per_1000": 1.0, "min_fte": 2.0, "cost_per_fte": 850000, "fixed_cost": 1_000_000,
              "trips_per_member": 10, "trips_per_1000": 0}
OFF = ("child_welfare", "child_welfare_on_call", "fire_prevention", "procurement",
       "planning_building", "claims_collection")


def ict_only(members, **extra) -> dict:
    table = {"members": list(members), "services": {s: {"enabled": False} for s in OFF}}
    table["services"]["ict"] = dict(ICT_SIMPLE)
    table.update(extra)
    return table


def test_two_members_by_hand():
    """Lebesby and Gamvik share ICT in Lebesby: 2 + 2 FTE alone, 2.5 FTE together (2.285 FTE of work)."""
    result = run(resolve(ict_only(["5624", "5626"]), scenario_id="hand"))
    rows = {r.member: r for r in job_rows(result.model, result.plan)}
    host, other = rows["5624"], rows["5626"]
    assert host.host == other.host == "5624"
    assert (host.alone_fte, other.alone_fte) == (2.0, 2.0)
    assert (host.cooperation_fte, other.cooperation_fte) == (2.5, 0.0)
    # 1.5 positions no longer needed, half each (equal stand-alone staffing); Gamvik's other 1.25 move
    assert host.no_longer_needed == pytest.approx(0.75) and other.no_longer_needed == pytest.approx(0.75)
    assert other.transferred == pytest.approx(-1.25) and host.transferred == pytest.approx(1.25)
    assert other.net == pytest.approx(-2.0) and host.net == pytest.approx(0.5)
    totals = {t.member: t for t in member_jobs(list(rows.values()))}
    assert totals["5626"].transferred_out == pytest.approx(1.25) and totals["5624"].transferred_in == pytest.approx(1.25)


def test_continuous_staffing_pools_without_saving_positions():
    """Continuous staffing, no minimum: 1.215 + 1.07 FTE alone is 2.285 FTE together, so a shared unit
    (worth it for the fixed cost) moves Gamvik's positions to the host and frees none."""
    table = ict_only(["5624", "5626"], solver={"staffing": "continuous"})
    table["services"]["ict"].update(min_fte=0.0, fixed_cost=5_000_000)
    result = run(resolve(table, scenario_id="cont"))
    rows = {r.member: r for r in job_rows(result.model, result.plan)}
    assert result.plan.units[0].shared
    assert rows["5626"].transferred == pytest.approx(-1.07) and rows["5624"].transferred == pytest.approx(1.07)
    assert rows["5624"].no_longer_needed == pytest.approx(0.0, abs=1e-9)
    assert rows["5626"].no_longer_needed == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("name", ["baseline", "join_tana"])
def test_invariants_and_issue_figures(name):
    result = run(load_scenario(SCENARIOS / f"{name}.toml"))
    rows = job_rows(result.model, result.plan)
    assert len(rows) == len(result.members) * len(result.model.costs)
    by_service = defaultdict(list)
    for r in rows:
        by_service[r.service].append(r)
        assert r.alone_fte == result.model.stand_alone[(r.service, r.member)].fte
        assert r.cooperation_fte == pytest.approx(r.alone_fte + r.transferred - r.no_longer_needed)
        assert r.no_longer_needed >= -1e-9  # pooling never needs more staff than alone
    for service, group in by_service.items():
        coop = sum(u.fte for u in result.plan.units if u.service == service)
        alone = sum(result.model.stand_alone[(service, m)].fte for m in result.members)
        assert sum(r.transferred for r in group) == pytest.approx(0.0, abs=1e-9)
        assert sum(r.no_longer_needed for r in group) == pytest.approx(alone - coop)
    totals = {t.member: t for t in member_jobs(rows)}
    for m in result.members:
        assert totals[m].cooperation_fte == pytest.approx(result.plan.fte_hosted(m))
        assert totals[m].alone_fte == pytest.approx(result.model.stand_alone_fte(m))
    if name == "baseline":  # the issue: 75 FTE alone against 43 together; Nordkapp hosts 9
        assert sum(t.alone_fte for t in totals.values()) == pytest.approx(75.0)
        assert sum(t.cooperation_fte for t in totals.values()) == pytest.approx(43.0)
        assert totals["5620"].cooperation_fte == pytest.approx(9.0)
    else:  # with Tana, Nordkapp goes from 9 to 7.5
        assert totals["5620"].cooperation_fte == pytest.approx(7.5)


def test_fte_loss_price_is_cost_with_rule_minus_without(write_scenario):
    """Against two independently solved scenarios: the baseline with and without the limit."""
    base = SCENARIOS / "baseline.toml"
    limited = write_scenario("limited", f'extends = "{base.as_posix()}"\n[fairness]\nmax_fte_loss = 12\n')
    with_rule = run(load_scenario(limited))
    without = run(load_scenario(base))
    price = fte_loss_price(with_rule.model, with_rule.plan)
    assert price is not None and price.limit == 12
    assert price.cost_with == pytest.approx(with_rule.total_cost)
    assert price.price == pytest.approx(with_rule.total_cost - without.total_cost)
    for m in with_rule.members:  # the rule holds in the plan
        assert with_rule.plan.fte_hosted(m) >= with_rule.model.stand_alone_fte(m) - 12 - 1e-9
    assert price.price > 0  # Lebesby hosts 2 of its 18 FTE in the free plan: the limit binds
    assert fte_loss_price(without.model, without.plan) is None

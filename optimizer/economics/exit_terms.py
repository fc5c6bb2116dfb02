"""Exit terms: what a member owes when it leaves (uttreden), and what its leaving costs the others.

One-off costs are written off linearly over the agreement's length from each unit's start year. A
member leaving at the end of year y owes its fraction of every unit's one-off costs not yet written
off: ``fraction x one-off x max(0, 1 - (y - start + 1) / years)``, fixed prices. During the notice
period (``notice_months``) it pays its share as before: ``notice_months / 12`` of its running share
of the shared units in the following year (the last year's, at the end of the agreement).

The ``leave`` analysis (``optimizer.newcomer.leave``) adds what the remaining members would pay in
a year without it under the scenario's settlement method, against what they pay with it.
"""

from __future__ import annotations

from typing import Any

from optimizer.economics.budget import Budget
from optimizer.errors import InfeasibleError
from optimizer.newcomer import leave
from optimizer.statement import Statement


def unwritten_one_off(budget: Budget, member: str, year: int) -> float:
    """``member``'s share of one-off costs not written off at the end of ``year`` (fixed prices)."""
    total = 0.0
    for unit in budget.shared_units:
        start = budget.start[unit.service]
        if member not in unit.members or start > year:
            continue
        remaining = max(0.0, 1.0 - (year - start + 1) / budget.spec.years)
        total += budget.fractions[unit][member] * budget.one_off[unit].total * remaining
    return total


def notice_payment(budget: Budget, member: str, year: int) -> float:
    """What ``member`` pays for shared units during the notice period after ``year`` (fixed prices)."""
    following = min(year + 1, budget.spec.calendar[-1])
    yearly = sum(budget.fractions[u][member] * budget.running(u, following)
                 for u in budget.shared_units if member in u.members)
    return budget.spec.notice_months.value / 12.0 * yearly


def exit_rows(budget: Budget) -> list[dict[str, Any]]:
    """Member x year of leaving (at the end of each year of the agreement)."""
    s = budget.result.scenario
    return [{
        "scenario": s.id,
        "member": m,
        "member_name": s.name(m),
        "leaves_end_of": year,
        "unwritten_one_off_nok": unwritten_one_off(budget, m, year),
        "notice_months": budget.spec.notice_months.value,
        "notice_payment_nok": notice_payment(budget, m, year),
    } for m in budget.result.members for year in budget.spec.calendar]


def leave_effects(statement: Statement) -> dict[str, dict[str, Any]]:
    """Per member: the others' yearly cost with and without it (chosen method), from the leave analysis."""
    scenario = statement.result.scenario
    method = scenario.settlement_method
    out: dict[str, dict[str, Any]] = {}
    for m in statement.result.members:
        if len(statement.result.members) < 2:
            break
        others = [k for k in statement.result.members if k != m]
        before = sum(statement.chosen.total(k) for k in others)
        try:
            change = leave(scenario, m, before=statement)
        except InfeasibleError as exc:
            out[m] = {"others_before_nok": before, "others_after_nok": None, "feasible": False,
                      "culprits": list(exc.culprits)}
            continue
        after = sum(change.after.outcomes[method].total(k) for k in others)
        out[m] = {"others_before_nok": before, "others_after_nok": after, "feasible": True,
                  "others_change_nok": after - before}
    return out

"""What a newcomer changes (a border municipality joining), and what the rest pay if a member leaves.

Costs are those of adopted plans: the scenario as it is, and the same scenario with the member
added or removed (all its rules, fairness included). For a newcomer j:
- marginal cost c(N+j) - c(N): the least it must pay for the others to lose nothing;
- stand-alone cost c(j): the most it would pay before going alone is better;
- the fair entry prices lie in between (an empty range means joining costs more than it saves);
- every existing member's share under every method, before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from optimizer.games import model_game
from optimizer.pipeline import run
from optimizer.result import ScenarioResult
from optimizer.scenario import Scenario
from optimizer.statement import METHODS, Statement, settlement_statement


@dataclass(frozen=True)
class MembershipChange:
    """A scenario before and after one member joins or leaves."""

    municipality: str
    joining: bool
    before: Statement
    after: Statement

    @property
    def marginal_cost(self) -> float:
        """c(N+j) - c(N) for a newcomer; c(N) - c(N-i) for a leaver."""
        big, small = (self.after, self.before) if self.joining else (self.before, self.after)
        return big.result.total_cost - small.result.total_cost

    @property
    def stand_alone(self) -> float:
        side = self.after if self.joining else self.before
        return side.result.stand_alone(self.municipality)

    @property
    def entry_price_range(self) -> tuple[float, float] | None:
        """Fair prices for a newcomer: from its marginal cost up to its stand-alone cost."""
        low, high = self.marginal_cost, self.stand_alone
        return (low, high) if low <= high else None

    def share_rows(self) -> list[dict[str, Any]]:
        """Every member's total share under every method, before and after, and the change."""
        rows = []
        members = sorted(set(self.before.result.members) | set(self.after.result.members))
        for method in METHODS:
            for m in members:
                before = _share(self.before, method, m)
                after = _share(self.after, method, m)
                rows.append({
                    "method": method,
                    "member": m,
                    "member_name": (self.after if self.joining else self.before).result.scenario.name(m),
                    "before_nok": before,
                    "after_nok": after,
                    "change_nok": None if before is None or after is None else after - before,
                })
        return rows


def _share(statement: Statement, method: str, member: str) -> float | None:
    if member not in statement.result.members:
        return None
    return statement.outcomes[method].total(member)


def statement_for(scenario: Scenario) -> Statement:
    """Solve ``scenario`` and build its settlement statement."""
    result: ScenarioResult = run(scenario)
    return settlement_statement(result, model_game(result.model, result.plan))


def with_members(scenario: Scenario, members: tuple[str, ...]) -> Scenario:
    """The same scenario with another member set (rules naming absent members are dropped)."""
    services = tuple(
        replace(
            spec,
            required_hosts=tuple(h for h in spec.required_hosts if h in members),
            forbidden_hosts=tuple(h for h in spec.forbidden_hosts if h in members),
            capacity_fte={h: c for h, c in spec.capacity_fte.items() if h in members},
        )
        for spec in scenario.services
    )
    return replace(
        scenario,
        members=members,
        founding=tuple(m for m in scenario.founding if m in members),
        services=services,
    )


def join(scenario: Scenario, municipality: str, before: Statement | None = None) -> MembershipChange:
    """``municipality`` joins ``scenario``."""
    if municipality in scenario.members:
        raise ValueError(f"{municipality} is already a member of {scenario.id}")
    before = before or statement_for(scenario)
    after = statement_for(with_members(scenario, (*scenario.members, municipality)))
    return MembershipChange(municipality, True, before, after)


def leave(scenario: Scenario, municipality: str, before: Statement | None = None) -> MembershipChange:
    """``municipality`` leaves ``scenario`` (uttreden)."""
    if municipality not in scenario.members:
        raise ValueError(f"{municipality} is not a member of {scenario.id}")
    if len(scenario.members) < 2:
        raise ValueError(f"{scenario.id} has only one member")
    before = before or statement_for(scenario)
    after = statement_for(with_members(scenario, tuple(m for m in scenario.members if m != municipality)))
    return MembershipChange(municipality, False, before, after)

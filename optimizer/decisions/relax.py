"""Solve under what-if restrictions; when the rules cannot hold, say which and lift the fewest needed.

Shared by the priorities (at most N shared services) and the forced-host analysis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from optimizer.errors import SolverLimitError
from optimizer.model import HostChoiceModel, Plan, Restrictions


@dataclass(frozen=True)
class Outcome:
    """The best plan under the restrictions, and the rule groups that had to be lifted for it.

    ``conflict``: a smallest-by-deletion set of rule groups that cannot hold together under the
    restrictions (empty when every rule holds); ``lifted``: the groups left out of ``plan``.
    ``plan`` is ``None`` only if even lifting every rule admits no plan, or (``timed_out``) a solve
    found no plan within the scenario's time limit.
    """

    plan: Plan | None
    conflict: tuple[str, ...] = ()
    lifted: tuple[str, ...] = ()
    timed_out: bool = False

    @property
    def all_rules_hold(self) -> bool:
        return self.plan is not None and not self.lifted


def conflict_under(model: HostChoiceModel, rules: Iterable[str], restrictions: Restrictions) -> list[str]:
    """Deletion filter like ``HostChoiceModel.irreducible_conflict``, but under ``restrictions``."""
    rules = list(rules)
    needed = list(rules)
    for group in rules:
        trial = [g for g in needed if g != group]
        if model.solve(trial, restrictions) is None:
            needed = trial
    return needed


def solve_or_lift(model: HostChoiceModel, rules: Iterable[str], restrictions: Restrictions,
                  cutoff: float | None = None, time_limit: float | None = None) -> Outcome:
    """``model.solve(rules, restrictions)``; if infeasible, the cheapest plan with rules lifted.

    ``cutoff`` (NOK) and ``time_limit`` (seconds; default the scenario's) go to the first solve
    (``HostChoiceModel.solve``), which raises ``CutOff`` once it proves that no plan costs less.

    Each round finds a conflict among the remaining rules and lifts the one group of it whose
    removal gives the cheapest plan (ties: the first in rule order); if no single group helps, the
    whole conflict is lifted and the search goes on. Deterministic for the same input. A solve that
    finds no plan within the time limit gives an empty outcome marked ``timed_out``.
    """
    try:
        return _solve_or_lift(model, list(rules), restrictions, cutoff, time_limit)
    except SolverLimitError:
        return Outcome(None, timed_out=True)


def _solve_or_lift(model: HostChoiceModel, rules: list[str], restrictions: Restrictions,
                   cutoff: float | None, time_limit: float | None) -> Outcome:
    plan = model.solve(rules, restrictions, cutoff=cutoff, time_limit=time_limit)
    if plan is not None:
        return Outcome(plan)
    first: tuple[str, ...] | None = None
    lifted: list[str] = []
    remaining = rules
    while True:
        conflict = conflict_under(model, remaining, restrictions)
        first = first if first is not None else tuple(conflict)
        if not conflict:
            return Outcome(None, first, tuple(lifted))
        best: tuple[str, Plan] | None = None
        for group in conflict:
            trial = model.solve([g for g in remaining if g != group], restrictions)
            if trial is not None and (best is None or trial.total < best[1].total - 1e-6):
                best = (group, trial)
        if best is not None:
            return Outcome(best[1], first, (*lifted, best[0]))
        lifted += conflict
        remaining = [g for g in remaining if g not in conflict]
        plan = model.solve(remaining, restrictions)
        if plan is not None:
            return Outcome(plan, first, tuple(lifted))

"""Locked and forbidden hosts: the app's choices as scenario keys, and what the locks cost.

A lock is a service's ``required_hosts`` ("vert låst til …") or ``forbidden_hosts`` ("ikke vert: …")
rule group. The locked plan is the scenario's plan; the free optimum is the same model solved
without any lock group; each lock's own cost is the free optimum with that one group added.
All of them are re-solves of the model built once from the locked scenario (candidate units do
not depend on the locks, only which of them a rule excludes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from optimizer.model import HostChoiceModel, Plan
from optimizer.scenario import Scenario

LOCK_KINDS = ("required_hosts", "forbidden_hosts")
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class HostLocks:
    """Per service, the members that must host (``required``) and may not host (``forbidden``)."""

    required: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    forbidden: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def hosts(self, kind: str, service: str) -> tuple[str, ...]:
        return tuple((self.required if kind == "required_hosts" else self.forbidden).get(service, ()))


def locks_of(scenario: Scenario) -> HostLocks:
    """The locks a scenario sets, per enabled service."""
    return HostLocks(
        required={s.id: tuple(s.required_hosts) for s in scenario.services if s.required_hosts},
        forbidden={s.id: tuple(s.forbidden_hosts) for s in scenario.services if s.forbidden_hosts},
    )


def lock_overlay(base: Scenario, locks: HostLocks) -> dict[str, Any]:
    """Scenario keys (``services.<id>.required_hosts`` / ``forbidden_hosts``) that turn ``base``'s locks
    into ``locks``: only services whose list differs; an emptied list is written as ``[]``."""
    start = locks_of(base)
    services: dict[str, dict[str, list[str]]] = {}
    for kind in LOCK_KINDS:
        for sid in sorted({*start.required, *start.forbidden, *locks.required, *locks.forbidden}):
            wanted = sorted(locks.hosts(kind, sid))
            if wanted != sorted(start.hosts(kind, sid)):
                services.setdefault(sid, {})[kind] = wanted
    return {"services": services} if services else {}


def lock_groups(model: HostChoiceModel) -> list[str]:
    """The rule groups of ``model`` that are locks, in rule order."""
    return [g for g in model.rule_groups() if g.startswith("services.") and g.rsplit(".", 1)[1] in LOCK_KINDS]


@dataclass(frozen=True)
class LockCosts:
    """The locked plan against the free optimum (the same rules without any lock)."""

    locked: Plan
    free: Plan | None  # None: the other rules admit no plan even without locks (cannot happen if locked exists)
    groups: tuple[str, ...]
    each: Mapping[str, float | None] = field(default_factory=dict)  # lock -> own cost (None: impossible alone)

    @property
    def cost(self) -> float:
        """What all locks together cost per year (0 without locks)."""
        return 0.0 if self.free is None else self.locked.total - self.free.total


def lock_costs(model: HostChoiceModel, plan: Plan, each: bool = False, progress: Progress | None = None) -> LockCosts:
    """Cost of the locks in ``plan`` (the scenario's plan), and with ``each`` every lock's own cost."""
    groups = tuple(g for g in lock_groups(model) if g in plan.rules)
    if not groups:
        return LockCosts(plan, plan, ())
    free_rules = [g for g in plan.rules if g not in groups]
    free = model.solve(free_rules)
    own: dict[str, float | None] = {}
    if each and free is not None:
        for i, group in enumerate(groups):
            if progress is not None:
                progress(i / len(groups), group)
            alone = model.solve([*free_rules, group])
            own[group] = None if alone is None else alone.total - free.total
        if progress is not None:
            progress(1.0, "")
    return LockCosts(plan, free, groups, own)

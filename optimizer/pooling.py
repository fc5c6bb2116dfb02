"""Who pays for a unit: its cost is pooled among the members it serves by the scenario's cost key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimizer import settlement
from optimizer.scenario import CostKey


def pool_shares(
    key: CostKey,
    members: Sequence[str],
    population: Mapping[str, float],
    usage: Mapping[str, float],
) -> dict[str, float]:
    """Fraction of a unit's cost each member of ``members`` pays (fractions sum to 1).

    ``fixed_plus_per_capita``: ``fixed_share`` split equally, the rest by population;
    ``per_capita``: by population; ``by_usage``: by workload (FTE the member needs);
    ``equal``: equal parts. A member alone pays everything.
    """
    pop = {m: population[m] for m in members}
    if key.method == "fixed_plus_per_capita":
        return dict(settlement.fixed_plus_per_capita(1.0, pop, fixed_share=key.fixed_share))
    if key.method == "per_capita":
        return dict(settlement.per_capita(1.0, pop))
    if key.method == "by_usage":
        use = {m: usage[m] for m in members}
        return dict(settlement.by_usage(1.0, use)) if sum(use.values()) > 0 else dict(settlement.per_capita(1.0, pop))
    if key.method == "equal":
        return {m: 1.0 / len(members) for m in members}
    raise ValueError(f"unknown cost key {key.method!r}")

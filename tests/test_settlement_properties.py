"""Property tests for optimizer.settlement on random cost games, checked independently.

* hypothesis draws facility-like (subadditive) games, arbitrary integer games (many ties, the
  degenerate case where a careless nucleolus goes wrong) and arbitrary real games, 2-6 players;
* the core and Kohlberg's criterion are checked here with their own LPs (scipy), not with the
  module's code;
* the nucleolus, pre-nucleolus and Shapley value are compared with coopgame-py on a few hundred
  seeded random games.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from optimizer.settlement import (
    equal_savings,
    least_core,
    least_core_value,
    nucleolus,
    nucleolus_and_least_core,
    proportional_to_stand_alone,
    shapley,
    shapley_sampled,
)

try:
    import coopgame
except ImportError:  # the cross-check needs coopgame-py; everything else runs without it
    coopgame = None

PROPERTIES = settings(max_examples=150, deadline=None, derandomize=True)
TOL = 1e-6


# ------------------------------------------------------------------------------------------
# Games: a cost vector indexed by bitmask (bit k = k-th player) and the mapping the API takes
# ------------------------------------------------------------------------------------------


def players_of(n: int) -> list[str]:
    """Municipality-like ids; sorted order equals bit order."""
    return [str(5601 + k) for k in range(n)]


def as_mapping(cost: np.ndarray) -> dict[frozenset, float]:
    n = cost.size.bit_length() - 1
    players = players_of(n)
    return {
        frozenset(p for k, p in enumerate(players) if mask >> k & 1): float(cost[mask])
        for mask in range(1, 1 << n)
    }


def as_vector(allocation, n: int) -> np.ndarray:
    return np.array([allocation[p] for p in players_of(n)])


def members(mask: int, n: int) -> list[int]:
    return [k for k in range(n) if mask >> k & 1]


def facility_costs(opening: list[int], distance: list[list[int]]) -> np.ndarray:
    """c(S) = min over non-empty site sets T of opening(T) + sum_{i in S} min_{j in T} d_ij."""
    n, m = len(distance), len(opening)
    d = np.array(distance, dtype=float)
    cost = np.full(1 << n, np.inf)
    for sites in range(1, 1 << m):
        open_ = members(sites, m)
        nearest = d[:, open_].min(axis=1)
        for mask in range(1 << n):
            total = sum(opening[j] for j in open_) + nearest[members(mask, n)].sum()
            cost[mask] = min(cost[mask], total)
    cost[0] = 0.0
    return cost


@st.composite
def cost_games(draw, n: int | None = None) -> np.ndarray:
    """Facility-like, integer (many ties) or real cost games with ``n`` (default 2-6) players."""
    n = draw(st.integers(2, 6)) if n is None else n
    kind = draw(st.sampled_from(["facility", "integer", "real"]))
    if kind == "facility":
        m = draw(st.integers(1, 3))
        opening = draw(st.lists(st.integers(1, 30), min_size=m, max_size=m))
        row = st.lists(st.integers(0, 30), min_size=m, max_size=m)
        return facility_costs(opening, draw(st.lists(row, min_size=n, max_size=n)))
    if kind == "integer":
        values = st.integers(0, 12)
    else:
        values = st.floats(0, 100).map(lambda v: round(v, 3))
    size = (1 << n) - 1
    return np.array([0.0] + draw(st.lists(values, min_size=size, max_size=size)), dtype=float)


@st.composite
def symmetric_games(draw) -> tuple[np.ndarray, list[int]]:
    """A game where c(S) depends only on how many players of each type S holds."""
    n = draw(st.integers(2, 6))
    types = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    table = rng.integers(0, 12, size=(n + 1,) * 3).astype(float)
    cost = np.zeros(1 << n)
    for mask in range(1, 1 << n):
        counts = [sum(1 for k in members(mask, n) if types[k] == t) for t in range(3)]
        cost[mask] = table[tuple(counts)]
    return cost, types


# ------------------------------------------------------------------------------------------
# Independent checks: core, balancedness, Kohlberg
# ------------------------------------------------------------------------------------------


def incidence(masks, n: int) -> np.ndarray:
    return np.array([[mask >> k & 1 for k in range(n)] for mask in masks], dtype=float)


def core_is_nonempty(cost: np.ndarray) -> bool:
    n = cost.size.bit_length() - 1
    proper = range(1, (1 << n) - 1)
    result = linprog(
        np.zeros(n),
        A_ub=incidence(proper, n),
        b_ub=cost[1:-1],
        A_eq=np.ones((1, n)),
        b_eq=[cost[-1]],
        bounds=[(None, None)] * n,
        method="highs",
    )
    return result.status == 0


def is_balanced(collection: list[int], optional: list[int], n: int) -> bool:
    """Weights >= 1 on ``collection`` and >= 0 on ``optional`` with sum w_S 1_S = lambda 1_N."""
    columns = incidence(collection + optional, n).T
    a_eq = np.hstack([columns, -np.ones((n, 1))])
    bounds = [(1, None)] * len(collection) + [(0, None)] * len(optional) + [(None, None)]
    result = linprog(
        np.zeros(a_eq.shape[1]), A_eq=a_eq, b_eq=np.zeros(n), bounds=bounds, method="highs"
    )
    return result.status == 0


def satisfies_kohlberg(cost: np.ndarray, x: np.ndarray, *, imputation: bool) -> bool:
    """Kohlberg (1971), for the cost excess x(S) - c(S).

    Pre-nucleolus: for every level, the coalitions with at least that excess form a balanced
    collection. Nucleolus over imputations (x_i <= c({i})): the same collections together with
    the singletons at their stand-alone bound are balanced with positive weights on the former
    (Maschler, Solan & Zamir 2013, Thm 20.20). Once a balanced collection spans R^n, every
    larger one is balanced too, so the scan stops there.
    """
    n = x.size
    scale = max(1.0, float(np.abs(cost).max()))
    proper = list(range(1, (1 << n) - 1))
    excess = {mask: x[members(mask, n)].sum() - cost[mask] for mask in proper}
    at_bound = []
    if imputation:
        at_bound = [1 << k for k in range(n) if x[k] >= cost[1 << k] - TOL * scale]
    order = sorted(proper, key=lambda mask: -excess[mask])
    collection: list[int] = []
    start = 0
    while start < len(order):
        level = excess[order[start]]
        stop = start
        while stop < len(order) and excess[order[stop]] >= level - 1e-7 * scale:
            stop += 1
        collection += order[start:stop]
        start = stop
        if not is_balanced(collection, at_bound, n):
            return False
        if np.linalg.matrix_rank(incidence(collection, n)) == n:
            return True
    return True


def test_kohlberg_check_rejects_a_point_that_is_not_the_nucleolus():
    # airport game 8/11/13/18: Shapley (2, 3, 4, 9) is not the nucleolus (3.25, 3.25, 3.25, 8.25)
    segments = [8.0, 11.0, 13.0, 18.0]
    cost = np.array([0.0] + [max(segments[k] for k in members(m, 4)) for m in range(1, 16)])
    assert satisfies_kohlberg(cost, np.array([3.25, 3.25, 3.25, 8.25]), imputation=True)
    assert not satisfies_kohlberg(cost, np.array([2.0, 3.0, 4.0, 9.0]), imputation=True)


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------


@PROPERTIES
@given(cost_games())
def test_every_method_splits_exactly_the_grand_coalition_cost(cost):
    n = cost.size.bit_length() - 1
    game = as_mapping(cost)
    splits = [shapley(game), nucleolus(game), least_core(game).allocation, equal_savings(game)]
    splits.append(shapley_sampled(game, players_of(n), samples=20, seed=0).allocation)
    if cost[1 << np.arange(n)].sum() > 0:
        splits.append(proportional_to_stand_alone(game))
    for split in splits:
        assert sum(split.values()) == pytest.approx(cost[-1], abs=TOL), split.method


@PROPERTIES
@given(symmetric_games())
def test_symmetric_players_pay_the_same(game_and_types):
    cost, types = game_and_types
    n = len(types)
    game = as_mapping(cost)
    splits = [shapley(game), nucleolus(game), least_core(game).allocation, equal_savings(game)]
    if cost[1 << np.arange(n)].sum() > 0:
        splits.append(proportional_to_stand_alone(game))
    for split in splits:
        x = as_vector(split, n)
        for i, j in combinations(range(n), 2):
            if types[i] == types[j]:
                assert x[i] == pytest.approx(x[j], abs=TOL), split.method


@PROPERTIES
@given(st.integers(2, 6).flatmap(lambda n: st.tuples(cost_games(n), cost_games(n))))
def test_shapley_is_additive(pair):
    first, second = pair
    n = first.size.bit_length() - 1
    total = as_vector(shapley(as_mapping(first + second)), n)
    parts = as_vector(shapley(as_mapping(first)), n) + as_vector(shapley(as_mapping(second)), n)
    assert total == pytest.approx(parts, abs=TOL)


@PROPERTIES
@given(cost_games())
def test_nucleolus_is_in_the_core_when_the_core_is_non_empty(cost):
    n = cost.size.bit_length() - 1
    game = as_mapping(cost)
    x = as_vector(nucleolus(game), n)
    nonempty = core_is_nonempty(cost)
    if nonempty:
        for mask in range(1, (1 << n) - 1):
            assert x[members(mask, n)].sum() <= cost[mask] + TOL
    epsilon = least_core(game).epsilon
    if abs(epsilon) > TOL:  # the least-core value is <= 0 exactly when the core is non-empty
        assert (epsilon < 0) == nonempty


@PROPERTIES
@given(cost_games())
def test_nucleolus_and_prenucleolus_satisfy_kohlberg(cost):
    n = cost.size.bit_length() - 1
    game = as_mapping(cost)
    result = nucleolus(game)
    imputation = result.method == "nucleolus"
    assert imputation == (cost[1 << np.arange(n)].sum() >= cost[-1] - TOL)
    assert satisfies_kohlberg(cost, as_vector(result, n), imputation=imputation)
    pre = least_core(game)
    assert satisfies_kohlberg(cost, as_vector(pre.allocation, n), imputation=False)
    x = as_vector(pre.allocation, n)
    excesses = [x[members(m, n)].sum() - cost[m] for m in range(1, (1 << n) - 1)]
    assert max(excesses) == pytest.approx(pre.epsilon, abs=TOL)


@PROPERTIES
@given(cost_games())
def test_nucleolus_and_least_core_together_equal_each_on_its_own(cost):
    """The shortcut (the pre-nucleolus is the nucleolus when it is an imputation) against the direct LPs."""
    n = cost.size.bit_length() - 1
    game = as_mapping(cost)
    both, least = nucleolus_and_least_core(game)
    alone = nucleolus(game)
    assert both.method == alone.method
    assert as_vector(both, n) == pytest.approx(as_vector(alone, n), abs=TOL * max(1.0, np.abs(cost).max()))
    assert least.epsilon == pytest.approx(least_core(game).epsilon, abs=TOL)


def least_core_lp(cost: np.ndarray) -> float:
    """min e with x(N) = c(N) and x(S) - c(S) <= e for every proper non-empty S, as one LP (scipy)."""
    n = cost.size.bit_length() - 1
    full = (1 << n) - 1
    proper = list(range(1, full))
    rows = np.hstack([incidence(proper, n), -np.ones((len(proper), 1))])
    result = linprog(np.r_[np.zeros(n), 1.0], A_ub=rows, b_ub=cost[proper], A_eq=[[1.0] * n + [0.0]],
                     b_eq=[cost[full]], bounds=[(None, None)] * (n + 1), method="highs")
    assert result.status == 0
    return float(result.x[-1])


@PROPERTIES
@given(cost_games())
def test_the_least_core_value_alone_equals_one_lp_over_every_coalition(cost):
    game = as_mapping(cost)
    assert least_core_value(game) == pytest.approx(least_core_lp(cost), abs=TOL * max(1.0, np.abs(cost).max()))
    assert least_core_value(game) == pytest.approx(least_core(game).epsilon, abs=TOL)


@PROPERTIES
@given(cost_games(), st.sampled_from([1e-4, 1e7]))
def test_nucleolus_scales_with_the_currency(cost, factor):
    """Budgets run from kroner to hundreds of millions: tolerances must be relative."""
    n = cost.size.bit_length() - 1
    base = as_vector(nucleolus(as_mapping(cost)), n)
    scaled = as_vector(nucleolus(as_mapping(cost * factor)), n)
    assert scaled == pytest.approx(base * factor, abs=TOL * factor)


def test_sampled_shapley_intervals_cover_the_exact_value():
    rng = np.random.default_rng(2024)
    n = 6
    opening = rng.integers(5, 40, 3).tolist()
    cost = facility_costs(opening, rng.integers(0, 30, (n, 3)).tolist())
    game = as_mapping(cost)
    exact = as_vector(shapley(game), n)
    covered = 0
    seeds = range(40)
    for seed in seeds:
        result = shapley_sampled(game, players_of(n), samples=400, seed=seed)
        estimate = as_vector(result.allocation, n)
        half = np.array([result.half_width[p] for p in players_of(n)])
        assert np.all(np.abs(estimate - exact) <= 3 * half + 1e-9), seed
        covered += int(np.sum(np.abs(estimate - exact) <= half))
    rate = covered / (n * len(seeds))
    assert 0.88 <= rate <= 1.0, rate  # nominal 95 %


# ------------------------------------------------------------------------------------------
# Cross-check against coopgame-py (Rust)
# ------------------------------------------------------------------------------------------


def random_cost_vector(rng: np.random.Generator, n: int, kind: int) -> np.ndarray:
    if kind == 0:
        cost = rng.integers(0, 10, 1 << n).astype(float)
    elif kind == 1:
        cost = rng.uniform(0, 100, 1 << n)
    elif kind == 2:
        m = int(rng.integers(1, 4))
        return facility_costs(rng.integers(1, 20, m).tolist(), rng.integers(0, 20, (n, m)).tolist())
    else:  # depends on |S| only: many ties
        by_size = rng.integers(0, 6, n + 1).astype(float)
        cost = by_size[[bin(mask).count("1") for mask in range(1 << n)]]
    cost[0] = 0.0
    return cost


@pytest.mark.skipif(coopgame is None, reason="coopgame-py (import name: coopgame) is not installed")
def test_agrees_with_coopgame_on_random_games():
    """Shapley, nucleolus and pre-nucleolus against coopgame-py 0.3 on 300 seeded games.

    coopgame works on profit (TU) games ``v`` given as ``Game(values)`` with ``values[mask - 1]``
    (bit k = player k), and its ``nucleolus`` is over imputations ``y_i >= v({i})``. Conversion:

    * nucleolus of a cost game c: pass the savings game ``v(S) = sum_{i in S} c({i}) - c(S)``;
      its imputations ``y_i >= 0`` are ``x_i = c({i}) - y_i <= c({i})`` and its excess
      ``v(S) - y(S)`` equals the cost excess ``x(S) - c(S)``, so ``x = c({i}) - y``;
    * pre-nucleolus (empty imputation set): pass ``v = -c``, then ``x = -y``;
    * Shapley is linear, so ``coopgame.shapley`` on the cost vector itself is the cost split.
    """
    rng = np.random.default_rng(20240601)
    fallbacks = 0
    for trial in range(300):
        n = int(rng.integers(2, 8))
        cost = random_cost_vector(rng, n, trial % 4)
        game = as_mapping(cost)
        ours = nucleolus(game)
        stand = cost[1 << np.arange(n)]
        if ours.method == "nucleolus":
            savings = [stand[members(m, n)].sum() - cost[m] for m in range(1, 1 << n)]
            reference = stand - np.array(coopgame.nucleolus(coopgame.Game(savings))["allocation"])
        else:
            fallbacks += 1
            profit = coopgame.Game((-cost[1:]).tolist())
            reference = -np.array(coopgame.prenucleolus(profit)["allocation"])
        assert as_vector(ours, n) == pytest.approx(reference, abs=TOL), (trial, ours.method)
        shapley_reference = np.array(coopgame.shapley(coopgame.Game(cost[1:].tolist())))
        assert as_vector(shapley(game), n) == pytest.approx(shapley_reference, abs=TOL), trial
    assert 0 < fallbacks < 300  # both branches were exercised

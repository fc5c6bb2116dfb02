"""Tests for optimizer.settlement: published games, hand-computed cases and input errors.

Property tests on random games, the Kohlberg check and the cross-check against coopgame-py are
in ``test_settlement_properties.py``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from optimizer.settlement import (
    Allocation,
    CoreViolation,
    LeastCore,
    SampledShapley,
    by_usage,
    core_check,
    core_violations,
    equal_savings,
    fixed_plus_per_capita,
    is_in_core,
    least_core,
    nucleolus,
    per_capita,
    proportional_to_stand_alone,
    shapley,
    shapley_sampled,
)

GAMES_DIR = Path(__file__).parent / "data" / "games"


def load_instances(name: str) -> list[dict]:
    return json.loads((GAMES_DIR / name).read_text(encoding="utf-8"))["instances"]


def parse_game(values: dict[str, float], sign: float = 1.0) -> dict[frozenset, float]:
    """Comma-joined coalition names -> frozensets; ``sign=-1`` turns a profit game into costs."""
    return {frozenset(key.split(",")): sign * float(value) for key, value in values.items()}


def game_from_function(players: list[str], cost) -> dict[frozenset, float]:
    """Complete game from a function of a tuple of members."""
    game = {}
    for mask in range(1, 1 << len(players)):
        members = tuple(p for k, p in enumerate(players) if mask >> k & 1)
        game[frozenset(members)] = float(cost(members))
    return game


def shares(allocation, players) -> list[float]:
    return [allocation[p] for p in players]


AIRPORT = load_instances("airport_games.json")
GUAJARDO_JORNSTEN = load_instances("guajardo_jornsten_2015.json")


# ------------------------------------------------------------------------------------------
# Published games
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "instance", AIRPORT, ids=lambda i: "/".join(map(str, i["segment_costs_sorted"]))
)
def test_airport_games_match_published_values(instance):
    """Littlechild & Owen (1973) Shapley, Littlechild (1974) nucleolus, from airport_games.json."""
    game = parse_game(instance["coalition_costs"])
    players = instance["players"]
    expected = instance["expected"]
    tol = 1e-6
    assert shares(shapley(game), players) == pytest.approx(expected["shapley"]["values"], abs=tol)
    result = nucleolus(game)
    assert result.method == "nucleolus" and result.notes == ()
    assert shares(result, players) == pytest.approx(expected["nucleolus"]["values"], abs=tol)
    proportional = proportional_to_stand_alone(game)
    want = expected["proportional_to_stand_alone"]["values"]
    assert shares(proportional, players) == pytest.approx(want, abs=tol)
    # airport games are concave, so the core is non-empty and holds Shapley and the nucleolus
    assert least_core(game).epsilon <= 0
    assert is_in_core(game, result, tol=1e-6) and is_in_core(game, shapley(game), tol=1e-6)


@pytest.mark.parametrize("instance", GUAJARDO_JORNSTEN, ids=lambda i: i["id"])
def test_guajardo_jornsten_games_get_the_corrected_nucleolus(instance):
    """Guajardo & Jörnsten (2015): games whose nucleolus was published wrongly, with the fix.

    Fixing every coalition that is tight at one optimum of a stage LP gives the wrong answers
    they list; the corrected values below are what the dual-based rule must reproduce.
    """
    sign = -1.0 if instance["game_type"] == "profit" else 1.0
    game = parse_game(instance["values"], sign)
    want = [sign * v for v in instance["expected"]["nucleolus"]["values"]]
    result = nucleolus(game)
    assert result.method == "nucleolus"
    assert shares(result, instance["players"]) == pytest.approx(want, abs=1e-6)
    # every corrected nucleolus is an imputation, so the pre-nucleolus agrees
    pre = least_core(game).allocation
    assert shares(pre, instance["players"]) == pytest.approx(want, abs=1e-6)


def test_glove_game():
    """Glove game (Wikipedia, "Shapley value", glove game; Maschler, Solan & Zamir 2013).

    Players 1 and 2 hold a right glove, player 3 a left glove; a pair is worth 1. Published
    Shapley value (1/6, 1/6, 2/3). The core is the single point (0, 0, 1), so that is also the
    nucleolus. As a cost game c(S) = -v(S), every share is negated.
    """
    players = ["1", "2", "3"]
    game = game_from_function(players, lambda s: -1.0 if "3" in s and len(s) >= 2 else 0.0)
    assert shares(shapley(game), players) == pytest.approx([-1 / 6, -1 / 6, -2 / 3], abs=1e-12)
    assert shares(nucleolus(game), players) == pytest.approx([0.0, 0.0, -1.0], abs=1e-9)
    assert least_core(game).epsilon == pytest.approx(0.0, abs=1e-9)


def test_ferguson_three_player_nucleolus():
    """Three-player game from T. S. Ferguson, Game Theory, Part IV "Games in coalitional form"
    (https://www.math.ucla.edu/~tom/Game_Theory/coal.pdf), also the R package CoopGame's test
    case 49.1: v = (-1, 0, 1, 3, 4, 2, 5) for {1}, {2}, {3}, {1,2}, {1,3}, {2,3}, N; nucleolus
    (8/3, 2/3, 5/3).

    By hand: the three pairs share the largest excess -1/3, and x1 + x2 = 10/3, x1 + x3 = 13/3,
    x2 + x3 = 7/3 fix the split; the pairs are balanced (weights 1/2), so by Kohlberg's
    criterion this is the (pre-)nucleolus. As a cost game c = -v.
    """
    players = ["1", "2", "3"]
    profit = {"1": -1, "2": 0, "3": 1, "1,2": 3, "1,3": 4, "2,3": 2, "1,2,3": 5}
    game = parse_game(profit, sign=-1.0)
    assert shares(nucleolus(game), players) == pytest.approx([-8 / 3, -2 / 3, -5 / 3], abs=1e-9)
    assert least_core(game).epsilon == pytest.approx(-1 / 3, abs=1e-9)


# ------------------------------------------------------------------------------------------
# Keys used in real agreements, by hand
# ------------------------------------------------------------------------------------------

POPULATION = {"1505": 24_000, "1511": 8_000, "1514": 0}


def test_per_capita_by_hand():
    result = per_capita(3_200_000, POPULATION)
    assert isinstance(result, Allocation) and result.method == "per_capita"
    assert result == pytest.approx({"1505": 2_400_000, "1511": 800_000, "1514": 0})


def test_fixed_plus_per_capita_30_70_by_hand():
    # 30 % of 3.2 MNOK = 960 000 split three ways (320 000 each); 2 240 000 split 3:1:0
    result = fixed_plus_per_capita(3_200_000, POPULATION)
    assert result == pytest.approx({"1505": 2_000_000, "1511": 880_000, "1514": 320_000})
    assert result.method == "fixed_plus_per_capita"
    assert result.notes == ("30% split equally, 70% per capita",)
    assert sum(result.values()) == pytest.approx(3_200_000)


def test_fixed_plus_per_capita_extremes_are_equal_split_and_per_capita():
    assert fixed_plus_per_capita(90, POPULATION, fixed_share=1.0) == pytest.approx(
        {"1505": 30, "1511": 30, "1514": 30}
    )
    assert fixed_plus_per_capita(90, POPULATION, fixed_share=0.0) == pytest.approx(
        per_capita(90, POPULATION)
    )


def test_by_usage_by_hand():
    result = by_usage(1_000, {"a": 1, "b": 3})
    assert result == pytest.approx({"a": 250, "b": 750}) and result.method == "by_usage"


def test_keys_check_players_when_given():
    assert per_capita(10, {"a": 1, "b": 1}, players=["b", "a"]) == pytest.approx({"a": 5, "b": 5})
    with pytest.raises(ValueError, match=r"missing 'c'.*not in the game 'd'"):
        by_usage(10, {"a": 1, "b": 1, "d": 2}, players=["a", "b", "c"])


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"a": -1, "b": 2}, r"population of 'a' must be finite and >= 0, got -1"),
        ({"a": math.nan, "b": 2}, r"population of 'a' must be finite"),
        ({"a": 0, "b": 0}, r"population is zero for every player"),
        ({}, r"population must be a non-empty mapping"),
        ({"a": "many"}, r"population of 'a' is not a number"),
    ],
)
def test_keys_reject_bad_weights(weights, message):
    with pytest.raises(ValueError, match=message):
        per_capita(100, weights)


def test_keys_reject_bad_total_and_fixed_share():
    with pytest.raises(ValueError, match="total must be finite"):
        per_capita(math.inf, {"a": 1})
    with pytest.raises(ValueError, match=r"fixed_share must be a number in \[0, 1\]"):
        fixed_plus_per_capita(100, {"a": 1}, fixed_share=1.5)


# ------------------------------------------------------------------------------------------
# Stand-alone based and game methods, by hand
# ------------------------------------------------------------------------------------------

# Three municipalities; stand-alone 60, 40, 20; pairs save 10 each; all three cost 90.
THREE = {
    frozenset({"A"}): 60.0,
    frozenset({"B"}): 40.0,
    frozenset({"C"}): 20.0,
    frozenset({"A", "B"}): 90.0,
    frozenset({"A", "C"}): 70.0,
    frozenset({"B", "C"}): 50.0,
    frozenset({"A", "B", "C"}): 90.0,
}


def test_proportional_to_stand_alone_and_equal_savings_by_hand():
    assert proportional_to_stand_alone(THREE) == pytest.approx({"A": 45, "B": 30, "C": 15})
    # savings 120 - 90 = 30, 10 each
    assert equal_savings(THREE) == pytest.approx({"A": 50, "B": 30, "C": 10})


def test_stand_alone_methods_read_only_singletons_and_grand_coalition():
    partial = {k: v for k, v in THREE.items() if len(k) in (1, 3)}
    assert equal_savings(partial) == pytest.approx({"A": 50, "B": 30, "C": 10})
    with pytest.raises(ValueError, match=r"lacks the cost of coalition \{A, B, C\}"):
        equal_savings({k: v for k, v in THREE.items() if len(k) == 1})


def test_shapley_by_hand():
    # marginal costs of A over the orders: ABC 60, ACB 60, BAC 50, BCA 40, CAB 50, CBA 40
    result = shapley(THREE)
    assert result == pytest.approx({"A": 50, "B": 30, "C": 10}) and result.method == "shapley"


def test_nucleolus_and_least_core_by_hand():
    # The excesses x(S) - c(S) of the six proper coalitions always sum to 3*90 - 330 = -60; the
    # split (50, 30, 10) gives each of them -10, so no other split has a smaller largest excess.
    result = nucleolus(THREE)
    assert result == pytest.approx({"A": 50, "B": 30, "C": 10}, abs=1e-9)
    core = least_core(THREE)
    assert isinstance(core, LeastCore) and core.epsilon == pytest.approx(-10, abs=1e-9)
    assert core.allocation == pytest.approx(result, abs=1e-9)


def test_empty_core_least_core_epsilon_by_hand():
    # c({i}) = 1, pairs 1, N = 2: pairs would need x_i + x_j <= 1, i.e. x(N) <= 1.5 < 2.
    # Symmetric point (2/3, 2/3, 2/3): pairs overpay by 1/3, singletons save 1/3.
    players = ["x", "y", "z"]
    game = game_from_function(players, lambda s: 2.0 if len(s) == 3 else 1.0)
    core = least_core(game)
    assert core.epsilon == pytest.approx(1 / 3, abs=1e-9)
    assert shares(core.allocation, players) == pytest.approx([2 / 3] * 3, abs=1e-9)
    assert shares(nucleolus(game), players) == pytest.approx([2 / 3] * 3, abs=1e-9)
    violations = core_violations(game, nucleolus(game), tol=1e-6)
    assert len(violations) == 3 and all(v.excess == pytest.approx(1 / 3) for v in violations)
    assert not is_in_core(game, nucleolus(game), tol=1e-6)


def test_nucleolus_respects_stand_alone_bounds_when_core_is_empty():
    # Player c is cheap alone (c({c}) = 0.1): the pre-nucleolus would charge it more than that,
    # the nucleolus over imputations may not.
    players = ["a", "b", "c"]
    costs = {"a": 1.0, "b": 1.0, "c": 0.1, "a,b": 1.0, "a,c": 1.0, "b,c": 1.0, "a,b,c": 1.9}
    game = parse_game(costs)
    pre = least_core(game).allocation
    assert pre["c"] > 0.1 + 1e-3
    result = nucleolus(game)
    assert result.method == "nucleolus"
    assert result["c"] <= 0.1 + 1e-9
    assert sum(result.values()) == pytest.approx(1.9)
    # by hand: x_c = 0.1, then a and b split the rest symmetrically
    assert shares(result, players) == pytest.approx([0.9, 0.9, 0.1], abs=1e-9)


def test_nucleolus_falls_back_to_prenucleolus_without_imputations():
    # stand-alone costs sum to 3 < c(N) = 4: nobody can pay at most its stand-alone cost
    players = ["a", "b", "c"]
    game = game_from_function(players, lambda s: 4.0 if len(s) == 3 else float(len(s)))
    result = nucleolus(game)
    assert result.method == "pre-nucleolus"
    assert len(result.notes) == 1 and "imputation set is empty" in result.notes[0]
    assert shares(result, players) == pytest.approx([4 / 3] * 3, abs=1e-9)


def test_nucleolus_when_the_only_imputation_is_stand_alone():
    game = {frozenset({"a"}): 2.0, frozenset({"b"}): 3.0, frozenset({"a", "b"}): 5.0}
    assert nucleolus(game) == pytest.approx({"a": 2.0, "b": 3.0})


def test_single_player_game():
    game = {frozenset({"5620"}): 123.0}
    for method in (shapley, nucleolus, equal_savings, proportional_to_stand_alone):
        assert method(game) == pytest.approx({"5620": 123.0})
    assert least_core(game).allocation == pytest.approx({"5620": 123.0})
    assert core_violations(game, {"5620": 123.0}) == []


def test_core_violations_by_hand():
    # (80, 5, 5): {A} pays 80 > 60 (+20), {A,C} 85 > 70 (+15), {A,B} 85 < 90
    allocation = {"A": 80.0, "B": 5.0, "C": 5.0}
    violations = core_violations(THREE, allocation)
    assert violations == [
        CoreViolation(frozenset({"A"}), pytest.approx(20.0)),
        CoreViolation(frozenset({"A", "C"}), pytest.approx(15.0)),
    ]
    assert not is_in_core(THREE, allocation)
    assert is_in_core(THREE, {"A": 50.0, "B": 30.0, "C": 10.0})


def test_core_check_counts_every_overcharge_and_keeps_the_worst():
    # brute force over the coalitions of a random 7-player game with rounded costs (ties in the excess)
    rng = np.random.default_rng(7)
    players = [f"p{i}" for i in range(7)]
    game = {}
    for mask in range(1, 1 << 7):
        coalition = frozenset(p for i, p in enumerate(players) if mask >> i & 1)
        game[coalition] = float(rng.integers(1, 6) * 10 * len(coalition))
    allocation = {p: float(v) for p, v in zip(players, rng.integers(0, 60, 7))}
    allocation[players[0]] += game[frozenset(players)] - sum(allocation.values())
    excess = {c: sum(allocation[p] for p in c) - v for c, v in game.items() if len(c) < len(players)}
    overcharged = sorted((e for e in excess.values() if e > 1.0), reverse=True)
    check = core_check(game, allocation, limit=5)
    assert check.count == len(overcharged) == len(core_violations(game, allocation)) > 5
    assert [v.excess for v in check.worst] == pytest.approx(overcharged[:5])
    assert check.worst == core_violations(game, allocation)[:5]
    assert all(excess[v.coalition] == pytest.approx(v.excess) for v in check.worst)
    assert core_check(game, allocation, limit=0) == (check.count, [])
    with pytest.raises(ValueError, match="limit"):
        core_check(game, allocation, limit=-1)


def test_core_tolerance_is_one_krone():
    # {A} overpays by 0.9 NOK: within the default 1 NOK tolerance, reported with tol=0.5
    allocation = {"A": 60.9, "B": 20.0, "C": 9.1}
    assert core_violations(THREE, allocation) == []
    assert is_in_core(THREE, allocation)
    assert [v.coalition for v in core_violations(THREE, allocation, tol=0.5)] == [frozenset({"A"})]


def test_is_in_core_requires_the_split_to_sum_to_the_total():
    assert not is_in_core(THREE, {"A": 50.0, "B": 30.0, "C": 5.0})


# ------------------------------------------------------------------------------------------
# Sampled Shapley
# ------------------------------------------------------------------------------------------


def test_shapley_sampled_is_efficient_reproducible_and_accepts_callables():
    players = ["A", "B", "C"]
    first = shapley_sampled(THREE, players, samples=200, seed=7)
    again = shapley_sampled(lambda s: THREE[s], players, samples=200, seed=7)
    assert isinstance(first, SampledShapley) and first.samples == 200
    assert first.allocation == again.allocation and first.half_width == again.half_width
    assert sum(first.allocation.values()) == pytest.approx(90.0, abs=1e-9)
    assert first.allocation.method == "shapley_sampled"
    exact = shapley(THREE)
    for p in players:
        assert abs(first.allocation[p] - exact[p]) <= 3 * first.half_width[p] + 1e-9


def test_shapley_sampled_on_an_additive_game_is_exact():
    weights = {"a": 1.0, "b": 2.0, "c": 4.0, "d": 8.0}
    result = shapley_sampled(lambda s: sum(weights[p] for p in s), weights, samples=10, seed=1)
    assert result.allocation == pytest.approx(weights)
    assert all(h == pytest.approx(0.0, abs=1e-12) for h in result.half_width.values())


def test_shapley_sampled_rejects_bad_arguments():
    with pytest.raises(ValueError, match="samples must be an integer >= 2"):
        shapley_sampled(THREE, ["A", "B", "C"], samples=1, seed=0)
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\)"):
        shapley_sampled(THREE, ["A", "B", "C"], samples=10, seed=0, confidence=1.0)
    with pytest.raises(ValueError, match="lacks the cost of coalition"):
        shapley_sampled(THREE, ["A", "B", "C", "D"], samples=10, seed=0)
    with pytest.raises(ValueError, match="players is empty"):
        shapley_sampled(THREE, [], samples=10, seed=0)


# ------------------------------------------------------------------------------------------
# Input errors on games
# ------------------------------------------------------------------------------------------


def test_missing_coalitions_are_named():
    game = dict(THREE)
    del game[frozenset({"A", "C"})]
    message = r"lacks the cost of 1 of its 7 non-empty coalitions: \{A, C\}"
    with pytest.raises(ValueError, match=message):
        shapley(game)


def test_non_finite_and_non_numeric_costs_are_named():
    for bad in (math.nan, math.inf):
        game = {**THREE, frozenset({"B", "C"}): bad}
        with pytest.raises(ValueError, match=r"cost of coalition \{B, C\} is"):
            nucleolus(game)
    with pytest.raises(ValueError, match=r"cost of coalition \{B\} is not a number: 'x'"):
        shapley({**THREE, frozenset({"B"}): "x"})


def test_coalition_keys_must_be_frozensets():
    message = "coalitions must be frozensets of player ids, got key '5620'"
    with pytest.raises(ValueError, match=message):
        shapley({"5620": 1.0})
    with pytest.raises(ValueError, match="non-empty mapping"):
        shapley({})


def test_empty_coalition_may_be_given_only_with_cost_zero():
    assert shapley({**THREE, frozenset(): 0.0}) == pytest.approx(shapley(THREE))
    with pytest.raises(ValueError, match="the empty coalition must cost 0"):
        shapley({**THREE, frozenset(): 5.0})


def test_allocation_must_cover_exactly_the_players():
    with pytest.raises(ValueError, match=r"allocation does not match the players: missing 'C'"):
        core_violations(THREE, {"A": 50.0, "B": 40.0})
    with pytest.raises(ValueError, match=r"not in the game 'D'"):
        is_in_core(THREE, {"A": 50.0, "B": 30.0, "C": 10.0, "D": 0.0})


def test_proportional_to_stand_alone_needs_positive_stand_alone_costs():
    game = {**THREE, frozenset({"A"}): -5.0}
    with pytest.raises(ValueError, match="non-negative stand-alone costs"):
        proportional_to_stand_alone(game)


def test_allocation_keeps_method_and_notes():
    allocation = Allocation({"a": 1.0}, "test", ["one note"])
    assert allocation.method == "test" and allocation.notes == ("one note",)
    assert dict(allocation) == {"a": 1.0}
    assert "method='test'" in repr(allocation)


def test_municipality_numbers_as_players_keep_a_sorted_order():
    players = ["5620", "5601", "5618"]
    game = game_from_function(players, lambda s: 10.0 * len(s) ** 0.5)
    assert list(shapley(game)) == sorted(players)
    assert np.allclose(list(nucleolus(game).values()), 10.0 * 3**0.5 / 3)

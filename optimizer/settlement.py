"""Split the cost of a cooperation among its members.

Two families of methods live here:

* keys used in real agreements, pure functions of a total and weights: :func:`per_capita`,
  :func:`fixed_plus_per_capita`, :func:`by_usage`;
* methods on a *cost game*, a mapping from every non-empty coalition (a ``frozenset`` of player
  ids) to its cost, the empty coalition costing 0 implicitly: :func:`proportional_to_stand_alone`,
  :func:`equal_savings`, :func:`shapley`, :func:`shapley_sampled`, :func:`nucleolus`,
  :func:`least_core`, with :func:`core_violations` and :func:`is_in_core` to check a split.

The module knows nothing of municipalities: players are any hashable ids (the municipal layer uses
4-digit municipality numbers such as ``"5620"``). Inside, a game is turned once into an ordered
tuple of players and a numpy cost vector indexed by bitmask (player ``k`` is bit ``k``).
Every split sums to the cost of the grand coalition (or to ``total`` for the keys).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import highspy
import numpy as np

from optimizer.solver import quiet_highs

Player = Hashable
CostGame = Mapping[frozenset, float]

CORE_TOLERANCE_NOK = 1.0
"""Default tolerance of the core checks: a coalition overcharged by at most 1 NOK is not reported,
so that rounding shares to whole kroner never shows up as a core violation."""

_MAX_PLAYERS = 30  # a full game has 2**n - 1 coalitions; 2**30 floats is already 8 GiB
_MAX_SAMPLED_PLAYERS = 62  # coalitions are int64 bitmasks
_DUAL_TOL = 1e-9  # a coalition row with a larger dual is tight on the whole optimal face
_SPAN_TOL = 1e-9  # a coalition whose reduced row is smaller has a constant excess
_CUT_TOL = 1e-9  # separation threshold on the scaled game (costs divided by max |c(S)|)


class VectorGame(Mapping):
    """A complete cost game stored as a vector over bitmasks: ``cost[mask]``, player k is bit k.

    It reads as the usual mapping ``{frozenset: cost}`` (coalitions made on demand), and every
    method here uses its vector directly, so games with hundreds of thousands of coalitions need
    no conversion.
    """

    def __init__(self, players: Iterable[Player], cost: np.ndarray) -> None:
        self.players = tuple(players)
        self.cost = np.asarray(cost, dtype=float)
        if self.cost.shape != (1 << len(self.players),):
            raise ValueError(f"a game of {len(self.players)} players needs {1 << len(self.players)} costs")
        self._bit = {p: 1 << k for k, p in enumerate(self.players)}

    def mask(self, coalition: Iterable[Player]) -> int:
        return sum(self._bit[p] for p in coalition)

    def __getitem__(self, coalition: frozenset) -> float:
        try:
            mask = self.mask(coalition)
        except (KeyError, TypeError):
            raise KeyError(coalition) from None
        if mask == 0:
            raise KeyError(coalition)
        return float(self.cost[mask])

    def __iter__(self):
        for mask in range(1, len(self.cost)):
            yield _coalition(self.players, mask)

    def __len__(self) -> int:
        return len(self.cost) - 1


class Allocation(dict):
    """A split of a cost: player id -> share.

    Attributes
    ----------
    method : str
        Name of the method that produced the split (``"nucleolus"``, ``"pre-nucleolus"``, ...).
    notes : tuple of str
        What the reader should know about this split (presets used, fallbacks taken).
    """

    def __init__(
        self, shares: Mapping[Player, float], method: str, notes: Iterable[str] = ()
    ) -> None:
        super().__init__(shares)
        self.method = method
        self.notes = tuple(notes)

    def __repr__(self) -> str:
        return f"Allocation({dict.__repr__(self)}, method={self.method!r}, notes={self.notes!r})"


@dataclass(frozen=True)
class SampledShapley:
    """Shapley value estimated by permutation sampling.

    Attributes
    ----------
    allocation : Allocation
        The estimate; it sums to c(N) exactly (every permutation's marginal costs do).
    half_width : dict
        Player id -> half-width of the normal-approximation confidence interval of its share.
    samples : int
        Number of permutations drawn.
    confidence : float
        Confidence level of ``half_width``.
    """

    allocation: Allocation
    half_width: dict[Player, float]
    samples: int
    confidence: float


@dataclass(frozen=True)
class LeastCore:
    """The least core of a cost game (Maschler, Peleg & Shapley 1979).

    Attributes
    ----------
    epsilon : float
        Smallest ``e`` such that some efficient split has ``x(S) <= c(S) + e`` for every proper
        non-empty coalition S. The core is non-empty exactly when ``epsilon <= 0``.
    allocation : Allocation
        The pre-nucleolus, the unique point of the least core that goes on to minimise the
        remaining excesses lexicographically. When ``epsilon <= 0`` it equals
        :func:`nucleolus`.
    """

    epsilon: float
    allocation: Allocation


class CoreViolation(NamedTuple):
    """A coalition that pays more than its own cost: ``excess = x(S) - c(S) > 0``."""

    coalition: frozenset
    excess: float


class CoreCheck(NamedTuple):
    """The outcome of :func:`core_check`: how many coalitions are overcharged, and the worst, largest first."""

    count: int
    worst: list[CoreViolation]


# --------------------------------------------------------------------------------------------
# Keys used in real agreements
# --------------------------------------------------------------------------------------------


def per_capita(
    total: float, population: Mapping[Player, float], *, players: Iterable[Player] | None = None
) -> Allocation:
    """Split ``total`` in proportion to population.

    Parameters
    ----------
    total : float
        Cost to split (NOK).
    population : mapping
        Player id -> inhabitants (non-negative, not all zero).
    players : iterable, optional
        If given, ``population`` must cover exactly these players.

    Returns
    -------
    Allocation
    """
    return Allocation(_proportional(total, population, "population", players), "per_capita")


def fixed_plus_per_capita(
    total: float,
    population: Mapping[Player, float],
    fixed_share: float = 0.3,
    *,
    players: Iterable[Player] | None = None,
) -> Allocation:
    """Split ``fixed_share`` of ``total`` equally and the rest in proportion to population.

    Parameters
    ----------
    total : float
        Cost to split (NOK).
    population : mapping
        Player id -> inhabitants (non-negative, not all zero).
    fixed_share : float, default 0.3
        Part of the total split equally, in [0, 1]; 0.3 is the 30/70 key of eKommune Sunnmøre.
    players : iterable, optional
        If given, ``population`` must cover exactly these players.

    Returns
    -------
    Allocation
    """
    if not (isinstance(fixed_share, (int, float)) and 0.0 <= fixed_share <= 1.0):
        raise ValueError(f"fixed_share must be a number in [0, 1], got {fixed_share!r}")
    rest = _proportional(total, population, "population", players)
    fixed = float(total) * fixed_share / len(rest)
    shares = {p: fixed + (1.0 - fixed_share) * share for p, share in rest.items()}
    percent = round(100 * fixed_share, 6)
    note = f"{percent:g}% split equally, {100 - percent:g}% per capita"
    return Allocation(shares, "fixed_plus_per_capita", (note,))


def by_usage(
    total: float, usage: Mapping[Player, float], *, players: Iterable[Player] | None = None
) -> Allocation:
    """Split ``total`` in proportion to usage (cases, hours, target population, ...).

    Parameters
    ----------
    total : float
        Cost to split (NOK).
    usage : mapping
        Player id -> usage (non-negative, not all zero).
    players : iterable, optional
        If given, ``usage`` must cover exactly these players.

    Returns
    -------
    Allocation
    """
    return Allocation(_proportional(total, usage, "usage", players), "by_usage")


# --------------------------------------------------------------------------------------------
# Stand-alone based
# --------------------------------------------------------------------------------------------


def proportional_to_stand_alone(game: CostGame) -> Allocation:
    """Split c(N) in proportion to the stand-alone costs c({i}).

    Only the singletons and the grand coalition of ``game`` are read.

    Parameters
    ----------
    game : mapping
        Cost game: frozenset of player ids -> cost.

    Returns
    -------
    Allocation
    """
    players, stand, grand = _stand_alone(game)
    if np.any(stand < 0) or stand.sum() <= 0:
        raise ValueError(
            "proportional_to_stand_alone needs non-negative stand-alone costs that are not all "
            f"zero; got {dict(zip(players, stand.tolist()))}"
        )
    shares = grand * stand / stand.sum()
    return Allocation(dict(zip(players, shares.tolist())), "proportional_to_stand_alone")


def equal_savings(game: CostGame) -> Allocation:
    """Give every player the same saving ``c({i}) - x_i``.

    Only the singletons and the grand coalition of ``game`` are read.

    Parameters
    ----------
    game : mapping
        Cost game: frozenset of player ids -> cost.

    Returns
    -------
    Allocation
    """
    players, stand, grand = _stand_alone(game)
    saving = (stand.sum() - grand) / len(players)
    return Allocation(dict(zip(players, (stand - saving).tolist())), "equal_savings")


# --------------------------------------------------------------------------------------------
# Game-theoretic
# --------------------------------------------------------------------------------------------


def shapley(game: CostGame) -> Allocation:
    """Exact Shapley value of a cost game.

    Uses the subset-sum formula ``phi_i = sum_{S not containing i} |S|! (n-|S|-1)! / n!
    (c(S + i) - c(S))`` vectorised over bitmasks; fast up to about 20 players.

    Parameters
    ----------
    game : mapping
        Complete cost game: every non-empty coalition -> cost.

    Returns
    -------
    Allocation
    """
    players, cost = _game_vector(game)
    return Allocation(dict(zip(players, _shapley_vector(cost).tolist())), "shapley")


def shapley_sampled(
    cost: CostGame | Callable[[frozenset], float],
    players: Iterable[Player],
    *,
    samples: int,
    seed: int | np.random.Generator | None,
    confidence: float = 0.95,
) -> SampledShapley:
    """Shapley value estimated from random orders of arrival.

    Each sampled permutation gives every player its marginal cost on arrival; the estimate is
    the mean, and ``half_width`` is ``z * sd / sqrt(samples)`` with ``z`` the normal quantile
    of ``confidence``. Every permutation's marginal costs sum to c(N), so the estimate does too.
    Each distinct coalition is evaluated once.

    Parameters
    ----------
    cost : mapping or callable
        Cost game (frozenset -> cost) or a function of a non-empty frozenset of players.
    players : iterable
        The players of the game (the grand coalition).
    samples : int
        Number of permutations (at least 2).
    seed : int, numpy Generator or None
        Seed of the random permutations.
    confidence : float, default 0.95
        Level of the per-player confidence interval, in (0, 1).

    Returns
    -------
    SampledShapley
    """
    order = tuple(dict.fromkeys(players))
    n = len(order)
    if n == 0:
        raise ValueError("players is empty; a game needs at least one player")
    if n > _MAX_SAMPLED_PLAYERS:
        raise ValueError(f"shapley_sampled handles up to {_MAX_SAMPLED_PLAYERS} players, got {n}")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise ValueError(f"samples must be an integer >= 2, got {samples!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    evaluate = _coalition_cost(cost)
    rng = np.random.default_rng(seed)
    perms = rng.permuted(np.tile(np.arange(n), (samples, 1)), axis=1)
    masks = np.cumsum(np.left_shift(np.int64(1), perms), axis=1)
    unique, inverse = np.unique(masks, return_inverse=True)
    coalitions = [frozenset(order[k] for k in range(n) if m >> k & 1) for m in unique.tolist()]
    values = np.array([evaluate(coalition) for coalition in coalitions])
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(f"cost of coalition {_show(coalitions[bad[0]])} is {values[bad[0]]}")
    totals = values[inverse.reshape(masks.shape)]
    marginal = np.diff(totals, axis=1, prepend=0.0)
    by_player = np.empty_like(marginal)
    np.put_along_axis(by_player, perms, marginal, axis=1)
    mean = by_player.mean(axis=0)
    from scipy.stats import norm  # noqa: PLC0415 - scipy.stats takes most of a second to import

    z = float(norm.ppf(0.5 + confidence / 2))
    half = z * by_player.std(axis=0, ddof=1) / math.sqrt(samples)
    note = f"{samples} permutations, {100 * confidence:g}% normal confidence half-widths"
    allocation = Allocation(dict(zip(order, mean.tolist())), "shapley_sampled", (note,))
    return SampledShapley(allocation, dict(zip(order, half.tolist())), samples, confidence)


def nucleolus(game: CostGame) -> Allocation:
    """Nucleolus of a cost game over the imputations.

    The imputations are the splits with ``x_i <= c({i})`` and ``sum x = c(N)``; among them the
    nucleolus lexicographically minimises the decreasing vector of excesses ``x(S) - c(S)``.
    It is computed exactly by a sequence of LPs (HiGHS) with constraint generation: each LP
    holds only the coalitions found violated so far, the rest are separated by scanning all
    excesses over bitmasks. At each stage only the coalitions with a positive dual value (tight
    on the whole optimal face) are fixed, and coalitions whose excess is then determined are
    dropped (Guajardo & Jörnsten 2015 describe what goes wrong when every coalition tight at one
    optimum is fixed).

    When the imputation set is empty (``sum c({i}) < c(N)``) the pre-nucleolus (no bound on
    ``x_i``) is returned instead, with ``method="pre-nucleolus"`` and a note saying why.

    Parameters
    ----------
    game : mapping
        Complete cost game: every non-empty coalition -> cost.

    Returns
    -------
    Allocation
    """
    players, cost = _game_vector(game)
    n = len(players)
    grand = cost[-1]
    stand = cost[1 << np.arange(n)]
    slack = stand.sum() - grand
    tol = _CUT_TOL * (float(np.abs(cost).max()) or 1.0)
    if slack < -tol:
        x, _ = _nucleolus_vector(cost, imputation=False)
        note = (
            f"the imputation set is empty (sum of stand-alone costs {stand.sum():.6g} < "
            f"c(N) = {grand:.6g}); returned the pre-nucleolus"
        )
        return Allocation(dict(zip(players, x.tolist())), "pre-nucleolus", (note,))
    if slack <= tol:  # the only imputation is everybody paying its stand-alone cost
        x = stand - slack / n
    else:
        x, _ = _nucleolus_vector(cost, imputation=True)
    return Allocation(dict(zip(players, x.tolist())), "nucleolus")


def least_core(game: CostGame) -> LeastCore:
    """Least core value of a cost game and one point in the least core.

    ``epsilon`` is the least ``e`` with some efficient split (no bound on ``x_i``) satisfying
    ``x(S) <= c(S) + e`` for every proper non-empty S (0 for a single player, who has no proper
    coalition). The point returned is the pre-nucleolus.

    Parameters
    ----------
    game : mapping
        Complete cost game: every non-empty coalition -> cost.

    Returns
    -------
    LeastCore
    """
    players, cost = _game_vector(game)
    x, levels = _nucleolus_vector(cost, imputation=False)
    epsilon = levels[0] if levels else 0.0
    allocation = Allocation(
        dict(zip(players, x.tolist())), "pre-nucleolus", (f"least-core epsilon {epsilon:.6g}",)
    )
    return LeastCore(epsilon, allocation)


def least_core_value(game: CostGame) -> float:
    """``least_core(game).epsilon`` from the first stage LP alone (the later stages only pick the point)."""
    _, cost = _game_vector(game)
    _, levels = _nucleolus_vector(cost, imputation=False, stages=1)
    return levels[0] if levels else 0.0


def nucleolus_and_least_core(game: CostGame) -> tuple[Allocation, LeastCore]:
    """``(nucleolus(game), least_core(game))`` with one sequence of stage LPs where it can.

    The pre-nucleolus lexicographically minimises the excesses over every efficient split; when
    it is also an imputation (``x_i <= c({i})``, up to the LPs' tolerance) it minimises them over
    the imputations too, so it is the nucleolus. Otherwise the nucleolus is computed on its own.
    """
    least = least_core(game)
    players, cost = _game_vector(game)
    stand = cost[1 << np.arange(len(players))]
    tol = _CUT_TOL * (float(np.abs(cost).max()) or 1.0)
    x = np.array([least.allocation[p] for p in players])
    if stand.sum() - cost[-1] > tol and np.all(x <= stand + tol):
        return Allocation(dict(least.allocation), "nucleolus"), least
    return nucleolus(game), least


def core_violations(
    game: CostGame, allocation: Mapping[Player, float], tol: float = CORE_TOLERANCE_NOK
) -> list[CoreViolation]:
    """Every proper non-empty coalition that pays more than its own cost.

    Parameters
    ----------
    game : mapping
        Complete cost game: every non-empty coalition -> cost.
    allocation : mapping
        Player id -> share, for exactly the players of ``game``.
    tol : float, default 1.0
        Overcharges ``x(S) - c(S)`` up to ``tol`` (1 NOK) are not reported.

    Returns
    -------
    list of CoreViolation
        ``(coalition, excess)`` with ``excess > tol``, largest first.
    """
    return core_check(game, allocation, tol).worst


def core_check(
    game: CostGame, allocation: Mapping[Player, float], tol: float = CORE_TOLERANCE_NOK, limit: int | None = None
) -> CoreCheck:
    """How many proper coalitions pay more than their own cost, and the ``limit`` worst of them.

    With 18 members a split far from the core may overcharge a hundred thousand coalitions; listing
    them all is slow and unreadable, so callers that show them ask for the worst few.

    Parameters
    ----------
    game, allocation, tol
        As for :func:`core_violations`.
    limit : int, optional
        Keep only the ``limit`` largest overcharges (all when ``None``); equal ones in coalition order.

    Returns
    -------
    CoreCheck
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be at least 0, got {limit}")
    players, cost = _game_vector(game)
    x = _allocation_vector(players, allocation)
    excess = _subset_sums(x) - cost
    excess[[0, -1]] = -np.inf
    masks = np.flatnonzero(excess > tol)
    worst = masks[np.argsort(-excess[masks], kind="stable")][:limit]
    return CoreCheck(int(masks.size), [CoreViolation(_coalition(players, int(m)), float(excess[m])) for m in worst])


def is_in_core(
    game: CostGame, allocation: Mapping[Player, float], tol: float = CORE_TOLERANCE_NOK
) -> bool:
    """Whether ``allocation`` is in the core of ``game``, up to ``tol`` (1 NOK).

    True when the split sums to c(N) within ``tol`` and no proper coalition pays more than its
    cost by more than ``tol``.

    Parameters
    ----------
    game : mapping
        Complete cost game: every non-empty coalition -> cost.
    allocation : mapping
        Player id -> share, for exactly the players of ``game``.
    tol : float, default 1.0
        Tolerance in NOK.

    Returns
    -------
    bool
    """
    players, cost = _game_vector(game)
    x = _allocation_vector(players, allocation)
    excess = _subset_sums(x) - cost
    return bool(abs(excess[-1]) <= tol and np.all(excess[1:-1] <= tol))


# --------------------------------------------------------------------------------------------
# Internals: input checks and the game as a bitmask-indexed vector
# --------------------------------------------------------------------------------------------


def _game_vector(game: CostGame) -> tuple[tuple[Player, ...], np.ndarray]:
    """Ordered players and the cost vector ``c[mask]`` (``c[0] = 0``) of a complete game."""
    if isinstance(game, VectorGame):
        cost = game.cost.copy()
        cost[0] = 0.0
        bad = np.flatnonzero(~np.isfinite(cost))
        if bad.size:
            raise ValueError(f"cost of coalition {_show(_coalition(game.players, int(bad[0])))} is {cost[bad[0]]}")
        return game.players, cost
    players, index = _players(game)
    n = len(players)
    if n > _MAX_PLAYERS:
        raise ValueError(f"a complete game is limited to {_MAX_PLAYERS} players, got {n}")
    keys = list(game)
    masks = np.fromiter(
        (sum(map(index.__getitem__, key)) for key in keys), dtype=np.int64, count=len(keys)
    )
    values = np.fromiter((_number(game[key], key) for key in keys), dtype=float, count=len(keys))
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(f"cost of coalition {_show(keys[bad[0]])} is {values[bad[0]]}")
    empty = np.flatnonzero(masks == 0)
    if empty.size and values[empty[0]] != 0.0:
        raise ValueError(f"the empty coalition must cost 0, got {values[empty[0]]}")
    cost = np.full(1 << n, np.nan)
    cost[masks] = values
    cost[0] = 0.0
    missing = np.flatnonzero(np.isnan(cost))
    if missing.size:
        shown = ", ".join(_show(_coalition(players, int(m))) for m in missing[:3])
        more = f" and {missing.size - 3} more" if missing.size > 3 else ""
        raise ValueError(
            f"the game lacks the cost of {missing.size} of its {(1 << n) - 1} non-empty "
            f"coalitions: {shown}{more}"
        )
    return players, cost


def _players(game: CostGame) -> tuple[tuple[Player, ...], dict[Player, int]]:
    """Players of ``game`` (sorted when sortable) and each one's bit."""
    if not isinstance(game, Mapping) or not game:
        raise ValueError("a game must be a non-empty mapping from frozensets of players to costs")
    for key in game:
        if not isinstance(key, frozenset):
            raise ValueError(f"coalitions must be frozensets of player ids, got key {key!r}")
    union = frozenset().union(*game)
    if not union:
        raise ValueError("the game has no players (only the empty coalition)")
    try:
        players = tuple(sorted(union))
    except TypeError:
        players = tuple(dict.fromkeys(p for key in game for p in key))
    return players, {p: 1 << k for k, p in enumerate(players)}


def _stand_alone(game: CostGame) -> tuple[tuple[Player, ...], np.ndarray, float]:
    """Players, stand-alone costs c({i}) and c(N), reading only those coalitions."""
    if isinstance(game, VectorGame):
        return game.players, game.cost[[1 << k for k in range(len(game.players))]], float(game.cost[-1])
    players, _ = _players(game)

    def cost_of(coalition: frozenset) -> float:
        if coalition not in game:
            raise ValueError(f"the game lacks the cost of coalition {_show(coalition)}")
        value = _number(game[coalition], coalition)
        if not math.isfinite(value):
            raise ValueError(f"cost of coalition {_show(coalition)} is {value}")
        return value

    stand = np.array([cost_of(frozenset((p,))) for p in players])
    return players, stand, cost_of(frozenset(players))


def _number(value: object, key: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"cost of coalition {_show(key)} is not a number: {value!r}") from None


def _proportional(
    total: float, weights: Mapping[Player, float], what: str, players: Iterable[Player] | None
) -> dict[Player, float]:
    """Split ``total`` in proportion to ``weights`` (validated)."""
    if not isinstance(weights, Mapping) or not weights:
        raise ValueError(f"{what} must be a non-empty mapping from player id to a number")
    try:
        total = float(total)
    except (TypeError, ValueError):
        raise ValueError(f"total must be a number, got {total!r}") from None
    if not math.isfinite(total):
        raise ValueError(f"total must be finite, got {total}")
    if players is not None:
        _same_players(tuple(dict.fromkeys(players)), weights, what)
    values = {}
    for player, weight in weights.items():
        try:
            value = float(weight)
        except (TypeError, ValueError):
            raise ValueError(f"{what} of {player!r} is not a number: {weight!r}") from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{what} of {player!r} must be finite and >= 0, got {value}")
        values[player] = value
    weight_sum = math.fsum(values.values())
    if weight_sum <= 0:
        raise ValueError(f"{what} is zero for every player; there is nothing to split by")
    return {p: total * value / weight_sum for p, value in values.items()}


def _same_players(players: tuple[Player, ...], mapping: Mapping[Player, float], what: str) -> None:
    known = set(players)
    missing = [p for p in players if p not in mapping]
    extra = [p for p in mapping if p not in known]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"not in the game {', '.join(map(repr, extra))}")
        raise ValueError(f"{what} does not match the players: {'; '.join(parts)}")


def _allocation_vector(
    players: tuple[Player, ...], allocation: Mapping[Player, float]
) -> np.ndarray:
    if not isinstance(allocation, Mapping):
        raise ValueError("allocation must be a mapping from player id to share")
    _same_players(players, allocation, "allocation")
    try:
        x = np.array([float(allocation[p]) for p in players])
    except (TypeError, ValueError):
        raise ValueError("every share in the allocation must be a number") from None
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise ValueError(f"share of {players[bad[0]]!r} in the allocation is {x[bad[0]]}")
    return x


def _coalition_cost(cost: CostGame | Callable[[frozenset], float]) -> Callable[[frozenset], float]:
    if callable(cost):
        return lambda coalition: _number(cost(coalition), coalition)
    if isinstance(cost, Mapping):

        def lookup(coalition: frozenset) -> float:
            if coalition not in cost:
                raise ValueError(f"the game lacks the cost of coalition {_show(coalition)}")
            return _number(cost[coalition], coalition)

        return lookup
    raise ValueError(f"cost must be a mapping or a callable, got {type(cost).__name__}")


def _coalition(players: tuple[Player, ...], mask: int) -> frozenset:
    return frozenset(p for k, p in enumerate(players) if mask >> k & 1)


def _show(coalition: object) -> str:
    if isinstance(coalition, (frozenset, set)):
        try:
            members = sorted(coalition)
        except TypeError:
            members = list(coalition)
        return "{" + ", ".join(map(str, members)) + "}"
    return repr(coalition)


def _subset_sums(values: np.ndarray) -> np.ndarray:
    """``out[mask] = sum of values[k] over the bits k of mask``; rows may be vectors."""
    n = values.shape[0]
    out = np.zeros((1 << n,) + values.shape[1:])
    for k in range(n):
        half = 1 << k
        np.add(out[:half], values[k], out=out[half : 2 * half])
    return out


def _shapley_vector(cost: np.ndarray) -> np.ndarray:
    n = cost.size.bit_length() - 1
    size = _subset_sums(np.ones(n)).astype(np.int64)
    weight = np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])
    phi = np.empty(n)
    for k in range(n):
        pairs = cost.reshape(-1, 2, 1 << k)
        without = size.reshape(-1, 2, 1 << k)[:, 0, :]
        phi[k] = np.sum(weight[without] * (pairs[:, 1, :] - pairs[:, 0, :]))
    return phi


# --------------------------------------------------------------------------------------------
# Internals: the (pre-)nucleolus by sequential LPs with constraint generation
# --------------------------------------------------------------------------------------------


def _nucleolus_vector(cost: np.ndarray, *, imputation: bool, stages: int | None = None
                      ) -> tuple[np.ndarray, list[float]]:
    """Nucleolus (``imputation=True``: with ``x_i <= c({i})``) or pre-nucleolus of a cost vector.

    Returns the split and the excess level fixed at each stage (only the first ``stages`` stages
    when given: the split is then a point of the last stage's optimal face, not the nucleolus).

    The split is parametrised as ``x = x0 + Z y`` where the columns of ``Z`` span the directions
    that keep every fixed coalition's excess (and ``x(N)``) unchanged. A stage solves
    ``min eps  s.t.  x(S) - c(S) <= eps`` for the free coalitions S (and ``x_i <= c({i})``),
    adding the most violated coalitions until none is violated, then fixes the coalitions (and
    stand-alone bounds) whose dual value is positive: by complementary slackness they are tight
    on every optimum, so their excess is constant on the optimal face. Coalitions whose excess
    is then determined (their row of ``A Z`` vanishes) leave the free set. Coalitions that are
    tight on the face but got a zero dual stay free and are fixed at the next stage, at the same
    level. Each stage lowers the dimension of ``Z``; the split is unique when it reaches zero.
    """
    n = cost.size.bit_length() - 1
    full = (1 << n) - 1
    scale = float(np.abs(cost).max()) or 1.0
    cost = cost / scale
    if n == 1:
        return np.array([cost[full] * scale]), []
    stand = cost[1 << np.arange(n)]
    x = np.full(n, cost[full] / n)
    z_basis = np.linalg.svd(np.ones((1, n)))[2][1:].T  # orthonormal basis of {z: sum z = 0}
    free = np.ones(1 << n, dtype=bool)
    free[[0, full]] = False
    bounded = np.full(n, imputation)  # stand-alone bounds x_i <= c({i}) still to respect
    working = np.unique(np.concatenate([1 << np.arange(n), full ^ (1 << np.arange(n))]))
    batch = max(2 * n, 16)
    levels = []
    lp = _StageLP()
    while z_basis.shape[1] > 0:
        reduced = _subset_sums(z_basis)
        free &= np.abs(reduced).max(axis=1) > _SPAN_TOL
        bounded &= np.abs(z_basis).max(axis=1) > _SPAN_TOL
        working = working[free[working]]
        rhs = cost - _subset_sums(x)
        lp.start(z_basis[bounded], stand[bounded] - x[bounded])
        lp.add(reduced[working], rhs[working])
        while True:
            y, eps = lp.solve()
            excess = _subset_sums(x + z_basis @ y) - cost
            candidate = free.copy()
            candidate[working] = False
            violated = np.flatnonzero(candidate & (excess > eps + _CUT_TOL))
            if violated.size == 0:
                break
            if violated.size > batch:
                violated = violated[np.argpartition(-excess[violated], batch)[:batch]]
            working = np.concatenate([working, violated])
            lp.add(reduced[violated], rhs[violated])
        bound_duals, row_duals = lp.duals()
        fixed = working[row_duals > _DUAL_TOL]
        at_bound = np.flatnonzero(bounded)[bound_duals > _DUAL_TOL]
        x = x + z_basis @ y
        levels.append(eps * scale)
        if stages is not None and len(levels) >= stages:
            break
        free[fixed] = False
        bounded[at_bound] = False
        rows = np.vstack([reduced[fixed], z_basis[at_bound]])
        _, sing, vt = np.linalg.svd(rows)
        rank = int(np.sum(sing > _SPAN_TOL * max(1.0, sing[0])))
        z_basis = z_basis @ vt[rank:].T
    return x * scale, levels


class _StageLP:
    """One stage LP in HiGHS: variables ``y`` (free) and ``eps``; minimise ``eps``.

    Rows: stand-alone bounds ``Z_i y <= c_i - x_i`` first, then one row ``(A Z)_S y - eps <=
    c(S) - x0(S)`` per coalition in the working set, added in batches so that the dual simplex
    restarts from the previous basis. (highspy with these warm starts took about 0.03 s for the
    LPs of a 15-player facility game, scipy's ``linprog(method="highs")``, which starts from
    scratch each time, about 0.08 s.)
    """

    def __init__(self) -> None:
        self._highs = quiet_highs()  # one thread, every run through optimizer.solver's guard
        self._highs.setOptionValue("presolve", "off")
        self._highs.setOptionValue("primal_feasibility_tolerance", 1e-10)
        self._highs.setOptionValue("dual_feasibility_tolerance", 1e-10)
        self._dim = 0
        self._bounds = 0

    def start(self, bound_rows: np.ndarray, bound_rhs: np.ndarray) -> None:
        highs = self._highs
        highs.clearModel()
        self._dim = dim = bound_rows.shape[1]
        inf = highspy.kHighsInf
        costs = np.zeros(dim + 1)
        costs[-1] = 1.0
        no_entries = np.zeros(dim + 1, dtype=np.int32)
        highs.addCols(
            dim + 1, costs, np.full(dim + 1, -inf), np.full(dim + 1, inf), 0, no_entries,
            np.zeros(0, dtype=np.int32), np.zeros(0),
        )
        self._bounds = bound_rows.shape[0]
        self._add_rows(np.hstack([bound_rows, np.zeros((self._bounds, 1))]), bound_rhs)

    def add(self, rows: np.ndarray, rhs: np.ndarray) -> None:
        self._add_rows(np.hstack([rows, -np.ones((rows.shape[0], 1))]), rhs)

    def _add_rows(self, dense: np.ndarray, rhs: np.ndarray) -> None:
        if dense.shape[0] == 0:
            return
        row, col = np.nonzero(dense)
        starts = np.searchsorted(row, np.arange(dense.shape[0])).astype(np.int32)
        self._highs.addRows(
            dense.shape[0], np.full(dense.shape[0], -highspy.kHighsInf), rhs.astype(float),
            row.size, starts, col.astype(np.int32), dense[row, col],
        )

    def solve(self) -> tuple[np.ndarray, float]:
        self._highs.run()
        status = self._highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS stopped with status {status} in a nucleolus stage LP")
        values = np.array(self._highs.getSolution().col_value)
        return values[: self._dim], float(values[-1])

    def duals(self) -> tuple[np.ndarray, np.ndarray]:
        """Duals (made non-negative) of the stand-alone bound rows and of the coalition rows."""
        duals = -np.array(self._highs.getSolution().row_dual)
        return duals[: self._bounds], duals[self._bounds :]

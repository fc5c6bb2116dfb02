"""The blocked ``_partition_layers`` against the plain loop it replaced: bitwise the same ``best`` and the
same ``choice`` (ties included), plain Python and compiled, dense, with ``inf``/``nan`` entries, limited."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.engine import kernels


def reference_layers(unit: np.ndarray, layers: int, limited: bool) -> tuple[np.ndarray, np.ndarray]:
    """The loop before the blocked version (every mask, every submask in decreasing order, strict ``<``)."""
    size = unit.shape[0]
    best = np.full((layers, size), np.inf)
    choice = np.zeros((layers, size), dtype=np.int64)
    for k in range(layers):
        best[k, 0] = 0.0
        for mask in range(1, size):
            low = mask & -mask
            rest = mask ^ low
            value = np.inf
            picked = 0
            sub = rest
            while True:
                group = sub | low
                cost = unit[group]
                if cost < np.inf:
                    remainder = mask ^ group
                    if not limited:
                        tail = best[k, remainder]
                    elif remainder == 0:
                        tail = 0.0
                    elif k > 0:
                        tail = best[k - 1, remainder]
                    else:
                        tail = np.inf
                    if cost + tail < value:
                        value = cost + tail
                        picked = group
                if sub == 0:
                    break
                sub = (sub - 1) & rest
            best[k, mask] = value
            choice[k, mask] = picked
    return best, choice


@pytest.fixture(scope="module")
def compiled():
    numba = pytest.importorskip("numba")
    return numba.njit(nogil=True)(reference_layers), numba.njit(nogil=True)(kernels._partition_layers)


def draw(rng: np.random.Generator, n: int, kind: int) -> np.ndarray:
    size = 1 << n
    if kind == 0:  # integers: many ties
        unit = rng.integers(0, 5, size).astype(float)
    elif kind == 1:  # ties, negatives and forbidden groups
        unit = rng.integers(-3, 4, size).astype(float)
        unit[rng.random(size) < 0.3] = np.inf
    elif kind == 2:
        unit = rng.uniform(-1.0, 1.0, size)
    else:  # signed zeros, nan, -inf
        unit = rng.integers(1, 3, size).astype(float)
        unit[rng.random(size) < 0.05] = -0.0
        unit[rng.random(size) < 0.05] = np.nan
        unit[rng.random(size) < 0.01] = -np.inf
    unit[0] = 0.0 if rng.random() < 0.5 else np.inf
    return unit


VARIANTS = [(False, 1), (True, 1), (True, 2), (True, 3), (True, 5), (False, 2)]


def same(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    return a[0].shape == b[0].shape and a[0].tobytes() == b[0].tobytes() and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("n", range(0, 17))
def test_compiled_blocked_programme_is_bitwise_the_plain_loop(n, compiled):
    reference, blocked = compiled
    rng = np.random.default_rng(n)
    for _ in range(6 if n <= 12 else 2):
        for kind in range(4):
            unit = draw(rng, n, kind)
            for limited, layers in VARIANTS if n <= 14 else VARIANTS[:3]:
                assert same(blocked(unit, layers, limited), reference(unit, layers, limited)), (kind, limited, layers)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # -inf + inf in the drawn costs
@pytest.mark.parametrize("n", range(0, 9))
def test_plain_python_blocked_programme_is_bitwise_the_plain_loop(n):
    rng = np.random.default_rng(50 + n)
    for _ in range(3):
        for kind in range(4):
            unit = draw(rng, n, kind)
            for limited, layers in VARIANTS:
                expected = reference_layers(unit, layers, limited)
                assert same(kernels._partition_layers(unit, layers, limited), expected), (kind, limited, layers)


@pytest.mark.parametrize("n", [9, 10, 12])
@pytest.mark.parametrize("max_units", [None, 3])
def test_public_wrapper_matches_the_plain_loop(n, max_units, compiled):
    reference, _ = compiled
    rng = np.random.default_rng(200 + n)
    unit = rng.integers(0, 6, 1 << n).astype(float)
    limited = max_units is not None and max_units < n
    assert same(kernels.partition_layers(unit, max_units), reference(unit, max_units if limited else 1, limited))


def solved_by_a_search(n: int) -> np.ndarray:
    """The groups a search from the full group reads: the full group and every group without member 0."""
    masks = np.arange(1 << n)
    return (masks & 1 == 0) | (masks == (1 << n) - 1)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # -inf + inf in the drawn costs
@pytest.mark.parametrize("n", range(0, 15))
def test_programme_for_a_search_equals_the_complete_one_where_a_search_reads_it(n, compiled):
    """Not ``complete``: the full group and the groups without member 0 bitwise as the plain loop, dense
    and sparse, plain Python and compiled; every other group ``nan`` (never read, see
    ``test_engine``'s searches on the same tables)."""
    reference, blocked = compiled
    rng = np.random.default_rng(300 + n)
    read = solved_by_a_search(n)
    for kind in range(4):
        unit = draw(rng, n, kind)
        for limited, layers in VARIANTS if n <= 12 else VARIANTS[:3]:
            best, choice = reference(unit, layers, limited)
            kernels_run = [blocked(unit, layers, limited, False)]
            if n <= 8:
                kernels_run.append(kernels._partition_layers(unit, layers, limited, False))
            for got_best, got_choice in kernels_run:
                for k in range(layers):
                    solved = read if not limited or k > 0 else np.ones_like(read)  # layer 0 of a limited one: singles
                    assert got_best[k, solved].tobytes() == best[k, solved].tobytes(), (kind, limited, layers, k)
                    assert np.array_equal(got_choice[k, solved], choice[k, solved])
                    assert np.all(np.isnan(got_best[k, ~solved]))
        if kind < 3:  # the public wrapper, sparse where few groups are allowed: the same arrays as dense
            sparse = unit.copy()
            sparse[rng.random(1 << n) < 0.9] = np.inf
            for max_units in (None, 2, 3):
                limited = max_units is not None and max_units < n
                layers = max_units if limited else 1
                got_best, got_choice = kernels.partition_layers(sparse, max_units, complete=False)
                dense_best, dense_choice = kernels._partition_layers(sparse, layers, limited, False)
                assert got_best.tobytes() == dense_best.tobytes() and np.array_equal(got_choice, dense_choice)
                best, choice = reference(sparse, layers, limited)
                assert got_best[-1, read].tobytes() == best[-1, read].tobytes()
                assert np.array_equal(got_choice[-1, read], choice[-1, read])

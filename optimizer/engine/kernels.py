"""Subset programmes over bitmask groups: cheapest partitions and every near-cheapest partition.

Written as plain Python on numpy arrays; from ``COMPILE_FROM`` members they run compiled by numba
(imported only then, so small scenarios start fast). Both paths are the same code.

- ``partition_layers(unit, layers)``: ``best[k, S]`` = cheapest split of group ``S`` into at most
  ``k + 1`` allowed units (one layer when the number of units is free), with the group holding
  ``S``'s lowest member in that split: ``g(S) = min over T in S holding low(S) of unit(T) + g(S - T)``.
- ``cheapest_units(...)``: per group the cheapest host under Lagrangian unit costs, in one pass.
- ``enumerate_partitions(cost, bound, threshold, ...)``: every split of the full group into units
  (host, group) whose summed ``cost[h, T]`` is at most ``threshold``, found depth-first with the
  programme's values as exact completion bounds, so no branch that cannot meet the threshold is
  opened. Stops after ``capacity`` partitions and says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np

COMPILE_FROM = 10  # members; below this the plain-Python kernels are faster than compiling/loading
SPARSE_SHARE = 0.25  # visit only allowed groups when that scans under this share of the 3^n submasks


def _partition_layers(unit: np.ndarray, layers: int, limited: bool) -> tuple[np.ndarray, np.ndarray]:
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


def _sparse_layers(unit: np.ndarray, layers: int, limited: bool, groups: np.ndarray, starts: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """``_partition_layers`` visiting only allowed groups: ``groups[starts[b]:starts[b + 1]]`` are those
    whose lowest member is b, in decreasing order (the order the full loop meets them, so ties
    resolve alike and both return the same arrays)."""
    size = unit.shape[0]
    best = np.full((layers, size), np.inf)
    choice = np.zeros((layers, size), dtype=np.int64)
    for k in range(layers):
        best[k, 0] = 0.0
        for mask in range(1, size):
            low = mask & -mask
            b = 0
            while (1 << b) != low:
                b += 1
            value = np.inf
            picked = 0
            for j in range(starts[b], starts[b + 1]):
                group = groups[j]
                if group & ~mask:
                    continue
                remainder = mask ^ group
                if not limited:
                    tail = best[k, remainder]
                elif remainder == 0:
                    tail = 0.0
                elif k > 0:
                    tail = best[k - 1, remainder]
                else:
                    tail = np.inf
                if unit[group] + tail < value:
                    value = unit[group] + tail
                    picked = group
            best[k, mask] = value
            choice[k, mask] = picked
    return best, choice


def _enumerate(cost: np.ndarray, bound: np.ndarray, limited: bool, threshold: float, capacity: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Depth-first search; returns (start offsets, hosts, groups) of the partitions found, and overflow."""
    n, size = cost.shape
    full = size - 1
    layers = bound.shape[0]
    best_unit = np.full(size, np.inf)
    for h in range(n):
        for g in range(size):
            if cost[h, g] < best_unit[g]:
                best_unit[g] = cost[h, g]
    max_depth = n + 1
    remaining = np.zeros(max_depth, dtype=np.int64)
    spent = np.zeros(max_depth)
    sub = np.zeros(max_depth, dtype=np.int64)
    host = np.zeros(max_depth, dtype=np.int64)
    started = np.zeros(max_depth, dtype=np.bool_)
    out_start = [0]
    out_host = []
    out_group = []
    count = 0
    overflow = False
    depth = 0
    remaining[0] = full
    spent[0] = 0.0
    started[0] = False
    while depth >= 0:
        mask = remaining[depth]
        if mask == 0:  # a complete partition
            for d in range(depth):
                g = remaining[d] ^ remaining[d + 1]
                out_host.append(host[d])
                out_group.append(g)
            out_start.append(len(out_host))
            count += 1
            if count >= capacity:
                overflow = True
                break
            depth -= 1
            continue
        low = mask & -mask
        rest = mask ^ low
        # advance (sub, host) to the next unit that can still meet the threshold
        if not started[depth]:
            sub[depth] = rest
            host[depth] = -1
            started[depth] = True
        found = False
        while True:
            group = sub[depth] | low
            remainder = mask ^ group
            if not limited:
                tail = bound[0, remainder]
            elif remainder == 0:
                tail = 0.0
            elif layers - 1 - depth - 1 >= 0:
                tail = bound[layers - 1 - depth - 1, remainder]
            else:
                tail = np.inf
            if spent[depth] + best_unit[group] + tail <= threshold:
                h = host[depth] + 1
                while h < n:
                    if (group >> h) & 1 and spent[depth] + cost[h, group] + tail <= threshold:
                        break
                    h += 1
                if h < n:
                    host[depth] = h
                    found = True
                    break
            # next group
            if sub[depth] == 0:
                break
            sub[depth] = (sub[depth] - 1) & rest
            host[depth] = -1
        if not found:
            started[depth] = False
            depth -= 1
            continue
        group = sub[depth] | low
        remaining[depth + 1] = mask ^ group
        spent[depth + 1] = spent[depth] + cost[host[depth], group]
        started[depth + 1] = False
        depth += 1
    return (np.array(out_start, dtype=np.int64), np.array(out_host, dtype=np.int64),
            np.array(out_group, dtype=np.int64), overflow)


def _cheapest_units(cost: np.ndarray, true: np.ndarray, fte: np.ndarray, shared: np.ndarray, per_host: np.ndarray,
                    common: float, hosting: np.ndarray, ir: np.ndarray, ties: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per group the cheapest Lagrangian unit cost over hosts, and that host (the first on ties)."""
    n, size = cost.shape
    unit = np.full(size, np.inf)
    host = np.zeros(size, dtype=np.int64)
    for h in range(n):
        for g in range(size):
            value = cost[h, g]
            if value == np.inf:
                continue
            value = value + ties[h] + fte[g] * (common + per_host[h])
            if shared[g]:
                value = value - hosting[h]
            if true[h, g] < np.inf:
                value = value + true[h, g] * ir[g]
            if value < unit[g]:
                unit[g] = value
                host[g] = h
    return unit, host


KERNELS = {"layers": _partition_layers, "sparse": _sparse_layers, "enumerate": _enumerate, "cheapest": _cheapest_units}


@cache
def _compiled(name: str) -> Callable:
    import numba  # noqa: PLC0415 - imported only for large member sets (0.5 s at start-up)

    return numba.njit(cache=True, nogil=True)(KERNELS[name])  # nogil: services are priced in parallel threads


def _kernel(name: str, n: int) -> Callable:
    return _compiled(name) if n >= COMPILE_FROM else KERNELS[name]


def partition_layers(unit: np.ndarray, max_units: int | None) -> tuple[np.ndarray, np.ndarray]:
    """``best[k, S]`` and the first group of that split, for at most ``k + 1`` units (see module).

    Where few groups are allowed (travel limits), only those are visited (``SPARSE_SHARE``)."""
    n = int(math.log2(unit.shape[0]))
    limited = max_units is not None and max_units < n
    layers = max_units if limited else 1
    unit = np.ascontiguousarray(unit, dtype=np.float64)
    allowed = np.flatnonzero(np.isfinite(unit[1:])) + 1
    lows = np.log2(allowed & -allowed).astype(np.int64)
    visits = float(np.sum(np.ldexp(1.0, n - 1 - lows)))  # masks whose lowest member is a group's
    if visits < SPARSE_SHARE * 3.0 ** n:
        order = np.lexsort((-allowed, lows))
        starts = np.searchsorted(lows[order], np.arange(n + 1)).astype(np.int64)
        return _kernel("sparse", n)(unit, layers, limited, allowed[order].astype(np.int64), starts)
    return _kernel("layers", n)(unit, layers, limited)


def cheapest_units(cost: np.ndarray, true: np.ndarray, fte: np.ndarray, shared: np.ndarray, per_host: np.ndarray,
                   common: float, hosting: np.ndarray, ir: np.ndarray, ties: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """``min`` and ``argmin`` over hosts of the Lagrangian unit cost ``cost[h, T] + ties[h] + f(T) (common +
    per_host[h]) - [T shared] hosting[h] + true[h, T] ir[T]`` (``inf`` stays ``inf``), without
    building the host-by-group table; compiled from ``COMPILE_FROM`` members, numpy below."""
    n = cost.shape[0]
    if n < COMPILE_FROM:
        table = cost + ties[:, None] + fte[None, :] * (common + per_host[:, None]) - np.where(shared, 1.0, 0.0)[None, :] * hosting[:, None]
        table = table + np.where(np.isfinite(true), true, 0.0) * ir[None, :]
        host = np.argmin(table, axis=0)
        return table[host, np.arange(table.shape[1])], host
    return _compiled("cheapest")(cost, true, fte, shared, per_host, float(common), hosting, ir,
                                 np.ascontiguousarray(ties, dtype=np.float64))


def enumerate_partition_arrays(cost: np.ndarray, bound: np.ndarray, limited: bool, threshold: float,
                               capacity: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """``enumerate_partitions`` as arrays: partition i is the units ``starts[i]:starts[i + 1]`` of
    ``hosts`` and ``groups``; and whether ``capacity`` cut the list."""
    starts, hosts, groups, overflow = _kernel("enumerate", cost.shape[0])(
        np.ascontiguousarray(cost, dtype=np.float64), np.ascontiguousarray(bound, dtype=np.float64),
        limited, float(threshold), int(capacity))
    return starts, hosts, groups, bool(overflow)


def enumerate_partitions(cost: np.ndarray, bound: np.ndarray, limited: bool, threshold: float,
                         capacity: int, *, keep_on_overflow: bool = True) -> tuple[list[list[tuple[int, int]]], bool]:
    """Every split of the full group into units (host, group) costing at most ``threshold``.

    ``bound`` comes from ``partition_layers`` on the cheapest unit per group of the same ``cost``.
    Returns the partitions (lists of (host index, group mask)) and whether ``capacity`` cut the list
    (then none are returned unless ``keep_on_overflow``: turning them into lists is the slow part).
    """
    starts, hosts, groups, overflow = enumerate_partition_arrays(cost, bound, limited, threshold, capacity)
    if overflow and not keep_on_overflow:
        return [], True
    partitions = [
        [(int(hosts[j]), int(groups[j])) for j in range(starts[i], starts[i + 1])]
        for i in range(len(starts) - 1)
    ]
    return partitions, bool(overflow)

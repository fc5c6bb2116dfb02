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
- ``distinct_partitions(...)``: of a listing, the cheapest partition per signature on the coupling
  rows in force (what a MILP over them can tell apart), in one pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np

COMPILE_FROM = 10  # members; below this the plain-Python kernels are faster than compiling/loading
SPARSE_SHARE = 0.25  # visit only allowed groups when that scans under this share of the 3^n submasks


def _partition_layers(unit: np.ndarray, layers: int, limited: bool, complete: bool = True
                      ) -> tuple[np.ndarray, np.ndarray]:
    """``best[k, S] = min over T in S holding low(S) of unit[T] + best[k or k - 1, S - T]``, and that T.

    Bitwise the same as the plain loop over every mask and its submasks T in decreasing order with a
    strict ``<`` (tests/test_kernels_speed.py keeps that loop as the reference), but arranged to run
    ~2-3x faster compiled:

    - Masks are taken by their lowest member ``p`` ("level"), from the top member down. Writing
      ``S = (2j + 1) << p`` and ``T = (2i + 1) << p``, the programme at level p is
      ``value[j] = min over i in j (decreasing) of cost[i] + tail[j ^ i]`` with the contiguous copies
      ``cost[i] = unit[(2i + 1) << p]`` and ``tail[r] = best[r << (p + 1)]`` (groups whose lowest member
      is above p, finished at the levels before). Same terms, same order, half the memory touched.
    - From 16 entries on, j runs in blocks of 16 (``block``) and i in blocks ``sub`` of the block, so each
      step reads 16 costs and 16 tails (two cache lines each) and updates the 16 lanes ``t`` with their
      candidates ``il in t`` (decreasing): ``v_t = min(v_t, u_il + b_(t ^ il), ...)``; i = 16 sub + il
      still falls in decreasing order per lane. ``min`` keeps the first of equal values like the strict
      ``<``. Only the value is tracked in the hot loop: when a lane's value dropped in a step, the first
      candidate of that step equal to the new value is the one the loop would have chosen (rare).
    - ``limited``: layer 0 holds only single groups; layer k > 0 reads layer k - 1 (``best[k - 1, 0]``
      is 0, as the loop's ``tail = 0`` for an empty remainder). ``cost < inf`` needs no test: an ``inf``
      or ``nan`` term is never below the running value.
    - Not ``complete``: of the groups holding member 0 (level 0, two thirds of the work) only the full
      group is solved, the rest are ``nan`` (see ``partition_layers``).
    """
    size = unit.shape[0]
    n = 0
    while (1 << n) < size:
        n += 1
    best = np.full((layers, size), np.inf)
    choice = np.zeros((layers, size), dtype=np.int64)
    for k in range(layers):
        best[k, 0] = 0.0
        if limited and k == 0:
            for mask in range(1, size):
                value = unit[mask] + 0.0
                if value < np.inf:
                    best[0, mask] = value
                    choice[0, mask] = mask
            continue
        src = k - 1 if limited else k
        for level in range(n - 1, -1, -1):
            step = 2 << level
            half = size // step
            cost = unit[(1 << level)::step].copy()
            tail = best[src, ::step].copy()
            value = np.full(half, np.nan)  # stays nan only where not solved (level 0, not complete)
            index = np.full(half, -1, dtype=np.int64)
            first = 0 if complete or level > 0 else half - 1  # the full group alone
            if half < 16:
                for j in range(first, half):
                    v = np.inf
                    i = j
                    while True:
                        c = cost[i] + tail[j ^ i]
                        if c < v:
                            v = c
                            index[j] = i
                        if i == 0:
                            break
                        i = (i - 1) & j
                    value[j] = v
            else:
                for block in range(first >> 4, half >> 4):
                    j = block << 4
                    v0 = v1 = v2 = v3 = v4 = v5 = v6 = v7 = np.inf
                    v8 = v9 = v10 = v11 = v12 = v13 = v14 = v15 = np.inf
                    i0 = i1 = i2 = i3 = i4 = i5 = i6 = i7 = i8 = i9 = i10 = i11 = i12 = i13 = i14 = i15 = -1
                    sub = block
                    while True:
                        base = sub << 4
                        rb = (block ^ sub) << 4
                        u0, u1, u2, u3 = cost[base], cost[base + 1], cost[base + 2], cost[base + 3]
                        u4, u5, u6, u7 = cost[base + 4], cost[base + 5], cost[base + 6], cost[base + 7]
                        u8, u9, u10, u11 = cost[base + 8], cost[base + 9], cost[base + 10], cost[base + 11]
                        u12, u13, u14, u15 = cost[base + 12], cost[base + 13], cost[base + 14], cost[base + 15]
                        b0, b1, b2, b3 = tail[rb], tail[rb + 1], tail[rb + 2], tail[rb + 3]
                        b4, b5, b6, b7 = tail[rb + 4], tail[rb + 5], tail[rb + 6], tail[rb + 7]
                        b8, b9, b10, b11 = tail[rb + 8], tail[rb + 9], tail[rb + 10], tail[rb + 11]
                        b12, b13, b14, b15 = tail[rb + 12], tail[rb + 13], tail[rb + 14], tail[rb + 15]
                        o0, o1, o2, o3, o4, o5, o6, o7 = v0, v1, v2, v3, v4, v5, v6, v7
                        o8, o9, o10, o11, o12, o13, o14, o15 = v8, v9, v10, v11, v12, v13, v14, v15
                        v0 = min(v0, u0 + b0)
                        v1 = min(v1, u1 + b0, u0 + b1)
                        v2 = min(v2, u2 + b0, u0 + b2)
                        v3 = min(v3, u3 + b0, u2 + b1, u1 + b2, u0 + b3)
                        v4 = min(v4, u4 + b0, u0 + b4)
                        v5 = min(v5, u5 + b0, u4 + b1, u1 + b4, u0 + b5)
                        v6 = min(v6, u6 + b0, u4 + b2, u2 + b4, u0 + b6)
                        v7 = min(v7, u7 + b0, u6 + b1, u5 + b2, u4 + b3, u3 + b4, u2 + b5, u1 + b6, u0 + b7)
                        v8 = min(v8, u8 + b0, u0 + b8)
                        v9 = min(v9, u9 + b0, u8 + b1, u1 + b8, u0 + b9)
                        v10 = min(v10, u10 + b0, u8 + b2, u2 + b8, u0 + b10)
                        v11 = min(v11, u11 + b0, u10 + b1, u9 + b2, u8 + b3, u3 + b8, u2 + b9, u1 + b10, u0 + b11)
                        v12 = min(v12, u12 + b0, u8 + b4, u4 + b8, u0 + b12)
                        v13 = min(v13, u13 + b0, u12 + b1, u9 + b4, u8 + b5, u5 + b8, u4 + b9, u1 + b12, u0 + b13)
                        v14 = min(v14, u14 + b0, u12 + b2, u10 + b4, u8 + b6, u6 + b8, u4 + b10, u2 + b12,
                                   u0 + b14)
                        v15 = min(v15, u15 + b0, u14 + b1, u13 + b2, u12 + b3, u11 + b4, u10 + b5, u9 + b6,
                                   u8 + b7, u7 + b8, u6 + b9, u5 + b10, u4 + b11, u3 + b12, u2 + b13, u1 + b14,
                                   u0 + b15)
                        if v0 != o0:
                            i0 = 0
                            while cost[base + i0] + tail[rb + (0 ^ i0)] != v0:
                                i0 = (i0 - 1) & 0
                            i0 += base
                        if v1 != o1:
                            i1 = 1
                            while cost[base + i1] + tail[rb + (1 ^ i1)] != v1:
                                i1 = (i1 - 1) & 1
                            i1 += base
                        if v2 != o2:
                            i2 = 2
                            while cost[base + i2] + tail[rb + (2 ^ i2)] != v2:
                                i2 = (i2 - 1) & 2
                            i2 += base
                        if v3 != o3:
                            i3 = 3
                            while cost[base + i3] + tail[rb + (3 ^ i3)] != v3:
                                i3 = (i3 - 1) & 3
                            i3 += base
                        if v4 != o4:
                            i4 = 4
                            while cost[base + i4] + tail[rb + (4 ^ i4)] != v4:
                                i4 = (i4 - 1) & 4
                            i4 += base
                        if v5 != o5:
                            i5 = 5
                            while cost[base + i5] + tail[rb + (5 ^ i5)] != v5:
                                i5 = (i5 - 1) & 5
                            i5 += base
                        if v6 != o6:
                            i6 = 6
                            while cost[base + i6] + tail[rb + (6 ^ i6)] != v6:
                                i6 = (i6 - 1) & 6
                            i6 += base
                        if v7 != o7:
                            i7 = 7
                            while cost[base + i7] + tail[rb + (7 ^ i7)] != v7:
                                i7 = (i7 - 1) & 7
                            i7 += base
                        if v8 != o8:
                            i8 = 8
                            while cost[base + i8] + tail[rb + (8 ^ i8)] != v8:
                                i8 = (i8 - 1) & 8
                            i8 += base
                        if v9 != o9:
                            i9 = 9
                            while cost[base + i9] + tail[rb + (9 ^ i9)] != v9:
                                i9 = (i9 - 1) & 9
                            i9 += base
                        if v10 != o10:
                            i10 = 10
                            while cost[base + i10] + tail[rb + (10 ^ i10)] != v10:
                                i10 = (i10 - 1) & 10
                            i10 += base
                        if v11 != o11:
                            i11 = 11
                            while cost[base + i11] + tail[rb + (11 ^ i11)] != v11:
                                i11 = (i11 - 1) & 11
                            i11 += base
                        if v12 != o12:
                            i12 = 12
                            while cost[base + i12] + tail[rb + (12 ^ i12)] != v12:
                                i12 = (i12 - 1) & 12
                            i12 += base
                        if v13 != o13:
                            i13 = 13
                            while cost[base + i13] + tail[rb + (13 ^ i13)] != v13:
                                i13 = (i13 - 1) & 13
                            i13 += base
                        if v14 != o14:
                            i14 = 14
                            while cost[base + i14] + tail[rb + (14 ^ i14)] != v14:
                                i14 = (i14 - 1) & 14
                            i14 += base
                        if v15 != o15:
                            i15 = 15
                            while cost[base + i15] + tail[rb + (15 ^ i15)] != v15:
                                i15 = (i15 - 1) & 15
                            i15 += base
                        if sub == 0:
                            break
                        sub = (sub - 1) & block
                    value[j:j + 16] = (v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15)
                    index[j:j + 16] = (i0, i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15)
            if first > 0:  # the block of the full group solved a few more: left out alike
                value[:first] = np.nan
                index[:first] = -1
            for j in range(half):
                mask = (2 * j + 1) << level
                best[k, mask] = value[j]
                if index[j] >= 0:
                    choice[k, mask] = (2 * index[j] + 1) << level
    return best, choice


def _sparse_layers(unit: np.ndarray, layers: int, limited: bool, groups: np.ndarray, starts: np.ndarray,
                   complete: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``_partition_layers`` visiting only allowed groups: ``groups[starts[b]:starts[b + 1]]`` are those
    whose lowest member is b, in decreasing order (the order the full loop meets them, so ties
    resolve alike and both return the same arrays)."""
    size = unit.shape[0]
    best = np.full((layers, size), np.inf)
    choice = np.zeros((layers, size), dtype=np.int64)
    for k in range(layers):
        best[k, 0] = 0.0
        for mask in range(1, size):
            if not complete and (k > 0 or not limited) and mask & 1 and mask != size - 1:
                best[k, mask] = np.nan  # as the dense kernel (whose limited layer 0 is complete)
                continue
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


def _distinct_partitions(starts: np.ndarray, hosts: np.ndarray, groups: np.ndarray, fte: np.ndarray, base: np.ndarray,
                         travel: np.ndarray, scale: float, ties: np.ndarray, per_fte: np.ndarray, hosted_fte: np.ndarray,
                         hosted_shared: np.ndarray, ir_shares: np.ndarray, ir_row: np.ndarray, most: int
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct (shared, coefficients rounded to 1e-9) the cheapest listed partition, the first of
    equal cost; in the order the signatures first appear. Returns (index, cost, true cost, shared,
    coefficients) of those kept; stops at ``most + 1`` signatures (then more than ``most`` would be
    kept: the caller gives up, and the memory stays bounded where the rows barely merge partitions).

    A unit (h, T) costs ``true = scale (base[T] + travel[h, T])`` plus ``ties[h]``; its coefficient on
    row r is ``Coupling.linear_form``'s, the ir share read from ``ir_shares[ir_row[r], T]`` (``ir_row[r]
    < 0``: no ir term); a partition's are its units' summed one by one in the order listed (numpy's
    block sums of the costs may differ from these by an ulp). Signatures go into an open-addressing
    table, so the work is linear in the listing and the memory in the partitions kept."""
    count = len(starts) - 1
    rows = per_fte.shape[0]
    mask = (1 << 62) - 1
    room = 64
    slots = np.full(4 * room, -1, dtype=np.int64)
    kept = np.zeros(room, dtype=np.int64)
    keys = np.zeros((room, rows))
    coefs = np.zeros((room, rows))
    costs = np.zeros(room)
    trues = np.zeros(room)
    shared_kept = np.zeros(room, dtype=np.bool_)
    hashes = np.zeros(room, dtype=np.int64)
    size = 0
    sums = np.zeros(rows)
    key = np.zeros(rows)
    for i in range(count):
        if size > most:
            break
        true = 0.0
        tie = 0.0
        shared = False
        for j in range(starts[i], starts[i + 1]):
            h = hosts[j]
            g = groups[j]
            unit = scale * (base[g] + travel[h, g])
            true = unit if j == starts[i] else true + unit
            tie = ties[h] if j == starts[i] else tie + ties[h]
            is_shared = 1.0 if g & (g - 1) else 0.0
            if is_shared:
                shared = True
            for r in range(rows):
                value = fte[g] * (per_fte[r] + hosted_fte[r, h]) + is_shared * hosted_shared[r, h]
                if ir_row[r] >= 0:
                    value = value + ir_shares[ir_row[r], g] * unit
                sums[r] = value if j == starts[i] else sums[r] + value
        cost = true + tie
        code = 1 if shared else 2
        for r in range(rows):
            scaled = np.rint(sums[r] * 1e9)
            key[r] = scaled / 1e9 + 0.0  # + 0.0: -0.0 and 0.0 are one signature
            part = int(scaled) if abs(scaled) < 9e18 else 7
            code = ((code ^ part) * 1099511628211) & mask
        slot = code & (len(slots) - 1)
        while slots[slot] >= 0:
            k = slots[slot]
            if hashes[k] == code and shared_kept[k] == shared:
                same = True
                for r in range(rows):
                    if keys[k, r] != key[r]:
                        same = False
                        break
                if same:
                    break
            slot = (slot + 1) & (len(slots) - 1)
        k = slots[slot]
        if k >= 0:
            if cost < costs[k]:
                kept[k], costs[k], trues[k] = i, cost, true
                coefs[k, :] = sums
            continue
        if size == room:  # grow the kept arrays and the slots, which stay at most a quarter full
            room *= 2
            kept = np.concatenate((kept, np.zeros(room - size, dtype=np.int64)))
            keys = np.concatenate((keys, np.zeros((room - size, rows))))
            coefs = np.concatenate((coefs, np.zeros((room - size, rows))))
            costs = np.concatenate((costs, np.zeros(room - size)))
            trues = np.concatenate((trues, np.zeros(room - size)))
            shared_kept = np.concatenate((shared_kept, np.zeros(room - size, dtype=np.bool_)))
            hashes = np.concatenate((hashes, np.zeros(room - size, dtype=np.int64)))
            slots = np.full(4 * room, -1, dtype=np.int64)
            for k in range(size):
                slot = hashes[k] & (len(slots) - 1)
                while slots[slot] >= 0:
                    slot = (slot + 1) & (len(slots) - 1)
                slots[slot] = k
            slot = code & (len(slots) - 1)
            while slots[slot] >= 0:
                slot = (slot + 1) & (len(slots) - 1)
        slots[slot] = size
        kept[size], costs[size], trues[size], shared_kept[size], hashes[size] = i, cost, true, shared, code
        keys[size, :] = key
        coefs[size, :] = sums
        size += 1
    return kept[:size].copy(), costs[:size].copy(), trues[:size].copy(), shared_kept[:size].copy(), coefs[:size].copy()


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


def _lagrangian_table(cost: np.ndarray, ties: np.ndarray, fte: np.ndarray, shared: np.ndarray, per_host: np.ndarray,
                      common: float, hosting: np.ndarray, ir: np.ndarray, use_shared: bool, use_ir: bool
                      ) -> np.ndarray:
    """The ``[host, group]`` table whose minima ``_cheapest_units`` takes (here ``cost`` is also the true
    cost), in one pass and the same order of operations as the numpy terms of ``Coupling.lagrangian_cost``."""
    n, size = cost.shape
    out = np.empty((n, size))
    for h in range(n):
        scale = common + per_host[h]
        for g in range(size):
            true = cost[h, g]
            value = true + ties[h]
            value = value + fte[g] * scale
            if use_shared:
                value = value - shared[g] * hosting[h]
            if use_ir:
                value = value + (true if true < np.inf else 0.0) * ir[g]
            out[h, g] = value
    return out


KERNELS = {"layers": _partition_layers, "sparse": _sparse_layers, "enumerate": _enumerate, "cheapest": _cheapest_units,
           "lagrangian": _lagrangian_table, "distinct": _distinct_partitions}


@cache
def _compiled(name: str) -> Callable:
    import numba  # noqa: PLC0415 - imported only for large member sets (0.5 s at start-up)

    return numba.njit(cache=True, nogil=True)(KERNELS[name])  # nogil: services are priced in parallel threads


def compiles(n: int) -> bool:
    """Whether the kernels run compiled for ``n`` members."""
    return n >= COMPILE_FROM


def _kernel(name: str, n: int) -> Callable:
    return _compiled(name) if compiles(n) else KERNELS[name]


def partition_layers(unit: np.ndarray, max_units: int | None, complete: bool = True
                     ) -> tuple[np.ndarray, np.ndarray]:
    """``best[k, S]`` and the first group of that split, for at most ``k + 1`` units (see module).

    Where few groups are allowed (travel limits), only those are visited (``SPARSE_SHARE``).
    Not ``complete``: only the full group and the groups without member 0 are solved, the others are
    ``nan``, in a third of the time. That is all a search from the full group reads: the optimum,
    the split ``choice`` leads to, and ``enumerate_partitions``' completion bounds (each step takes
    the remainder's lowest member, so a remainder never holds member 0)."""
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
        return _kernel("sparse", n)(unit, layers, limited, allowed[order].astype(np.int64), starts, complete)
    return _kernel("layers", n)(unit, layers, limited, complete)


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


def lagrangian_table(cost: np.ndarray, ties: np.ndarray, fte: np.ndarray, shared: np.ndarray | None,
                     per_host: np.ndarray, common: float, hosting: np.ndarray, ir: np.ndarray | None) -> np.ndarray | None:
    """``Coupling.lagrangian_cost``'s table compiled in one pass (from ``COMPILE_FROM`` members; ``None``
    below, where numpy is as quick): ``shared`` and ``ir`` ``None`` where their terms are absent."""
    n = cost.shape[0]
    if n < COMPILE_FROM:
        return None
    size = cost.shape[1]
    return _compiled("lagrangian")(
        cost, np.ascontiguousarray(ties, dtype=np.float64), fte, np.zeros(size) if shared is None else shared,
        np.ascontiguousarray(per_host, dtype=np.float64), float(common), np.ascontiguousarray(hosting, dtype=np.float64),
        np.zeros(size) if ir is None else ir, shared is not None, ir is not None)


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


def distinct_partitions(starts: np.ndarray, hosts: np.ndarray, groups: np.ndarray, fte: np.ndarray, base: np.ndarray,
                        travel: np.ndarray, scale: float, ties: np.ndarray, form: tuple[np.ndarray, ...],
                        ir_shares: np.ndarray, ir_row: np.ndarray, most: int) -> tuple[np.ndarray, ...] | None:
    """The listed partitions reduced to the cheapest per signature (``_distinct_partitions``, at most
    ``most + 1`` kept), compiled from ``COMPILE_FROM`` members (``None`` below, where numpy reduces the
    few listed); ``form`` is ``Coupling.linear_form``'s (per_fte, hosted_fte, hosted_shared) on the rows."""
    if not compiles(len(ties)):
        return None
    per_fte, hosted_fte, hosted_shared = (np.ascontiguousarray(a, dtype=np.float64) for a in form)
    fte, base, travel = (np.ascontiguousarray(a, dtype=np.float64) for a in (fte, base, travel))
    return _compiled("distinct")(starts, hosts, groups, fte, base, travel, float(scale),
                                 np.ascontiguousarray(ties, dtype=np.float64), per_fte, hosted_fte, hosted_shared,
                                 np.ascontiguousarray(ir_shares, dtype=np.float64),
                                 np.ascontiguousarray(ir_row, dtype=np.int64), int(most))

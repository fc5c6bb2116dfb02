"""Readers for the OR-Library facility-location files in ``tests/data/orlib/``.

Used by ``tests/test_locate.py`` and, through a ``sys.path`` insert, by
``benchmarks/bench_locate.py``. File formats are described in ``tests/data/orlib/README.md``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ORLIB_DIR = Path(__file__).resolve().parent / "data" / "orlib"


@dataclass(frozen=True)
class UflpInstance:
    """An uncapacitated facility-location instance (``capNN.txt``)."""

    fixed_cost: np.ndarray  # (n_sites,)
    assign_cost: np.ndarray  # (n_customers, n_sites)
    capacity: np.ndarray  # (n_sites,), unused by the UFLP objective
    demand: np.ndarray  # (n_customers,), unused by the UFLP objective


@dataclass(frozen=True)
class PMedianInstance:
    """A p-median instance (``pmedN.txt``): all-pairs shortest-path distances and ``p``."""

    distance: np.ndarray  # (n_vertices, n_vertices)
    p: int


def read_uflp(path: Path) -> UflpInstance:
    """Read ``capNN.txt``: ``m n``, m pairs ``capacity fixed_cost``, then per customer
    ``demand`` and m costs of serving its whole demand from each site."""
    tokens = path.read_text().split()
    m, n = int(tokens[0]), int(tokens[1])
    pos = 2
    site_data = np.array(tokens[pos : pos + 2 * m], dtype=float).reshape(m, 2)
    pos += 2 * m
    rows = np.array(tokens[pos : pos + n * (m + 1)], dtype=float).reshape(n, m + 1)
    if pos + n * (m + 1) != len(tokens):
        raise ValueError(f"{path}: expected {pos + n * (m + 1)} tokens, found {len(tokens)}")
    return UflpInstance(
        fixed_cost=site_data[:, 1],
        assign_cost=rows[:, 1:],
        capacity=site_data[:, 0],
        demand=rows[:, 0],
    )


def read_pmedian(path: Path) -> PMedianInstance:
    """Read ``pmedN.txt``: ``n_vertices n_edges p`` then ``i j cost`` lines (vertices from 1).

    Distances: infinity, 0 on the diagonal, each edge sets both directions (a repeated edge: the
    last one wins), then all-pairs shortest paths (Floyd-Warshall; unlike ``scipy.sparse.csgraph``
    on dense input, it keeps zero-cost edges).
    """
    tokens = path.read_text().split()
    n, n_edges, p = (int(t) for t in tokens[:3])
    edges = np.array(tokens[3 : 3 + 3 * n_edges], dtype=float).reshape(n_edges, 3)
    direct = np.full((n, n), np.inf)
    for i, j, cost in edges:  # in file order, so a repeated edge's last cost wins
        direct[int(i) - 1, int(j) - 1] = direct[int(j) - 1, int(i) - 1] = cost
    np.fill_diagonal(direct, 0.0)
    distance = direct
    for k in range(n):
        distance = np.minimum(distance, distance[:, k, None] + distance[None, k, :])
    if not np.isfinite(distance).all():
        raise ValueError(f"{path}: graph is not connected")
    return PMedianInstance(distance=distance, p=p)


def published_optima(path: Path = ORLIB_DIR / "optima.csv") -> dict[str, float]:
    """Published optimum per instance name, from ``optima.csv``."""
    with path.open(newline="") as handle:
        return {row["instance"]: float(row["published_optimum"]) for row in csv.DictReader(handle)}

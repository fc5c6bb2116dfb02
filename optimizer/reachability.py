"""Chance that a member is out of reach of a host when mountain passes close in winter.

In the closure months each pass is closed with its own probability, independently. Summing over
every combination of open and closed passes is exact but doubles with each pass (4 096 shortest-
route computations for the 12 passes between all 18 Finnmark municipalities). The sum is instead
split one pass at a time (the factoring method of network reliability): a branch whose undecided
passes cannot change any pair's verdict, because the verdicts are the same with all of them open as
with all of them closed, is settled at once with its whole probability. The result equals the full
sum; only the order of the additions differs.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from optimizer import data
from optimizer.scenario import Scenario
from optimizer.travel import build_graph
from optimizer.uncertainty import MONTHS, UncertaintySpec, pass_id


class PassNetwork:
    """A travel graph as arrays: each edge's minutes and the index of its pass (-1 for none)."""

    def __init__(self, graph: nx.DiGraph, centres: Sequence[str], passes: Sequence[str]) -> None:
        nodes = list(graph)
        index = {n: i for i, n in enumerate(nodes)}
        edges = list(graph.edges(data=True))
        self.tails = np.array([index[a] for a, _, _ in edges], dtype=np.int64)
        self.heads = np.array([index[b] for _, b, _ in edges], dtype=np.int64)
        self.minutes = np.array([d["minutes"] for _, _, d in edges], dtype=float)
        number = {p: k for k, p in enumerate(passes)}
        self.edge_pass = np.array([number.get(d["pass"], -1) for _, _, d in edges], dtype=np.int64)
        self.pass_of = {(int(a), int(b)): int(k) for a, b, k in zip(self.tails, self.heads, self.edge_pass)}
        self.centres = np.array([index[c] for c in centres], dtype=np.int64)
        self.size = len(nodes)

    def fastest(self, closed: np.ndarray) -> np.ndarray:
        """Fastest minutes ``[from, to]`` between centres with the passes where ``closed`` is true shut."""
        return dijkstra(self._open_roads(closed), directed=True, indices=self.centres)[:, self.centres]

    def fastest_routes(self, closed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``fastest`` and each node's predecessor on the fastest route from each centre (for ``route_passes``)."""
        minutes, previous = dijkstra(self._open_roads(closed), directed=True, indices=self.centres,
                                     return_predecessors=True)
        return minutes[:, self.centres], previous

    def _open_roads(self, closed: np.ndarray) -> csr_matrix:
        keep = np.ones(len(self.edge_pass), dtype=bool)
        over_a_pass = self.edge_pass >= 0
        keep[over_a_pass] = ~closed[self.edge_pass[over_a_pass]]
        return csr_matrix((self.minutes[keep], (self.tails[keep], self.heads[keep])), shape=(self.size, self.size))

    def route_passes(self, previous: np.ndarray, i: int, j: int) -> list[int]:
        """The passes on the fastest route from centre ``i`` to centre ``j`` (``previous`` from ``fastest_routes``)."""
        found, node, start = [], int(self.centres[j]), int(self.centres[i])
        while node != start:
            before = int(previous[i, node])
            k = self.pass_of[(before, node)]
            if k >= 0:
                found.append(k)
            node = before
        return found


def member_graph(scenario: Scenario, members: Sequence[str]) -> nx.DiGraph:
    """The scenario's travel graph with each road edge's pass id, pruned of dead ends without members.

    A dead end (a chain of non-member leaves) lies on no route between members, so its passes
    cannot change travel between them and are left out of the closure combinations.
    """
    params = scenario.travel.params
    edges = data.road_edges()
    graph = build_graph(edges, params, winter=scenario.travel.winter,
                        links=[params.links[lid] for lid in scenario.travel.links])
    nx.set_edge_attributes(graph, "", "pass")
    for e in edges:
        for u, v in ((e.a, e.b), (e.b, e.a)):
            if e.winter_pass and not graph[u][v]["link"]:  # not replaced by a faster link
                graph[u][v]["pass"] = pass_id(e.winter_pass)
    keep = {scenario.municipalities[m].centre for m in members}

    def leaves() -> list[str]:
        return [n for n in graph if len({*graph.successors(n), *graph.predecessors(n)}) <= 1 and n not in keep]

    dead = leaves()
    while dead:
        graph.remove_nodes_from(dead)
        dead = leaves()
    return graph


def chance_beyond(network: PassNetwork, closure: Sequence[float], limit: float) -> np.ndarray:
    """Chance that the fastest route ``[from, to]`` is longer than ``limit`` when pass k closes with ``closure[k]``.

    Each branch settles the pairs whose verdict no undecided pass can change and splits the rest on
    a pass of the fastest route of one unsettled pair (that route must cross an undecided pass, or
    closing them all would not change its verdict).
    """
    chance = np.asarray(closure, dtype=float)
    size = len(network.centres)
    out = np.zeros((size, size))
    # a branch: passes closed, passes undecided, its probability, pairs still open, its fastest routes if known
    Branch = tuple[np.ndarray, frozenset[int], float, np.ndarray, tuple[np.ndarray, np.ndarray] | None]
    branches: list[Branch] = [(np.zeros(len(chance), dtype=bool), frozenset(np.flatnonzero(chance > 0).tolist()),
                               1.0, np.ones((size, size), dtype=bool), None)]
    while branches:
        closed, undecided, mass, pending, routes = branches.pop()
        minutes, previous = routes if routes is not None else network.fastest_routes(closed)
        beyond = minutes > limit + 1e-9
        unsettled = np.zeros_like(pending)
        if undecided:
            shut = closed.copy()
            shut[list(undecided)] = True
            unsettled = pending & (beyond != (network.fastest(shut) > limit + 1e-9))
        settled = pending & ~unsettled
        out[settled] += mass * beyond[settled]
        if unsettled.any():
            i, j = np.argwhere(unsettled)[0]
            split = min(k for k in network.route_passes(previous, i, j) if k in undecided)
            rest = undecided - {split}
            shut_split = closed.copy()
            shut_split[split] = True
            if chance[split] < 1:
                branches.append((closed, rest, mass * (1.0 - chance[split]), unsettled, (minutes, previous)))
            branches.append((shut_split, rest, mass * chance[split], unsettled, None))
    return out


def out_of_reach(scenario: Scenario, members: Sequence[str], spec: UncertaintySpec, limit: float) -> np.ndarray:
    """Chance that an event at member i served from host j is out of reach: (members, members)."""
    graph = member_graph(scenario, members)
    centres = [scenario.municipalities[m].centre for m in members]
    passes = sorted({d["pass"] for _, _, d in graph.edges(data=True) if d["pass"] and spec.closure(d["pass"]) > 0})
    network = PassNetwork(graph, centres, passes)
    closed_share = len(spec.closure_months) / MONTHS if passes else 0.0
    open_roads = network.fastest(np.zeros(len(passes), dtype=bool)) > limit + 1e-9
    winter = chance_beyond(network, [spec.closure(p) for p in passes], limit) if passes else open_roads
    # fastest is [from, to]; the event at member i is reached from host j: [j, i], hence .T
    return ((1.0 - closed_share) * open_roads + closed_share * winter).T

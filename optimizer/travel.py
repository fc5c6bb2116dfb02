"""Travel times, distances and fares between members on the road network and its links (networkx).

The network is directed: roads and two-way links run both ways, a one-way link (a coastal-express
leg called in one direction only) from its start to its end alone. ``minutes[i, j]`` is the fastest
one-way trip from member i to member j; a round trip goes out and back by the fastest route each
way (``round_trip_minutes``, ``round_trip_cost``), which is twice the one-way trip only where the
network is symmetric between the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from optimizer.data import Link, RoadEdge, TravelParams


class DisconnectedError(ValueError):
    """A member's centre cannot be reached from another member's centre."""

    def __init__(self, a: str, b: str) -> None:
        self.a, self.b = a, b
        super().__init__(f"no route from {a} to {b}")


@dataclass(frozen=True)
class TravelMatrix:
    """One-way minutes, road km and fares from the centre of each of ``members`` (rows) to each (columns).

    With one-way links the matrices are not symmetric: ``minutes[i, j]`` (i to j) may differ from
    ``minutes[j, i]``. Use the ``round_trip_*`` members for a trip there and back.
    """

    members: tuple[str, ...]
    minutes: np.ndarray
    km: np.ndarray
    fare: np.ndarray

    def index(self, member: str) -> int:
        return self.members.index(member)

    @property
    def symmetric(self) -> bool:
        """True when every trip takes as long one way as the other."""
        return bool(np.allclose(self.minutes, self.minutes.T))

    @property
    def round_trip_minutes(self) -> np.ndarray:
        """``[i, j]``: minutes from i to j and back by the fastest route each way (symmetric)."""
        return self.minutes + self.minutes.T

    @property
    def round_trip_km(self) -> np.ndarray:
        """``[i, j]``: road km of the round trip between i and j."""
        return self.km + self.km.T

    @property
    def round_trip_fare(self) -> np.ndarray:
        """``[i, j]``: fares of the round trip between i and j."""
        return self.fare + self.fare.T

    def trip_cost(self, hourly: float, km_rate: float) -> np.ndarray:
        """``[i, j]``: cost of the one-way trip i to j: staff time at ``hourly``, ``km_rate`` per road km, fares."""
        return self.minutes / 60.0 * hourly + self.km * km_rate + self.fare

    def round_trip_cost(self, hourly: float, km_rate: float) -> np.ndarray:
        """``[i, j]``: cost of going from i to j and back (symmetric; out and back may differ)."""
        one_way = self.trip_cost(hourly, km_rate)
        return one_way + one_way.T


def edge_minutes(edge: RoadEdge, params: TravelParams, *, winter: bool) -> float:
    """Driving time of one edge: the sourced time if there is one, else km at the class speed."""
    if edge.time_min_sourced is not None:
        minutes = edge.time_min_sourced
    else:
        minutes = edge.km / params.speed_kmh[edge.road_class].value * 60.0
    if winter and edge.winter_pass:
        minutes += params.winter_penalty_minutes.value
    return minutes


def build_graph(
    edges: Iterable[RoadEdge],
    params: TravelParams,
    *,
    winter: bool = False,
    links: Iterable[Link] = (),
) -> nx.DiGraph:
    """Directed graph with ``minutes``, ``km``, ``fare`` and ``link`` (id, or ``""`` for a road) on each arc.

    Every road edge is an arc each way. The registry's base links (``params.base_links()``) are
    always added, then ``links``; a link adds an arc from ``a`` to ``b`` and, unless it is one-way,
    back. Where a link runs parallel to an existing arc, the faster one is kept.
    """
    graph = nx.DiGraph()
    for e in edges:
        minutes = edge_minutes(e, params, winter=winter)
        for u, v in ((e.a, e.b), (e.b, e.a)):
            graph.add_edge(u, v, minutes=minutes, km=e.km, fare=0.0, link="")
    chosen = {link.id: link for link in (*params.base_links(), *links)}
    for link in chosen.values():
        minutes = link.total_minutes
        arcs = [(link.a, link.b)] if link.one_way else [(link.a, link.b), (link.b, link.a)]
        for u, v in arcs:
            if graph.has_edge(u, v) and graph[u][v]["minutes"] <= minutes:
                continue
            graph.add_edge(u, v, minutes=minutes, km=0.0, fare=link.fare.value, link=link.id)
    return graph


def travel_matrix(graph: nx.DiGraph, members: Sequence[str], centres: Sequence[str]) -> TravelMatrix:
    """Fastest routes from every member centre to every other.

    Raises ``DisconnectedError`` naming the first pair of members (from, to) with no route.
    """
    n = len(members)
    minutes = np.zeros((n, n))
    km = np.zeros((n, n))
    fare = np.zeros((n, n))
    for i, (member, centre) in enumerate(zip(members, centres)):
        if centre not in graph:
            other = members[1 - i] if n > 1 else member
            raise DisconnectedError(member, other)
        lengths, paths = nx.single_source_dijkstra(graph, centre, weight="minutes")
        for j, (other, other_centre) in enumerate(zip(members, centres)):
            if other_centre not in lengths:
                raise DisconnectedError(member, other)
            path = paths[other_centre]
            minutes[i, j] = lengths[other_centre]
            km[i, j] = sum(graph[u][v]["km"] for u, v in zip(path, path[1:]))
            fare[i, j] = sum(graph[u][v]["fare"] for u, v in zip(path, path[1:]))
    return TravelMatrix(tuple(members), minutes, km, fare)


def network_nodes(edges: Iterable[RoadEdge], links: Iterable[Link] = ()) -> set[str]:
    """Every place on the network: centres and junctions of the road edges, link ends."""
    return {n for e in edges for n in (e.a, e.b)} | {n for link in links for n in (link.a, link.b)}


def base_links_needed(edges: Iterable[RoadEdge], params: TravelParams, centres: Iterable[str]) -> list[Link]:
    """Base links that join centres the roads alone cannot (e.g. the only ferry to an island).

    A base link is needed when its two ends lie in different road components that both hold one
    of ``centres``: then some members reach each other only over it.
    """
    roads = nx.Graph()
    roads.add_edges_from((e.a, e.b) for e in edges)
    component = {node: k for k, nodes in enumerate(nx.connected_components(roads)) for node in nodes}
    occupied = {component[c] for c in centres if c in component}
    out = []
    for link in params.base_links():
        ends = {component.get(link.a), component.get(link.b)}
        if len(ends) == 2 and ends <= occupied:
            out.append(link)
    return out

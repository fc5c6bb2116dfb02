"""Travel times and distances between members on the road network (networkx shortest paths)."""

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
        super().__init__(f"no route between {a} and {b}")


@dataclass(frozen=True)
class TravelMatrix:
    """One-way minutes, road km and fares between the centres of ``members`` (in that order)."""

    members: tuple[str, ...]
    minutes: np.ndarray
    km: np.ndarray
    fare: np.ndarray

    def index(self, member: str) -> int:
        return self.members.index(member)


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
) -> nx.Graph:
    """Undirected graph with ``minutes``, ``km`` and ``fare`` on each edge.

    Extra sea/air ``links`` are added as edges with no road km; where a link runs parallel to an
    existing edge, the faster one is kept.
    """
    graph = nx.Graph()
    for e in edges:
        graph.add_edge(e.a, e.b, minutes=edge_minutes(e, params, winter=winter), km=e.km, fare=0.0)
    for link in links:
        minutes = link.minutes.value
        if graph.has_edge(link.a, link.b) and graph[link.a][link.b]["minutes"] <= minutes:
            continue
        graph.add_edge(link.a, link.b, minutes=minutes, km=0.0, fare=link.fare.value)
    return graph


def travel_matrix(graph: nx.Graph, members: Sequence[str], centres: Sequence[str]) -> TravelMatrix:
    """Fastest routes between every pair of member centres.

    Raises ``DisconnectedError`` naming the first pair of members with no route.
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

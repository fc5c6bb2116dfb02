"""Reach under pass closures: the factored sum equals the sum over every combination of closed passes."""

from __future__ import annotations

import math
from itertools import product

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.reachability import PassNetwork, chance_beyond, member_graph, out_of_reach
from optimizer.scenario import resolve
from optimizer.uncertainty import uncertainty_spec


def every_combination(graph: nx.DiGraph, centres: list[str], passes: list[str], closure: list[float],
                      limit: float) -> np.ndarray:
    """The reference: shortest routes (networkx) for each of the 2^k combinations, weighted by its chance."""
    out = np.zeros((len(centres), len(centres)))
    for state in product((False, True), repeat=len(passes)):
        chance = math.prod(c if shut else 1.0 - c for c, shut in zip(closure, state))
        closed = {p for p, shut in zip(passes, state) if shut}
        view = nx.restricted_view(graph, [], [(a, b) for a, b, d in graph.edges(data=True) if d["pass"] in closed])
        for i, a in enumerate(centres):
            lengths = nx.single_source_dijkstra_path_length(view, a, weight="minutes")
            for j, b in enumerate(centres):
                out[i, j] += chance * (lengths.get(b, math.inf) > limit + 1e-9)
    return out


def road(graph: nx.DiGraph, a: str, b: str, minutes: float, pass_name: str = "") -> None:
    for u, v in ((a, b), (b, a)):
        graph.add_edge(u, v, minutes=minutes)
        graph[u][v]["pass"] = pass_name


def test_two_routes_each_over_a_pass_are_both_closed_with_the_product_of_their_chances():
    g = nx.DiGraph()
    road(g, "A", "X", 30, "p"), road(g, "X", "B", 30), road(g, "A", "Y", 40, "q"), road(g, "Y", "B", 40)
    network = PassNetwork(g, ["A", "B"], ["p", "q"])
    out = chance_beyond(network, [0.2, 0.5], limit=100)
    assert out[0, 1] == pytest.approx(0.2 * 0.5) and out[1, 0] == pytest.approx(0.1)
    assert out[0, 0] == 0.0


def test_one_route_over_two_passes_is_cut_when_either_closes():
    g = nx.DiGraph()
    road(g, "A", "X", 30, "p"), road(g, "X", "B", 30, "q")
    out = chance_beyond(PassNetwork(g, ["A", "B"], ["p", "q"]), [0.2, 0.5], limit=100)
    assert out[0, 1] == pytest.approx(1 - 0.8 * 0.5)


def test_a_detour_over_the_limit_counts_as_out_of_reach():
    g = nx.DiGraph()
    road(g, "A", "B", 50, "p"), road(g, "A", "C", 60), road(g, "C", "B", 60)
    out = chance_beyond(PassNetwork(g, ["A", "B"], ["p"]), [0.3], limit=100)
    assert out[0, 1] == pytest.approx(0.3)
    assert chance_beyond(PassNetwork(g, ["A", "B"], ["p"]), [0.3], limit=120)[0, 1] == 0.0


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), nodes=st.integers(3, 9), passes=st.integers(0, 6),
       limit=st.sampled_from([40.0, 80.0, 150.0]))
def test_the_factored_sum_equals_every_combination_on_random_networks(seed, nodes, passes, limit):
    rng = np.random.default_rng(seed)
    names = [f"n{i}" for i in range(nodes)]
    pass_names = [f"p{k}" for k in range(passes)]
    g = nx.DiGraph()
    g.add_nodes_from(names)
    for i in range(1, nodes):  # a spanning tree, then extra edges, some one way
        road(g, names[i], names[int(rng.integers(i))], float(rng.integers(5, 60)))
    for _ in range(nodes):
        a, b = rng.choice(nodes, 2, replace=False)
        g.add_edge(names[a], names[b], minutes=float(rng.integers(5, 60)))
        g[names[a]][names[b]]["pass"] = ""
    for a, b, d in g.edges(data=True):
        if pass_names and rng.random() < 0.5:
            d["pass"] = pass_names[int(rng.integers(len(pass_names)))]
    closure = [float(rng.choice([0.05, 0.3, 0.5, 1.0])) for _ in pass_names]
    centres = list(rng.choice(names, size=min(nodes, 4), replace=False))
    got = chance_beyond(PassNetwork(g, centres, pass_names), closure, limit)
    assert got == pytest.approx(every_combination(g, centres, pass_names, closure, limit), abs=1e-12)


def test_the_members_of_eastern_finnmark_reach_each_other_as_with_every_combination():
    s = resolve({"members": ["Vadsø", "Sør-Varanger", "Båtsfjord", "Berlevåg", "Tana", "Vardø", "Nesseby"],
                 "founding": ["Vadsø"]}, scenario_id="t")
    members = list(s.members)
    spec = uncertainty_spec(s)
    graph = member_graph(s, members)
    passes = sorted({d["pass"] for _, _, d in graph.edges(data=True) if d["pass"]})
    assert len(passes) >= 2  # Båtsfjordfjellet and Kongsfjordfjellet lie between these members
    centres = [s.municipalities[m].centre for m in members]
    share = len(spec.closure_months) / 12
    closure = [spec.closure(p) for p in passes]
    expected = ((1 - share) * every_combination(graph, centres, passes, [0.0] * len(passes), 150.0)
                + share * every_combination(graph, centres, passes, closure, 150.0)).T
    assert out_of_reach(s, members, spec, 150.0) == pytest.approx(expected, abs=1e-12)


def test_reach_in_the_simulation_goes_from_the_host_to_the_member_over_one_way_links():
    s = resolve({"members": ["Vadsø", "Sør-Varanger"], "founding": ["Vadsø"],
                 "travel": {"links": ["hurtigruten_vadso_kirkenes"]}}, scenario_id="t")  # Vadsø -> Kirkenes by sea only
    members = ["5605", "5607"]  # Kirkenes, Vadsø
    out = out_of_reach(s, members, uncertainty_spec(s), 140.0)
    # [event at member, host]: Vadsø as host reaches Kirkenes in 135 min by sea; Kirkenes needs 148 min by road
    assert out[0, 1] == 0.0 and out[1, 0] == pytest.approx(1.0)

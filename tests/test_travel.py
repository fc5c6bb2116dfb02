"""Travel times on the road graph against independently quoted distances."""

from __future__ import annotations

import pytest

from optimizer import data
from optimizer.data import RoadEdge
from optimizer.travel import DisconnectedError, build_graph, travel_matrix

CENTRES = {"5620": "Honningsvåg", "5622": "Lakselv", "5624": "Kjøllefjord", "5626": "Mehamn"}


def matrix(**kwargs):
    params = data.catalogue().travel
    graph = build_graph(data.road_edges(), params, **kwargs)
    return travel_matrix(graph, list(CENTRES), list(CENTRES.values()))


def test_road_km_reproduce_quoted_distances():
    m = matrix()
    # quoted: Lakselv-Honningsvåg 165 km, Kjøllefjord-Lakselv 234 km, Kjøllefjord-Mehamn 43 km
    assert m.km[0, 1] == pytest.approx(165, abs=2)
    assert m.km[2, 1] == pytest.approx(234, abs=2)
    assert m.km[2, 3] == pytest.approx(43, abs=2)
    # Honningsvåg to Kjøllefjord by road is about 400 km
    assert 380 <= m.km[0, 2] <= 410


def test_minutes_follow_the_speed_assumptions():
    m = matrix()
    # Honningsvåg-Olderfjord-Lakselv: 164 km of E-road at 70 km/h
    assert m.minutes[0, 1] == pytest.approx(164 / 70 * 60)
    assert (m.minutes == m.minutes.T).all()
    assert (m.minutes.diagonal() == 0).all()


def test_winter_penalty_is_added_per_mountain_pass():
    summer, winter = matrix(), matrix(winter=True)
    penalty = data.catalogue().travel.winter_penalty_minutes.value
    # Lakselv-Kjøllefjord crosses Børselvfjellet (Fv98) and Bekkarfjord-Hopseidet (Fv888)
    assert winter.minutes[1, 2] == pytest.approx(summer.minutes[1, 2] + 2 * penalty)
    assert winter.minutes[0, 1] == pytest.approx(summer.minutes[0, 1])  # E69 has no pass


def test_coastal_express_link_shortens_the_trip_and_carries_a_fare():
    links = [data.catalogue().travel.links["hurtigruten_honningsvag_kjollefjord"]]
    m = matrix(links=links)
    assert m.minutes[0, 2] == pytest.approx(150)
    assert m.km[0, 2] == 0
    assert m.fare[0, 2] == pytest.approx(700)


def test_disconnected_member_is_a_clear_error():
    edges = [RoadEdge("A", "B", "E6", 10, None, "", "high", "test"), RoadEdge("C", "D", "E6", 10, None, "", "high", "test")]
    graph = build_graph(edges, data.catalogue().travel)
    with pytest.raises(DisconnectedError) as err:
        travel_matrix(graph, ["1111", "2222"], ["A", "C"])
    assert {err.value.a, err.value.b} == {"1111", "2222"}

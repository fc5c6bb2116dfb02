"""Synthetic regions for the scaling curve: the n municipalities nearest the four founders.

Every figure here is an estimate made for the benchmark only, never shown to a user as data:
- members: the n municipalities whose centroid (``data/centroids_2024.csv``, from Kartverket's 2024
  outlines) lies nearest Porsanger's, with their 2024 populations; cost level 1.0;
- travel: great-circle distance between centroids x ``CIRCUITY`` by road at ``SPEED_KMH``, no
  fares or ferries;
- services, fairness rules and cost key: those of ``scenarios/baseline.toml``, founding members the
  four founders, and every service with a travel limit of at most ``TRAVEL_LIMIT_MINUTES`` (no unit
  serves a member more than three hours away; it keeps units local, as the real on-call limit does,
  and keeps the assignment model's size near n x neighbours instead of n^2).
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import numpy as np

from optimizer.data import Municipality
from optimizer.model import HostChoiceModel
from optimizer.scenario import Scenario, read_scenario_file, resolve
from optimizer.travel import TravelMatrix
from optimizer.units import service_costs

HERE = Path(__file__).resolve().parent
FOUNDERS = ("5620", "5622", "5624", "5626")
CENTRE = "5622"  # Porsanger
CIRCUITY = 1.35  # road km per great-circle km: an estimate for northern Norway's coastal roads
SPEED_KMH = 70.0  # average road speed: an estimate
TRAVEL_LIMIT_MINUTES = 180.0
EARTH_KM = 6371.0


def centroids() -> dict[str, tuple[str, int, float, float]]:
    """number -> (name, population, lat, lon) for all 357 municipalities of 2024."""
    with open(HERE / "data" / "centroids_2024.csv", newline="", encoding="utf-8") as f:
        return {r["number"]: (r["name"], int(r["population_2024"]), float(r["lat"]), float(r["lon"]))
                for r in csv.DictReader(f)}


def great_circle_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """``[i, j]``: great-circle distance between points i and j (haversine)."""
    phi, lam = np.radians(lat), np.radians(lon)
    dphi, dlam = phi[:, None] - phi[None, :], lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def region(n: int) -> tuple[Scenario, TravelMatrix]:
    """The scenario and travel matrix of the ``n`` municipalities nearest Porsanger (n >= 4)."""
    places = centroids()
    numbers = sorted(places)
    lat = np.array([places[m][2] for m in numbers])
    lon = np.array([places[m][3] for m in numbers])
    centre = numbers.index(CENTRE)
    distance = great_circle_km(lat, lon)[centre]
    chosen = sorted(numbers[i] for i in np.argsort(distance, kind="stable")[:n])
    if not set(FOUNDERS) <= set(chosen):
        raise ValueError(f"a region of {n} does not hold the four founders")
    municipalities = {
        m: Municipality(m, places[m][0], places[m][0], places[m][0], places[m][1], places[m][2], places[m][3],
                        "core" if m in FOUNDERS else "outer", 1.0, cost_level_estimate=True)
        for m in chosen
    }
    raw, _ = read_scenario_file(HERE.parent / "scenarios" / "baseline.toml")
    table = dict(raw, members=list(FOUNDERS), founding=list(FOUNDERS))
    plain = resolve(table, scenario_id=f"synthetic{n}")
    services = dict(raw.get("services", {}))
    for spec in plain.services:
        limit = spec.value("max_travel_minutes")
        services[spec.id] = dict(services.get(spec.id, {}),
                                 max_travel_minutes=min(TRAVEL_LIMIT_MINUTES, limit or TRAVEL_LIMIT_MINUTES))
    base = resolve(dict(table, services=services), scenario_id=f"synthetic{n}")
    scenario = dataclasses.replace(base, members=tuple(chosen), municipalities=municipalities)
    index = [numbers.index(m) for m in chosen]
    km = great_circle_km(lat[index], lon[index]) * CIRCUITY
    return scenario, TravelMatrix(tuple(chosen), km / SPEED_KMH * 60.0, km, np.zeros_like(km))


def synthetic_model(n: int) -> HostChoiceModel:
    """The host-choice model of the synthetic region of ``n`` municipalities."""
    scenario, matrix = region(n)
    return HostChoiceModel(scenario, service_costs(scenario, matrix))

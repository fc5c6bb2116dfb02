"""The embedded Mid-Finnmark data: municipalities, road edges and the service catalogue.

Files live in ``optimizer/data/`` (package data) with their provenance in ``SOURCES.md``.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

ROLE_FOUNDING = "core"
ROLE_BORDER = "border"


@dataclass(frozen=True)
class Param:
    """A catalogue number with where it comes from."""

    value: float
    status: str  # "sourced" or "estimate"; "imported"/"calibrated" from SSB data; "scenario" if overridden
    basis: str

    @property
    def is_estimate(self) -> bool:
        return self.status == "estimate"


@dataclass(frozen=True)
class Municipality:
    number: str
    name: str  # display name, e.g. "Porsanger"
    official_name: str  # Klass 131, with the Sami/Kven parallel names
    centre: str
    population: int
    lat: float
    lon: float
    role: str  # "core" (founding member), "border" or "maybe"
    cost_level: float | None
    children_0_17: int | None = None  # only known once imported from SSB (table 07459)


@dataclass(frozen=True)
class RoadEdge:
    a: str
    b: str
    road: str
    km: float
    time_min_sourced: float | None
    winter_pass: str
    confidence: str
    source: str

    @property
    def road_class(self) -> str:
        """``E``, ``Rv`` or ``Fv`` from the road number."""
        for prefix in ("Rv", "Fv", "E"):
            if self.road.startswith(prefix):
                return prefix
        raise ValueError(f"road_edges.csv: unknown road class in {self.road!r}")


@dataclass(frozen=True)
class Link:
    """An extra sea or air link a scenario can switch on."""

    id: str
    a: str
    b: str
    mode: str
    minutes: Param
    fare: Param


SERVICE_PARAMS = (
    "fte_per_1000",
    "min_fte",
    "cost_per_fte",
    "fixed_cost",
    "trips_per_member",
    "trips_per_1000",
    "max_travel_minutes",
)


@dataclass(frozen=True)
class Service:
    id: str
    name_nb: str
    name_en: str
    kostra_function: str
    enabled: bool
    params: dict[str, Param]
    disabled_reason_nb: str = ""
    disabled_reason_en: str = ""

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_nb

    def value(self, param: str) -> float | None:
        p = self.params.get(param)
        return None if p is None else p.value


@dataclass(frozen=True)
class TravelParams:
    hours_per_fte: Param
    km_rate: Param
    winter_penalty_minutes: Param
    speed_kmh: dict[str, Param]
    links: dict[str, Link] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalogue:
    services: dict[str, Service]
    travel: TravelParams


def _read_text(name: str) -> str:
    return resources.files("optimizer").joinpath("data", name).read_text(encoding="utf-8")


@cache
def municipalities() -> dict[str, Municipality]:
    """Embedded municipalities by 4-digit number, in file order."""
    rows = csv.DictReader(_read_text("municipalities.csv").splitlines())
    out = {}
    for row in rows:
        number = row["kommunenummer"]
        out[number] = Municipality(
            number=number,
            name=row["display_name"],
            official_name=row["name_official_klass131"],
            centre=row["admin_centre"],
            population=int(row["population_2024_01_01"]),
            lat=float(row["centre_lat"]),
            lon=float(row["centre_lon"]),
            role=row["role"],
            cost_level=float(row["cost_level_2026"]) if row["cost_level_2026"] else None,
        )
    return out


@cache
def road_edges() -> tuple[RoadEdge, ...]:
    """Embedded road edges between centres and junctions."""
    rows = csv.DictReader(_read_text("road_edges.csv").splitlines())
    return tuple(
        RoadEdge(
            a=r["from"],
            b=r["to"],
            road=r["road"],
            km=float(r["km"]),
            time_min_sourced=float(r["time_min_sourced"]) if r["time_min_sourced"] else None,
            winter_pass=r["winter_pass"],
            confidence=r["confidence"],
            source=r["source"],
        )
        for r in rows
    )


def _param(raw: dict) -> Param:
    return Param(float(raw["value"]), raw["status"], raw["basis"])


@cache
def catalogue() -> Catalogue:
    """The embedded service catalogue and travel parameters."""
    raw = tomllib.loads(_read_text("catalogue.toml"))
    services = {}
    for sid, s in raw["services"].items():
        params = {k: _param(s[k]) for k in SERVICE_PARAMS if k in s}
        services[sid] = Service(
            id=sid,
            name_nb=s["name_nb"],
            name_en=s["name_en"],
            kostra_function=s["kostra_function"],
            enabled=s["enabled"],
            params=params,
            disabled_reason_nb=s.get("disabled_reason_nb", ""),
            disabled_reason_en=s.get("disabled_reason_en", ""),
        )
    t = raw["travel"]
    links = {
        lid: Link(lid, lk["from"], lk["to"], lk["mode"], _param(lk["minutes"]), _param(lk["fare"]))
        for lid, lk in t.get("links", {}).items()
    }
    travel = TravelParams(
        hours_per_fte=_param(t["hours_per_fte"]),
        km_rate=_param(t["km_rate"]),
        winter_penalty_minutes=_param(t["winter_penalty_minutes"]),
        speed_kmh={k: _param(v) for k, v in t["speed_kmh"].items()},
        links=links,
    )
    return Catalogue(services, travel)


def founding_numbers() -> tuple[str, ...]:
    """The four founding (core) members."""
    return tuple(n for n, m in municipalities().items() if m.role == ROLE_FOUNDING)


def border_numbers() -> tuple[str, ...]:
    """The plausible border municipalities (randkommuner)."""
    return tuple(n for n, m in municipalities().items() if m.role == ROLE_BORDER)

"""The embedded Finnmark data: municipalities, road edges, links and the service catalogue.

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
ROLE_OUTER = "outer"  # the rest of Finnmark (added for county-scale studies)
DEFAULT_COST_LEVEL = 1.0  # for a municipality without a sourced cost level (an estimate)


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
    role: str  # "core" (founding member), "border", "maybe" or "outer"
    cost_level: float  # KMD's kostnadsindeks; DEFAULT_COST_LEVEL where none was found
    children_0_17: int | None = None  # only known once imported from SSB (table 07459)
    cost_level_estimate: bool = False  # True: no sourced cost level, DEFAULT_COST_LEVEL assumed


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
    """A sea, air or bus link between two nodes of the network.

    ``base`` links belong to the network in every scenario; the others are switched on by a
    scenario. A ``one_way`` link runs from ``a`` to ``b`` only. ``wait`` is the waiting time added
    to ``minutes`` (``None``: the minutes already include it).
    """

    id: str
    a: str
    b: str
    mode: str
    minutes: Param
    fare: Param
    wait: Param | None = None
    one_way: bool = False
    base: bool = False
    source_row: str = ""  # id of the row in links.csv the figures come from

    @property
    def total_minutes(self) -> float:
        """Minutes from boarding point to arrival, waiting included."""
        return self.minutes.value + (self.wait.value if self.wait is not None else 0.0)

    def params(self) -> dict[str, Param]:
        """The link's numbers by scenario key name (``minutes``, ``fare``, ``wait_minutes``)."""
        out = {"minutes": self.minutes, "fare": self.fare}
        if self.wait is not None:
            out["wait_minutes"] = self.wait
        return out


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
    links: dict[str, Link] = field(default_factory=dict)  # the registry: base and optional links

    def base_links(self) -> list[Link]:
        """Links that are part of the network in every scenario."""
        return [link for link in self.links.values() if link.base]


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
            cost_level=float(row["cost_level_2026"]) if row["cost_level_2026"] else DEFAULT_COST_LEVEL,
            cost_level_estimate=not row["cost_level_2026"],
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


@dataclass(frozen=True)
class LinkSource:
    """A row of ``links.csv``: a link as the sources describe it (blank figures were not found)."""

    id: str
    a: str
    b: str
    mode: str
    minutes: float | None
    fare: float | None
    departures_per_day: float | None
    source: str
    confidence: str


@cache
def link_sources() -> dict[str, LinkSource]:
    """Ferries, coastal-express legs and buses as sourced, by row id (``F1``, ``H1``, ...)."""
    rows = csv.DictReader(_read_text("links.csv").splitlines())

    def number(text: str) -> float | None:
        return float(text) if text else None

    return {
        r["id"]: LinkSource(r["id"], r["from"], r["to"], r["mode"], number(r["minutes"]), number(r["fare_nok"]),
                            number(r["departures_per_day"]), r["source"], r["confidence"])
        for r in rows
    }


def _param(raw: dict) -> Param:
    return Param(float(raw["value"]), raw["status"], raw["basis"])


def _link(lid: str, raw: dict) -> Link:
    return Link(
        lid, raw["from"], raw["to"], raw["mode"], _param(raw["minutes"]), _param(raw["fare"]),
        wait=_param(raw["wait_minutes"]) if "wait_minutes" in raw else None,
        one_way=raw.get("one_way", False), base=raw.get("base", False), source_row=raw.get("source_row", ""),
    )


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
    links = {lid: _link(lid, lk) for lid, lk in t.get("links", {}).items()}
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

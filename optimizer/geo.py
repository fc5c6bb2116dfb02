"""Municipality outlines for offline maps, and one fixed colour per municipality.

Reads ``optimizer/data/finnmark_outlines.geojson`` (the 18 Finnmark municipalities, © Kartverket,
CC BY 4.0; see ``SOURCES.md``). Every map that draws an outline shows ``CREDIT``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from collections.abc import Collection

from optimizer.i18n import tr

CREDIT = "© Kartverket (CC BY 4.0)"
OTHER_COLOUR = "#5C5C5C"  # a municipality outside the outline file
# Roles on a map: colour and a pattern or mark, so colour never carries the meaning alone.
# Light fills so the black names on top keep a contrast above 4.5:1.
ROLE_COLOURS = {"host": "#F4A582", "served": "#92C5DE", "alone": "#FFFFFF", "outside": "#EFEFEF"}
ROLE_HATCH = {"host": "", "served": "//", "alone": "..", "outside": ""}  # matplotlib patterns


def role_names() -> dict[str, str]:
    """A map role in words (current language)."""
    return {"host": tr("vert", "host"), "served": tr("betjenes", "served"), "alone": tr("alene", "alone"),
            "outside": tr("ikke med", "not a member")}


@dataclass(frozen=True)
class Outline:
    """One municipality: official and short name, label point, colour and its GeoJSON geometry."""

    number: str
    name: str
    short: str
    label_lon: float
    label_lat: float
    colour: str
    geometry: dict[str, Any]

    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        points = [p for ring in self.rings() for p in ring]
        return (min(x for x, _ in points), min(y for _, y in points), max(x for x, _ in points),
                max(y for _, y in points))

    def rings(self) -> list[list[tuple[float, float]]]:
        """Every outer and inner ring as (lon, lat) points."""
        polygons = self.geometry["coordinates"] if self.geometry["type"] == "MultiPolygon" else [
            self.geometry["coordinates"]]
        return [[(x, y) for x, y in ring] for polygon in polygons for ring in polygon]


@cache
def outlines() -> dict[str, Outline]:
    """Every municipality in the outline file, by number, in the file's order."""
    text = resources.files("optimizer").joinpath("data", "finnmark_outlines.geojson").read_text(encoding="utf-8")
    found = {}
    for feature in json.loads(text)["features"]:
        p = feature["properties"]
        found[p["number"]] = Outline(p["number"], p["name"], p["short"], p["label_lon"], p["label_lat"], p["colour"],
                                     feature["geometry"])
    return found


def near(members: Collection[str], margin: float = 0.1) -> list[str]:
    """The members and the municipalities whose label point lies in the members' box, widened by
    ``margin`` of its size on each side: what a map of the members shows (the others faint)."""
    boxes = [outlines()[m].bbox() for m in members if m in outlines()]
    if not boxes:
        return []
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    dx, dy = margin * (east - west), margin * (north - south)
    west, south, east, north = west - dx, south - dy, east + dx, north + dy
    return [n for n, o in outlines().items()
            if n in members or (west <= o.label_lon <= east and south <= o.label_lat <= north)]


def member_colour(number: str) -> str:
    """The municipality's own colour, the same in every chart, scenario and slide."""
    outline = outlines().get(number)
    return outline.colour if outline is not None else OTHER_COLOUR

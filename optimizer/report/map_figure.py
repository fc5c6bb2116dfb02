"""The map of hosts and assignments as a PNG (matplotlib, offline: municipality outlines, no tiles).

One panel per service. Members are filled outlines coloured by their role in that service (host,
served from another member, running it alone) with a pattern per role, so colour never carries the
meaning alone; every municipality is named, hosts and members running a service alone with their
role in brackets; neighbouring municipalities that are not members are drawn faint. The outlines
are Kartverket's (CC BY 4.0), credited on the figure.
"""

from __future__ import annotations

import io
import math

from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Patch
from matplotlib.path import Path

from optimizer import geo
from optimizer.i18n import tr
from optimizer.result import ScenarioResult
from optimizer.views import map_text, member_role, service_label

EDGE_MEMBER, EDGE_OTHER, TEXT_OTHER = "#333333", "#B0B0B0", "#595959"


def _path(outline: geo.Outline) -> Path:
    """The outline as one compound path (outer rings and holes)."""
    polygons = outline.geometry["coordinates"] if outline.geometry["type"] == "MultiPolygon" else [
        outline.geometry["coordinates"]]
    vertices, codes = [], []
    for polygon in polygons:
        for ring in polygon:
            vertices += [tuple(p) for p in ring]
            codes += [Path.MOVETO] + [Path.LINETO] * (len(ring) - 2) + [Path.CLOSEPOLY]
    return Path(vertices, codes)


def map_png(result: ScenarioResult, *, width_in: float = 12.0, height_in: float = 5.6, dpi: int = 150) -> bytes:
    """PNG of the adopted plan: one panel per service, members filled by role, neighbours faint."""
    shown = geo.near(result.members)
    outlines = geo.outlines()
    paths = {n: _path(outlines[n]) for n in shown}
    services = list(result.model.costs)
    cols = min(4, len(services))
    rows = math.ceil(len(services) / cols)
    members_box = [outlines[m].bbox() for m in result.members if m in outlines]
    west, south = min(b[0] for b in members_box), min(b[1] for b in members_box)
    east, north = max(b[2] for b in members_box), max(b[3] for b in members_box)
    pad_x, pad_y = 0.05 * (east - west), 0.05 * (north - south)
    aspect = 1.0 / math.cos(math.radians((south + north) / 2))
    words = geo.role_names()
    fig = Figure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")
    fig.get_layout_engine().set(rect=(0, 0, 1, 0.98), h_pad=0.06)  # room for the panel titles at the top
    axes = fig.subplots(rows, cols, squeeze=False)
    size = 7 if len(result.members) <= 6 else 5.5
    for ax, service in zip(axes.flat, services):
        for number in shown:
            member = number in result.members
            role = member_role(result, service, number) if member else "outside"
            ax.add_patch(PathPatch(paths[number], facecolor=geo.ROLE_COLOURS[role], hatch=geo.ROLE_HATCH[role],
                                   edgecolor=EDGE_MEMBER if member else EDGE_OTHER, linewidth=0.7 if member else 0.4))
            o = outlines[number]
            label = f"{o.short} ({words[role]})" if role in ("host", "alone") else o.short
            if west - pad_x <= o.label_lon <= east + pad_x and south - pad_y <= o.label_lat <= north + pad_y:
                ax.annotate(label, (o.label_lon, o.label_lat), ha="center", va="center", fontsize=size,
                            fontweight="bold" if member else "normal", color="#111111" if member else TEXT_OTHER,
                            annotation_clip=True,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75} if member
                            else None)
        ax.set_title(service_label(result.scenario, service), fontsize=10, color="#111111")
        ax.set_xlim(west - pad_x, east + pad_x)
        ax.set_ylim(south - pad_y, north + pad_y)
        ax.set_aspect(aspect)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_color("#BBBBBB")
    for ax in list(axes.flat)[len(services):]:
        ax.set_axis_off()
    handles = [Patch(facecolor=geo.ROLE_COLOURS[r], hatch=geo.ROLE_HATCH[r], edgecolor=EDGE_MEMBER, label=words[r])
               for r in ("host", "served", "alone")]
    handles.append(Patch(facecolor=geo.ROLE_COLOURS["outside"], edgecolor=EDGE_OTHER, label=words["outside"]))
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=10, frameon=False,
               title=tr("Rolle i tjenesten", "Role in the service"), title_fontsize=10)
    fig.text(0.995, 0.005, tr(f"Kart: {geo.CREDIT}", f"Map: {geo.CREDIT}"), ha="right", va="bottom", fontsize=8,
             color="#333333")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def map_description(result: ScenarioResult) -> str:
    """The map's text alternative (the picture's description in the deck)."""
    return map_text(result) + " " + tr(f"Kart: {geo.CREDIT}.", f"Map: {geo.CREDIT}.")

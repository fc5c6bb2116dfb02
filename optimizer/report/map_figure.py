"""A static map of hosts and assignments, drawn with matplotlib from the members' centres (no tiles).

One small panel per service: every member at its administrative centre (longitude, latitude, with
the aspect corrected for latitude), a line from each member to the host that serves it, the host as
a large square, names beside the points. Each host has its own colour (Okabe–Ito, safe for
colour-blind readers); lines and the members served take the host's colour, so a service's region
reads as one colour. Members running a service alone are hollow circles.
"""

from __future__ import annotations

import io
import math

from matplotlib.figure import Figure

from optimizer.i18n import tr
from optimizer.result import ScenarioResult
from optimizer.views import service_label

# Okabe & Ito (2008), ordered for contrast on white; yellow last but one.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")


def host_colours(result: ScenarioResult) -> dict[str, str]:
    """A colour for every member hosting a shared unit, in member order."""
    hosts = [m for m in result.members if result.plan.shared_units_hosted(m)]
    return {m: OKABE_ITO[i % len(OKABE_ITO)] for i, m in enumerate(hosts)}


def map_png(result: ScenarioResult, *, width_in: float = 12.0, height_in: float = 5.6, dpi: int = 150) -> bytes:
    """PNG of the adopted plan: one panel per service, hosts as squares, lines to the members served."""
    s = result.scenario
    members = result.members
    colour = host_colours(result)
    place = {m: (s.municipalities[m].lon, s.municipalities[m].lat) for m in members}
    services = list(result.model.costs)
    cols = min(4, len(services))
    rows = math.ceil(len(services) / cols)
    fig = Figure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    lons, lats = [p[0] for p in place.values()], [p[1] for p in place.values()]
    pad_lon, pad_lat = max(0.4, 0.12 * (max(lons) - min(lons))), max(0.2, 0.12 * (max(lats) - min(lats)))
    aspect = 1.0 / math.cos(math.radians(sum(lats) / len(lats)))
    for ax, service in zip(axes.flat, services):
        for u in (u for u in result.plan.units if u.service == service):
            hx, hy = place[u.host]
            for m in u.members:
                if m != u.host:
                    ax.plot([place[m][0], hx], [place[m][1], hy], color=colour[u.host], lw=2.2, zorder=1)
            for m in u.members:
                x, y = place[m]
                if m == u.host and u.shared:
                    ax.scatter([x], [y], s=150, marker="s", color=colour[m], edgecolors="black", linewidths=0.8, zorder=3)
                else:
                    ax.scatter([x], [y], s=45, marker="o", color=colour[u.host] if u.shared else "white",
                               edgecolors="black", linewidths=1.0, zorder=2)
                ax.annotate(s.name(m), (x, y), xytext=(5, 4), textcoords="offset points", fontsize=6.5,
                            color="#333333", zorder=4)
        ax.set_title(service_label(s, service), fontsize=9)
        ax.set_xlim(min(lons) - pad_lon, max(lons) + pad_lon)
        ax.set_ylim(min(lats) - pad_lat, max(lats) + pad_lat)
        ax.set_aspect(aspect)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_color("#bbbbbb")
    for ax in list(axes.flat)[len(services):]:
        ax.set_axis_off()
    handles = [
        fig.axes[0].scatter([], [], s=60, marker="s", color=colour[m], edgecolors="black", linewidths=0.8,
                            label=s.name(m))
        for m in colour
    ]
    alone = fig.axes[0].scatter([], [], s=45, marker="o", color="white", edgecolors="black",
                                label=tr("driver selv", "runs it alone"))
    fig.legend(handles=[*handles, alone], loc="outside lower center", ncols=min(len(colour) + 1, 8),
               fontsize=9, frameon=False,
               title=tr("■ vert (farge = vertskommune), linje = betjenes av verten",
                        "■ host (colour = host municipality), line = served by the host"),
               title_fontsize=9)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()

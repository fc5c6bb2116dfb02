"""Plain-text tables of the embedded data for ``python -m optimizer show members|links|travel``."""

from __future__ import annotations

from optimizer import data
from optimizer.i18n import tr
from optimizer.travel import build_graph, travel_matrix

ESTIMATE = "*"


def role_label(role: str) -> str:
    """Bokmål/English label of a municipality's role in the embedded data."""
    labels = {
        data.ROLE_FOUNDING: tr("stifter", "founding"),
        data.ROLE_BORDER: tr("randkommune", "border"),
        "maybe": tr("mulig randkommune", "possible border"),
        data.ROLE_OUTER: tr("øvrige Finnmark", "rest of Finnmark"),
    }
    return labels.get(role, role)


def members_text() -> str:
    """Every embedded municipality: number, name, centre, population, role and cost level."""
    lines = [tr("nr    navn           senter         innbyggere  rolle               kostnadsnivå",
                "no    name           centre         population  role                cost level")]
    for m in data.municipalities().values():
        level = f"{m.cost_level:.2f}{ESTIMATE if m.cost_level_estimate else ' '}"
        lines.append(f"{m.number}  {m.name:<14} {m.centre:<14} {m.population:>10}  {role_label(m.role):<19} {level:>6}")
    lines.append(tr(f"{ESTIMATE} = anslag: ingen kilde funnet, 1,00 brukt (virker bare med cost_level.scale_stand_alone)",
                    f"{ESTIMATE} = estimate: no source found, 1.00 used (only matters with cost_level.scale_stand_alone)"))
    return "\n".join(lines)


def links_text() -> str:
    """The link registry (base and optional links, one-way marked) and sourced links not usable."""
    def value(param, unit: str) -> str:
        return f"{param.value:g} {unit}{ESTIMATE if param.is_estimate else ''}"

    lines = []
    for link in data.catalogue().travel.links.values():
        arrow = "→" if link.one_way else "–"
        kind = tr("fast i veinettet", "always in the network") if link.base else tr("valgfri", "optional")
        wait = f" + {value(link.wait, tr('min venting', 'min waiting'))}" if link.wait is not None else ""
        direction = tr(", bare én vei", ", one way only") if link.one_way else ""
        lines.append(f"{link.id:<36} {link.a} {arrow} {link.b} ({link.mode}{direction}): "
                     f"{value(link.minutes, 'min')}{wait}, {value(link.fare, tr('kr', 'NOK'))}; {kind}")
    used = {link.source_row for link in data.catalogue().travel.links.values()}
    for row in data.link_sources().values():
        if row.id not in used:
            lines.append(f"{row.id:<36} {row.a} – {row.b} ({row.mode}): " + tr(
                "ikke i bruk: overfartstid eller pris ikke funnet (links.csv)",
                "not usable: crossing time or fare not found (links.csv)"))
    lines.append(tr(f"{ESTIMATE} = anslag. Valgfrie lenker slås på med [travel] links = [\"id\", ...] i et scenario.",
                    f"{ESTIMATE} = estimate. Optional links are switched on with [travel] links = [\"id\", ...] in a scenario."))
    return "\n".join(lines)


def travel_text() -> str:
    """Minutes between every pair of embedded municipalities by road and the base links (e.g. the Hasvik ferry)."""
    params = data.catalogue().travel
    munis = data.municipalities()
    numbers = list(munis)
    matrix = travel_matrix(build_graph(data.road_edges(), params), numbers, [munis[n].centre for n in numbers])
    base = ", ".join(f"{link.a}–{link.b}" for link in params.base_links())
    lines = [tr(f"Reisetid i minutter fra rad til kolonne, vei og faste ferjer ({base}), uten valgfrie lenker:",
                f"Travel time in minutes from row to column, road and base ferries ({base}), no optional links:")]
    lines.append(" " * 18 + "".join(f"{n:>6}" for n in numbers))
    for n, row in zip(numbers, matrix.minutes):
        lines.append(f"{n} {munis[n].name[:12]:<12} " + "".join(f"{v:>6.0f}" for v in row))
    return "\n".join(lines)

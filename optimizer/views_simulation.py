"""What the app shows about uncertainty and near-optimal alternatives, as plain rows and sentences.

Numbers come from ``SimulationResult`` and ``Ranking``; amounts are per year (the simulated cost
over the agreement divided by its years), so they sit beside the deterministic yearly figures.
P10, P90 and CVaR are taken over paths of the whole agreement's total, then divided by its years:
"a bad outcome over the agreement, per year", not the cost of one bad year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from optimizer.alternatives import Alternative, ServiceChange
from optimizer.i18n import format_nok, format_number, format_percent, tr
from optimizer.robust import CRITERION_LABELS, Ranking
from optimizer.scenario import Scenario
from optimizer.simulate import SimulationResult
from optimizer.units import Unit
from optimizer.views import member_label, service_label

def p90_label() -> str:
    """P90 of the agreement's total, shown per year (not the cost of one bad year)."""
    return tr("Dårlig forløp (P90), per år", "Bad outcome over the agreement (P90), per year")


def simulation_figures(sim: SimulationResult) -> dict[str, str]:
    """Four headline figures: expected and P90 yearly cost, time understaffed, events out of reach."""
    total = sim.stats()
    return {
        tr("Forventet kostnad per år", "Expected cost per year"): format_nok(total["mean"] / sim.years),
        p90_label(): format_nok(total["p90"] / sim.years),
        tr("Tid under minste fagmiljø", "Time below minimum staffing"): format_percent(100 * sim.understaffed_share),
        tr("Hendelser utenfor rekkevidde", "Events out of reach"): format_percent(100 * sim.unreachable_share),
    }


def distribution_text(sim: SimulationResult) -> str:
    """The distribution chart in words (its text alternative): paths, expected cost, P10 and P90 per year."""
    total = sim.stats()
    return tr(f"Fordeling av samlet kostnad per år over {sim.paths} simulerte forløp: forventet "
              f"{format_nok(total['mean'] / sim.years)}, P10 {format_nok(total['p10'] / sim.years)}, "
              f"P90 {format_nok(total['p90'] / sim.years)}.",
              f"Distribution of the total cost per year over {sim.paths} simulated paths: expected "
              f"{format_nok(total['mean'] / sim.years)}, P10 {format_nok(total['p10'] / sim.years)}, "
              f"P90 {format_nok(total['p90'] / sim.years)}.")


def cost_spread_rows(sim: SimulationResult) -> list[dict[str, Any]]:
    """Total and per member: deterministic, expected, P10, P90 and CVaR 90 % of the agreement's total, per year."""
    rows = []
    for r in sim.summary_rows():
        who = tr("Samlet", "Total") if r["who"] == "total" else member_label(sim.scenario, r["who"])
        rows.append({
            tr("Hvem", "Who"): who,
            tr("Beregnet (fast)", "Deterministic"): format_nok(r["deterministic_nok"] / sim.years),
            tr("Forventet", "Expected"): format_nok(r["mean_nok"] / sim.years),
            "P10": format_nok(r["p10_nok"] / sim.years),
            "P90": format_nok(r["p90_nok"] / sim.years),
            "CVaR 90 %": format_nok(r["cvar90_nok"] / sim.years),
        })
    return rows


def distribution_rows(sim: SimulationResult) -> list[dict[str, float]]:
    """Simulated total cost per year, one value per path (for a histogram)."""
    return [{"nok_per_year": float(v) / sim.years} for v in sim.distribution()]


def staffing_rows(sim: SimulationResult) -> list[dict[str, Any]]:
    """Per unit: positions, minimum, vacancy time at the host and share of months below the minimum."""
    return [
        {
            tr("Tjeneste", "Service"): service_label(sim.scenario, r["service"]),
            tr("Vert", "Host"): f'{r["host"]} {r["host_name"]}',
            tr("Stillinger", "Positions"): r["positions"],
            tr("Minimum (årsverk)", "Minimum (FTE)"): format_number(r["min_fte"]),
            tr("Snitt måneder å fylle en ledig stilling", "Mean months to fill a vacancy"): format_number(round(r["vacancy_months"], 1)),
            tr("Andel måneder under minimum", "Share of months below minimum"): format_percent(100 * r["below_minimum_share"]),
        }
        for r in sim.staffing_rows()
    ]


def reach_rows(sim: SimulationResult) -> list[dict[str, Any]]:
    """Per time-critical service and member: events per year and the share out of reach in time."""
    return [
        {
            tr("Tjeneste", "Service"): service_label(sim.scenario, r["service"]),
            tr("Kommune", "Municipality"): f'{r["member"]} {r["member_name"]}',
            tr("Vert", "Host"): f'{r["host"]} {sim.scenario.name(r["host"])}',
            tr("Hendelser per år", "Events per year"): format_number(round(r["events_per_year"], 1)),
            tr("Utenfor rekkevidde", "Out of reach"): format_percent(100 * r["unreachable_share"]),
        }
        for r in sim.reach_rows()
    ]


def alternative_rows(scenario: Scenario, found: Sequence[Alternative], ranking: Ranking | None = None) -> list[dict[str, Any]]:
    """One row per plan (rank 1 = the optimum): yearly cost, extra cost, what moved, expected and P90 per year."""
    values = {r["rank"]: r for r in ranking.rows()} if ranking is not None else {}
    years = ranking.results[0].years if ranking is not None else 1
    rows = []
    for a in found:
        row: dict[str, Any] = {
            tr("Plan", "Plan"): tr("1 (optimum)", "1 (optimum)") if a.rank == 1 else str(a.rank),
            tr("Kostnad per år", "Cost per year"): format_nok(a.total),
            tr("Merkostnad", "Extra cost"): format_nok(a.gap_nok),
            tr("Hva er annerledes", "What differs"): "; ".join(
                change_text(scenario, c) for c in a.changes) or "–",
            tr("Merknad", "Note"): a.note() or "–",
        }
        if a.rank in values:
            v = values[a.rank]
            row[tr("Forventet per år", "Expected per year")] = format_nok(v["expected_cost"] / years)
            row[p90_label()] = format_nok(v["p90_cost"] / years)
            row[tr("Under minimum", "Below minimum")] = format_percent(100 * v["understaffed"])
        rows.append(row)
    return rows


def change_text(scenario: Scenario, change: ServiceChange) -> str:
    """``Innkjøp: Porsanger → Lebesby``; a service with several units lists every host."""
    def hosts(units: Sequence[Unit]) -> str:
        return " + ".join(scenario.name(u.host) for u in units)
    return f"{service_label(scenario, change.service)}: {hosts(change.before)} → {hosts(change.after)}"


def winner_sentences(ranking: Ranking) -> list[str]:
    """Which plan wins under each criterion, in words; says so when the runner-up is within simulation noise."""
    close = ranking.within_noise()
    out = []
    for c, rank in ranking.winners().items():
        text = tr(f"Best på {CRITERION_LABELS[c][0]}: plan {rank}", f"Best on {CRITERION_LABELS[c][1]}: plan {rank}")
        text += " (optimum)" if rank == 1 else ""
        if close[c] is not None:
            text += tr(f" – innenfor støyen, ikke sikkert bedre enn plan {close[c]}",
                       f" – within noise, not clearly better than plan {close[c]}")
        out.append(text)
    return out

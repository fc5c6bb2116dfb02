"""Plausible ranges of every numeric input: one table for the validator, the app's widgets and the docs.

A value outside its range is refused with the key and the range (exit 2), before any work starts,
so no input can make a run take unbounded time or memory. ``*`` in a key stands for any service,
member or sub-key. ``docs/BOUNDS.md`` is this table as text (a test keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass

NORWAY_POPULATION = 5_600_000  # SSB 07459, 1 January 2025: 5 594 340; no municipality can exceed it


@dataclass(frozen=True)
class Bound:
    """Lowest and highest accepted value, and why the limit is where it is."""

    low: float
    high: float
    why: str


BOUNDS: dict[str, Bound] = {
    "municipalities.*.population": Bound(1, NORWAY_POPULATION, "a municipality cannot have more people than Norway"),
    "services.*.fte_per_1000": Bound(0, 50, "FTE per 1000 inhabitants; KOSTRA's highest service is below 20"),
    "services.*.min_fte": Bound(0, 500, "minimum professional environment in FTE"),
    "services.*.cost_per_fte": Bound(0, 10_000_000, "NOK per FTE per year (about 1 million in 2026)"),
    "services.*.fixed_cost": Bound(0, 1_000_000_000, "NOK per unit per year"),
    "services.*.trips_per_member": Bound(0, 10_000, "trips per member per year"),
    "services.*.trips_per_1000": Bound(0, 10_000, "trips per 1000 inhabitants per year"),
    "services.*.max_travel_minutes": Bound(1, 10_000, "minutes one way"),
    "services.*.max_units": Bound(1, 32, "units of a service; more than the members have means no limit"),
    "services.*.capacity_fte.*": Bound(0, 10_000, "FTE a host can take on"),
    "fairness.min_shared_units_hosted": Bound(0, 32, "shared units each founding member hosts"),
    "fairness.fte_band": Bound(0, 1, "share points around the population share"),
    "fairness.min_saving_percent": Bound(0, 100, "per cent"),
    "fairness.max_fte_loss": Bound(0, 10_000, "FTE"),
    "cost_key.fixed_share": Bound(0, 1, "share of a unit's cost split equally"),
    "travel.km_rate": Bound(0, 100, "NOK per km"),
    "travel.hours_per_fte": Bound(100, 3000, "working hours per FTE per year"),
    "travel.winter_penalty_minutes": Bound(0, 1440, "minutes added per mountain pass in winter"),
    "solver.gap_rel": Bound(0, 0.5, "relative MIP gap accepted"),
    "solver.time_limit": Bound(0.1, 3600, "seconds per solve"),
    "solver.threads": Bound(1, 64, "solver threads"),
    "solver.fte_step": Bound(0.01, 10, "FTE step of staffing"),
    "uncertainty.years": Bound(1, 30, "length of the agreement (also [agreement] years)"),
    "uncertainty.paths": Bound(1, 1_000_000, "simulated paths; paths x years is bounded too"),
    "uncertainty.paths_x_years": Bound(1, 200_000, "simulated path-years; 200 000 take 2 s and 0.2 GB for 5 members, 0.4 GB for 11"),
    "uncertainty.seed": Bound(0, 2**63 - 1, "random seed"),
    "alternatives.k": Bound(1, 20, "plans listed by alternatives (each is one more solve and simulation)"),
    "sweep.points": Bound(1, 1000, "grid points of a sweep (each is one solve)"),
    "app.automatic_path_years": Bound(1, 20_000, "path-years the app simulates with every change; more on a click"),
}


def bound(key: str) -> Bound:
    """The bound of a dotted key (``services.ict.max_units`` matches ``services.*.max_units``)."""
    if key in BOUNDS:
        return BOUNDS[key]
    parts = key.split(".")
    for pattern, b in BOUNDS.items():
        wanted = pattern.split(".")
        if len(wanted) == len(parts) and all(w in ("*", p) for w, p in zip(wanted, parts)):
            return b
    raise KeyError(key)


def number_text(value: float) -> str:
    """A number for a message: whole numbers in full (``5600000``), a huge one by its first digits
    and length, others as ``%g``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        return text if len(text) <= 20 else f"{text[:6]}… ({len(text)} sifre/digits)"
    return f"{value:g}"


def markdown_table() -> str:
    """The bounds as the Markdown table in ``docs/BOUNDS.md``."""
    lines = ["| key | lowest | highest | why |", "| --- | --- | --- | --- |"]
    for key, b in BOUNDS.items():
        lines.append(f"| `{key}` | {b.low:g} | {b.high:g} | {b.why} |")
    return "\n".join(lines) + "\n"

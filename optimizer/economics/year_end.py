"""The year-end settlement (avregning): the host's actual costs per unit against the payments on account.

The finance officer fills in a CSV (``actuals_template``; one row per shared unit running that year):

    year,service,host,host_name,served,budget_nok,actual_nok
    2027,child_welfare,5622,Porsanger,5620 5622 5624 5626,16628000,

Columns ``year``, ``service``, ``host`` (number or name) and ``actual_nok`` are read; the others are
there to help. Comma-separated with decimal points, or semicolon-separated with decimal commas
(Norwegian Excel); spaces may separate thousands. Every error names the file, the line and the
column, and nothing is settled: a unit not in the plan (or not running that year), a unit missing
or given twice, an amount that is empty, not a number or negative, a year outside the agreement
or differing between lines, a line in the other dialect.

Each member's true-up for a unit: ``fraction x actual - paid on account`` (positive: the member
pays more; negative: it gets money back). The fraction is the budget's (the settlement method's);
the accounts fix the amounts. Paid on account is the sum of the year's instalments (``payments``);
for the host, its own budgeted share. Per unit, the true-ups add up to actual minus budget (up to
the rounding of the instalments to whole kroner).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from optimizer.economics.budget import Budget
from optimizer.economics.csv_input import read_user_csv
from optimizer.economics.payments import instalments, on_account
from optimizer.errors import UserInputError
from optimizer.i18n import tr
from optimizer.output import csv_text
from optimizer.scenario import resolve_municipality
from optimizer.units import Unit

COLUMNS = ("year", "service", "host", "host_name", "served", "budget_nok", "actual_nok")
REQUIRED = ("year", "service", "host", "actual_nok")


def running_units(budget: Budget, year: int) -> list[Unit]:
    """The shared units that run in ``year``."""
    return [u for u in budget.shared_units if budget.start[u.service] <= year]


def budgeted(budget: Budget, unit: Unit, year: int) -> float:
    """The unit's budget for ``year`` in nominal kroner (running plus one-off costs, price-adjusted)."""
    return (budget.running(unit, year) + budget.one_off_in(unit, year)) * budget.spec.price_index(year)


def actuals_template(budget: Budget, year: int, dialect: str = "pandas") -> str:
    """The CSV the finance officer fills in for ``year`` (``actual_nok`` left empty)."""
    s = budget.result.scenario
    rows = [{
        "year": year,
        "service": u.service,
        "host": u.host,
        "host_name": s.name(u.host),
        "served": " ".join(u.members),
        "budget_nok": float(round(budgeted(budget, u, year))),
        "actual_nok": "",
    } for u in running_units(budget, year)]
    return csv_text(rows, dialect)


@dataclass(frozen=True)
class Actuals:
    year: int
    amounts: Mapping[Unit, float]


def read_actuals(raw: bytes, source: str, budget: Budget) -> Actuals:
    """Parse and check a filled-in actuals CSV against ``budget`` (module docstring)."""
    table = read_user_csv(raw, source, REQUIRED)
    units = {(u.service, u.host): u for u in budget.shared_units}
    s = budget.result.scenario
    calendar = budget.spec.calendar
    year: int | None = None
    amounts: dict[Unit, float] = {}
    for line in table.lines:
        value = line.values
        if not value["year"].isdigit():
            line.fail("year", f"forventet et årstall, fikk {value['year']!r}", f"expected a year, got {value['year']!r}")
        line_year = int(value["year"])
        if line_year not in calendar:
            line.fail("year", f"{line_year} er ikke et år i avtalen ({calendar[0]}–{calendar[-1]})",
                      f"{line_year} is not a year of the agreement ({calendar[0]}–{calendar[-1]})")
        if year is not None and line_year != year:
            line.fail("year", f"{line_year}, men linje {table.lines[0].number} har {year}: én fil per år",
                      f"{line_year}, but line {table.lines[0].number} has {year}: one file per year")
        year = line_year
        host = resolve_municipality(value["host"], s.municipalities) or value["host"]
        unit = units.get((value["service"], host))
        if unit is None:
            known = ", ".join(f"{u.service}/{u.host}" for u in budget.shared_units)
            line.fail("host", f"enheten {value['service']}/{value['host']} er ikke en felles enhet i planen; planens enheter: {known}",
                      f"unit {value['service']}/{value['host']} is not a shared unit of the plan; the plan's units: {known}")
        if budget.start[unit.service] > year:
            line.fail("service", f"{unit.service} starter først i {budget.start[unit.service]}",
                      f"{unit.service} starts only in {budget.start[unit.service]}")
        if unit in amounts:
            line.fail("host", f"enheten {unit.service}/{unit.host} står to ganger", f"unit {unit.service}/{unit.host} is listed twice")
        amounts[unit] = table.amount(line, "actual_nok")
    if year is None:
        raise UserInputError(source, None, tr("filen har ingen rader med enheter", "the file has no unit rows"))
    missing = [u for u in running_units(budget, year) if u not in amounts]
    if missing:
        names = ", ".join(f"{u.service}/{u.host}" for u in missing)
        raise UserInputError(source, "service/host", tr(f"mangler rad for {names} i {year}", f"no row for {names} in {year}"))
    return Actuals(year, amounts)


def true_up_rows(budget: Budget, actuals: Actuals) -> list[dict[str, Any]]:
    """Member x unit: fraction, share of the actual cost, paid on account and the true-up (calculation shown)."""
    s = budget.result.scenario
    year = actuals.year
    rows = []
    for unit in running_units(budget, year):
        actual = actuals.amounts[unit]
        for m in unit.members:
            f = budget.fractions[unit][m]
            planned = on_account(budget, unit, m, year)
            paid = planned if m == unit.host else float(sum(instalments(planned, budget.spec.payments_per_year)))
            rows.append({
                "scenario": s.id,
                "year": year,
                "service": unit.service,
                "host": unit.host,
                "host_name": s.name(unit.host),
                "member": m,
                "member_name": s.name(m),
                "is_host": m == unit.host,
                "unit_budget_nok": budgeted(budget, unit, year),
                "unit_actual_nok": actual,
                "fraction": f,
                "share_of_actual_nok": f * actual,
                "paid_on_account_nok": paid,
                "true_up_nok": f * actual - paid,
                "calculation": f"{f:.6f} x {actual:.0f} - {paid:.0f}",
            })
    return rows


def member_true_ups(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per member: share of actual costs, paid on account and the net true-up over all units."""
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        entry = out.setdefault(r["member"], {"share_of_actual_nok": 0.0, "paid_on_account_nok": 0.0, "true_up_nok": 0.0})
        for key in entry:
            entry[key] += r[key]
    return out

"""Payments on account (à-konto): from each member to each host, per quarter or month, from the budget.

For year y, member m pays host h for each shared unit u that h runs for m (m != h, u started):
``fraction_m(u) x (running(u, y) + one-off(u, y)) x price_index(y)``, the budget's fixed-price
amount in nominal kroner of y (``AgreementSpec.price_index``: the yearly deflators since the base
year). The year's amount is paid in ``payments_per_year`` equal instalments of whole kroner; the
last instalment takes the rounding, so the instalments sum to the year's amount rounded to the krone.
A host's own share is no payment (it stays in its own accounts).
"""

from __future__ import annotations

from typing import Any

from optimizer.economics.budget import Budget
from optimizer.units import Unit


def on_account(budget: Budget, unit: Unit, member: str, year: int) -> float:
    """What ``member`` pays on account for ``unit`` in ``year``, nominal kroner (not rounded)."""
    fixed = budget.running(unit, year) + budget.one_off_in(unit, year)
    return budget.fractions[unit][member] * fixed * budget.spec.price_index(year)


def instalments(amount: float, count: int) -> list[int]:
    """``amount`` rounded to whole kroner in ``count`` near-equal parts; the last part takes the rest."""
    total = round(amount)
    part = total // count
    return [part] * (count - 1) + [total - part * (count - 1)]


def payment_rows(budget: Budget) -> list[dict[str, Any]]:
    """``payments.csv``: year x period x payer x unit, nominal kroner."""
    s = budget.result.scenario
    per_year = budget.spec.payments_per_year
    rows = []
    for year in budget.spec.calendar:
        for member in budget.result.members:
            for unit in budget.shared_units:
                if member == unit.host or member not in unit.members or year < budget.start[unit.service]:
                    continue
                parts = instalments(on_account(budget, unit, member, year), per_year)
                for period, amount in enumerate(parts, start=1):
                    rows.append({
                        "scenario": s.id,
                        "year": year,
                        "period": period,
                        "periods_per_year": per_year,
                        "payer": member,
                        "payer_name": s.name(member),
                        "host": unit.host,
                        "host_name": s.name(unit.host),
                        "service": unit.service,
                        "fraction": budget.fractions[unit][member],
                        "amount_nok": amount,
                        "price_index": budget.spec.price_index(year),
                    })
    return rows

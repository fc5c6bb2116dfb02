"""Rows the app shows for the agreement (budget, payments, references, year-end settlement), as text.

Every number comes from ``optimizer.economics``; this module only labels and formats it. Every
saving says which reference it is measured against.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from optimizer.economics.agreement import Agreement
from optimizer.economics.payments import payment_rows as schedule
from optimizer.economics.references import reference_label, source_label
from optimizer.i18n import format_nok, format_percent, tr
from optimizer.views import member_label, service_label


def with_agreement_inputs(table: Mapping[str, Any], ir_reference: str,
                          today: Mapping[str, Mapping[str, float]] | None) -> dict[str, Any]:
    """``table`` with ``[fairness] ir_reference`` and the uploaded today's costs (``[agreement.today]``)."""
    out = copy.deepcopy(dict(table))
    if ir_reference != "robust_alone" or "ir_reference" in out.get("fairness", {}):
        out.setdefault("fairness", {})["ir_reference"] = ir_reference
    if today:
        entered = out.setdefault("agreement", {}).setdefault("today", {})
        for member, by_service in today.items():
            entered.setdefault(member, {}).update(by_service)
    return out


def reference_rows(agreement: Agreement) -> list[dict[str, Any]]:
    """Per member: today, robust alone, in the cooperation, and the saving against each."""
    s = agreement.scenario
    today, alone = reference_label("today"), reference_label("robust_alone")
    return [{
        tr("Kommune", "Municipality"): member_label(s, r["member"]),
        tr("I dag", "Today"): format_nok(r["today_nok"]) + ("*" if "estimate" in r["today_sources"] else ""),
        tr("Robust alene", "Robust alone"): format_nok(r["robust_alone_nok"]),
        tr("I samarbeidet", "In the cooperation"): format_nok(r["cooperation_nok"]),
        tr("Besparelse ", "Saving ") + today: format_nok(r["saving_vs_today_nok"]),
        tr("Besparelse ", "Saving ") + today + " %": format_percent(r["saving_vs_today_percent"]),
        tr("Besparelse ", "Saving ") + alone: format_nok(r["saving_vs_robust_alone_nok"]),
        tr("Besparelse ", "Saving ") + alone + " %": format_percent(r["saving_vs_robust_alone_percent"]),
    } for r in agreement.reference_rows()]


def today_rows(agreement: Agreement) -> list[dict[str, Any]]:
    """Member x service: today's cost and where the figure comes from (* = estimate)."""
    s = agreement.scenario
    return [{
        tr("Kommune", "Municipality"): member_label(s, r["member"]),
        tr("Tjeneste", "Service"): service_label(s, r["service"]),
        tr("I dag", "Today"): format_nok(r["today_nok"]),
        tr("Kilde", "Source"): source_label(r["source"]),
    } for r in agreement.today_rows()]


def budget_rows(agreement: Agreement) -> list[dict[str, Any]]:
    """Member x year of the budget (fixed prices), measured against today."""
    s = agreement.scenario
    saving = tr("Differanse ", "Difference ") + reference_label("today")
    return [{
        tr("Kommune", "Municipality"): member_label(s, r["member"]),
        tr("År", "Year"): str(r["year"]),
        tr("I dag", "Today"): format_nok(r["today_nok"]),
        tr("Drift i samarbeidet", "Running in the cooperation"): format_nok(r["running_nok"]),
        tr("Engangskostnader", "One-off costs"): format_nok(r["one_off_nok"]),
        saving: format_nok(r["difference_nok"]),
        tr("Akkumulert", "Cumulative"): format_nok(r["cumulative_nok"]),
        tr("Nåverdi", "Present value"): format_nok(r["present_value_nok"]),
    } for r in agreement.budget.rows()]


def payback_rows(agreement: Agreement) -> list[dict[str, Any]]:
    """Per member: payback year and present value over the agreement (against today)."""
    s = agreement.scenario
    return [{
        tr("Kommune", "Municipality"): member_label(s, m),
        tr("Tilbakebetalt (år)", "Payback (year)"): str(v["payback_year"]) if v["payback_year"] is not None
        else tr("ikke i avtaleperioden", "not within the agreement"),
        tr("Engangskostnader i alt", "One-off costs in all"): format_nok(v["one_off_nok"]),
        tr("Nåverdi ", "Present value ") + reference_label("today"): format_nok(v["present_value_nok"]),
    } for m, v in agreement.budget.member_summary().items()]


def payment_rows(agreement: Agreement) -> list[dict[str, Any]]:
    """Payer x host x service x year: the first instalment and the year's sum (nominal kroner)."""
    budget, s = agreement.budget, agreement.scenario
    period = tr("Per kvartal", "Per quarter") if budget.spec.payments_per_year == 4 else tr("Per måned", "Per month")
    grouped: dict[tuple, list[int]] = {}
    for r in schedule(budget):
        grouped.setdefault((r["year"], r["payer"], r["host"], r["service"]), []).append(r["amount_nok"])
    return [{
        tr("År", "Year"): str(year),
        tr("Betaler", "Payer"): member_label(s, payer),
        tr("Til vertskommune", "To host"): member_label(s, host),
        tr("Tjeneste", "Service"): service_label(s, service),
        period: format_nok(parts[0]),
        tr("Sum året", "Year's sum"): format_nok(sum(parts)),
    } for (year, payer, host, service), parts in grouped.items()]


def true_up_rows(rows: list[dict[str, Any]], agreement: Agreement) -> list[dict[str, Any]]:
    """The year-end settlement per member and unit, with the calculation."""
    s = agreement.scenario
    return [{
        tr("Tjeneste", "Service"): service_label(s, r["service"]),
        tr("Vert", "Host"): member_label(s, r["host"]),
        tr("Kommune", "Municipality"): member_label(s, r["member"]),
        tr("Brøk", "Fraction"): format_percent(100 * r["fraction"], 2),
        tr("Faktisk kostnad", "Actual cost"): format_nok(r["unit_actual_nok"]),
        tr("Andel av faktisk", "Share of actual"): format_nok(r["share_of_actual_nok"]),
        tr("Betalt à konto", "Paid on account"): format_nok(r["paid_on_account_nok"]),
        tr("Avregning (+ betale, − tilbake)", "True-up (+ pay, − refund)"): format_nok(r["true_up_nok"]),
    } for r in rows]

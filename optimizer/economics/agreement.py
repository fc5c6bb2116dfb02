"""A scenario's agreement: its budget, payments, exit terms and references, as rows and files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from optimizer.economics.budget import Budget, build_budget
from optimizer.economics.exit_terms import exit_rows, leave_effects
from optimizer.economics.one_off import staff_transfer_rows
from optimizer.economics.payments import payment_rows
from optimizer.economics.references import SOURCES
from optimizer.economics.spec import agreement_spec
from optimizer.economics.year_end import actuals_template
from optimizer.export import result_files
from optimizer.output import csv_text, json_text
from optimizer.scenario import Scenario
from optimizer.statement import Statement


@dataclass(frozen=True)
class Agreement:
    """Everything the economic annex needs for one solved and settled scenario."""

    statement: Statement
    budget: Budget
    leave: dict[str, dict[str, Any]]  # member -> the others' cost with and without it ({} if not computed)

    @property
    def scenario(self) -> Scenario:
        return self.statement.result.scenario

    def reference_rows(self) -> list[dict[str, Any]]:
        """Per member: today's cost and robust-alone cost beside the yearly cost in the cooperation
        (chosen settlement method, every service started, no one-off costs) and both savings."""
        result, today = self.statement.result, self.budget.today
        rows = []
        for m in result.members:
            now = sum(c.nok for c in today[m].values())
            alone = result.stand_alone(m)
            coop = self.statement.chosen.total(m)
            sources = {src: sum(1 for c in today[m].values() if c.source == src) for src in SOURCES}
            rows.append({
                "scenario": self.scenario.id,
                "member": m,
                "member_name": self.scenario.name(m),
                "today_nok": now,
                "today_sources": " ".join(f"{src}:{n}" for src, n in sources.items() if n),
                "robust_alone_nok": alone,
                "cooperation_nok": coop,
                "saving_vs_today_nok": now - coop,
                "saving_vs_today_percent": 100.0 * (now - coop) / now if now else 0.0,
                "saving_vs_robust_alone_nok": alone - coop,
                "saving_vs_robust_alone_percent": 100.0 * (alone - coop) / alone if alone else 0.0,
                "ir_reference": self.scenario.fairness.ir_reference,
            })
        return rows

    def today_rows(self) -> list[dict[str, Any]]:
        """Member x service: today's cost, the staff behind it and its source (the "i dag" template too)."""
        return [{
            "member": m,
            "member_name": self.scenario.name(m),
            "service": sid,
            "today_nok": c.nok,
            "fte": c.fte,
            "source": c.source,
            "basis": c.basis,
        } for m, by_service in self.budget.today.items() for sid, c in by_service.items()]

    def summary(self) -> dict[str, Any]:
        """The ``agreement`` section of ``summary.json``."""
        spec = self.budget.spec
        return {
            "ir_reference": self.scenario.fairness.ir_reference,
            "settlement_method": self.scenario.settlement_method,
            "years": spec.calendar,
            "base_year": spec.base_year,
            "price_level": f"fixed {spec.base_year} NOK (payments and settlement: nominal NOK)",
            "payments_per_year": spec.payments_per_year,
            "phase_in": dict(self.budget.start),
            "units": [{
                "service": u.service, "host": u.host, "served": list(u.members), "start_year": self.budget.start[u.service],
                "fractions": dict(self.budget.fractions[u]), "staff_today_fte": o.staff_today, "fte": u.fte,
                "surplus_fte": o.surplus_fte, "new_fte": o.new_fte, "one_off_nok": o.total,
            } for u, o in self.budget.one_off.items()],
            "members": self.budget.member_summary(),
            "references": self.reference_rows(),
            "leave": self.leave,
            "parameters": spec.parameters(),
            "estimates": spec.estimates() + [f"agreement.today.{m}.{sid}" for m, by in self.budget.today.items()
                                             for sid, c in by.items() if c.source == "estimate"],
        }

    def files(self, dialect: str = "pandas", annex: bytes | None = None) -> dict[str, str | bytes]:
        """The run's files plus ``budget.csv``, ``payments.csv``, ``exit_terms.csv``, ``references.csv``,
        ``today.csv``, ``staff_transfers.csv``, an actuals template per year, ``summary.json`` with an
        ``agreement`` section, and ``annex.docx`` when given."""
        files: dict[str, str | bytes] = dict(result_files(self.statement.result, dialect, self.statement))
        summary = files.pop("summary.json")
        files.update({
            "budget.csv": csv_text(self.budget.rows(), dialect),
            "payments.csv": csv_text(payment_rows(self.budget), dialect),
            "exit_terms.csv": csv_text(exit_rows(self.budget), dialect),
            "references.csv": csv_text(self.reference_rows(), dialect),
            "today.csv": csv_text(self.today_rows(), dialect),
            "staff_transfers.csv": csv_text(staff_transfer_rows(self.statement.result), dialect),
        })
        for year in self.budget.spec.calendar:
            files[f"actuals_template_{year}.csv"] = actuals_template(self.budget, year, dialect)
        document = json.loads(summary)
        document["agreement"] = self.summary()
        files["summary.json"] = json_text(document)
        if annex is not None:
            files["annex.docx"] = annex
        return files


def build_agreement(statement: Statement, *, with_leave: bool = True) -> Agreement:
    """The agreement of a solved and settled scenario (``with_leave``: run the leave analysis per member)."""
    spec = agreement_spec(statement.result.scenario)
    budget = build_budget(statement.result, statement.chosen, spec)
    return Agreement(statement, budget, leave_effects(statement) if with_leave else {})

"""The per-member statement (oppgjørsoppstilling) as one HTML page that prints cleanly to PDF.

One section per member (a printed page each, A4): its share per service and who hosts it, what it
pays to each host and what it receives from each member as host (summed over services, which are
listed), and its net position; then the expected caseload
behind the child-welfare services (small counts suppressed). The footer of every section carries
the scenario, date, version, inputs hash and solver status; the scenario as resolved is embedded as
JSON (``<script type="application/json" id="scenario-…">``). No scripts run, nothing is fetched.
Several scenarios are told apart by their labels (``distinct_labels``); element ids are made from
them and are unique and without spaces.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from optimizer import __version__
from optimizer.i18n import format_nok, language, tr
from optimizer.report.flows import Flow, settlement_flows, settlement_positions
from optimizer.output import canonical_json
from optimizer.report.provenance import inputs_hash, reproducibility, solver_text
from optimizer.report.tables import (
    Table, caseload_tables, cell_text, distinct_labels, estimate_note, has_estimates, in_language, report_date,
)
from optimizer.statement import Statement
from optimizer.views import ESTIMATE_MARK, member_label, method_label, service_label

CSS = """
body { font-family: "Segoe UI", Arial, sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 52rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
.meta { color: #555; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: .6rem; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid #ccc; text-align: left; vertical-align: top; }
th { background: #e8eef6; } td.num, th.num { text-align: right; white-space: nowrap; }
tr.sum td { font-weight: bold; border-top: 2px solid #333; }
.net { font-size: 1.15rem; padding: .6rem .8rem; border-left: 6px solid #0072B2; background: #f3f7fb; }
.net.pays { border-left-color: #E69F00; background: #fdf6ea; }
section.member { page-break-after: always; break-after: page; margin-bottom: 3rem; }
section.member:last-of-type { page-break-after: auto; break-after: auto; }
footer { color: #555; font-size: .8rem; border-top: 1px solid #ccc; padding-top: .4rem; margin-top: 1rem; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; line-height: 1.2; }
  h1 { font-size: 14pt; } h2 { font-size: 10.5pt; margin: 2.5mm 0 1mm; } .meta { margin-bottom: 2mm; }
  .net { font-size: 10.5pt; padding: 1.5mm 3mm; } footer { font-size: 7.5pt; }
  th, td { padding: .6mm 1.5mm; }
  th { background: none; border-bottom: 2px solid #333; }
  .net, .net.pays { background: none; border: 1px solid #333; }
  section.member { margin-bottom: 0; }
}
"""


def statement_html(statements: Sequence[Statement], language: str = "nb", today: date | None = None,
                   labels: Sequence[str] | None = None) -> str:
    """One HTML document with a printable statement page for every member of every scenario.

    ``labels``: one display label per scenario (default: the scenario ids; repeats are numbered).
    """
    if not statements:
        raise ValueError("a statement needs at least one scenario")
    return in_language(language, _document, list(statements), today or date.today(),
                       distinct_labels(statements, labels))


def html_ids(labels: Sequence[str]) -> list[str]:
    """A valid, unique HTML id stem per label: runs of characters other than letters, digits, ``_``
    and ``-`` become ``-``; a stem that repeats gets ``-2``, ``-3``, …"""
    ids: list[str] = []
    for name in labels:
        stem = re.sub(r"[^\w-]+", "-", name).strip("-") or "scenario"
        candidate, n = stem, 1
        while candidate in ids:
            n += 1
            candidate = f"{stem}-{n}"
        ids.append(candidate)
    return ids


def _document(statements: list[Statement], today: date, labels: list[str]) -> str:
    title = tr("Oppgjørsoppstilling", "Settlement statement") + ": " + ", ".join(
        st.result.scenario.title if len(statements) == 1 else name for st, name in zip(statements, labels))
    ids = html_ids(labels)
    several = len(statements) > 1
    body = "".join(_section(st, m, today, name if several else "", key, caseload)
                   for st, name, key, caseload in zip(statements, labels, ids, caseload_tables(statements))
                   for m in st.result.members)
    data = "".join(_embedded(st, name, key) for st, name, key in zip(statements, labels, ids))
    return (f'<!DOCTYPE html><html lang="{"en" if language() == "en" else "nb"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}{data}</body></html>\n")


def _embedded(st: Statement, name: str, key: str) -> str:
    """The scenario as resolved, its label, version, hash and solver as inert JSON (``</`` escaped)."""
    text = canonical_json({"label": name, **reproducibility(st)}).replace("</", "<\\/")
    return f'<script type="application/json" id="scenario-{_e(key)}">{text}</script>'


def _section(st: Statement, member: str, today: date, name: str, key: str, caseload: Table) -> str:
    """The page of ``member`` in scenario ``st``; ``name`` (its label) is shown when not empty."""
    result = st.result
    s = result.scenario
    mark = f" {ESTIMATE_MARK}" if has_estimates(s) else ""
    position = next(p for p in settlement_positions(st) if p.member == member)
    flows = settlement_flows(st)
    amount_head = tr("Beløp per år", "Amount per year") + mark
    method = method_label(s.settlement_method)
    shares = [
        (service_label(s, sid), member_label(s, result.plan.unit_for(sid, member).host), value)
        for sid, value in st.chosen.shares[member].items()
    ]
    parts = [
        f'<section class="member" id="m{_e(key)}-{_e(member)}">',
        f"<h1>{_e(tr('Oppgjørsoppstilling', 'Settlement statement'))}: {_e(member_label(s, member))}</h1>",
        f'<p class="meta">{_e(f"{name}: " if name else "")}{_e(s.title)} · '
        f'{_e(tr("fordelingsmodell", "settlement method"))}: {_e(method)} · {_e(report_date(today))}</p>',
        f"<h2>{_e(tr('Andel per tjeneste', 'Share per service'))}</h2>",
        _table([tr("Tjeneste", "Service"), tr("Vert", "Host"),
                tr(f"Andel per år ({method})", f"Share per year ({method})") + mark],
               [[a, b, format_nok(v)] for a, b, v in shares],
               [tr("Sum egen andel", "Own share in total"), "", format_nok(position.share)]),
        f"<h2>{_e(tr('Betaler til vertskommuner', 'Pays to host municipalities'))}</h2>",
        _flow_table(st, [f for f in flows if f.payer == member], paying=True, total=position.paid, head=amount_head),
        f"<h2>{_e(tr('Mottar som vertskommune', 'Receives as host municipality'))}</h2>",
        _flow_table(st, [f for f in flows if f.payee == member], paying=False, total=position.received,
                    head=amount_head),
        f"<h2>{_e(tr('Nettoposisjon', 'Net position'))}</h2>",
        f'<p class="net{" pays" if position.net < 0 else ""}">{_e(_net_text(position.net))}{mark}<br>'
        f"<small>{_e(tr('Kostnad for enheter kommunen er vert for', 'Cost of the units it hosts'))} "
        f"{_e(format_nok(position.hosted_cost))} − {_e(tr('egen andel', 'own share'))} "
        f"{_e(format_nok(position.share))} = {_e(tr('mottatt', 'received'))} {_e(format_nok(position.received))} − "
        f"{_e(tr('betalt', 'paid'))} {_e(format_nok(position.paid))}</small></p>",
        _caseload(st, member, caseload),
        _footer(st, today, name),
        "</section>",
    ]
    return "".join(parts)


def _net_text(net: float) -> str:
    """The net position in words: receives, pays or balanced."""
    if round(net) > 0:
        return tr(f"Mottar netto {format_nok(net)} per år", f"Receives {format_nok(net)} a year net")
    if round(net) < 0:
        return tr(f"Betaler netto {format_nok(-net)} per år", f"Pays {format_nok(-net)} a year net")
    return tr("I balanse (0 kr)", "Balanced (0 NOK)")


def _flow_table(st: Statement, flows: list[Flow], *, paying: bool, total: float, head: str) -> str:
    """One row per counterpart: the services and the amount (sum over them)."""
    s = st.result.scenario
    if not flows:
        return f"<p>{_e(tr('Ingen.', 'None.'))}</p>"
    equal = tr(" (utjevning mellom verter)", " (equalisation between hosts)")
    by_counterpart: dict[str, list[Flow]] = {}
    for f in flows:
        by_counterpart.setdefault(f.payee if paying else f.payer, []).append(f)
    rows = [[member_label(s, other),
             ", ".join(service_label(s, f.service) + (equal if f.equalisation else "") for f in group),
             format_nok(sum(f.amount for f in group))]
            for other, group in by_counterpart.items()]
    who = tr("Vertskommune", "Host municipality") if paying else tr("Fra kommune", "From municipality")
    return _table([who, tr("Tjenester", "Services"), head], rows, [tr("Sum", "Total"), "", format_nok(total)])


def _caseload(st: Statement, member: str, table: Table) -> str:
    """``member``'s row of the caseload ``table`` (already suppressed for the whole report)."""
    row = next(r for r in table.rows if r["member"] == member_label(st.result.scenario, member))
    columns = [c for c in table.columns if c.kind == "count"]
    if not columns:
        return ""
    return (f"<h2>{_e(tr('Saksgrunnlag i barnevernet', 'Child-welfare caseload'))}</h2>"
            + _table([c.label for c in columns], [[cell_text(row[c.key], c.kind) for c in columns]], numeric_from=0)
            + f"<p><small>{_e(table.note)}</small></p>")


def _footer(st: Statement, today: date, name: str) -> str:
    """Estimate note, scenario (and label), version, date, inputs hash, solver."""
    s = st.result.scenario
    note = estimate_note(s)
    shown = f"{name} = {s.id}" if name and name != s.id else s.id
    return (f"<footer>{_e(note)}{'<br>' if note else ''}"
            f"{_e(tr('Scenario', 'Scenario'))} {_e(shown)} ({_e(s.source or '–')}) · "
            f"Vertskommune {__version__} · {today.isoformat()} · "
            f"{_e(tr('inndata-hash', 'inputs hash'))} <code>{inputs_hash(s)}</code> · "
            f"{_e(tr('løser', 'solver'))} {_e(solver_text(st))}</footer>")


def _table(head: list[str], rows: list[list[str]], total: list[str] | None = None, *, numeric_from: int = -1) -> str:
    """A table whose columns from ``numeric_from`` on (default: the last) are right-aligned."""
    numeric = [i >= numeric_from % len(head) for i in range(len(head))]

    def cells(values: list[str], tag: str) -> str:
        return "".join(f'<{tag}{" class=num" if numeric[i] else ""}>{_e(v)}</{tag}>' for i, v in enumerate(values))

    body = "".join(f"<tr>{cells(r, 'td')}</tr>" for r in rows)
    foot = f'<tr class="sum">{cells(total, "td")}</tr>' if total else ""
    return f"<table><thead><tr>{cells(head, 'th')}</tr></thead><tbody>{body}{foot}</tbody></table>"


def _e(text: Any) -> str:
    """``text`` escaped for HTML text and attribute values."""
    return html.escape(str(text), quote=True)

"""The workbook for finance staff (Excel, openpyxl): one sheet per table, real numbers, NOK formats.

Every sheet starts with a ``Scenario`` column, so several scenarios share one sheet and can be
filtered; the header row is frozen and filtered, column widths fit the content, amounts are numbers
with the format ``#,##0 "kr"`` (Excel shows the separators of the reader's locale: ``1 234 567 kr``
in Norwegian Excel), percentages are the percent figures (``12,3 %``), flags are ``ja``/``nei``.
The first sheet says in sentences what the group decides and gains (Sammendrag); the scenario sheet lists
only what the scenario sets, in words; the last sheet is the glossary (Ordliste). Sheets hold only their
table; their footnotes are rows of the sheet Om beregningen.
Sum rows are bold and hold values, not formulas, so they read the same in every program. The
``Oppgjør`` sheet has a block per member ending in its net position, with a page break between
members (one printed page per member, header repeated).
Counts about people are suppressed here too (``optimizer.report.people``). Several scenarios are
told apart by their labels (``distinct_labels``: the scenario ids, or the caller's labels), which fill
the scenario column, head the comparison columns and mark each scenario's own footnotes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from optimizer.i18n import tr
from optimizer.report.tables import (
    Column, Table, about_table, caseload_tables, coalitions_table, comparison_table, costs_table, distinct_labels,
    flows_table, glossary_table, hosts_table, in_language, inputs_table, jobs_table, members_table,
    municipalities_table, positions_table, scenario_table, settlement_table, summary_table, travel_table,
    budget_table, payments_table,
)
from optimizer.views import ESTIMATE_MARK
from optimizer.statement import Statement

NOK_FORMAT = '#,##0 "kr"'
FORMATS = {
    "nok": NOK_FORMAT,
    "nok_change": '+#,##0 "kr";-#,##0 "kr";0 "kr"',  # a change always shows its sign
    "fte": "0.0",
    "percent": '0.0" %"',
    "integer": "#,##0",
    "count": "0",
    "minutes": "0",
    "km": "0.0",
    "number": "General",
}
BOLD = Font(bold=True)
MAX_WIDTH = 60
PER_STATEMENT = (
    summary_table, about_table, scenario_table, municipalities_table, inputs_table, travel_table, hosts_table,
    costs_table, members_table, jobs_table, settlement_table, coalitions_table, positions_table, flows_table,
    caseload_tables, budget_table, payments_table,
)
SHARED = (glossary_table,)  # one table for the whole workbook


def workbook_bytes(statements: Sequence[Statement], language: str = "nb", today: date | None = None,
                   labels: Sequence[str] | None = None) -> bytes:
    """The workbook for one or more solved and settled scenarios, as .xlsx bytes.

    ``labels``: one display label per scenario (default: the scenario ids; repeats are numbered).
    """
    if not statements:
        raise ValueError("a workbook needs at least one scenario")
    return in_language(language, _workbook, list(statements), today or date.today(),
                       distinct_labels(statements, labels))


def _workbook(statements: list[Statement], today: date, labels: list[str]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    notes: list[tuple[str, str, str]] = []  # (scenario label or "" for all, table title, note)
    for build in PER_STATEMENT:
        if build is caseload_tables:  # one suppression for the whole report
            tables = caseload_tables(statements)
        else:
            tables = [build(st, today) if build is about_table else build(st) for st in statements]
        _sheet(book, tables, labels)
        if build is about_table:
            about_title = tables[0].title[:31]
        if len({t.note for t in tables}) == 1:
            notes += [("", tables[0].title, tables[0].note)] if tables[0].note else []
        else:  # the notes differ (settlement method, estimates, winter): each scenario its own
            notes += [(name, t.title, t.note) for name, t in zip(labels, tables) if t.note]
    if len(statements) > 1:
        table = comparison_table(statements, labels)
        _sheet(book, [table], None)
        notes.append(("", table.title, table.note))
    for build in SHARED:
        _sheet(book, [build(statements[0])], None)
    about = book[about_title]
    about.append([])
    for name, title, note in notes:
        about.append([name, tr(f"Merknad: {title}", f"Note: {title}"), note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, tables: list[Table], labels: list[str] | None) -> None:
    """One sheet for the tables of one kind (one per scenario), stacked with a scenario column holding
    ``labels`` (no scenario column when ``labels`` is None)."""
    first = tables[0]
    ws = book.create_sheet(first.title[:31])
    scenario_col = Column("scenario", tr("Scenario", "Scenario"))
    columns = [scenario_col, *_union(t.columns for t in tables)] if labels else list(first.columns)
    for col, c in enumerate(columns, start=1):
        ws.cell(1, col, c.label).font = BOLD
    widths = {c.key: len(c.label) for c in columns}
    r, last_member = 1, None
    for table, scenario_id in zip(tables, labels or [""] * len(tables)):
        rows = [*table.rows, *([table.total] if table.total is not None else [])]
        for i, row in enumerate(rows):
            if table.key == "flows" and last_member not in (None, row["member"]):
                ws.row_breaks.append(Break(id=r))
            last_member = row.get("member")
            r += 1
            bold = row.get("subtotal") or (table.total is not None and i == len(rows) - 1)
            values = {"scenario": scenario_id, **row}
            for col, c in enumerate(columns, start=1):
                cell = ws.cell(r, col, _value(values.get(c.key), c))
                if c.kind in FORMATS and not isinstance(cell.value, str):
                    cell.number_format = FORMATS[c.kind]
                if bold:
                    cell.font = BOLD
                widths[c.key] = max(widths[c.key], _shown_width(cell.value, c))
    for i, c in enumerate(columns, start=1):
        width = min(first.widths.get(c.key, MAX_WIDTH), widths[c.key]) + 2
        ws.column_dimensions[get_column_letter(i)].width = width
        if widths[c.key] > width:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{ws.max_row}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _union(column_sets: Iterable[Sequence[Column]]) -> list[Column]:
    """Every column of the tables once, in order; a label with the estimate mark wins over one without."""
    seen: dict[str, Column] = {}
    for columns in column_sets:
        for c in columns:
            if c.key not in seen or (c.label.endswith(ESTIMATE_MARK) and not seen[c.key].label.endswith(ESTIMATE_MARK)):
                seen[c.key] = c
    return list(seen.values())


def _value(value: Any, column: Column) -> Any:
    """The cell value: numbers stay numbers; flags become ja/nei; None stays empty."""
    if column.kind == "flag" and isinstance(value, bool):
        return tr("ja", "yes") if value else tr("nei", "no")
    return value


def _shown_width(value: Any, column: Column) -> int:
    """About how many characters Excel shows for ``value`` in ``column``'s format."""
    if value is None:
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = len(f"{abs(value):,.0f}") + (2 if column.kind in ("fte", "percent", "km") else 0)
        return digits + (3 if column.kind in ("nok", "nok_change") else 0) + (2 if column.kind == "percent" else 0) + 2
    return max(len(line) for line in str(value).splitlines() or [""])

"""Reports as bytes in any format, and written to a folder (each file whole or not at all)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from optimizer.output import write_file
from optimizer.report.html_statement import statement_html
from optimizer.report.pptx_deck import deck_bytes
from optimizer.report.tables import distinct_labels
from optimizer.report.xlsx_workbook import workbook_bytes
from optimizer.statement import Statement

__all__ = ["FORMATS", "MIME", "distinct_labels", "report_bytes", "report_name", "write_report"]

FORMATS: dict[str, Callable[..., bytes]] = {
    "pptx": deck_bytes,
    "xlsx": workbook_bytes,
    "html": lambda statements, language, today, labels: statement_html(statements, language, today, labels).encode(
        "utf-8"),
}
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}


def report_bytes(statements: Sequence[Statement], fmt: str, language: str = "nb", today: date | None = None, *,
                 labels: Sequence[str] | None = None) -> bytes:
    """The report in ``fmt`` (``pptx``, ``xlsx`` or ``html``) for one or more scenarios.

    ``labels``: one display label per statement (e.g. ``["baseline (A)", "baseline (B)"]``) for the
    scenario column, comparison headings, footers and notes; default: the scenario ids, where an id
    that repeats is numbered (``baseline (1)``, ``baseline (2)``), see ``distinct_labels``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return FORMATS[fmt](list(statements), language, today, distinct_labels(statements, labels))


def report_name(statements: Sequence[Statement], fmt: str) -> str:
    """``<scenario id>.<fmt>`` for one scenario, ``report.<fmt>`` for several."""
    stem = statements[0].result.scenario.id if len(statements) == 1 else "report"
    return f"{stem}.{fmt}"


def write_report(statements: Sequence[Statement], fmt: str, out: Path, language: str = "nb") -> Path:
    """Write the report into folder ``out`` and return its path.

    Written whole or not at all (``optimizer.output.write_file``): a reader sees the old file or the
    new one, never half of one; a file there that this toolkit did not write (or that was changed
    since) is not replaced. Other files in ``out`` are left alone.
    """
    payload = report_bytes(statements, fmt, language)
    return write_file(Path(out) / report_name(statements, fmt), payload)

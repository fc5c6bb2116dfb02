"""Reports as bytes in any format, and written to a folder (each file whole or not at all)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from optimizer.report.html_statement import statement_html
from optimizer.report.pptx_deck import deck_bytes
from optimizer.report.xlsx_workbook import workbook_bytes
from optimizer.statement import Statement

FORMATS: dict[str, Callable[..., bytes]] = {
    "pptx": deck_bytes,
    "xlsx": workbook_bytes,
    "html": lambda statements, language, today: statement_html(statements, language, today).encode("utf-8"),
}
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}


def report_bytes(statements: Sequence[Statement], fmt: str, language: str = "nb", today: date | None = None) -> bytes:
    """The report in ``fmt`` (``pptx``, ``xlsx`` or ``html``) for one or more scenarios."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return FORMATS[fmt](list(statements), language, today)


def report_name(statements: Sequence[Statement], fmt: str) -> str:
    """``<scenario id>.<fmt>`` for one scenario, ``report.<fmt>`` for several."""
    stem = statements[0].result.scenario.id if len(statements) == 1 else "report"
    return f"{stem}.{fmt}"


def write_report(statements: Sequence[Statement], fmt: str, out: Path, language: str = "nb") -> Path:
    """Write the report into folder ``out`` and return its path.

    The file is written beside its target under a temporary name and then renamed over it, so a
    reader sees the old file or the new one, never half of one; other files in ``out`` are left alone
    (unlike ``optimizer.output.write_folder``, which replaces a whole result folder).
    """
    payload = report_bytes(statements, fmt, language)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / report_name(statements, fmt)
    fd, staging = tempfile.mkstemp(prefix=f".{target.name}.", dir=out)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(payload)
        os.chmod(staging, 0o644)
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return target

"""Reading a small CSV a user filled in: either dialect, every error naming the file, line and column.

Comma-separated with decimal points, or semicolon-separated with decimal commas (Norwegian Excel,
chosen by the header line); UTF-8 (with or without a byte-order mark) or Windows-1252; spaces may
separate thousands in amounts.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from optimizer.errors import UserInputError
from optimizer.i18n import tr

MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Line:
    """One data line: its number in the file and the required columns' values."""

    number: int
    values: dict[str, str]
    source: str
    columns: dict[str, int]  # column name -> 1-based column number

    def fail(self, column: str | None, nb: str, en: str) -> NoReturn:
        where = tr(f"linje {self.number}", f"line {self.number}")
        if column is not None:
            where += tr(f", kolonne {self.columns[column]} ({column})", f", column {self.columns[column]} ({column})")
        raise UserInputError(self.source, where, tr(nb, en))


@dataclass(frozen=True)
class UserTable:
    delimiter: str
    lines: list[Line]

    def amount(self, line: Line, column: str) -> float:
        """A non-negative amount in kroner from ``column`` of ``line``."""
        text = line.values[column]
        value = parse_amount(text, self.delimiter)
        if value is None:
            line.fail(column, f"forventet et beløp i kroner, fikk {text!r}", f"expected an amount in kroner, got {text!r}")
        if value < 0:
            line.fail(column, f"beløpet kan ikke være negativt ({text})", f"the amount cannot be negative ({text})")
        return value


def read_user_csv(raw: bytes, source: str, required: Sequence[str]) -> UserTable:
    """The lines of ``raw`` with the ``required`` columns (module docstring); blank lines skipped."""
    if len(raw) > MAX_BYTES:
        raise UserInputError(source, None, tr(f"filen er for stor (høyst {MAX_BYTES} byte)",
                                              f"the file is too large (at most {MAX_BYTES} bytes)"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise UserInputError(source, None, tr("filen er tom", "the file is empty"))
    delimiter = ";" if ";" in lines[0] else ","
    other = "," if delimiter == ";" else ";"
    header = [c.strip().lower() for c in next(csv.reader([lines[0]], delimiter=delimiter))]
    for name in required:
        if name not in header:
            raise UserInputError(source, tr("linje 1", "line 1"), tr(
                f"kolonnen {name!r} mangler; forventet kolonnene {', '.join(required)}",
                f"column {name!r} is missing; expected the columns {', '.join(required)}"))
    columns = {name: header.index(name) + 1 for name in required}
    out = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = next(csv.reader([line], delimiter=delimiter))
        entry = Line(n, {}, source, columns)
        if len(fields) != len(header):
            if delimiter not in line and other in line:
                entry.fail(None, f"linjen er skilt med {other!r}, men overskriften med {delimiter!r}; bruk ett skilletegn i hele filen",
                           f"the line is separated by {other!r} but the header by {delimiter!r}; use one separator in the whole file")
            entry.fail(None, f"{len(fields)} kolonner, overskriften har {len(header)}",
                       f"{len(fields)} columns, the header has {len(header)}")
        out.append(Line(n, {name: fields[i - 1].strip() for name, i in columns.items()}, source, columns))
    return UserTable(delimiter, out)


def parse_amount(text: str, delimiter: str) -> float | None:
    """A non-empty amount: spaces as thousands separators, the dialect's decimal sign; else ``None``."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if delimiter == ";":
        if "." in cleaned:
            return None
        cleaned = cleaned.replace(",", ".")
    elif "," in cleaned:
        return None
    body = cleaned.lstrip("-")
    if not body or not body.replace(".", "", 1).isdigit():
        return None
    return float(cleaned)

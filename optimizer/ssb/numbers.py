"""Municipality numbers across the 2020 and 2024 reforms in Finnmark (20xx -> 54xx -> 56xx).

The table is package data (``optimizer/data/finnmark_number_changes.csv``, see ``SOURCES.md``).
A region code from an SSB file is one of:

- ``municipality``: a current Finnmark number, or an older one mapped to it (the mapping is
  reported);
- ``former``: a Finnmark municipality merged away (Kvalsund, into Hammerfest in 2020), or one
  whose old figures cover a different area (Hammerfest before 2020, without Kvalsund), or a
  pre-2020 number (20xx) not in the table (e.g. 2016 Sørøysund, merged in 1992): kept as raw data,
  never put onto a member;
- ``other``: a municipality outside Finnmark (kept as raw data, not mapped onto members);
- ``aggregate``: the country, a county, a KOSTRA group (``0``, ``EAK``, ``EKA56``, ``EKG13``...).

A current-range Finnmark number (56xx) not in the table is unknown, and an old number that split
into several current ones is ambiguous: both are errors.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from optimizer.errors import UserInputError
from optimizer.i18n import tr

FINNMARK_CURRENT = "56"  # county 56 Finnmark from 2024; unknown numbers here are errors
FINNMARK_OLD = "20"  # county 20 Finnmark before 2020; unknown numbers here are former municipalities
PREFIX = re.compile(r"^[Kk][-_]")


@dataclass(frozen=True)
class Region:
    code: str  # as written in the file
    kind: str  # "municipality", "former", "other" or "aggregate"
    number: str | None  # the current municipality number, for kind "municipality"
    note: str = ""  # e.g. "5435 (Nordkapp, 2020-2023) -> 5620"


@dataclass(frozen=True)
class _Row:
    name: str
    current: str
    old: tuple[tuple[str, str], ...]  # (number, period)
    note: str


@cache
def _rows() -> tuple[_Row, ...]:
    text = resources.files("optimizer").joinpath("data", "finnmark_number_changes.csv").read_text(encoding="utf-8")
    return tuple(
        _Row(
            name=r["name"],
            current=r["number_from_2024"],
            old=tuple((r[k], p) for k, p in (("number_2020_2023", "2020-2023"), ("number_before_2020", "before 2020")) if r[k]),
            note=r["note"],
        )
        for r in csv.DictReader(text.splitlines())
    )


def current_numbers() -> dict[str, str]:
    """Current Finnmark municipality numbers and names."""
    return {r.current: r.name for r in _rows() if r.current}


def classify(code: str, source: str) -> Region:
    """What ``code`` (a region code from file ``source``) is; raises on unknown or ambiguous numbers."""
    number = PREFIX.sub("", code.strip())
    if not re.fullmatch(r"\d{4}", number):
        kind = "aggregate" if re.fullmatch(r"\d{1,2}|EA\w*|EK\w*|F-?\d{2}|\w*[Ll]andet\w*", number) else "other"
        return Region(code, kind, None)
    current = current_numbers()
    if number in current:
        return Region(code, "municipality", number)
    matches = [(r, period) for r in _rows() for old, period in r.old if old == number]
    if not matches:
        if number.startswith(FINNMARK_OLD):
            return Region(code, "former", None, tr(
                f"{number} (før 2020): et tidligere kommunenummer i Finnmark som ikke står i tabellen over nummerendringer",
                f"{number} (before 2020): a former Finnmark municipality number not in the table of number changes"))
        if number.startswith(FINNMARK_CURRENT):
            raise UserInputError(source, f"region {code}", tr(
                f"ukjent kommunenummer i Finnmark: {number} finnes verken blant dagens numre eller i tabellen over "
                "nummerendringer (optimizer/data/finnmark_number_changes.csv)",
                f"unknown Finnmark municipality number: {number} is neither a current number nor in the table of "
                "number changes (optimizer/data/finnmark_number_changes.csv)",
            ))
        return Region(code, "other", None)
    targets = sorted({r.current for r, _ in matches})
    if len(targets) > 1:
        raise UserInputError(source, f"region {code}", tr(
            f"tvetydig kommunenummer: {number} ble delt mellom {', '.join(targets)}; tallene kan ikke fordeles",
            f"ambiguous municipality number: {number} was split between {', '.join(targets)}; its figures cannot be divided",
        ))
    row, period = matches[0]
    if not row.current:
        return Region(code, "former", None, f"{number} ({row.name}, {period}): {row.note}")
    return Region(code, "municipality", row.current, f"{number} ({row.name}, {period}) -> {row.current}")

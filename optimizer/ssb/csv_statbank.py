"""The CSV that SSB's StatBank web page offers for download, decoded to a ``Dataset``.

Semicolon separated, UTF-8 (with or without byte-order mark), else Windows-1252, else Latin-1;
decimal comma, thousands grouped with (no-break) spaces or none. Title
lines (one field, e.g. ``"12362: Utgifter til tjenesteområdene, etter region, ..."``) may come
before the header. Two layouts:

- long: one column per dimension, including the period (``år``), and the value last;
- wide: dimension columns, then one value column per period, headed ``"<content> <year>"`` or
  just ``"<year>"`` (``"12362: ... 2023"``, ``"Personer 2024"``); only when no column before the
  value columns is a period column (a long table's value column may be headed with the title,
  ``"12058: ... 2015 - 2024"``).

Cells such as ``"5620 Nordkapp"`` or ``"K-5620 Nordkapp"`` are split into code and label.
Missing-value symbols (see ``SYMBOLS``) become no value with the symbol kept as status.
"""

from __future__ import annotations

import csv
import io
import re
from array import array
from typing import NoReturn

from optimizer.errors import UserInputError
from optimizer.i18n import tr
from optimizer.ssb.dataset import MAX_VALUE, Cell, Dataset, Dimension, table_id

# SSB's symbols for values that are not numbers; "-" means nil (nothing to report) and reads as 0.
SYMBOLS = {
    "..": "data not available / not yet available",
    ".": "not possible to give (category not applicable)",
    ":": "suppressed to protect confidentiality",
    "…": "data not available / not yet available",
    "-": "nil (nothing to report): read as 0",
    "–": "nil (nothing to report): read as 0",
}
TIME_HEADERS = {"år", "year", "tid", "time", "periode", "period"}
REGION_HEADERS = ("region", "kommune", "municipality")
CONTENTS_HEADERS = {"statistikkvariabel", "contents", "statistical variable"}
WIDE = re.compile(r"^(.*?)\s*(\d{4})$")
CODE_LABEL = re.compile(r"^(\S*\d\S*)\s+(.+)$")
NUMBER = re.compile(r"^[-\u2212]?[0-9]+(,[0-9]+)?$")  # after removing (no-break) spaces: -1234,5
SPACES = str.maketrans("", "", " \u00a0\u202f")


def parse_statbank_csv(raw: bytes, source: str) -> Dataset:
    """Decode StatBank CSV ``raw`` bytes read from file ``source``."""
    text, encoding = _decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        rows = [(reader.line_num, r) for r in ([c.strip() for c in row] for row in reader) if any(r)]
    except csv.Error as exc:
        _fail(source, f"linje {reader.line_num}", tr(f"ugyldig CSV: {exc}", f"invalid CSV: {exc}"))
    if not any(sum(1 for c in row if c) > 1 for _, row in rows):
        _fail(source, None, tr(
            "fant ingen tabell med flere kolonner: StatBank-CSV skal være semikolonseparert",
            "found no table with several columns: StatBank CSV must be separated by semicolons",
        ))
    titles = []
    while sum(1 for c in rows[0][1] if c) == 1:  # title lines before the header
        titles.append(next(c for c in rows.pop(0)[1] if c))
    header_line, header = rows[0]
    title = titles[0] if titles else ""
    wide = [i for i, h in enumerate(header) if WIDE.match(h) and h.casefold() not in TIME_HEADERS]
    if wide and any(h.casefold() in TIME_HEADERS for h in header[:wide[0]]):
        if wide != [len(header) - 1]:
            _fail(source, f"linje {header_line}", tr(
                "har både en årskolonne og flere kolonner med årstall i overskriften; last ned i langt format",
                "has both a period column and several columns with a year in the header; download in long layout"))
        wide = []  # long layout whose value column's header (often the title) ends in a year
    lines, columns = array("I"), array("I")
    if wide:
        dims, cells = _wide(header, rows[1:], wide, source, lines, columns)
    else:
        dims, cells = _long(header, rows[1:], source, lines, columns)
    ids = [d.id for d in dims]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        _fail(source, f"linje {header_line}", tr(
            f"kolonnen {', '.join(twice)} forekommer to ganger (som kolonne eller i overskrifter med årstall); "
            "last ned tabellen i langt format (én kolonne per dimensjon, verdien sist)",
            f"the column {', '.join(twice)} occurs twice (as a column or in headers with years); "
            "download the table in long layout (one column per dimension, the value last)",
        ))
    geo = next((h for h in ids if any(r in h.casefold() for r in REGION_HEADERS)), None)
    if geo is None:
        _fail(source, f"linje {header_line}", tr(
            f"fant ingen regionkolonne (region/kommune) blant {', '.join(ids)}",
            f"found no region column (region/kommune) among {', '.join(ids)}",
        ))
    time = next(h for h in ids if h.casefold() in TIME_HEADERS)
    metric = next((h for h in ids if h.casefold() in CONTENTS_HEADERS), None)
    return Dataset(
        source=source,
        format="statbank-csv",
        table=table_id(title, *header, source),
        label=title or (header[-1] if not wide else ""),
        dimensions=tuple(dims),
        geo=geo,
        time=time,
        metric=metric,
        cells=tuple(cells),
        encoding=encoding,
        lines=lines,
        columns=columns,
    )


def _fail(source: str, key: str | None, problem: str) -> NoReturn:
    raise UserInputError(source, key, problem)


def _decode(raw: bytes) -> tuple[str, str]:
    """UTF-8, else Windows-1252 (Excel's Norwegian default), else Latin-1 (decodes any byte)."""
    for codec, name in (("utf-8-sig", "utf-8"), ("cp1252", "cp1252")):
        try:
            return raw.decode(codec), name
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1"), "latin-1"


def _long(header: list[str], rows: list[tuple[int, list[str]]], source: str, lines: array,
          columns: array) -> tuple[list[Dimension], list[Cell]]:
    stub = header[:-1]
    if not any(h.casefold() in TIME_HEADERS for h in stub):
        _fail(source, "header", tr(
            f"fant verken en årskolonne ({'/'.join(sorted(TIME_HEADERS))}) eller årstall i kolonneoverskriftene",
            f"found neither a period column ({'/'.join(sorted(TIME_HEADERS))}) nor years in the column headers",
        ))
    builders = [_DimensionBuilder(h) for h in stub]
    cells = []
    for line, row in rows:
        _check_width(row, header, line, source)
        codes = tuple(b.add(c) for b, c in zip(builders, row[:-1]))
        value, status = _value(row[-1], source, line, header[-1])
        cells.append(Cell(codes, value, status))
        lines.append(line)
        columns.append(len(header))
    return [b.build() for b in builders], cells


def _wide(header: list[str], rows: list[tuple[int, list[str]]], wide: list[int], source: str, lines: array,
          columns: array) -> tuple[list[Dimension], list[Cell]]:
    stub_idx = [i for i in range(len(header)) if i not in wide]
    builders = [_DimensionBuilder(header[i]) for i in stub_idx]
    contents = _DimensionBuilder("statistikkvariabel")
    years = _DimensionBuilder("år")
    column_keys = []
    for i in wide:
        label, year = WIDE.match(header[i]).groups()
        column_keys.append((contents.add(label.strip() or "value"), years.add(year)))
    cells = []
    for line, row in rows:
        _check_width(row, header, line, source)
        codes = tuple(b.add(row[i]) for b, i in zip(builders, stub_idx))
        for i, (content, year) in zip(wide, column_keys):
            value, status = _value(row[i], source, line, header[i])
            cells.append(Cell((*codes, content, year), value, status))
            lines.append(line)
            columns.append(i + 1)
    return [*(b.build() for b in builders), contents.build(), years.build()], cells


def _check_width(row: list[str], header: list[str], line: int, source: str) -> None:
    if len(row) != len(header):
        _fail(source, f"linje {line}", tr(
            f"har {len(row)} felt, men overskriftslinjen har {len(header)}",
            f"has {len(row)} fields but the header line has {len(header)}",
        ))


def _value(text: str, source: str, line: int, column: str) -> tuple[float | None, str | None]:
    """A cell's value and SSB symbol; numbers are digits with an optional decimal comma."""
    text = text.translate(SPACES)
    if text in SYMBOLS:
        return (0.0 if text in ("-", "–") else None), text
    if text == "":
        return None, None
    if not NUMBER.match(text):
        _fail(source, f"linje {line}", tr(
            f"kolonne {column!r}: {text!r} er verken et tall (sifre med desimalkomma, f.eks. 1234,5) "
            f"eller et av SSBs symboler ({' '.join(SYMBOLS)})",
            f"column {column!r}: {text!r} is neither a number (digits with a decimal comma, e.g. 1234,5) "
            f"nor one of SSB's symbols ({' '.join(SYMBOLS)})",
        ))
    number = float(text.replace("\u2212", "-").replace(",", "."))
    if not abs(number) <= MAX_VALUE:  # also inf from a few hundred digits
        _fail(source, f"linje {line}", tr(
            f"kolonne {column!r}: {_short(text)} er større enn noe SSB-tall kan være (høyst {MAX_VALUE:g})",
            f"column {column!r}: {_short(text)} is larger than any SSB figure can be (at most {MAX_VALUE:g})"))
    return number, None


def _short(text: str) -> str:
    return repr(text) if len(text) <= 20 else f"{text[:8]!r}… ({len(text)} tegn/characters)"


class _DimensionBuilder:
    """Collects a column's categories in order of first appearance."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.labels: dict[str, str] = {}

    def add(self, text: str) -> str:
        match = CODE_LABEL.match(text)
        code, label = match.groups() if match else (text, text)
        if label[:1].islower():  # "0 år", "105 år eller eldre": the label is the whole text
            label = text
        self.labels.setdefault(code, label)
        return code

    def build(self) -> Dimension:
        return Dimension(self.name, self.name, tuple(self.labels), tuple(self.labels.values()))

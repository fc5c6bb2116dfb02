"""An imported data folder: what ``python -m optimizer import`` writes and a scenario's ``data`` key reads.

Files (all UTF-8):

- ``provenance.json``: format, import date, toolkit version, every file read (name, sha256, format,
  table, years, what was mapped), municipality-number changes applied, warnings;
- ``municipalities.csv``: population and children 0-17 per municipality with table and year;
- ``parameters.csv``: service parameters derived from the tables, with status, table, year, basis;
- ``actual_spending.csv``: today's operating expenditure per municipality and KOSTRA function group;
- ``raw_<table>.csv``: every value read, in long format.

Only the first four are read back; the raw files are for the user.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from optimizer import data
from optimizer.data import Param
from optimizer.errors import UserInputError
from optimizer.i18n import tr
from optimizer.output import csv_text, json_text
from optimizer.reading import read_limited
from optimizer.ssb.calibrate import ActualSpending, CalibratedParam, MunicipalityFigures

FORMAT = "vertskommune-data/1"
PROVENANCE = "provenance.json"
MUNICIPALITIES = "municipalities.csv"
PARAMETERS = "parameters.csv"
ACTUAL_SPENDING = "actual_spending.csv"
READ_BACK = (PROVENANCE, MUNICIPALITIES, PARAMETERS, ACTUAL_SPENDING)
COLUMNS = {
    MUNICIPALITIES: ("number", "name", "population", "population_year", "children_0_17", "children_year", "table"),
    PARAMETERS: ("service", "param", "value", "status", "table", "year", "basis"),
    ACTUAL_SPENDING: ("member", "member_name", "group", "services", "year", "measure", "nok", "comparable", "basis"),
}


@dataclass(frozen=True)
class ImportedData:
    """An imported data folder as a scenario uses it."""

    folder: str
    provenance: Mapping[str, Any]
    municipalities: Mapping[str, MunicipalityFigures]
    parameters: tuple[CalibratedParam, ...]
    actual_spending: tuple[ActualSpending, ...]

    def param(self, service: str, name: str) -> Param | None:
        """The imported value of a service parameter (its basis names table and year), or None."""
        for p in self.parameters:
            if (p.service, p.param) == (service, name):
                return Param(p.value, p.status, p.basis)
        return None

    def summary(self) -> dict[str, Any]:
        """Tables, years, import date and derived inputs, for a result's provenance."""
        return {
            "folder": self.folder,
            "imported_at": self.provenance.get("imported_at"),
            "tables": [
                {k: f.get(k) for k in ("table", "label", "years", "name", "sha256", "mapped")}
                for f in self.provenance.get("files", [])
            ],
            "number_changes": list(self.provenance.get("number_changes", [])),
            "municipalities": {
                m.number: {"population": m.population, "population_year": m.population_year,
                           "children_0_17": m.children_0_17, "children_year": m.children_year, "table": "07459"}
                for m in self.municipalities.values()
            },
            "parameters": {p.key: {"value": p.value, "status": p.status, "table": p.table, "year": p.year, "basis": p.basis}
                           for p in self.parameters},
        }


def folder_texts(provenance: Mapping[str, Any], municipalities: tuple[MunicipalityFigures, ...],
                 parameters: tuple[CalibratedParam, ...], spending: tuple[ActualSpending, ...]) -> dict[str, str]:
    """The four read-back files as text."""
    header = {name: ",".join(columns) + "\n" for name, columns in COLUMNS.items()}
    rows = {
        MUNICIPALITIES: [{"number": m.number, "name": m.name, "population": _blank(m.population),
                          "population_year": m.population_year, "children_0_17": _blank(m.children_0_17),
                          "children_year": m.children_year, "table": "07459"} for m in municipalities],
        PARAMETERS: [{"service": p.service, "param": p.param, "value": repr(p.value), "status": p.status,
                      "table": p.table, "year": p.year, "basis": p.basis} for p in parameters],
        ACTUAL_SPENDING: [{"member": s.member, "member_name": data.municipalities()[s.member].name, "group": s.group,
                           "services": " ".join(s.services), "year": s.year, "measure": s.measure, "nok": repr(s.nok),
                           "comparable": s.comparable, "basis": s.basis} for s in spending],
    }
    files = {name: csv_text(rows[name]) or header[name] for name in rows}
    return {PROVENANCE: json_text({"format": FORMAT, **provenance}), **files}


def _blank(value: int | None) -> str:
    return "" if value is None else str(value)


MAX_FOLDER_FILE_BYTES = 200_000_000  # a data folder's file: raw tables of several 50 MB downloads


def load_data_folder(path: str | Path) -> ImportedData:
    """Read an imported data folder; errors name the file and what is wrong."""
    path = Path(path)
    if not path.is_dir():
        raise UserInputError(str(path), None, tr(
            "fant ikke datamappen (lag den med python -m optimizer import)",
            "data folder not found (make it with python -m optimizer import)",
        ))
    texts = {}
    for name in READ_BACK:
        try:  # a regular file within the import's size limit, like every file a user hands over
            texts[name] = read_limited(path / name, MAX_FOLDER_FILE_BYTES).decode("utf-8")
        except UserInputError as exc:
            raise UserInputError(exc.source, None, tr(
                f"{exc.problem}; er dette en importert datamappe?", f"{exc.problem}; is this an imported data folder?",
            )) from None
        except UnicodeDecodeError as exc:
            raise UserInputError(str(path / name), f"byte {exc.start}", tr(
                "filen er ikke UTF-8-tekst", "the file is not UTF-8 text")) from None
    return read_data_texts(texts, str(path))


def read_data_texts(texts: Mapping[str, str], folder: str) -> ImportedData:
    """An ``ImportedData`` from the four read-back files' text (from disk or from memory)."""
    reader = _Reader(folder)
    try:
        provenance = json.loads(texts[PROVENANCE])
    except json.JSONDecodeError as exc:
        reader.fail(PROVENANCE, None, tr(f"ugyldig JSON: {exc}", f"invalid JSON: {exc}"))
    if not isinstance(provenance, dict) or provenance.get("format") != FORMAT:
        reader.fail(PROVENANCE, "format", tr(f"forventet {FORMAT!r}", f"expected {FORMAT!r}"))
    for key in ("files", "number_changes"):
        if not isinstance(provenance.get(key, []), list) or \
                (key == "files" and not all(isinstance(f, dict) for f in provenance.get(key, []))):
            reader.fail(PROVENANCE, key, tr("forventet en liste (filer: en liste med objekter)",
                                            "expected a list (files: a list of objects)"))
    municipalities = {}
    for line, row in reader.rows(texts, MUNICIPALITIES):
        number = reader.municipality(row["number"], MUNICIPALITIES, line)
        municipalities[number] = MunicipalityFigures(
            number, row["name"], reader.integer(row, "population", MUNICIPALITIES, line), row["population_year"],
            reader.integer(row, "children_0_17", MUNICIPALITIES, line), row["children_year"])
    catalogue = data.catalogue().services
    parameters = []
    for line, row in reader.rows(texts, PARAMETERS):
        if row["service"] not in catalogue or row["param"] not in data.SERVICE_PARAMS:
            reader.fail(PARAMETERS, f"linje {line}", tr(
                f"ukjent parameter {row['service']}.{row['param']}", f"unknown parameter {row['service']}.{row['param']}"))
        parameters.append(CalibratedParam(row["service"], row["param"], reader.number(row, "value", PARAMETERS, line),
                                          row["status"], row["table"], row["year"], row["basis"]))
    spending = []
    for line, row in reader.rows(texts, ACTUAL_SPENDING):
        spending.append(ActualSpending(
            reader.municipality(row["member"], ACTUAL_SPENDING, line), row["group"], tuple(row["services"].split()),
            row["year"], row["measure"], reader.number(row, "nok", ACTUAL_SPENDING, line),
            row["comparable"] == "true", row["basis"]))
    return ImportedData(folder, provenance, municipalities, tuple(parameters), tuple(spending))


class _Reader:
    def __init__(self, folder: str) -> None:
        self.folder = folder

    def fail(self, name: str, key: str | None, problem: str) -> NoReturn:
        raise UserInputError(str(Path(self.folder) / name), key, problem)

    def rows(self, texts: Mapping[str, str], name: str) -> list[tuple[int, dict[str, str]]]:
        """The file's rows by line number; every column of ``COLUMNS`` present, every row complete."""
        reader = csv.DictReader(io.StringIO(texts[name], newline=""))
        missing = [c for c in COLUMNS[name] if c not in (reader.fieldnames or ())]
        if missing:
            self.fail(name, "linje 1", tr(f"mangler kolonnene {', '.join(missing)}", f"missing columns {', '.join(missing)}"))
        out = []
        try:
            for row in reader:
                if None in row or None in row.values():
                    self.fail(name, f"linje {reader.line_num}", tr(
                        f"har et annet antall felt enn overskriftslinjen ({len(reader.fieldnames)})",
                        f"has a different number of fields than the header line ({len(reader.fieldnames)})"))
                out.append((reader.line_num, row))
        except csv.Error as exc:
            self.fail(name, f"linje {reader.line_num}", tr(f"ugyldig CSV: {exc}", f"invalid CSV: {exc}"))
        return out

    def municipality(self, value: str, name: str, line: int) -> str:
        if value not in data.municipalities():
            self.fail(name, f"linje {line}", tr(f"{value!r} er ikke en kommune i verktøyets data",
                                                 f"{value!r} is not a municipality in the toolkit's data"))
        return value

    def number(self, row: Mapping[str, str], column: str, name: str, line: int) -> float:
        value = row[column]
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            self.fail(name, f"linje {line}, {column}", tr(f"forventet et tall, fikk {value!r}",
                                                          f"expected a number, got {value!r}"))
        return number

    def integer(self, row: Mapping[str, str], column: str, name: str, line: int) -> int | None:
        value = row[column]
        if value == "":
            return None
        if not re.fullmatch(r"[0-9]+", value) or int(value) < 1:
            self.fail(name, f"linje {line}, {column}", tr(f"forventet et positivt heltall, fikk {value!r}",
                                                          f"expected a positive whole number, got {value!r}"))
        return int(value)

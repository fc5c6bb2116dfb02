"""Import SSB downloads (JSON-stat 2.0 or StatBank CSV) into a data folder a scenario can use.

``import_files`` works on bytes (from disk or an app upload) and writes nothing; it raises
``UserInputError`` naming the file and the problem. ``write_data_folder`` writes the result all at
once, so a failed import never leaves a half-written folder.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from optimizer import __version__, data
from optimizer.bounds import NORWAY_POPULATION, bound, number_text
from optimizer.errors import UserInputError
from optimizer.i18n import tr
from optimizer.output import write_folder
from optimizer.reading import check_text
from optimizer.ssb.calibrate import Calibration, calibrate
from optimizer.ssb.csv_statbank import parse_statbank_csv
from optimizer.ssb.dataset import Dataset
from optimizer.ssb.folder import PROVENANCE, ImportedData, folder_texts, read_data_texts
from optimizer.ssb.jsonstat import parse_jsonstat
from optimizer.ssb.numbers import Region, classify
from optimizer.ssb.tables import KNOWN, Figure

MAX_FILE_BYTES = 50_000_000
WHAT = {"population": "population", "children_0_17": "children 0-17", "spending": "actual spending",
        "fire_prevention_fte_per_1000": "FTE per 1000 (fire prevention)",
        "child_welfare_positions_per_1000_children": "positions per 1000 children (child welfare)"}
RAW_COLUMNS = ("table", "source_file", "region", "region_code", "region_kind", "region_label", "year", "year_label",
               "contents", "contents_label", "breakdown", "breakdown_label", "value", "status")


@dataclass(frozen=True)
class SourceFile:
    """One file read: its dataset, checksum and what was mapped from it."""

    name: str
    sha256: str
    size: int
    dataset: Dataset
    mapped: tuple[str, ...]
    notes: tuple[str, ...]

    def provenance(self) -> dict[str, Any]:
        ds = self.dataset
        return {"name": self.name, "sha256": self.sha256, "bytes": self.size, "format": ds.format,
                "encoding": ds.encoding, "table": ds.table, "label": ds.label, "years": list(ds.years),
                "cells": len(ds.cells), "known": ds.table in KNOWN, "mapped": list(self.mapped),
                "notes": list(self.notes)}


@dataclass(frozen=True)
class ImportResult:
    """Everything read from the files, with the model inputs derived from it."""

    files: tuple[SourceFile, ...]
    raw: dict[str, str]  # raw_<table>.csv -> text
    number_changes: tuple[str, ...]
    calibration: Calibration
    warnings: tuple[str, ...]
    imported_at: str

    def provenance(self) -> dict[str, Any]:
        return {"imported_at": self.imported_at, "toolkit_version": __version__,
                "files": [f.provenance() for f in self.files], "number_changes": list(self.number_changes),
                "warnings": list(self.warnings)}

    def folder_files(self) -> dict[str, str]:
        """The data folder's files (name -> text)."""
        c = self.calibration
        return {**folder_texts(self.provenance(), c.municipalities, c.parameters, c.actual_spending), **self.raw}

    def data(self, folder: str = "<upload>") -> ImportedData:
        """The result as a scenario uses it, without writing it (e.g. for an app upload)."""
        return read_data_texts(self.folder_files(), folder)

    def derived_rows(self) -> list[dict[str, Any]]:
        """What was derived from which table and year: one row per model input."""
        c = self.calibration
        rows = []
        for m in c.municipalities:
            for what, value, year in (("population", m.population, m.population_year),
                                      ("children_0_17", m.children_0_17, m.children_year)):
                if value is not None:
                    rows.append({"input": f"municipalities.{m.number}.{what}", "name": m.name, "value": value,
                                 "status": "imported", "table": "07459", "year": year, "basis": f"SSB 07459 {year}"})
        for p in c.parameters:
            rows.append({"input": p.key, "name": p.service, "value": p.value, "status": p.status,
                         "table": p.table, "year": p.year, "basis": p.basis})
        for s in c.actual_spending:
            name = data.municipalities()[s.member].name
            rows.append({"input": f"actual_spending.{s.member}.{s.group}", "name": name, "value": s.nok,
                         "status": "actual" if s.comparable else "actual (not compared)",
                         "table": "12362", "year": s.year, "basis": s.basis})
        return rows

    def report(self) -> list[str]:
        """Plain-language lines for the user: files, number changes, derived inputs, warnings."""
        lines = []
        for f in self.files:
            ds = f.dataset
            years = f"{ds.years[0]}–{ds.years[-1]}" if len(ds.years) > 1 else "".join(ds.years)
            mapped = ", ".join(f.mapped) or tr("ingenting (bare rådata)", "nothing (raw data only)")
            lines.append(tr(f"{f.name}: tabell {ds.table or '?'}, {len(ds.cells)} verdier, år {years}; kartlagt: {mapped}",
                            f"{f.name}: table {ds.table or '?'}, {len(ds.cells)} values, years {years}; mapped: {mapped}"))
        lines += [tr(f"kommunenummer endret: {n}", f"municipality number changed: {n}") for n in self.number_changes]
        for r in self.derived_rows():
            value = f"{r['value']:,.0f}" if abs(r["value"]) >= 100 else f"{r['value']:.3g}"
            lines.append(f"{r['input']} = {value} ({r['status']}; SSB {r['table']} {r['year']})")
        lines += [tr(f"advarsel: {w}", f"warning: {w}") for w in self.warnings]
        return lines


def read_dataset(raw: bytes, name: str) -> Dataset:
    """JSON-stat 2.0 if the file starts like JSON (``{`` or ``[``), else StatBank CSV."""
    if len(raw) > MAX_FILE_BYTES:
        raise UserInputError(name, None, tr(f"filen er for stor ({len(raw)} byte; høyst {MAX_FILE_BYTES})",
                                            f"file too large ({len(raw)} bytes; at most {MAX_FILE_BYTES})"))
    check_text(raw, name, "JSON-stat eller CSV fra SSB", "JSON-stat or StatBank CSV")
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return parse_jsonstat(raw, name)
    return parse_statbank_csv(raw, name)


def import_files(files: Sequence[tuple[str, bytes]], *, imported_at: str | None = None) -> ImportResult:
    """Read SSB files given as (name, bytes); raises ``UserInputError`` naming the file on any problem."""
    if not files:
        raise UserInputError("import", None, tr("ingen filer å importere", "no files to import"))
    with _without_gc():
        return _import(files, imported_at)


@contextmanager
def _without_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: a large table is a million small acyclic objects, and
    collecting while they are built takes most of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(files: Sequence[tuple[str, bytes]], imported_at: str | None) -> ImportResult:
    sources, figures, changes, warnings = [], [], [], []
    raw_rows: dict[str, list[str]] = {}
    for name, raw in files:
        try:
            source, found, regions = _read_file(name, raw)
            raw_rows.setdefault(_raw_name(source.dataset), []).extend(_raw_rows(source.dataset, regions))
        except UserInputError:
            raise
        except Exception as exc:  # a shape no check foresaw: still name the file, never a traceback
            raise UserInputError(name, None, tr(f"filen kunne ikke leses ({type(exc).__name__}: {exc})",
                                                f"the file could not be read ({type(exc).__name__}: {exc})")) from exc
        _check_ranges(found, source.dataset, regions)
        sources.append(source)
        figures += found
        changes += [f"{name}: {r.note}" for r in regions.values() if r.kind == "municipality" and r.note]
        warnings += [tr(f"{name}: {r.note}; beholdt som rådata, ikke lagt på noe medlem",
                        f"{name}: {r.note}; kept as raw data, not put onto any member")
                     for r in regions.values() if r.kind == "former"]
        warnings += _file_warnings(source, bool(found))
    calibration = calibrate(_unique(figures))
    return ImportResult(
        files=tuple(sources),
        raw={name: _raw_text(rows) for name, rows in raw_rows.items() if rows},
        number_changes=tuple(changes),
        calibration=calibration,
        warnings=tuple(warnings) + calibration.warnings,
        imported_at=imported_at or datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _read_file(name: str, raw: bytes) -> tuple[SourceFile, list[Figure], dict[str, Region]]:
    """One file's dataset, the figures of a known table and its regions."""
    ds = read_dataset(raw, name)
    regions = {code: classify(code, name) for code in ds.dimension(ds.geo).codes}
    found, notes = KNOWN[ds.table](ds, regions) if ds.table in KNOWN else ([], [])
    mapped = tuple(WHAT[k] for k in dict.fromkeys(f.kind for f in found))
    return SourceFile(name, hashlib.sha256(raw).hexdigest(), len(raw), ds, mapped, tuple(notes)), found, regions


FIGURE_BOUNDS = {  # plausible range of each kind of figure (optimizer.bounds); spending: MAX_VALUE at parsing
    "population": (1, NORWAY_POPULATION),
    "children_0_17": (0, NORWAY_POPULATION),
    "fire_prevention_fte_per_1000": (bound("services.*.fte_per_1000").low, bound("services.*.fte_per_1000").high),
    "child_welfare_positions_per_1000_children": (0, 1000),
}


def _check_ranges(figures: Sequence[Figure], ds: Dataset, regions: dict[str, Region]) -> None:
    """Refuse a figure outside its plausible range, naming the file, where in it (line and column, or
    place in ``value``), the region, the year and the range."""
    for f in figures:
        low, high = FIGURE_BOUNDS.get(f.kind, (-math.inf, math.inf))
        if not low <= f.value <= high:
            geo, time = ds.position(ds.geo), ds.position(ds.time)
            cells = [i for i, c in enumerate(ds.cells) if c.codes[time] == f.year and c.value is not None
                     and regions[c.codes[geo]].number == f.member]
            where = ds.where(cells)
            raise UserInputError(f.source, f"{where + ', ' if where else ''}region {f.member}, {f.year}", tr(
                f"{WHAT[f.kind]} = {number_text(f.value)} er utenfor det mulige ({number_text(low)}–"
                f"{number_text(high)}); sjekk at filen er en uendret nedlasting fra SSB",
                f"{WHAT[f.kind]} = {number_text(f.value)} is outside the plausible range ({number_text(low)}–"
                f"{number_text(high)}); check that the file is an unchanged SSB download"))


def _file_warnings(source: SourceFile, found: bool) -> list[str]:
    name, table = source.name, source.dataset.table
    if table not in KNOWN:
        return [tr(f"{name}: tabell {table or '(uten nummer)'} er ikke en tabell importen kjenner; lest som rådata, "
                   "ingenting ble kartlagt til modellen",
                   f"{name}: table {table or '(no id)'} is not a table the importer knows; read as raw data, "
                   "nothing was mapped onto the model")]
    if not found:
        return [tr(f"{name}: tabell {table} er kjent, men ingenting ble kartlagt: {'; '.join(source.notes)}",
                   f"{name}: table {table} is known but nothing was mapped: {'; '.join(source.notes)}")]
    return [f"{name}: {note}" for note in source.notes]


def write_data_folder(result: ImportResult, out: str | Path) -> None:
    """Write ``result`` into folder ``out``, all files or none (``optimizer.output.write_folder``).

    An existing ``out`` is replaced only if it is an earlier data folder (its marker, or
    ``provenance.json`` from an earlier version) or empty, so a mistyped ``--out`` cannot wipe
    other files.
    """
    write_folder(Path(out), result.folder_files(), kind="ssb-import",
                 legacy=lambda folder: (folder / PROVENANCE).is_file()
                 and all(p.is_file() for p in folder.iterdir()))


def _raw_name(ds: Dataset) -> str:
    stem = ds.table or re.sub(r"[^\w-]+", "_", Path(ds.source).stem)
    return f"raw_{stem}.csv"


def _raw_rows(ds: Dataset, regions: dict[str, Region]) -> list[str]:
    """Every cell as a CSV line of ``RAW_COLUMNS``; the fields of each category are written once, not per cell."""
    geo, time = ds.position(ds.geo), ds.position(ds.time)
    dim = ds.dimension
    head = _csv_fields(ds.table or "", ds.source)
    place = {code: _csv_fields(r.number or r.code, r.code, r.kind, dim(ds.geo).label_of(code)) for code, r in regions.items()}
    years = {code: _csv_fields(code, label) for code, label in zip(dim(ds.time).codes, dim(ds.time).labels)}
    metric = ds.position(ds.metric) if ds.metric else None
    contents = {code: _csv_fields(code, label) for code, label in zip(dim(ds.metric).codes, dim(ds.metric).labels)} \
        if ds.metric else {}
    others = [(ds.position(d.id), d) for d in ds.others()]
    key = itemgetter(*(i for i, _ in others)) if others else (lambda _: ())
    breakdowns: dict[Any, str] = {}
    values: dict[tuple[float | None, str | None], str] = {}
    lines = []
    for codes, value, status in ds.cells:
        breakdown = breakdowns.get(k := key(codes))
        if breakdown is None:
            breakdown = breakdowns[k] = _csv_fields(
                "; ".join(f"{d.id}={codes[i]}" for i, d in others),
                "; ".join(f"{d.label}: {d.label_of(codes[i])}" for i, d in others))
        content = contents[codes[metric]] if metric is not None else ","
        number = values.get((value, status))
        if number is None:
            number = values[(value, status)] = _csv_fields("" if value is None else _number(value), status or "")
        lines.append(f"{head},{place[codes[geo]]},{years[codes[time]]},{content},{breakdown},{number}")
    return lines


def _csv_fields(*fields: str) -> str:
    """Fields as part of a CSV line (quoted where needed), as ``csv.writer`` writes them."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()


def _number(value: float) -> str:
    """A value as ``optimizer.output.csv_text`` writes a float: at most 4 decimals, no trailing zeros."""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _raw_text(lines: list[str]) -> str:
    return "\n".join((",".join(RAW_COLUMNS), *lines, ""))


def _unique(figures: list[Figure]) -> list[Figure]:
    """One figure per member, year and kind; two different values (e.g. under an old and a new
    number, or in two files) are an error, equal ones are the same figure."""
    seen: dict[tuple[str, ...], Figure] = {}
    for f in figures:
        other = seen.setdefault(f.identity, f)
        if abs(other.value - f.value) > 1e-6 * max(1.0, abs(f.value)):
            files = f.source if f.source == other.source else f"{other.source} og/and {f.source}"
            what = f"{WHAT[f.kind]} {f.function}".strip()
            raise UserInputError(files, f"region {f.member}", tr(
                f"tvetydig: to ulike verdier for {f.member} {f.year} ({what}): {other.value:g} og {f.value:g}, "
                "f.eks. under gammelt og nytt kommunenummer",
                f"ambiguous: two different values for {f.member} {f.year} ({what}): {other.value:g} and {f.value:g}, "
                "e.g. under an old and a new municipality number",
            ))
    return list(seen.values())

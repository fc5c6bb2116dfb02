"""A small, strict JSON-stat 2.0 decoder for SSB's PxWebApi v2 responses (``outputFormat=json-stat2``).

Reads ``class: dataset`` with ``id``, ``size``, ``dimension[*].category`` (``index`` as array or
object, ``label``), ``value`` as array or sparse object (keys ``"0"``, ``"1"``, ... written
canonically), ``status`` as array (one element: for every value), object or string, and
``role.geo`` / ``role.time`` / ``role.metric`` (three different dimensions). Values are in row-major
order of ``id`` (the last dimension varies fastest); at most ``MAX_CELLS`` cells. Every problem is
a ``UserInputError`` naming the file and the key.
"""

from __future__ import annotations

import json
import math
import re
from itertools import product
from typing import Any, NoReturn

from optimizer.errors import UserInputError
from optimizer.i18n import tr
from optimizer.ssb.dataset import MAX_VALUE, Cell, Dataset, Dimension, table_id

MAX_CELLS = 5_000_000  # about 20 times a county-wide 07459 download by single ages since 2011
POSITION = re.compile(r"0|[1-9][0-9]*")  # a canonical cell position in a sparse object


def parse_jsonstat(raw: bytes, source: str) -> Dataset:
    """Decode one JSON-stat 2.0 dataset from ``raw`` bytes read from file ``source``."""
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        _fail(source, None, tr("filen er ikke UTF-8-tekst", "the file is not UTF-8 text"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, an integer of over 4300 digits, deep nesting
        _fail(source, None, tr(f"ugyldig JSON: {exc}", f"invalid JSON: {exc}"))
    if not isinstance(doc, dict):
        _fail(source, None, tr("ikke et JSON-stat-datasett (forventet et JSON-objekt)",
                               "not a JSON-stat dataset (expected a JSON object)"))
    if doc.get("class") != "dataset":
        if "dataset" in doc or any(isinstance(v, dict) and "dimension" in v for v in doc.values()):
            _fail(source, "class", tr("JSON-stat 1.x støttes ikke; last ned med outputFormat=json-stat2",
                                      "JSON-stat 1.x is not supported; download with outputFormat=json-stat2"))
        _fail(source, "class", tr(f"ikke et JSON-stat 2.0-datasett (class er {doc.get('class')!r}, ikke 'dataset')",
                                  f"not a JSON-stat 2.0 dataset (class is {doc.get('class')!r}, not 'dataset')"))
    ids = _string_list(doc.get("id"), source, "id")
    if len(set(ids)) != len(ids):
        _fail(source, "id", tr("dimensjons-id-ene er ikke unike", "dimension ids are not unique"))
    size = doc.get("size")
    if not isinstance(size, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in size):
        _fail(source, "size", tr("forventet en liste med heltall", "expected a list of whole numbers"))
    if len(size) != len(ids):
        _fail(source, "size", tr(f"har {len(size)} tall, men id har {len(ids)} dimensjoner",
                                 f"has {len(size)} numbers but id has {len(ids)} dimensions"))
    dims_raw = doc.get("dimension")
    if not isinstance(dims_raw, dict):
        _fail(source, "dimension", tr("mangler eller er ikke et objekt", "missing or not an object"))
    dims = tuple(_dimension(dims_raw.get(d), d, n, source) for d, n in zip(ids, size))
    total = math.prod(size)
    if total > MAX_CELLS:
        _fail(source, "size", tr(
            f"gir {total:,} celler; høyst {MAX_CELLS:,} leses: last ned færre kommuner, år eller kategorier",
            f"gives {total:,} cells; at most {MAX_CELLS:,} are read: download fewer regions, years or categories",
        ))
    values = _values(doc.get("value"), total, source)
    status = _status(doc.get("status"), total, source)
    role = doc.get("role") if isinstance(doc.get("role"), dict) else {}
    geo = _role(role, "geo", ids, source)
    time = _role(role, "time", ids, source)
    metric = _role(role, "metric", ids, source, required=False)
    if geo == time or metric in (geo, time):
        _fail(source, "role", tr(f"geo, time og metric må være ulike dimensjoner (geo {geo}, time {time}, metric {metric})",
                                 f"geo, time and metric must be different dimensions (geo {geo}, time {time}, metric {metric})"))
    kept = sum(1 for v, st in zip(values, status) if v is not None or st is not None)
    if kept > 4 * len(raw) + 10_000:
        _fail(source, "size", tr(
            f"beskriver {kept:,} celler med innhold, flere enn en fil på {len(raw):,} byte kan inneholde "
            "(f.eks. én status for alle celler i en tabell uten verdier)",
            f"describes {kept:,} cells with content, more than a file of {len(raw):,} bytes can hold "
            "(e.g. one status for every cell of a table without values)"))
    cells = tuple(
        Cell(codes, v, st)
        for codes, v, st in zip(product(*(d.codes for d in dims)), values, status)
        if v is not None or st is not None
    )
    label = doc.get("label") if isinstance(doc.get("label"), str) else ""
    px = doc.get("extension", {}).get("px", {}) if isinstance(doc.get("extension"), dict) else {}
    table = px.get("tableid") if isinstance(px, dict) and isinstance(px.get("tableid"), str) else None
    return Dataset(
        source=source,
        format="json-stat2",
        table=table or table_id(label, source),
        label=label,
        dimensions=dims,
        geo=geo,
        time=time,
        metric=metric,
        cells=cells,
    )


def _fail(source: str, key: str | None, problem: str) -> NoReturn:
    raise UserInputError(source, key, problem)


def _string_list(value: Any, source: str, key: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        _fail(source, key, tr("forventet en ikke-tom liste med tekster", "expected a non-empty list of strings"))
    return value


def _dimension(raw: Any, dim_id: str, size: int, source: str) -> Dimension:
    key = f"dimension.{dim_id}"
    if not isinstance(raw, dict):
        _fail(source, key, tr("mangler (står i id, men ikke under dimension)", "missing (listed in id but not under dimension)"))
    category = raw.get("category")
    if not isinstance(category, dict):
        _fail(source, f"{key}.category", tr("mangler eller er ikke et objekt", "missing or not an object"))
    labels = category.get("label", {})
    if not isinstance(labels, dict):
        _fail(source, f"{key}.category.label", tr("forventet et objekt", "expected an object"))
    index = category.get("index")
    if index is None:
        if len(labels) != 1:
            _fail(source, f"{key}.category.index", tr("mangler (kan bare utelates når det er én kategori)",
                                                       "missing (may only be left out for a single category)"))
        codes = list(labels)
    elif isinstance(index, list):
        codes = index
    elif isinstance(index, dict):
        positions = list(index.values())
        whole = all(isinstance(p, int) and not isinstance(p, bool) for p in positions)
        if not whole or sorted(positions) != list(range(len(index))):
            _fail(source, f"{key}.category.index", tr("posisjonene må være 0, 1, 2, … uten hull eller dubletter",
                                                       "positions must be 0, 1, 2, … without gaps or repeats"))
        codes = sorted(index, key=index.get)
    else:
        _fail(source, f"{key}.category.index", tr("forventet en liste eller et objekt", "expected an array or an object"))
    if not all(isinstance(c, str) for c in codes) or len(set(codes)) != len(codes):
        _fail(source, f"{key}.category.index", tr("kodene må være unike tekster", "codes must be unique strings"))
    if len(codes) != size:
        _fail(source, f"{key}.category", tr(
            f"har {len(codes)} kategorier, men size sier {size}",
            f"has {len(codes)} categories but size says {size}",
        ))
    dim_label = raw.get("label") if isinstance(raw.get("label"), str) else dim_id
    return Dimension(dim_id, dim_label, tuple(codes), tuple(str(labels.get(c, c)) for c in codes))


def _number(value: Any, source: str, key: str) -> float | None:
    if value is None:
        return None
    number = math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond float range
            value = "…" + str(value)[-6:]
    if not math.isfinite(number):
        _fail(source, key, tr(f"forventet et tall eller null, fikk {value!r}", f"expected a number or null, got {value!r}"))
    if abs(number) > MAX_VALUE:
        _fail(source, key, tr(f"{number:g} er større enn noe SSB-tall kan være (høyst {MAX_VALUE:g})",
                              f"{number:g} is larger than any SSB figure can be (at most {MAX_VALUE:g})"))
    return number


def _values(raw: Any, total: int, source: str) -> list[float | None]:
    if isinstance(raw, list):
        if len(raw) != total:
            _fail(source, "value", tr(
                f"har {len(raw)} verdier, men size gir {total} celler",
                f"has {len(raw)} values but size gives {total} cells",
            ))
        try:  # fast path; any doubt (a non-number, NaN, an int too large) goes through _number
            out = [None if v is None else float(v) if type(v) in (int, float) else math.nan for v in raw]
        except OverflowError:
            out = [math.nan]
        if not all(abs(v) <= MAX_VALUE for v in out if v is not None):  # NaN fails this too
            return [_number(v, source, f"value[{i}]") for i, v in enumerate(raw)]
        return out
    if isinstance(raw, dict):
        out: list[float | None] = [None] * total
        for k, v in raw.items():
            out[_position(k, total, source, "value")] = _number(v, source, f"value.{k}")
        return out
    _fail(source, "value", tr("mangler, eller er verken liste eller objekt", "missing, or neither an array nor an object"))


def _status(raw: Any, total: int, source: str) -> list[str | None]:
    if raw is None:
        return [None] * total
    if isinstance(raw, str):
        return [raw] * total
    if isinstance(raw, list):
        if len(raw) == 1:  # one status for every value, as the JSON-stat toolkit reads it
            return [raw[0] if isinstance(raw[0], str) else None] * total
        if len(raw) != total:
            _fail(source, "status", tr(f"har {len(raw)} elementer, men det er {total} celler",
                                       f"has {len(raw)} entries but there are {total} cells"))
        return [s if isinstance(s, str) else None for s in raw]
    if isinstance(raw, dict):
        out: list[str | None] = [None] * total
        for k, s in raw.items():
            out[_position(k, total, source, "status")] = s if isinstance(s, str) else None
        return out
    _fail(source, "status", tr("forventet tekst, liste eller objekt", "expected a string, an array or an object"))


def _position(key: str, total: int, source: str, where: str) -> int:
    """A sparse object's key as a cell position: ``0``, ``1``, ... (no sign, leading zero or non-ASCII digit)."""
    if not POSITION.fullmatch(key) or int(key) >= total:
        _fail(source, f"{where}.{key}", tr(
            f"ugyldig celleposisjon: forventet et heltall 0–{total - 1} skrevet uten innledende null",
            f"invalid cell position: expected a whole number 0-{total - 1} written without leading zeros"))
    return int(key)


def _role(role: dict, name: str, ids: list[str], source: str, *, required: bool = True) -> str | None:
    listed = role.get(name)
    if not listed:
        if not required:
            return None
        _fail(source, f"role.{name}", tr(
            f"mangler: filen sier ikke hvilken dimensjon som er {'region' if name == 'geo' else 'tid'}",
            f"missing: the file does not say which dimension holds the {'regions' if name == 'geo' else 'periods'}",
        ))
    if not isinstance(listed, list) or listed[0] not in ids:
        _fail(source, f"role.{name}", tr(f"{listed!r} er ikke en dimensjon i id", f"{listed!r} is not a dimension in id"))
    return listed[0]

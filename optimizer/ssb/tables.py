"""The SSB tables the importer knows, and the figures it reads from them per municipality and year.

SSB's variable codes are not stable across tables and years, so categories are recognised by their
code where it is fixed (KOSTRA function numbers, ``AGD10``/``AGD2``, ``KOSbelop0000``) and
otherwise by their label (bokmål or English). ``docs/IMPORT.md`` lists the rules.

- 07459 population by age: population (all ages) and children 0-17;
- 12362 expenditure by function: gross (``AGD10``) and net (``AGD2``) operating expenditure of
  functions 120, 190, 244, 301, 302, 338 in NOK (``Beløp (1000 kr)``) or per inhabitant;
- 12058 fire and accident protection: FTE per 1000 inhabitants in fire prevention (+ chimney
  sweeping where the table gives it separately; a member and year with either figure missing or
  suppressed is left out, with a note);
- 12279 child welfare: positions per 1000 children 0-17 in the child-welfare service.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from optimizer.i18n import tr
from optimizer.ssb.dataset import Cell, Dataset, Dimension
from optimizer.ssb.numbers import Region

POPULATION = "population"
CHILDREN = "children_0_17"
SPENDING = "spending"
FIRE_FTE = "fire_prevention_fte_per_1000"
CHILD_WELFARE_POSITIONS = "child_welfare_positions_per_1000_children"

FUNCTIONS = {
    "120": "Administrasjon",
    "190": "Interne serviceenheter",
    "244": "Barneverntjeneste",
    "301": "Plansaksbehandling",
    "302": "Bygge-, delings- og seksjoneringssaker",
    "338": "Forebygging av branner og andre ulykker",
}
TOTAL = re.compile(r"\b(i alt|alle|begge kjønn|total|totalt|all ages|both sexes)\b")


@dataclass(frozen=True)
class Figure:
    """One figure read from a known table for a (current) municipality and year."""

    kind: str
    member: str
    year: str
    value: float
    table: str
    source: str
    function: str = ""  # KOSTRA function, for spending
    measure: str = ""  # "gross" or "net", for spending
    unit: str = ""  # "nok" or "per_capita", for spending
    label: str = ""  # the category label the figure came from

    @property
    def identity(self) -> tuple[str, ...]:
        return (self.kind, self.member, self.year, self.function, self.measure, self.unit)


def _norm(text: str) -> str:
    """Casefolded, with thousands spaces removed (``1 000`` -> ``1000``) and single spaces."""
    text = re.sub(r"(?<=\d)[\s\u00a0](?=\d{3}\b)", "", text.casefold())
    return re.sub(r"\s+", " ", text)


def _member_cells(ds: Dataset, regions: Mapping[str, Region]) -> list[tuple[str, dict[str, str], Cell]]:
    """Cells of municipalities mapped to a current number, with that number and their codes by dimension.

    Figures are formed per region code as written, so values under an old and a new number stay
    apart and a conflict between them is caught (``importer._unique``).
    """
    ids, geo = [d.id for d in ds.dimensions], ds.position(ds.geo)
    numbers = {code: r.number for code, r in regions.items() if r.kind == "municipality"}
    return [(numbers[c.codes[geo]], dict(zip(ids, c.codes)), c) for c in ds.cells if c.codes[geo] in numbers]


def _pick(dim: Dimension | None, test: Callable[[str, str], bool]) -> list[str]:
    if dim is None:
        return []
    return [c for c, lbl in zip(dim.codes, dim.labels) if test(c, _norm(lbl))]


def _dim(ds: Dataset, id_prefix: str, *labels: str) -> Dimension | None:
    for d in ds.others():
        if d.id.casefold().startswith(id_prefix) or d.label.casefold() in labels:
            return d
    return None


# ---------------------------------------------------------------------------------------------
# 07459 population


def _age(code: str, label: str) -> tuple[int, int | None] | str | None:
    """(first, last) age of a category, last None for an open top; "total"; or None if unreadable."""
    for text in (_norm(label), code.casefold()):
        if TOTAL.search(text):
            return "total"
        if m := re.search(r"(\d+)\s*[-–]\s*(\d+)", text):
            return int(m.group(1)), int(m.group(2))
        if m := re.search(r"(\d+)\s*(\+|år eller eldre|years or older|years and over)", text):
            return int(m.group(1)), None
        if m := re.fullmatch(r"(\d+)( år| years?)?", text):
            return int(m.group(1)), int(m.group(1))
    return None


def _covers(intervals: list[tuple[int, int | None]], last: int | None) -> bool:
    """Whether ``intervals`` cover ages 0..``last`` (None: all ages) exactly once."""
    expected = 0
    for lo, hi in sorted(intervals, key=lambda x: x[0]):
        if lo != expected or expected is None:
            return False
        expected = None if hi is None else hi + 1
    return expected is None if last is None else expected == last + 1


def population(ds: Dataset, regions: Mapping[str, Region]) -> tuple[list[Figure], list[str]]:
    words = ("personer", "persons", "folkemengde", "population")
    persons = _pick(ds.dimension(ds.metric) if ds.metric else None,
                    lambda c, lbl: c.casefold().startswith("personer") or any(w in lbl for w in words))
    if ds.metric and len(ds.dimension(ds.metric).codes) > 1 and not persons:
        return [], [tr("ingen statistikkvariabel med personer (Personer)", "no statistical variable with persons (Personer)")]
    age_dim = _dim(ds, "alder", "alder", "age")
    ages = {c: _age(c, lbl) for c, lbl in zip(age_dim.codes, age_dim.labels)} if age_dim else {}
    keep = {}  # other dimensions: their total category if there is one, else every category
    for d in ds.others():
        if d is not age_dim:
            totals = [c for c, lbl in zip(d.codes, d.labels) if TOTAL.search(_norm(lbl))]
            keep[d.id] = set(totals[:1] or d.codes)
    sums: dict[tuple[str, str, str], dict[str, float | None]] = defaultdict(lambda: defaultdict(float))
    for number, codes, cell in _member_cells(ds, regions):
        if persons and codes[ds.metric] not in persons:
            continue
        if any(codes[d] not in cats for d, cats in keep.items()):
            continue
        slot = sums[(number, codes[ds.geo], codes[ds.time])]
        age = codes[age_dim.id] if age_dim else "total"
        slot[age] = None if cell.value is None or slot[age] is None else slot[age] + cell.value
    figures, notes = [], []
    for (number, _, year), by_age in sums.items():
        values = {a: v for a, v in by_age.items() if v is not None}
        intervals = {a: ages[a] for a in values if isinstance(ages.get(a), tuple)}
        total = next((values[a] for a in values if a == "total" or ages.get(a) == "total"), None)
        if total is None and _covers(list(intervals.values()), None):
            total = sum(values[a] for a in intervals)
        young = {a: iv for a, iv in intervals.items() if iv[1] is not None and iv[1] <= 17}
        children = sum(values[a] for a in young) if young and _covers(list(young.values()), 17) else None
        for kind, value in ((POPULATION, total), (CHILDREN, children)):
            if value is not None:
                figures.append(Figure(kind, number, year, value, "07459", ds.source))
    if not figures and sums:
        notes.append(tr("alderne i filen dekker verken alle aldre eller 0–17 år uten hull",
                        "the ages in the file cover neither all ages nor 0-17 without gaps"))
    return figures, notes


# ---------------------------------------------------------------------------------------------
# 12362 operating expenditure by function


def _measure(code: str, label: str) -> str:
    c = code.casefold()
    if c == "agd10" or label.startswith(("brutto driftsutgifter", "gross operating expenditure")):
        return "gross"
    if c == "agd2" or label.startswith(("netto driftsutgifter", "net operating expenditure")):
        return "net"
    return ""


def _spending_unit(code: str, label: str) -> str:
    if code.casefold() == "kosbelop0000" or "1000 kr" in label or "nok 1000" in label:
        return "nok"
    if "per innbygger" in label or "per inhabitant" in label:
        return "per_capita"
    return ""


def spending(ds: Dataset, regions: Mapping[str, Region]) -> tuple[list[Figure], list[str]]:
    function_dim = _dim(ds, "kokfunksjon", "funksjon", "function")
    art_dim = _dim(ds, "kokart", "art", "type of expenditure")
    if function_dim is None or art_dim is None or ds.metric is None:
        return [], [tr("trenger dimensjonene funksjon, art og statistikkvariabel",
                       "needs the dimensions function (funksjon), type (art) and statistical variable")]
    if any(d not in (function_dim, art_dim) and len(d.codes) > 1 for d in ds.others()):
        return [], [tr("har flere inndelinger som importen ikke vet hvordan den skal slå sammen",
                       "has further breakdowns the importer does not know how to combine")]
    measures = {c: _measure(c, _norm(lbl)) for c, lbl in zip(art_dim.codes, art_dim.labels)}
    metric = ds.dimension(ds.metric)
    units = {c: _spending_unit(c, _norm(lbl)) for c, lbl in zip(metric.codes, metric.labels)}
    figures = []
    for number, codes, cell in _member_cells(ds, regions):
        function = re.match(r"\d*", codes[function_dim.id]).group(0)
        measure, unit = measures[codes[art_dim.id]], units[codes[ds.metric]]
        if function in FUNCTIONS and measure and unit and cell.value is not None:
            value = cell.value * 1000.0 if unit == "nok" else cell.value
            figures.append(Figure(SPENDING, number, codes[ds.time], value, "12362", ds.source,
                                  function=function, measure=measure, unit=unit,
                                  label=function_dim.label_of(codes[function_dim.id])))
    functions = ", ".join(FUNCTIONS)
    return figures, [] if figures else [tr(
        f"fant ingen brutto/netto driftsutgifter (AGD10/AGD2) i 1000 kr eller per innbygger for funksjonene {functions}",
        f"found no gross/net operating expenditure (AGD10/AGD2) in NOK 1000 or per inhabitant for functions {functions}",
    )]


# ---------------------------------------------------------------------------------------------
# 12058 fire and accident protection, 12279 child welfare


def _per_1000(label: str, *, of: tuple[str, ...]) -> bool:
    fte = any(w in label for w in ("årsverk", "stilling", "fte", "man-year", "full-time", "position"))
    return fte and any(f"per 1000 {w}" in label or f"pr. 1000 {w}" in label for w in of)


def _ratio(ds: Dataset, regions: Mapping[str, Region], kind: str, table: str,
           groups: Mapping[str, Callable[[str], bool]]) -> tuple[list[Figure], list[str]]:
    """Per member and year, the sum of the statistical variables ``groups`` recognise by label.

    The first group is required; the others count when the table has them. A member and year
    lacking a value for any of them (missing, or an SSB symbol such as ``:``) gives no figure, and
    a note when it has a value for another: the sum of the rest would understate it.
    """
    if ds.metric is None or any(len(d.codes) > 1 for d in ds.others()):
        return [], [tr("trenger bare region, statistikkvariabel og år (ingen flere inndelinger)",
                       "needs region, statistical variable and year only (no further breakdowns)")]
    metric = ds.dimension(ds.metric)
    chosen: dict[str, str] = {}  # code -> group, in the order of groups
    for name, test in groups.items():
        code = next((c for c, lbl in zip(metric.codes, metric.labels) if test(_norm(lbl))), None)
        if code is not None:
            chosen[code] = name
    if next(iter(groups)) not in chosen.values():
        return [], [tr("fant ingen statistikkvariabel importen kjenner igjen (se docs/IMPORT.md)",
                       "found no statistical variable the importer recognises (see docs/IMPORT.md)")]
    found: dict[tuple[str, str, str], dict[str, Cell]] = defaultdict(dict)
    for number, codes, cell in _member_cells(ds, regions):
        if codes[ds.metric] in chosen:
            found[(number, codes[ds.geo], codes[ds.time])][codes[ds.metric]] = cell
    label = " + ".join(metric.label_of(c) for c in chosen)
    figures, incomplete = [], []
    for (number, _, year), cells in found.items():
        gaps = [f"{metric.label_of(c)}: {cells[c].status if c in cells and cells[c].status else '—'}"
                for c in chosen if c not in cells or cells[c].value is None]
        if gaps:
            if len(gaps) < len(chosen):
                incomplete.append(f"{number} {year} ({', '.join(gaps)})")
        else:
            figures.append(Figure(kind, number, year, sum(cells[c].value for c in chosen), table, ds.source, label=label))
    notes = [tr(f"utelatt fra kalibreringen fordi en verdi mangler eller er skjermet: {'; '.join(incomplete)}",
                f"left out of the calibration because a value is missing or suppressed: {'; '.join(incomplete)}")
             ] if incomplete else []
    return figures, notes


def fire_fte(ds: Dataset, regions: Mapping[str, Region]) -> tuple[list[Figure], list[str]]:
    inhabitants = ("innbyggere", "inhabitants")
    groups = {
        "prevention": lambda lbl: _per_1000(lbl, of=inhabitants) and ("forebygg" in lbl or "prevent" in lbl),
        "sweeping": lambda lbl: _per_1000(lbl, of=inhabitants) and ("feiing" in lbl or "feier" in lbl or "chimney" in lbl),
    }
    return _ratio(ds, regions, FIRE_FTE, "12058", groups)


def child_welfare_positions(ds: Dataset, regions: Mapping[str, Region]) -> tuple[list[Figure], list[str]]:
    def positions(lbl: str) -> bool:
        return _per_1000(lbl, of=("barn", "children")) and "0-17" in lbl and "fagutdanning" not in lbl and "qualif" not in lbl

    return _ratio(ds, regions, CHILD_WELFARE_POSITIONS, "12279", {"positions": positions})


KNOWN: dict[str, Callable[[Dataset, Mapping[str, Region]], tuple[list[Figure], list[str]]]] = {
    "07459": population,
    "12362": spending,
    "12058": fire_fte,
    "12279": child_welfare_positions,
}

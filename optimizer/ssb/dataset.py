"""A statistical table as both SSB formats (JSON-stat 2.0 and StatBank CSV) decode to it.

A dataset has dimensions (each a list of category codes with labels) and cells; one dimension
holds the regions (``geo``), one the periods (``time``) and, when there is one, one the
statistical variables (``metric``, SSB's ``ContentsCode``).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import NamedTuple

from optimizer.i18n import tr

TABLE_ID = re.compile(r"^\s*(\d{5})\s*:")
MAX_VALUE = 1e12  # larger than any SSB figure (Norway's public spending is about 2e9 in 1000 NOK)


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    _label: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_label", dict(zip(self.codes, self.labels)))

    def label_of(self, code: str) -> str:
        return self._label[code]


class Cell(NamedTuple):
    """One value: its category code in every dimension (in dataset order), value and SSB symbol.

    A named tuple, not a dataclass: a county-wide table has a million cells and this builds fast.
    """

    codes: tuple[str, ...]
    value: float | None
    status: str | None


@dataclass(frozen=True)
class Dataset:
    source: str  # file name as given by the user
    format: str  # "json-stat2" or "statbank-csv"
    table: str | None  # SSB table id, e.g. "12362", when the file says
    label: str
    dimensions: tuple[Dimension, ...]
    geo: str
    time: str
    metric: str | None
    cells: tuple[Cell, ...]
    encoding: str = "utf-8"
    # where each cell is in the file: StatBank CSV (line, column) numbers, parallel to cells;
    # JSON-stat needs none (a cell's place in ``value`` follows from its codes)
    lines: array | None = field(default=None, compare=False, repr=False)
    columns: array | None = field(default=None, compare=False, repr=False)

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)

    def position(self, dim_id: str) -> int:
        return [d.id for d in self.dimensions].index(dim_id)

    def others(self) -> tuple[Dimension, ...]:
        """Dimensions other than region, period and statistical variable."""
        roles = {self.geo, self.time, self.metric}
        return tuple(d for d in self.dimensions if d.id not in roles)

    def values(self) -> Iterator[tuple[dict[str, str], Cell]]:
        """Each cell with its codes by dimension id."""
        ids = [d.id for d in self.dimensions]
        for cell in self.cells:
            yield dict(zip(ids, cell.codes)), cell

    def where(self, indexes: list[int]) -> str:
        """Where cells (by index in ``cells``) are in the file: ``linje 4–7, kolonne 3`` or ``value[12]``."""
        if not indexes:
            return ""
        if self.lines is None or self.columns is None:
            strides, flat = [], []
            step = 1
            for d in reversed(self.dimensions):
                strides.insert(0, step)
                step *= len(d.codes)
            for i in indexes[:3]:
                codes = self.cells[i].codes
                flat.append(sum(d.codes.index(c) * k for d, c, k in zip(self.dimensions, codes, strides)))
            return ", ".join(f"value[{n}]" for n in flat) + (" …" if len(indexes) > 3 else "")
        lines = sorted({self.lines[i] for i in indexes})
        columns = sorted({self.columns[i] for i in indexes})
        span = str(lines[0]) if len(lines) == 1 else f"{lines[0]}–{lines[-1]}"
        cols = ", ".join(map(str, columns[:4])) + (" …" if len(columns) > 4 else "")
        return tr(f"linje {span}, kolonne {cols}", f"line {span}, column {cols}")

    @property
    def years(self) -> tuple[str, ...]:
        t = self.position(self.time)
        return tuple(sorted({c.codes[t] for c in self.cells if c.value is not None}))


def table_id(*texts: str) -> str | None:
    """The 5-digit SSB table id at the start of a title (``"12362: Utgifter ..."``) or a file name
    (the last text, a path: its final part counts)."""
    texts = (*texts[:-1], PurePath(texts[-1]).name) if texts else texts
    for text in texts:
        match = TABLE_ID.match(text or "") or re.match(r"^(\d{5})(?:\D|$)", text or "")
        if match:
            return match.group(1)
    return None

"""A statistical table as both SSB formats (JSON-stat 2.0 and StatBank CSV) decode to it.

A dataset has dimensions (each a list of category codes with labels) and cells; one dimension
holds the regions (``geo``), one the periods (``time``) and, when there is one, one the
statistical variables (``metric``, SSB's ``ContentsCode``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import NamedTuple

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

"""Counts about people in reports, and how small ones are suppressed (prikking, as statistics offices do).

The counts about people the reports show are the expected yearly child-welfare cases per member:
children with measures (``child_welfare``) and on-call call-outs (``child_welfare_on_call``), i.e.
``cases_per_1000 x population / 1000`` with the rates of the scenario's ``[uncertainty.demand]``
(defaults in ``optimizer.uncertainty``). Populations are published statistics (SSB) and are shown
as they are; FTE are positions, not people, and are shown as they are.

Rule (``THRESHOLD`` = 5 by default), applied to every count about people in every report:

- primary: a count of 1 to 4 (after rounding to whole persons; anything above 0 that rounds to 0
  too) is shown as ``<5``; 0 is shown as 0 (nobody);
- secondary (complementary): where a column total is shown, the total minus the shown cells gives
  away the sum of the hidden ones. That sum must not pin any hidden cell: there must be at least two
  hidden cells, and the sum must lie strictly between the least and the most they could hold (1 to
  4 for a ``<5`` cell, at least 5 for a ``:`` cell). Until it does, the smallest shown non-zero cell
  is hidden too and shown as ``:`` (SSB's sign for "suppressed for confidentiality"); if no cell is
  left to hide, the total is ``:`` as well. A total below the threshold is ``<5`` itself.
- one report, one choice (``suppress_columns``): the same column in the tables of several scenarios
  hides the same members: a member hidden as ``:`` in one scenario's table is hidden in all of
  them (and the rule above is applied again until nothing changes), so a value hidden in one
  scenario cannot be read in another.

Counts that are shown keep their whole value (no rounding to base 5).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

from optimizer.scenario import Scenario
from optimizer.uncertainty import uncertainty_spec

THRESHOLD = 5
SECONDARY = ":"

Cell = int | str


def primary(value: float, threshold: int = THRESHOLD) -> Cell:
    """``value`` rounded to whole persons, or ``<5`` when it is small but not zero."""
    shown = round(value)
    if value > 0 and shown < threshold:
        return f"<{threshold}"
    return shown


def pinned(cells: Mapping[str, Cell], total: int, threshold: int = THRESHOLD) -> bool:
    """Whether ``total`` minus the shown ``cells`` gives away a hidden cell (see the module docstring)."""
    hidden = [c for c in cells.values() if isinstance(c, str)]
    if not hidden:
        return False
    if len(hidden) < 2:
        return True
    rest = total - sum(c for c in cells.values() if not isinstance(c, str))
    small = sum(c != SECONDARY for c in hidden)
    least = small + (len(hidden) - small) * threshold
    most = small * (threshold - 1) if small == len(hidden) else math.inf
    return not least < rest < most


def suppress_column(values: Mapping[str, float], threshold: int = THRESHOLD,
                    hide: Collection[str] = ()) -> tuple[dict[str, Cell], Cell]:
    """The cells of one column and its total, with primary and secondary suppression applied.

    ``hide``: keys to show as ``:`` anyway (when not zero), e.g. hidden in another scenario's table.
    """
    cells = {key: primary(v, threshold) for key, v in values.items()}
    total = primary(sum(values.values()), threshold)
    if isinstance(total, str):  # every non-zero cell is <5 already
        return cells, total
    for key in hide:
        if isinstance(cells.get(key), int) and cells[key] > 0:
            cells[key] = SECONDARY
    while pinned(cells, total, threshold):
        shown = [key for key, cell in cells.items() if not isinstance(cell, str) and cell > 0]
        if not shown:
            return cells, SECONDARY
        cells[min(shown, key=lambda k: (cells[k], k))] = SECONDARY
    return cells, total


def suppress_columns(columns: Sequence[Mapping[str, float]],
                     threshold: int = THRESHOLD) -> list[tuple[dict[str, Cell], Cell]]:
    """The same column in several tables of one report (one per scenario), suppressed alike: a key
    hidden as ``:`` in any of them is hidden in all of them."""
    hide: set[str] = set()
    while True:
        found = [suppress_column(values, threshold, sorted(hide)) for values in columns]
        secondary = {key for cells, _ in found for key, cell in cells.items() if cell == SECONDARY}
        if secondary <= hide:
            return found
        hide |= secondary


def expected_cases(scenario: Scenario) -> dict[str, dict[str, float]]:
    """Expected yearly cases per service (with a case rate) and member: rate x population / 1000."""
    rates = uncertainty_spec(scenario).cases_per_1000
    return {
        spec.id: {m: rates[spec.id] * scenario.population(m) / 1000.0 for m in sorted(scenario.members)}
        for spec in scenario.services if spec.id in rates
    }

"""Counts about people in reports, and how small ones are suppressed (prikking, as statistics offices do).

The counts about people the reports show are the expected yearly child-welfare cases per member:
children with measures (``child_welfare``) and on-call call-outs (``child_welfare_on_call``), i.e.
``cases_per_1000 x population / 1000`` with the rates of the scenario's ``[uncertainty.demand]``
(defaults in ``optimizer.uncertainty``). Populations are published statistics (SSB) and are shown
as they are; FTE are positions, not people, and are shown as they are.

Rule (``THRESHOLD`` = 5 by default), applied to every count about people in every report:

- primary: a count of 1 to 4 (after rounding to whole persons; anything above 0 that rounds to 0
  too) is shown as ``<5``; 0 is shown as 0 (nobody);
- secondary (complementary): where a column total is shown and exactly one cell of it is primary
  suppressed, the smallest other non-zero cell is suppressed too and shown as ``:`` (SSB's sign for
  "suppressed for confidentiality"), so the hidden value cannot be found by subtraction. A total
  below the threshold is ``<5`` itself (then it hides nothing that the cells show).

Counts that are shown keep their whole value (no rounding to base 5).
"""

from __future__ import annotations

from collections.abc import Mapping

from optimizer.scenario import Scenario
from optimizer.uncertainty import uncertainty_spec

THRESHOLD = 5
SECONDARY = ":"


def primary(value: float, threshold: int = THRESHOLD) -> int | str:
    """``value`` rounded to whole persons, or ``<5`` when it is small but not zero."""
    shown = round(value)
    if value > 0 and shown < threshold:
        return f"<{threshold}"
    return shown


def suppress_column(values: Mapping[str, float], threshold: int = THRESHOLD) -> tuple[dict[str, int | str], int | str]:
    """The cells of one column and its total, with primary and secondary suppression applied."""
    cells = {key: primary(v, threshold) for key, v in values.items()}
    total = primary(sum(values.values()), threshold)
    hidden = [key for key, cell in cells.items() if isinstance(cell, str)]
    if len(hidden) == 1 and not isinstance(total, str):
        # the total is at least the threshold, so some other cell is non-zero
        others = [key for key, cell in cells.items() if not isinstance(cell, str) and cell > 0]
        cells[min(others, key=lambda k: (cells[k], k))] = SECONDARY
    return cells, total


def expected_cases(scenario: Scenario) -> dict[str, dict[str, float]]:
    """Expected yearly cases per service (with a case rate) and member: rate x population / 1000."""
    rates = uncertainty_spec(scenario).cases_per_1000
    return {
        spec.id: {m: rates[spec.id] * scenario.population(m) / 1000.0 for m in sorted(scenario.members)}
        for spec in scenario.services if spec.id in rates
    }

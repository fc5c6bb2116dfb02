"""Grid sweeps: vary one or more scenario keys over values and tabulate hosts and shares.

Each grid point is the scenario's merged table with the varied keys overridden (dotted keys as in
the scenario file, e.g. ``services.child_welfare.cost_per_fte`` or ``cost_key.fixed_share``),
validated like a scenario file (errors name the key and ``--vary``) and solved with
``pipeline.run``. Points run on local processes by default (``concurrent.futures``) or on a Dask
cluster given its scheduler address; the table is in grid order either way and is the same.
"""

from __future__ import annotations

import copy
import itertools
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from optimizer.alternatives import hosts_label
from optimizer.errors import InfeasibleError, UserInputError
from optimizer.i18n import tr
from optimizer.pipeline import run
from optimizer.scenario import Scenario, resolve

VARY_SOURCE = "--vary"


@dataclass(frozen=True)
class Vary:
    """One varied key and its values."""

    key: str
    values: tuple[Any, ...]


def parse_vary(text: str) -> Vary:
    """``"cost_key.fixed_share=0.2,0.3"`` -> ``Vary("cost_key.fixed_share", (0.2, 0.3))``.

    Each value is read as a TOML value (numbers, ``true``/``false``, quoted strings); anything
    else is kept as text.
    """
    key, sep, values = text.partition("=")
    key = key.strip()
    if not sep or not key or not values.strip():
        raise UserInputError(VARY_SOURCE, text, tr("forventet NØKKEL=VERDI,VERDI,...", "expected KEY=VALUE,VALUE,..."))
    return Vary(key, tuple(_value(v.strip()) for v in values.split(",")))


def _value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def grid_scenarios(scenario: Scenario, varies: Sequence[Vary]) -> list[tuple[dict[str, Any], Scenario]]:
    """Every grid point (first key varies slowest) as (key -> value, resolved scenario).

    An imported SSB data folder (``scenario.imported``) is kept at every point. Raises
    ``UserInputError`` naming ``--vary`` and the key when a value is not valid there.
    """
    out = []
    origins = {**scenario.origins, **{v.key: VARY_SOURCE for v in varies}}
    for values in itertools.product(*(v.values for v in varies)):
        point = {v.key: value for v, value in zip(varies, values)}
        table = copy.deepcopy(dict(scenario.raw))
        for key, value in point.items():
            _set(table, key, value)
        resolved = resolve(table, scenario_id=scenario.id, source=scenario.source, origins=origins,
                           imported=scenario.imported)
        out.append((point, resolved))
    return out


def _set(table: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    for name in parents:
        child = table.get(name)
        if not isinstance(child, dict):
            child = table[name] = dict(child) if isinstance(child, Mapping) else {}
        table = child
    table[last] = value


def solve_point(point: Mapping[str, Any], scenario: Scenario) -> dict[str, Any]:
    """One row of the sweep: the point's values, status, total, price of fairness, hosts, payments and shares."""
    row: dict[str, Any] = dict(point)
    services = [spec.id for spec in scenario.services]
    members = sorted(scenario.members)
    try:
        result = run(scenario)
    except InfeasibleError as exc:
        row.update(status="infeasible", loosen=" ".join(exc.culprits), total_nok="", price_of_fairness_nok="")
        row.update({f"host.{s}": "" for s in services})
        row.update({f"pays.{m}": "" for m in members} | {f"share.{m}": "" for m in members})
        return row
    total = result.total_cost
    row.update(status="ok", loosen="", total_nok=total, price_of_fairness_nok=result.price_of_fairness)
    row.update({f"host.{s}": hosts_label(result.plan, s) for s in services})
    row.update({f"pays.{m}": result.plan.payment(m) for m in members})
    row.update({f"share.{m}": result.plan.payment(m) / total if total else 0.0 for m in members})
    return row


def sweep(scenario: Scenario, varies: Sequence[Vary], *, workers: int | None = None, scheduler: str | None = None,
          progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """Solve every grid point; rows in grid order.

    ``scheduler``: address of a running Dask scheduler (``tcp://host:8786`` or a
    ``LocalCluster``'s ``scheduler_address``); otherwise local processes (``workers``, default
    the number of cores; one worker or one point runs in this process). ``progress(done, total)``
    is called as points finish.
    """
    points = grid_scenarios(scenario, varies)
    progress = progress or (lambda done, total: None)
    if scheduler is not None:
        return _on_dask(points, scheduler, progress)
    workers = min(workers or os.cpu_count() or 1, len(points))
    if workers <= 1:
        rows = []
        for point, resolved in points:
            rows.append(solve_point(point, resolved))
            progress(len(rows), len(points))
        return rows
    with ProcessPoolExecutor(max_workers=workers) as pool:
        rows = []
        for row in pool.map(solve_point, *zip(*points)):
            rows.append(row)
            progress(len(rows), len(points))
        return rows


def _on_dask(points: list[tuple[dict[str, Any], Scenario]], address: str,
             progress: Callable[[int, int], None]) -> list[dict[str, Any]]:
    from distributed import Client, as_completed

    with Client(address) as client:
        futures = client.map(solve_point, *zip(*points), pure=False)
        for done, _ in enumerate(as_completed(futures), start=1):
            progress(done, len(points))
        return client.gather(futures)

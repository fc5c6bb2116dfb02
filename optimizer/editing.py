"""Scenario editing for the app: settings as an overlay on a scenario table, uploads, TOML out.

The app never edits a ``Scenario`` directly. It builds an overlay (same shape as a scenario file)
holding only what differs from the starting scenario, merges it into the starting table and
resolves the result with the same validation as the CLI. Parameters left as they were keep their
status (an estimate stays marked as one); a changed one becomes "set in the scenario".
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w

from optimizer.decisions.locks import HostLocks, lock_overlay, locks_of
from optimizer.errors import UserInputError
from optimizer.ssb import ImportedData
from optimizer.i18n import tr
from optimizer.scenario import (
    MAX_FILE_BYTES,
    Scenario,
    _leaf_keys,
    merge_tables,
    parse_toml,
    read_scenario_file,
    resolve,
)

EDITABLE_PARAMS = ("cost_per_fte", "min_fte", "max_travel_minutes")
INTERACTIVE_TIME_LIMIT_SECONDS = 20.0
COUNTY_TIME_LIMIT_SECONDS = 30.0  # from COUNTY_SCALE members: 16-18 members take 5-12 s to prove here (README); room for slower machines
COUNTY_SCALE = 16


def interactive_time_limit(n_members: int) -> float:
    """The solver time limit the app applies: longer at county scale, where a proof takes longer."""
    return COUNTY_TIME_LIMIT_SECONDS if n_members >= COUNTY_SCALE else INTERACTIVE_TIME_LIMIT_SECONDS


@dataclass(frozen=True)
class Settings:
    """What the steering group can change live; ``None`` or absent means "as in the scenario"."""

    members: tuple[str, ...]
    services_enabled: Mapping[str, bool] = field(default_factory=dict)
    params: Mapping[tuple[str, str], float] = field(default_factory=dict)
    fairness: Mapping[str, Any] = field(default_factory=dict)
    cost_key_method: str | None = None
    fixed_share: float | None = None
    settlement_method: str | None = None
    host_locks: HostLocks | None = None  # locked / forbidden hosts per service


def settings_of(scenario: Scenario) -> Settings:
    """The settings a scenario has as it stands (the app's starting widget values)."""
    enabled = {s.id: True for s in scenario.services} | {s.id: False for s in scenario.disabled_services}
    services = [spec.service for spec in scenario.services] + list(scenario.disabled_services)
    params = {
        (s.id, p): value for s in services for p in EDITABLE_PARAMS
        if (value := s.value(p)) is not None
    }
    return Settings(
        members=scenario.members,
        services_enabled=enabled,
        params=params,
        fairness=dict(vars(scenario.fairness)),
        cost_key_method=scenario.cost_key.method,
        fixed_share=scenario.cost_key.fixed_share,
        settlement_method=scenario.settlement_method,
        host_locks=locks_of(scenario),
    )


def overlay(base: Scenario, settings: Settings) -> dict[str, Any]:
    """The scenario-file keys that turn ``base`` into ``settings``: only what differs."""
    start = settings_of(base)
    out: dict[str, Any] = {}
    if set(settings.members) != set(base.members):
        out["members"] = list(settings.members)
        founding = [m for m in base.founding if m in settings.members]
        if founding != list(base.founding) or "founding" in base.raw:
            out["founding"] = founding
    services: dict[str, dict[str, Any]] = {}
    for sid, on in settings.services_enabled.items():
        if start.services_enabled.get(sid) != on:
            services.setdefault(sid, {})["enabled"] = on
    for (sid, param), value in settings.params.items():
        if start.params.get((sid, param)) != value:
            services.setdefault(sid, {})[param] = value
    if settings.host_locks is not None:
        for sid, keys in lock_overlay(base, settings.host_locks).get("services", {}).items():
            services.setdefault(sid, {}).update(keys)
    if services:
        out["services"] = services
    fairness = {k: v for k, v in settings.fairness.items() if start.fairness.get(k) != v}
    if fairness:
        out["fairness"] = fairness
    cost_key = {}
    if settings.cost_key_method is not None and settings.cost_key_method != start.cost_key_method:
        cost_key["method"] = settings.cost_key_method
    if settings.fixed_share is not None and settings.fixed_share != start.fixed_share:
        cost_key["fixed_share"] = settings.fixed_share
    if cost_key:
        out["cost_key"] = cost_key
    if settings.settlement_method is not None and settings.settlement_method != start.settlement_method:
        out["settlement"] = {"method": settings.settlement_method}
    return out


def changed_keys(changes: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted scenario keys an overlay sets, e.g. ``services.child_welfare.cost_per_fte``."""
    keys = []
    for key, value in changes.items():
        dotted = f"{prefix}{key}"
        keys += changed_keys(value, dotted + ".") if isinstance(value, Mapping) else [dotted]
    return keys


def edited_table(base_table: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base_table`` with ``changes`` merged in; ``None`` values (e.g. no FTE band) are removed."""
    merged = merge_tables(copy.deepcopy(dict(base_table)), changes)
    return _drop_none(merged)


def _drop_none(table: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _drop_none(v) if isinstance(v, Mapping) else v for k, v in table.items() if v is not None}


def apply(base_table: Mapping[str, Any], base: Scenario, settings: Settings, *, scenario_id: str,
          imported: ImportedData | None = None) -> tuple[dict[str, Any], Scenario]:
    """Edited table and its resolved scenario (raises ``UserInputError`` like a file would).

    ``imported`` is SSB data uploaded in the app, used instead of the embedded figures.
    """
    table = edited_table(base_table, overlay(base, settings))
    scenario = resolve(table, scenario_id=scenario_id, source=tr("innstillinger i appen", "settings in the app"),
                       imported=imported)
    return table, scenario


def interactive(scenario: Scenario) -> Scenario:
    """``scenario`` with the interactive solver time limit (``interactive_time_limit``), unless its
    file sets one.

    A search the limit stops shows the best plan found and its gap (``views.solver_note``).
    """
    if scenario.solver.time_limit is not None:
        return scenario
    seconds = interactive_time_limit(len(scenario.members))
    return replace(scenario, solver=replace(scenario.solver, time_limit=seconds))


def read_upload(name: str, raw: bytes, scenarios_dir: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """An uploaded scenario file: size-checked, parsed (never executed), ``extends`` followed.

    ``extends`` may only name a shipped scenario in ``scenarios_dir``; the upload's own keys win.
    """
    if len(raw) > MAX_FILE_BYTES:
        raise UserInputError(name, None, tr(
            f"filen er for stor ({len(raw)} byte; høyst {MAX_FILE_BYTES})",
            f"file too large ({len(raw)} bytes; at most {MAX_FILE_BYTES})",
        ))
    table = parse_toml(raw, name)
    if "data" in table:
        raise UserInputError(name, "data", tr(
            "en opplastet fil kan ikke peke på en datamappe på serveren; last opp SSB-filene under «Data» i stedet",
            "an uploaded file cannot point at a data folder on the server; upload the SSB files under “Data” instead",
        ))
    origins = {key: name for key in _leaf_keys(table)}
    parent = table.pop("extends", None)
    if parent is None:
        return table, origins
    shipped = {p.name: p for p in scenarios_dir.glob("*.toml")}
    if not isinstance(parent, str) or parent not in shipped:
        raise UserInputError(name, "extends", tr(
            f"en opplastet fil kan bare bygge på et medfølgende scenario ({', '.join(sorted(shipped))}), ikke {parent!r}",
            f"an uploaded file can only extend a shipped scenario ({', '.join(sorted(shipped))}), not {parent!r}",
        ))
    base_table, base_origins = read_scenario_file(shipped[parent])
    origins.pop("extends", None)
    return merge_tables(base_table, table), {**base_origins, **origins}


def to_toml(table: Mapping[str, Any], title: str) -> str:
    """A self-contained scenario file (no ``extends``) that ``python -m optimizer run`` accepts as is."""
    body = {k: v for k, v in table.items() if k != "extends"}
    header = (
        f"# {title}\n"
        f"# {tr('Lagret fra Vertskommune-appen', 'Saved from the Vertskommune app')} {date.today().isoformat()}.\n"
        f"# {tr('Kjør: python -m optimizer run', 'Run: python -m optimizer run')} <{tr('denne filen', 'this file')}>\n\n"
    )
    return header + tomli_w.dumps(body)
